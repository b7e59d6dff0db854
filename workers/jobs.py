"""The job contract: how a job is named, sent, followed, found lost and told to a person.

Every service goes through this module; nothing else builds or parses a job id.

Names. A job id says what the job is for, so the same work always gets the
same id and a second send of it is recognised:

    extract-<sha256 of the video>   one dataset video's angle rows (producer)
    analyse-<upload id>             one upload's analysis (webapp)
    correct-<upload id>_<8 hex>     one correction of it, recomputed from its rows (webapp)
    train-<random id>               one training run (trainer --submit)

Life. `send_job` records QUEUED in the result backend *before* the message
goes out, so "waiting in the queue" differs from "never sent" (Celery says
PENDING for both). A worker then records STARTED and PROGRESS (done/total
frames, its pid and machine), and SUCCESS or FAILURE.

Lost. A job is lost when the worker running it died and nothing will finish
it soon. In the embedded mode Kombu's filesystem transport deletes a message
file when a worker takes it, so a killed worker (the worker itself, or the
machine) takes its running jobs with it: lost when the STARTED/PROGRESS
record names a worker process on this machine that no longer runs. Redis
keeps a taken message and gives it back, but only after the visibility
timeout (longer than the longest job: over an hour): there a job is lost when
its record's heartbeat is older than HEARTBEAT_STALE_S and its worker node
no longer answers a ping. A follower (`enqueue`, `run`, the webapp) sends a
lost job again under the same id; jobs are idempotent (rows and results are
keyed by content or upload) and a worker that receives a job whose output
already exists does nothing, so the late redelivery of the dead worker's
message is harmless. A QUEUED job whose message file is gone is *not* lost:
a worker takes the file some milliseconds before it records STARTED, and
counting that gap as lost would run the video twice.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from celery import Celery, Task
from celery.result import AsyncResult

from fittrack.errors import FittrackError
from fittrack.settings import Settings, without_password
from fittrack.storage.keys import is_sha256, is_upload_id

EXTRACT_TASK = "fittrack.extract_video"
TRAIN_TASK = "fittrack.train"
ANALYSE_TASK = "fittrack.analyse_upload"
CORRECT_TASK = "fittrack.correct_upload"

QUEUED = "QUEUED"  # ours: recorded by send_job; Celery has no state for "sent, not yet taken"
PROGRESS = "PROGRESS"  # ours: recorded by the worker while it works
RUNNING_STATES = frozenset({"STARTED", PROGRESS})
ACTIVE_STATES = frozenset({QUEUED, "RECEIVED", "RETRY", *RUNNING_STATES})
FINISHED_STATES = frozenset({"SUCCESS", "FAILURE", "REVOKED"})

NO_WORKER_AFTER_S = 30.0  # a queued job older than this makes the page ask whether a worker runs
HEARTBEAT_STALE_S = 30.0  # a running job's record older than this, and its node silent: lost (distributed)
_PROGRESS_INTERVAL_S = 0.5


class JobKind(StrEnum):
    EXTRACTION = "extract"
    ANALYSIS = "analyse"
    TRAINING = "train"
    CORRECTION = "correct"


def _is_correction_subject(subject: str) -> bool:
    """<upload id>_<8 hex digits>: each correction of an upload is a job of its own."""
    upload_id, _, serial = subject.partition("_")
    return is_upload_id(upload_id) and len(serial) == 8 and all(c in "0123456789abcdef" for c in serial)


_SUBJECT_IS_VALID: dict[JobKind, Callable[[str], bool]] = {
    JobKind.EXTRACTION: is_sha256,
    JobKind.ANALYSIS: is_upload_id,
    JobKind.TRAINING: is_upload_id,  # the same shape: 32 hex digits
    JobKind.CORRECTION: _is_correction_subject,
}



@dataclass(frozen=True)
class JobRef:
    """A parsed job id: what kind of job, and for what (a video's sha256, an upload id, a run id)."""

    kind: JobKind
    subject: str

    @property
    def job_id(self) -> str:
        return f"{self.kind.value}-{self.subject}"


def extraction_job_id(video_key: str, video_sha256: str | None) -> str:
    """Same content, same job id (the key's own hash where the store recorded no content hash)."""
    return JobRef(JobKind.EXTRACTION, video_sha256 or hashlib.sha256(video_key.encode()).hexdigest()).job_id


def analysis_job_id(upload_id: str) -> str:
    return JobRef(JobKind.ANALYSIS, upload_id).job_id


def correction_job_id(upload_id: str) -> str:
    return JobRef(JobKind.CORRECTION, f"{upload_id}_{uuid.uuid4().hex[:8]}").job_id


def correction_of_job(job_id: str) -> str | None:
    """The upload id a correction job recomputes, or None when `job_id` is not one."""
    ref = parse_job_id(job_id)
    return ref.subject.partition("_")[0] if ref and ref.kind is JobKind.CORRECTION else None


def training_job_id() -> str:
    return JobRef(JobKind.TRAINING, uuid.uuid4().hex).job_id


def parse_job_id(text: str) -> JobRef | None:
    """The job an id names, or None for anything that is not one of ours (never raises)."""
    kind_text, _, subject = text.partition("-")
    try:
        kind = JobKind(kind_text)
    except ValueError:
        return None
    return JobRef(kind, subject) if _SUBJECT_IS_VALID[kind](subject) else None


def upload_of_job(job_id: str) -> str | None:
    """The upload id of an analysis job, or None when `job_id` is not one."""
    ref = parse_job_id(job_id)
    return ref.subject if ref and ref.kind is JobKind.ANALYSIS else None


class JobBackendError(FittrackError):
    """The broker or the result backend still failed after its retries: no job can be sent or followed."""


@contextmanager
def backend_errors_told(app: Celery) -> Iterator[None]:
    """Turns the broker's or backend's own exception (kombu, redis, sqlalchemy) into one sentence."""
    try:
        yield
    except FittrackError:
        raise
    except Exception as error:  # noqa: BLE001 -- each backend raises its own kinds
        raise JobBackendError(backend_failure(app.conf.fittrack_settings, error)) from None


def backend_failure(settings: Settings, error: Exception) -> str:
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
    if "full" in first_line.lower() or "no space" in first_line.lower():
        hint = ("the disk that holds it is full: free some space there (the embedded mode keeps its queue and "
                f"results in FITTRACK_HOME, {settings.home})")
    else:
        hint = "check that it is running and that FITTRACK_BROKER_URL / FITTRACK_RESULT_BACKEND point at it"
    return (f"the job queue ({without_password(settings.resolved_broker_url())}, results in "
            f"{without_password(settings.resolved_result_backend())}) failed: {first_line} ({hint})")


def send_job(app: Celery, task: str, job_id: str, *, args: list, record: dict,
             retry_policy: dict | None = None) -> None:
    """Records QUEUED (with `record` and the time it was sent), then sends the message."""
    app.backend.store_result(job_id, {**record, "submitted_at": time.time()}, QUEUED)
    retry = {} if retry_policy is None else {"retry": True, "retry_policy": retry_policy}
    app.send_task(task, args=args, task_id=job_id, **retry)


def progress_reporter(task: Task) -> Callable[..., None]:
    """Reports frames done / total through the task state, at most twice a second.

    The record also names the process and the machine (Celery's STARTED
    record has the pid, but the worker's node name, which need not be the
    machine's), so that a job whose worker was killed can be found lost.
    """
    last_report = 0.0
    process = {"pid": os.getpid(), "machine": socket.gethostname(), "node": task.request.hostname}

    def report(done: int, total: int, stage: str = "pose") -> None:
        nonlocal last_report
        now = time.monotonic()
        if now - last_report >= _PROGRESS_INTERVAL_S or done >= total:
            last_report = now
            task.update_state(state=PROGRESS, meta={"done": done, "total": total, "stage": stage,
                                                    "heartbeat_at": time.time(), **process})

    return report


def redelivers_lost_jobs(app: Celery) -> bool:
    """True unless the broker is the embedded mode's filesystem transport, which forgets a taken message."""
    return not app.conf.fittrack_settings.is_embedded


def _process_running(pid: int) -> bool:
    """Whether `pid` is a live process: not gone, and not a zombie (dead, not yet reaped by its parent)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:  # Linux: the state letter follows the command name in parentheses
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def worker_process_gone(record: object) -> bool:
    """Whether a STARTED/PROGRESS record names a worker process on this machine that has exited.

    PROGRESS records name the machine; Celery's STARTED record only has the
    worker's node name (`name@host`), whose host part is the machine's
    unless the worker was named otherwise.
    """
    if not isinstance(record, dict) or not isinstance(record.get("pid"), int):
        return False
    machine = record.get("machine") or str(record.get("hostname", "")).rpartition("@")[2]
    return machine == socket.gethostname() and not _process_running(record["pid"])


def heartbeat_age_s(result: AsyncResult) -> float:
    """Seconds since the job's record was last written by its worker (PROGRESS heartbeat, else the record's time)."""
    record = result.info if isinstance(result.info, dict) else {}
    if isinstance(record.get("heartbeat_at"), (int, float)):
        return time.time() - float(record["heartbeat_at"])
    written = result.date_done
    if isinstance(written, datetime):
        return (datetime.now(UTC) - (written if written.tzinfo else written.replace(tzinfo=UTC))).total_seconds()
    return 0.0  # no time to judge by: not stale


def node_of(record: object) -> str:
    return str(record.get("node") or record.get("hostname") or "") if isinstance(record, dict) else ""


def live_nodes(app: Celery, timeout_s: float = 1.0) -> set[str]:
    """The worker nodes that answer a ping now."""
    with backend_errors_told(app):
        return {name for reply in app.control.ping(timeout=timeout_s) or [] for name in reply}


def lost_jobs(app: Celery, job_ids: list[str]) -> set[str]:
    """The ones of `job_ids` that no worker is running any more (see the module docstring)."""
    return lost_among(app, [app.AsyncResult(job_id) for job_id in job_ids])


def lost_among(app: Celery, results: list[AsyncResult]) -> set[str]:
    """The ids of the jobs among `results` (already read) that no worker is running any more."""
    running = [r for r in results if r.state in RUNNING_STATES]
    if not redelivers_lost_jobs(app):
        return {r.id for r in running if worker_process_gone(r.info)}
    stale = [r for r in running if heartbeat_age_s(r) > HEARTBEAT_STALE_S]
    if not stale:
        return set()
    alive = live_nodes(app)  # one ping for all of them
    return {r.id for r in stale if node_of(r.info) not in alive}


def is_lost(app: Celery, result: AsyncResult) -> bool:
    """Whether this one job can no longer finish without being sent again."""
    return result.id in lost_among(app, [result])


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
NO_SUCH_JOB = "No such job (it may have expired); upload the video again."


def describe_job(state: str, info: object, now: float | None = None, lost: bool = False) -> JobStatus:
    """Turns Celery's state and info for a job into what the page says.

    `lost`: the job's worker was killed and nothing will finish it
    (`is_lost`); the page offers to send it again.
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
    if state == PROGRESS:
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
    return JobStatus("unknown", NO_SUCH_JOB)
