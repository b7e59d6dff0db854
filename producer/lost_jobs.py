"""Jobs the embedded mode's broker will never deliver again, so that a re-run sends them again.

Redis keeps a taken message until it is acknowledged and redelivers it when
its worker dies. Kombu's filesystem transport deletes the message file when a
worker takes it, so a worker that is killed (not one of its pool processes:
the worker itself, or the machine) takes its running jobs with it. Their
result records still say STARTED or PROGRESS, which the producer reads as
"running" and would wait for forever.

So, in the embedded mode only, a job counts as lost when nothing can still
finish it:
- STARTED or PROGRESS, recorded by a worker process on this machine that no
  longer exists (the record holds its pid and host);
- QUEUED or RETRY, with no message file for it in the queue folder.
Sending one of these again is safe: jobs are idempotent (rows are keyed by
content). The worst case, a message taken in the milliseconds before its
worker records STARTED, costs a second run of the same video, never a
second copy of its rows.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

from celery import Celery

log = logging.getLogger(__name__)

RUNNING_STATES = frozenset({"STARTED", "PROGRESS"})


def redelivers_lost_jobs(app: Celery) -> bool:
    """True unless the broker is the filesystem transport, which forgets a taken message."""
    return not str(app.conf.broker_url).startswith("filesystem://")


def queued_message_ids(folder: Path) -> set[str]:
    """Task ids of the messages waiting in a filesystem-transport queue folder."""
    ids = set()
    for path in folder.glob("*.msg"):
        try:
            ids.add(json.loads(path.read_bytes())["headers"]["id"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # taken (deleted) while we looked, or not a task message
    return ids


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


def lost_jobs(app: Celery, job_ids: list[str]) -> set[str]:
    """The ones of `job_ids` (all in an active state) that no worker or message can finish: see the module."""
    if redelivers_lost_jobs(app) or not job_ids:
        return set()
    waiting = queued_message_ids(app.conf.fittrack_settings.broker_folder() / "queue")
    lost = set()
    for job_id in job_ids:
        result = app.AsyncResult(job_id)
        if result.state in RUNNING_STATES:
            if worker_process_gone(result.info):
                lost.add(job_id)
        elif job_id not in waiting:
            lost.add(job_id)
    return lost
