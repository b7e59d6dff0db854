"""A shared clip as a camera for Chromium (`--use-file-for-fake-video-capture`): a .y4m file written here.

The clip is letterboxed into 640x480 (no stretching: a stretched body bends
its angles), sampled at 15 frames/s, then held still on its last frame for a
while, so that when Chromium loops the file the count has settled first.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fittrack.pose.video import VideoReader

SIZE = (640, 480)
FPS = 15


def letterboxed(rgb: np.ndarray, size: tuple[int, int] = SIZE) -> np.ndarray:
    width, height = size
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    resized = cv2.resize(rgb, (int(rgb.shape[1] * scale) // 2 * 2, int(rgb.shape[0] * scale) // 2 * 2))
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    canvas[top:top + resized.shape[0], left:left + resized.shape[1]] = resized
    return canvas


def camera_frames(clip: Path, still_s: float = 0.0) -> list[np.ndarray]:
    frames = [letterboxed(frame.rgb) for frame in VideoReader(clip, sample_fps=FPS)]
    return frames + [frames[-1]] * int(still_s * FPS)


def write_y4m(frames: list[np.ndarray], path: Path) -> Path:
    height, width = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def write_mp4(frames: list[np.ndarray], path: Path) -> Path:
    """The same camera frames as a file `fittrack predict` reads (what the live count is compared with)."""
    from fittrack.pose.recording import FrameRecorder

    recorder = FrameRecorder(path)
    for i, rgb in enumerate(frames):
        recorder.add(rgb, round(i * 1000 / FPS))
    return recorder.close()
