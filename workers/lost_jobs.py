"""Jobs the embedded mode's broker will never deliver again, found so that they can be sent again.

Redis keeps a taken message until it is acknowledged and redelivers it when
its worker dies. Kombu's filesystem transport deletes the message file when a
worker takes it, so a worker that is killed (not one of its pool processes:
the worker itself, or the machine) takes its running jobs with it. Their
result records still say STARTED or PROGRESS, which the producer and the
webapp read as "running", and would wait on forever.

So, in the embedded mode only, a job counts as lost when its STARTED or
PROGRESS record names a worker process on this machine that no longer runs
(the record holds its pid). `enqueue` sends such a job again, and the
webapp shows it as failed with its Retry button. Sending it again is safe:
jobs are idempotent (rows and results are keyed by content or upload).

A QUEUED job whose message file is gone is *not* counted lost: a worker
takes the file some milliseconds before it records STARTED, and a second
enqueue in that gap (the pipeline test does one) would send a duplicate. A
worker killed inside that gap, or while holding a retry's delayed message,
still loses the job; `enqueue --force` sends it again.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from celery import Celery

RUNNING_STATES = frozenset({"STARTED", "PROGRESS"})


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


def is_lost(app: Celery, state: str, record: object) -> bool:
    """Whether a job with this state and result record can no longer finish (see the module docstring)."""
    return not redelivers_lost_jobs(app) and state in RUNNING_STATES and worker_process_gone(record)


def lost_jobs(app: Celery, job_ids: list[str]) -> set[str]:
    """The ones of `job_ids` that no worker can finish any more."""
    if redelivers_lost_jobs(app):
        return set()
    return {job_id for job_id in job_ids if is_lost(app, (result := app.AsyncResult(job_id)).state, result.info)}
