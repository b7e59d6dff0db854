"""One video in, one angle table out: decode -> pose -> angles -> rows.

This is the unit of work a Celery job runs, and what `fittrack extract` runs
locally. It knows nothing of Celery, stores or progress bars: progress is
reported through a callback.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fittrack.errors import NoPersonError
from fittrack.pose.angles import compute_angles
from fittrack.pose.estimator import PoseEstimator
from fittrack.pose.landmarks import PoseLandmarks, PoseSequence
from fittrack.pose.table import Columns, build_columns, landmark_arrays, rows_from_columns
from fittrack.pose.video import Frame, VideoInfo, VideoReader

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
"""Called with (frames done, frames expected) as frames are analysed."""

FrameSink = Callable[[Frame], None]
"""Given every analysed frame, e.g. to keep a small copy for rendering without decoding again."""


@dataclass(frozen=True)
class Extraction:
    rows: pd.DataFrame
    info: VideoInfo
    columns: Columns  # the same table as numpy columns: what its Parquet object is written from

    @property
    def detected_frames(self) -> int:
        return int(self.rows["detected"].sum())

    def require_person(self) -> Extraction:
        """Raises NoPersonError when no frame has a person: nothing to learn from."""
        if self.detected_frames == 0:
            raise NoPersonError(
                self.info.path,
                f"no person detected in any of the {len(self.rows)} analysed frames",
                "film the whole body in good light, or check that this is the right file",
            )
        return self


def file_sha256(path: str | Path) -> str:
    """Content hash used as the video id: the same bytes get the same id anywhere."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_video(
    path: str | Path,
    estimator: PoseEstimator,
    *,
    label: str | None = None,
    sample_fps: float = 0.0,
    visibility_threshold: float = 0.5,
    source: str | None = None,
    video_id: str | None = None,
    on_progress: ProgressCallback | None = None,
    frame_sink: FrameSink | None = None,
    info: VideoInfo | None = None,
) -> Extraction:
    """Analyses every (sampled) frame of one video.

    Args:
        path: a local video file.
        estimator: a PoseEstimator; reset here, so one can serve many videos.
        label: the exercise, when known (training data).
        sample_fps: analyse at most this many frames per second; 0 = all.
        visibility_threshold: landmarks below it give NaN angles.
        source: what to record as the video's origin (a store key, a file name).
        video_id: the content hash when the caller already has it.
        on_progress: called with (done, expected) every few frames.
        frame_sink: called with each analysed frame, after its pose.
        info: the file's `probe()` when the caller already has it, so the file is not probed twice.

    Raises:
        VideoError: the file is missing, empty, not a video, corrupt or truncated.
    """
    path = Path(path)
    reader = VideoReader(path, sample_fps=sample_fps, info=info)
    expected = reader.expected_frames
    video_id = video_id or file_sha256(path)
    estimator.reset()
    indices: list[int] = []
    timestamps: list[int] = []
    poses: list[PoseLandmarks | None] = []
    report_every = max(1, expected // 100)
    for frame in reader:
        poses.append(estimator.detect(frame.rgb, frame.timestamp_ms))
        indices.append(frame.index)
        timestamps.append(frame.timestamp_ms)
        if frame_sink:
            frame_sink(frame)
        if on_progress and len(poses) % report_every == 0:
            on_progress(len(poses), max(expected, len(poses)))
    if on_progress:
        on_progress(len(poses), len(poses))
    columns = columns_of_poses(poses, indices, timestamps, video_id=video_id, source=source or path.name,
                               label=label, width=reader.info.width, height=reader.info.height,
                               visibility_threshold=visibility_threshold)
    rows = rows_from_columns(columns)
    log.debug("extracted %s: %d frames, %d with a person", path, len(rows), int(rows["detected"].sum()))
    return Extraction(rows=rows, info=reader.info, columns=columns)


def columns_of_poses(poses: list[PoseLandmarks | None], indices: list[int], timestamps: list[int], *,
                     video_id: str, source: str, label: str | None, width: int, height: int,
                     visibility_threshold: float) -> Columns:
    """The angle table of a run of per-frame poses: what a file's extraction and the live camera both build."""
    stacked = PoseSequence.stack(poses)
    return build_columns(video_id=video_id, source=source, label=label, frame_indices=indices,
                         timestamps_ms=timestamps, poses=stacked,
                         angles=compute_angles(stacked.world, stacked.visibility, visibility_threshold),
                         width=width, height=height)


def recompute_angles(rows: pd.DataFrame, source: str = "world", visibility_threshold: float = 0.5) -> pd.DataFrame:
    """Angles recomputed from stored landmarks, from world or image coordinates."""
    image, world, visibility = landmark_arrays(rows)
    if source == "image":
        width = rows["frame_width"].to_numpy()[:, None, None]
        height = rows["frame_height"].to_numpy()[:, None, None]
        points = image * np.concatenate([width, height, width], axis=2)
    else:
        points = world
    return pd.DataFrame(compute_angles(points, visibility, visibility_threshold), index=rows.index)
