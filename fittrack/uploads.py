"""Uploads from people: checks before anything is sent, and what a job's state means to them.

The webapp is a thin page over these functions. A user's file name is kept
only as display text (URL-quoted object metadata); the store key comes
from a generated id, so no name ever reaches a path or a shell.
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass

from fittrack.errors import BadInputError, FittrackError
from fittrack.settings import Settings
from fittrack.store import RESULTS_PREFIX, UPLOADS_PREFIX, Store, new_upload_id
from fittrack.video import starts_like_video

VIDEO_TYPES = ("mp4", "mov", "avi", "webm", "mkv", "m4v")
QUEUED = "QUEUED"
NO_WORKER_AFTER_S = 30.0


class UploadError(BadInputError):
    """An upload refused before it reaches the store."""


def check_upload(name: str, data: bytes, settings: Settings) -> None:
    """Raises UploadError for a file that is too large, empty, or not a video at all."""
    shown = display_text(name)
    limit = settings.upload_limit_mb * 1024 * 1024
    if len(data) > limit:
        raise UploadError(shown, f"is {len(data) / 2**20:.0f} MB, more than the limit of "
                          f"{settings.upload_limit_mb} MB", "trim or compress the video and upload it again")
    if not data:
        raise UploadError(shown, "is empty (0 bytes)", "choose the video file itself")
    if not starts_like_video(data[:16]):
        raise UploadError(shown, "is not a video file", f"upload one of: {', '.join(VIDEO_TYPES)}")


def display_text(name: str) -> str:
    """The user's file name as harmless display text: base name only, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable())
    return cleaned[:120] or "upload"


def upload_key(upload_id: str) -> str:
    return f"{UPLOADS_PREFIX}{upload_id}/video"


def result_keys(upload_id: str) -> dict[str, str]:
    """Where the outputs of one upload live in the store."""
    base = f"{RESULTS_PREFIX}{upload_id}/"
    return {"result": base + "result.json", "video": base + "annotated.mp4",
            "csv": base + "angles.csv", "rows": base + "rows.parquet"}


def analysis_job_id(upload_id: str) -> str:
    return f"analyse-{upload_id}"


def store_upload(store: Store, name: str, data: bytes) -> tuple[str, str]:
    """Writes the upload under a new id; returns (upload id, store key)."""
    upload_id = new_upload_id()
    key = upload_key(upload_id)
    store.put_bytes(key, data, metadata={"display-name": urllib.parse.quote(display_text(name)),
                                         "uploaded-at": str(int(time.time()))})
    return upload_id, key


def stored_display_name(store: Store, key: str) -> str:
    info = store.head(key)
    return urllib.parse.unquote(info.metadata.get("display-name", "")) if info else ""


@dataclass(frozen=True)
class JobStatus:
    """A job as a person should see it."""

    state: str  # queued, waiting, processing, retrying, done, failed, unknown
    message: str
    done: int = 0
    total: int = 0
    stage: str = ""
    result: dict | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


def failure_reason(error: object) -> str:
    """Our own errors explain themselves; anything else is an internal error, told without internals."""
    if isinstance(error, FittrackError):
        return str(error)
    if type(error).__name__ in ("TimeLimitExceeded", "SoftTimeLimitExceeded"):
        return "the job ran past its time limit; try a shorter video"
    return "the worker hit an internal error (the details are in the worker's log); try again"


WORKER_STOPPED = ("the worker processing this video stopped before it finished (it was killed or crashed), "
                  "and the embedded mode's queue cannot hand the job to another worker")


def describe_job(state: str, info: object, now: float | None = None, lost: bool = False) -> JobStatus:
    """Turns Celery's state and info for a job into what the page says.

    `lost`: the job's worker was killed and nothing will finish it
    (`workers.lost_jobs.is_lost`); the page offers to send it again.
    """
    if lost:
        return JobStatus("failed", WORKER_STOPPED)
    meta = info if isinstance(info, dict) else {}
    if state == QUEUED:
        waited = (now or time.time()) - float(meta.get("submitted_at", now or time.time()))
        if waited > NO_WORKER_AFTER_S:
            return JobStatus("waiting", f"No worker has picked this job up in {waited:.0f} s. Is a worker "
                             "running (`fittrack worker`) and connected to the same broker? Still waiting.")
        return JobStatus("queued", "Queued: waiting for a worker.")
    if state in ("RECEIVED", "STARTED"):
        return JobStatus("processing", "A worker has started on the video.")
    if state == "PROGRESS":
        stage = str(meta.get("stage", "pose"))
        what = "Rendering the annotated video" if stage == "render" else "Finding the pose in each frame"
        done, total = int(meta.get("done", 0)), int(meta.get("total", 0))
        return JobStatus("processing", f"{what}: {done} / {total} frames.", done, total, stage)
    if state == "RETRY":
        return JobStatus("retrying", "The store or broker did not answer; the job will retry by itself.")
    if state == "SUCCESS":
        return JobStatus("done", "Done.", result=meta)
    if state == "FAILURE":
        return JobStatus("failed", failure_reason(info))
    if state == "REVOKED":
        return JobStatus("failed", "The job was cancelled.")
    return JobStatus("unknown", "No such job (it may have expired); upload the video again.")
