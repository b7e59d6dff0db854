"""Shared fixtures: the shared video set, generated bad inputs, one pose estimator.

Real-service fixtures (Redis, moto's S3 server, Celery workers) live in
`tests/services.py` and are imported here so every test module can use them.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
VIDEOS = Path(os.environ.get("FITTRACK_TEST_VIDEOS", ROOT.parent / "shared" / "data" / "videos"))
EXERCISES = ("deadlift", "hammer_curl", "pull_up", "push_up", "squat")


def shared_video(relative: str) -> Path:
    """A video of the shared set, or a skip that says where the set should be."""
    path = VIDEOS / relative
    if not path.exists():
        pytest.skip(f"shared video set not found at {VIDEOS} (needs ../shared/data/videos beside the repo)")
    return path


def exercise_videos() -> list[Path]:
    return sorted(p for cls in EXERCISES for p in (VIDEOS / cls).glob("*.mp4"))


@pytest.fixture(scope="session")
def estimator():
    from fittrack.pose.estimator import PoseEstimator

    with PoseEstimator() as pose:
        yield pose


@pytest.fixture
def trimmed(tmp_path):
    """A shared clip stream-copied (PyAV, no re-encoding) with pts/dts shifted so its first 16 frames fall
    before zero: FFmpeg's mp4 muxer writes an `elst` skipping them, the sample table keeps all 105, and
    OpenCV's CAP_PROP_FRAME_COUNT says 105 while 89 decode (see `remuxed.write_edit_list_copy`)."""
    from .pose.remuxed import TRIM_SOURCE, write_edit_list_copy

    return write_edit_list_copy(shared_video(TRIM_SOURCE), tmp_path / "trimmed.mp4")


def write_test_video(path: Path, frames: int = 12, size: tuple[int, int] = (160, 120), fps: float = 10.0,
                     draw=None) -> Path:
    """A small mp4 made with OpenCV: blank grey frames unless `draw(i, image)` paints them."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened(), "OpenCV cannot write mp4v here"
    for i in range(frames):
        image = np.full((size[1], size[0], 3), 90, dtype=np.uint8)
        if draw:
            draw(i, image)
        writer.write(image)
    writer.release()
    return path


@pytest.fixture
def bad_videos(tmp_path: Path) -> dict[str, Path]:
    """One file per kind of bad input, each with the phrase its error must contain."""
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("these are my workout notes, not a video\n" * 20)
    good = write_test_video(tmp_path / "good.mp4", frames=30)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    picture = tmp_path / "holiday.mp4"  # FFmpeg alone would read it as a one-frame video
    picture.write_bytes(cv2.imencode(".png", np.full((120, 160, 3), 90, dtype=np.uint8))[1].tobytes())
    return {"empty (0 bytes)": empty, "not a video file": text, "truncated": truncated,
            "no video stream": write_audio_only(tmp_path / "podcast.mp4"), "not a video file (no known": picture}


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An mp4 with one AAC audio stream and no video (made with PyAV)."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        for i in range(int(seconds * 44100 / 1024)):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, i * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


from .services import (  # noqa: F401  (fixtures for every module)
    database_url,
    fresh_redis,
    postgres_url,
    rabbitmq_url,
    redis_url,
    s3_endpoint,
)
