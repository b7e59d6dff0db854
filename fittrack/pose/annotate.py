"""The annotated video: skeleton, joint angles and the predicted exercise, as browser-playable H.264.

Rendering runs after the whole video has been analysed, because the banner
shows the whole video's prediction; it is driven by the rows the first pass
produced, so it needs no pose model and sees exactly what was stored. Only
the analysed (sampled) frames are drawn, at the sampling rate: the overlay
then never lags the picture, and a 15 fps result is plenty to watch form.
The first pass keeps those frames at the output size (`KeptFrames`) while
they fit in a memory budget, so a short upload is decoded once, not twice.

OpenCV's own mp4 writer gives `mp4v`, which Chromium does not play; PyAV's
libx264 with yuv420p and `+faststart` (index at the front) plays everywhere
and starts before the whole file has arrived.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pandas as pd

from fittrack.pose.angles import DISPLAY_ANGLES, JOINT_ANGLES
from fittrack.pose.landmarks import INDEX, LANDMARK_NAMES, SKELETON_EDGES
from fittrack.pose.table import IMAGE_COLUMNS, VISIBILITY_COLUMNS
from fittrack.pose.video import Frame, VideoReader

MAX_OUTPUT_SIDE = 960  # long side of the annotated video: enough to read angles, cheap to encode
_VERTEX = {joint.name: joint.vertex for joint in JOINT_ANGLES}
_BONE = (80, 220, 80)
_JOINT = (255, 255, 255)
_TEXT = (255, 255, 255)
_PANEL = (20, 20, 20)
_WARN = (255, 170, 40)


@dataclass(frozen=True)
class Caption:
    """What the banner says at a moment: a label and an optional confidence."""

    text: str
    confidence: float | None = None

    def render(self) -> str:
        return self.text if self.confidence is None else f"{self.text}  {self.confidence:.0%}"


CaptionAt = Callable[[int], list[str]]
"""Extra banner lines for a timestamp in ms (e.g. the window's label, a rep counter)."""


def output_size(width: int, height: int) -> tuple[int, int]:
    """Even dimensions (yuv420p needs them), the long side at most MAX_OUTPUT_SIDE."""
    scale = min(1.0, MAX_OUTPUT_SIDE / max(width, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


class KeptFrames:
    """A frame sink for extraction: each analysed frame, shrunk to the output size, within a budget.

    Decoding a 1080p file a second time was the largest single cost of the
    annotated video. Shrinking runs on a helper thread (OpenCV releases the
    GIL), beside pose inference. A video whose analysed frames would not fit
    `budget_bytes` keeps none from the start (`plan`), and past the budget
    everything kept is dropped: the renderer decodes the file again, so a
    long video costs time, not memory.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self.overflowed = False
        self._used = 0
        self._pending: list[Future[Frame]] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keep-frames")

    def __call__(self, frame: Frame) -> None:
        if self.overflowed:
            return
        height, width = frame.rgb.shape[:2]
        size = output_size(width, height)
        self._used += size[0] * size[1] * 3
        if self._used > self.budget_bytes:
            self.close()
            return
        self._pending.append(self._pool.submit(
            lambda: Frame(frame.index, frame.timestamp_ms, cv2.resize(frame.rgb, size, interpolation=cv2.INTER_LINEAR))))

    def plan(self, width: int, height: int, frames: float) -> None:
        """Keeps nothing when `frames` frames of this size would not fit the budget: no spike, then a drop."""
        out_width, out_height = output_size(width, height)
        if frames * out_width * out_height * 3 > self.budget_bytes:
            self.close()

    @property
    def frames(self) -> list[Frame]:
        return [pending.result() for pending in self._pending]

    @property
    def usable(self) -> bool:
        return bool(self._pending) and not self.overflowed

    def close(self) -> None:
        """Drops what is kept (frees the memory); rendering then decodes the file."""
        self.overflowed = True
        for pending in self._pending:
            pending.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True)


class _Encoder:
    """H.264 encoding on its own thread: PyAV releases the GIL while x264 works, so drawing the
    next frame overlaps encoding this one."""

    def __init__(self, output: Path, width: int, height: int, fps: Fraction) -> None:
        self._container = av.open(str(output), mode="w", options={"movflags": "+faststart"})
        self._stream = self._container.add_stream("libx264", rate=fps)
        self._stream.width, self._stream.height = width, height
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"preset": "ultrafast", "crf": "23"}
        self._stream.codec_context.time_base = Fraction(1, 1000)
        self._queue: queue.Queue[av.VideoFrame | None] = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="encode", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        frame: av.VideoFrame | None = None
        try:
            while (frame := self._queue.get()) is not None:
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
            for packet in self._stream.encode():
                self._container.mux(packet)
        except BaseException as error:  # noqa: BLE001 -- handed to the caller in put() or finish()
            self._error = error
            while frame is not None:  # unblock a producer waiting on a full queue, up to its end mark
                frame = self._queue.get()

    def put(self, image_i420: np.ndarray, pts_ms: int) -> None:
        if self._error is not None:
            raise self._error
        frame = av.VideoFrame.from_ndarray(image_i420, format="yuv420p")
        frame.pts = pts_ms
        frame.time_base = Fraction(1, 1000)
        self._queue.put(frame)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._container.close()
        if self._error is not None:
            raise self._error


def _text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float, color=_TEXT) -> None:
    thickness = max(1, round(scale * 2))
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, color, thickness, cv2.LINE_AA)


@dataclass(frozen=True)
class FramePose:
    """What is drawn for one analysed frame: normalised points, their visibility, the shown angles."""

    points: np.ndarray  # (33, 2) in [0, 1]
    visible: np.ndarray  # (33,) bool
    angles: dict[str, float]


def frame_poses(rows: pd.DataFrame, visibility_threshold: float) -> dict[int, FramePose]:
    """Per frame index, the pose to draw (frames without a person are left out)."""
    detected = rows[rows["detected"].astype(bool)]
    points = detected[list(IMAGE_COLUMNS)].to_numpy(np.float64).reshape(-1, len(LANDMARK_NAMES), 3)[:, :, :2]
    visible = detected[list(VISIBILITY_COLUMNS)].to_numpy(np.float64) >= visibility_threshold
    angles = detected[list(DISPLAY_ANGLES)].to_numpy(np.float64)
    return {int(index): FramePose(points[i], visible[i], dict(zip(DISPLAY_ANGLES, angles[i], strict=True)))
            for i, index in enumerate(detected["frame_index"].to_numpy())}


def draw_pose(image: np.ndarray, pose: FramePose) -> None:
    """Bones, joints and the main angles, drawn in place on an RGB image."""
    height, width = image.shape[:2]
    pixels = np.nan_to_num(pose.points * (width, height), nan=-1).astype(np.int32)
    visible = pose.visible
    line = max(2, width // 320)
    for first, second in SKELETON_EDGES:
        a, b = INDEX[first], INDEX[second]
        if visible[a] and visible[b]:
            cv2.line(image, tuple(pixels[a]), tuple(pixels[b]), _BONE, line, cv2.LINE_AA)
    for i in np.flatnonzero(visible[11:]) + 11:  # body points; the face is left clean
        cv2.circle(image, tuple(pixels[i]), line + 2, _JOINT, -1, cv2.LINE_AA)
    scale = max(0.45, width / 1600)
    for name, value in pose.angles.items():
        vertex = INDEX[_VERTEX[name]]
        if not np.isfinite(value) or not visible[vertex]:
            continue
        x, y = pixels[vertex]
        _text(image, f"{value:.0f}", (int(x) + 8, int(y) - 8), scale)


def draw_banner(image: np.ndarray, lines: list[str], warning: str = "") -> None:
    """A dark strip across the top with the prediction (and a warning line, if any)."""
    width = image.shape[1]
    scale = max(0.5, width / 1400)
    step = int(34 * scale) + 6
    all_lines = [*lines, warning] if warning else lines
    if not all_lines:
        return
    strip = image[: step * len(all_lines) + 10]
    strip[:] = (strip * 0.35 + np.array(_PANEL) * 0.65).astype(np.uint8)
    for i, text in enumerate(all_lines):
        color = _WARN if warning and i == len(all_lines) - 1 else _TEXT
        _text(image, text, (12, step * (i + 1)), scale, color)


def render_annotated_video(
    video_path: Path,
    rows: pd.DataFrame,
    output: Path,
    *,
    sample_fps: float,
    visibility_threshold: float,
    headline: Caption,
    caption_at: CaptionAt | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    kept: KeptFrames | None = None,
) -> Path:
    """Writes `output` (mp4, H.264, yuv420p, faststart) with the overlay for each analysed frame.

    Draws on the frames in `kept` when it holds them all (they are changed in
    place), else decodes `video_path` again.
    """
    reader = VideoReader(video_path, sample_fps=sample_fps)
    fps = Fraction(sample_fps).limit_denominator(1000) if sample_fps > 0 else \
        Fraction(reader.info.fps or 30).limit_denominator(1000)
    frames: Iterable[Frame] = reader
    width, height = output_size(reader.info.width, reader.info.height)
    if kept is not None and kept.usable:
        shrunk = kept.frames
        frames, (height, width) = shrunk, shrunk[0].rgb.shape[:2]
    poses = frame_poses(rows, visibility_threshold)
    total = max(1, len(rows))
    encoder = _Encoder(output, width, height, fps)
    try:
        last_pts = -1
        for done, frame in enumerate(frames, start=1):
            image = frame.rgb
            if image.shape[:2] != (height, width):
                image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
            pose = poses.get(frame.index)
            if pose is not None:
                draw_pose(image, pose)
            extra = caption_at(frame.timestamp_ms) if caption_at else []
            draw_banner(image, [headline.render(), *extra], "" if pose is not None else "no person detected")
            # OpenCV's I420 conversion is faster than the one the encoder would do from RGB.
            last_pts = max(frame.timestamp_ms, last_pts + 1)
            encoder.put(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420), last_pts)
            if on_progress and (done % 10 == 0 or done == total):
                on_progress(done, total)
    finally:
        encoder.finish()
        if kept is not None:
            kept.close()
    return output
