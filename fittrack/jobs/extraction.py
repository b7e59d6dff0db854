"""What one extraction job does, without Celery: fetch, extract, store rows.

The Celery task in `workers/tasks.py` is a thin wrapper around `run_extraction`
so this logic is testable on its own and identical wherever it runs.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from fittrack.errors import BadInputError, FittrackError, VideoError
from fittrack.pose.estimator import PoseEstimator
from fittrack.pose.extract import Extraction, FrameSink, extract_video, file_sha256
from fittrack.pose.table import columns_to_parquet_bytes
from fittrack.pose.video import VideoInfo, probe, require_long_enough
from fittrack.settings import Settings
from fittrack.storage.keys import rows_key
from fittrack.storage.store import Store

log = logging.getLogger(__name__)


class JobTimeLimitError(FittrackError):
    """A job ran past the time its video's length allows."""


@dataclass(frozen=True)
class ExtractionSummary:
    video_key: str
    video_id: str
    rows_key: str
    label: str | None
    frames: int
    detected_frames: int
    duration_s: float
    seconds: float  # the whole job: download, extraction, upload of the rows
    extract_seconds: float  # decoding, pose and angles alone
    warning: str = ""
    already_done: bool = False  # the rows existed: a redelivered job found its work done and did nothing

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ExtractionSummary:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


def time_budget_s(duration_s: float, settings: Settings) -> float:
    """Soft time limit of a job: proportional to the video's length, with a floor."""
    return max(settings.job_time_floor_seconds, duration_s * settings.job_time_per_video_second)


def run_extraction(
    store: Store,
    video_key: str,
    estimator: PoseEstimator,
    settings: Settings,
    *,
    label: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    known_sha256: str | None = None,
) -> ExtractionSummary:
    """Downloads one video, extracts its rows and writes them as one Parquet object.

    The rows object is keyed by the video's sha256 and written atomically, so
    a job that runs twice leaves exactly one copy. With `known_sha256` (the
    job id names it) a job whose rows already exist returns at once: the late
    redelivery of a job another worker already finished does nothing.
    """
    if known_sha256 and (done := already_extracted(store, video_key, known_sha256, label)) is not None:
        log.info("%s: rows already in %s; nothing to do", video_key, done.rows_key)
        return done
    started = time.monotonic()
    with errors_named_by(video_key), fetched_video(store, video_key) as local:
        video_id = file_sha256(local)
        extract_started = time.monotonic()
        extraction = extract_within_limits(local, video_key, estimator, settings, label=label,
                                           video_id=video_id, on_progress=on_progress)
        extract_seconds = time.monotonic() - extract_started
    key = rows_key(video_id)
    metadata = {"video-key": video_key, "label": label or "", "frames": str(len(extraction.rows)),
                "detected-frames": str(extraction.detected_frames)}
    store.put_bytes(key, columns_to_parquet_bytes(extraction.columns), metadata=metadata)
    warning = "" if extraction.detected_frames else "no person detected in any frame"
    summary = ExtractionSummary(
        video_key=video_key, video_id=video_id, rows_key=key, label=label,
        frames=len(extraction.rows), detected_frames=extraction.detected_frames,
        duration_s=round(extraction.info.duration_s, 2), seconds=round(time.monotonic() - started, 3),
        extract_seconds=round(extract_seconds, 3), warning=warning,
    )
    log.info("extracted %s -> %s (%d frames, %d with a person, %.1f s)", video_key, key,
             summary.frames, summary.detected_frames, summary.seconds)
    return summary


def already_extracted(store: Store, video_key: str, video_sha256: str, label: str | None
                      ) -> ExtractionSummary | None:
    """The summary of rows already in the store for this content, or None."""
    info = store.head(rows_key(video_sha256))
    if info is None:
        return None
    frames = int(info.metadata.get("frames", 0))
    return ExtractionSummary(video_key=video_key, video_id=video_sha256, rows_key=info.key, label=label,
                             frames=frames, detected_frames=int(info.metadata.get("detected-frames", frames)),
                             duration_s=0.0, seconds=0.0, extract_seconds=0.0, already_done=True)


@contextmanager
def errors_named_by(video_key: str) -> Iterator[None]:
    """Bad-input errors name the store key, not the worker's temporary file."""
    try:
        yield
    except BadInputError as error:
        if error.source == video_key:
            raise
        raise type(error)(video_key, error.problem, error.hint) from None


@contextmanager
def fetched_video(store: Store, video_key: str) -> Iterator[Path]:
    """The stored video as a local file: a local store's own file, else a downloaded temporary copy."""
    in_place = store.local_file(video_key)
    if in_place is not None:
        yield in_place
        return
    with tempfile.TemporaryDirectory(prefix="fittrack-job-") as folder:
        local = Path(folder) / "video"
        store.get_file(video_key, local)
        yield local


def extract_within_limits(
    local: Path,
    video_key: str,
    estimator: PoseEstimator,
    settings: Settings,
    *,
    label: str | None,
    video_id: str,
    on_progress: Callable[[int, int], None] | None = None,
    frame_sink: FrameSink | None = None,
    info: VideoInfo | None = None,
) -> Extraction:
    """`extract_video` with the job's limits: a longest accepted video and a soft time budget.

    The limits use the presented duration (`VideoInfo.duration_s`, edit-list
    aware), what a player shows. `info` is the file's `probe()` when the
    caller already has it; it is then passed down, not read again.
    """
    started = time.monotonic()
    info = info or probe(local)
    require_long_enough(info, video_key)
    if info.duration_s > settings.max_video_seconds:
        raise VideoError(video_key, f"is {info.duration_s:.1f} s long, more than the limit of "
                         f"{settings.max_video_seconds:g} s", "trim it or raise FITTRACK_MAX_VIDEO_SECONDS")
    deadline = started + time_budget_s(info.duration_s, settings)

    def progress(done: int, total: int) -> None:
        if time.monotonic() > deadline:
            raise JobTimeLimitError(
                f"{video_key}: stopped after {time.monotonic() - started:.0f} s, past the time limit of "
                f"{deadline - started:.0f} s for this video (raise FITTRACK_JOB_TIME_PER_VIDEO_SECOND)"
            )
        if on_progress:
            on_progress(done, total)

    return extract_video(
        local, estimator, label=label, sample_fps=settings.sample_fps,
        visibility_threshold=settings.visibility_threshold, source=video_key, video_id=video_id,
        on_progress=progress, frame_sink=frame_sink, info=info,
    )
