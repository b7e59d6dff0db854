"""One Celery job per stored video, never two for the same content, then follow them.

Job ids come from the video's sha256 and are sent QUEUED first (the job
contract, `workers/jobs.py`), so a re-run skips videos whose rows already
exist and never queues a second job for the same video.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import Celery
from tqdm import tqdm

from fittrack.storage.keys import VIDEOS_PREFIX, label_of_key, rows_key
from fittrack.storage.store import Store
from workers.jobs import (
    ACTIVE_STATES,
    EXTRACT_TASK,
    FINISHED_STATES,
    backend_errors_told,
    extraction_job_id,
    is_lost,
    lost_jobs,
    send_job,
)

log = logging.getLogger(__name__)



@dataclass
class EnqueueReport:
    sent: dict[str, str] = field(default_factory=dict)  # video key -> job id
    already_done: list[str] = field(default_factory=list)
    already_queued: dict[str, str] = field(default_factory=dict)
    already_failed: dict[str, str] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # sent again: their worker died with them (workers.jobs.is_lost)

    def summary(self) -> str:
        text = (f"{len(self.sent)} jobs sent, {len(self.already_done)} videos already extracted, "
                f"{len(self.already_queued)} already queued")
        if self.lost:
            text += f" ({len(self.lost)} sent again after their worker was killed)"
        if self.already_failed:
            text += f", {len(self.already_failed)} failed before (--retry-failed to send them again)"
        return text

    @property
    def job_ids(self) -> dict[str, str]:
        return {**self.sent, **self.already_queued}


@dataclass(frozen=True)
class JobOutcome:
    video_key: str
    job_id: str
    state: str
    reason: str = ""
    result: dict | None = None


def enqueue_videos(app: Celery, store: Store, *, force: bool = False, retry_failed: bool = False,
                   prefix: str = VIDEOS_PREFIX) -> EnqueueReport:
    """Sends a job for each stored video that has no rows and no live job.

    A video whose job failed is not sent again unless `retry_failed`: the job
    id is tied to the content, so the same bytes would fail the same way. A
    job whose worker was killed mid-job is sent again in the embedded mode,
    whose broker forgets a message once taken (`workers.jobs`).
    """
    report = EnqueueReport()
    with backend_errors_told(app):
        _send_missing(app, store, report, force=force, retry_failed=retry_failed, prefix=prefix)
    log.info("enqueue: %s", report.summary())
    return report


def _send_missing(app: Celery, store: Store, report: EnqueueReport, *, force: bool, retry_failed: bool,
                  prefix: str) -> None:
    for key in store.list(prefix):
        label = label_of_key(key)
        info = store.head(key)
        sha256 = info.metadata.get("sha256") if info else None
        if not force and sha256 and store.exists(rows_key(sha256)):
            report.already_done.append(key)
            continue
        job_id = extraction_job_id(key, sha256)
        result = app.AsyncResult(job_id)
        state = result.state
        if not force and state in ACTIVE_STATES:
            if not is_lost(app, result):
                report.already_queued[key] = job_id
                continue
            log.warning("%s: job %s was lost with its killed worker; sending it again", key, job_id)
            report.lost.append(key)
        if not (force or retry_failed) and state == "FAILURE":
            report.already_failed[key] = job_id
            continue
        send_job(app, EXTRACT_TASK, job_id, args=[key, label, force], record={"video_key": key})
        report.sent[key] = job_id


def job_outcome(app: Celery, video_key: str, job_id: str) -> JobOutcome:
    result = app.AsyncResult(job_id)
    state = result.state
    if state == "FAILURE":
        return JobOutcome(video_key, job_id, state, reason=str(result.result))
    if state == "SUCCESS":
        payload = result.result if isinstance(result.result, dict) else None
        return JobOutcome(video_key, job_id, state, reason=(payload or {}).get("warning", ""), result=payload)
    return JobOutcome(video_key, job_id, state)


RESCUE_EVERY_S = 5.0  # how often the follow loop looks for jobs whose worker died


def follow_jobs(app: Celery, jobs: dict[str, str], *, poll_s: float = 0.5, timeout_s: float | None = None,
                show_progress: bool = True, workers_alive: Callable[[], bool] | None = None) -> list[JobOutcome]:
    """Polls the jobs until all have ended (or Ctrl-C / timeout, which leave them running).

    Every RESCUE_EVERY_S a job whose worker died is sent again under its id
    (`workers.jobs.lost_jobs`). `workers_alive`, when given, is asked at
    every poll: once it says no, following stops with the unfinished jobs
    still pending, instead of waiting for workers that will not come back
    (`fittrack run`'s own).
    """
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    next_rescue = time.monotonic() + RESCUE_EVERY_S
    outcomes: dict[str, JobOutcome] = {}
    with tqdm(total=len(jobs), desc="jobs", unit="job", file=sys.stderr, disable=not show_progress) as bar:
        try:
            while True:
                stopped = workers_alive is not None and not workers_alive()  # asked before the states are read
                with backend_errors_told(app):
                    for key, job_id in jobs.items():
                        if key not in outcomes or outcomes[key].state not in FINISHED_STATES:
                            outcomes[key] = job_outcome(app, key, job_id)
                counts = Counter("done" if o.state == "SUCCESS" else "failed" if o.state == "FAILURE"
                                 else "pending" for o in outcomes.values())
                bar.set_postfix(done=counts["done"], failed=counts["failed"], pending=counts["pending"])
                bar.update(counts["done"] + counts["failed"] - bar.n)
                if counts["pending"] == 0 or (deadline and time.monotonic() > deadline):
                    break
                if stopped:
                    log.error("the workers stopped with %d jobs unfinished", counts["pending"])
                    break
                if time.monotonic() >= next_rescue:
                    resend_lost(app, {o.video_key: o.job_id for o in outcomes.values() if o.state not in FINISHED_STATES})
                    next_rescue = time.monotonic() + RESCUE_EVERY_S
                time.sleep(poll_s)
        except KeyboardInterrupt:
            log.warning("stopped following; the jobs keep running on the workers")
    return [outcomes[key] for key in jobs]


def resend_lost(app: Celery, pending: dict[str, str]) -> list[str]:
    """Sends again, under the same ids, the pending extraction jobs whose worker died; returns their keys."""
    with backend_errors_told(app):
        lost = lost_jobs(app, list(pending.values()))
        again = [key for key, job_id in pending.items() if job_id in lost]
        for key in again:
            log.warning("%s: the worker running job %s stopped; sending it again", key, pending[key])
            send_job(app, EXTRACT_TASK, pending[key], args=[key, label_of_key(key)], record={"video_key": key})
    return again


def describe_outcomes(outcomes: list[JobOutcome]) -> str:
    counts = Counter(o.state for o in outcomes)
    lines = [(f"jobs: {counts.get('SUCCESS', 0)} done, {counts.get('FAILURE', 0)} failed, "
              f"{sum(v for k, v in counts.items() if k not in FINISHED_STATES)} pending")]
    lines += [f"  FAILED {o.video_key}: {o.reason}" for o in outcomes if o.state == "FAILURE"]
    lines += [f"  warning {o.video_key}: {o.reason}" for o in outcomes if o.state == "SUCCESS" and o.reason]
    return "\n".join(lines)
