"""Celery tasks: each turns one job message into one call of a core function.

    fittrack.extract_video   -> fittrack.jobs.extraction.run_extraction
    fittrack.analyse_upload  -> fittrack.jobs.analysis.run_analysis, then its workout (fittrack.jobs.history)
    fittrack.correct_upload  -> fittrack.jobs.correction.run_correction, then the workout's new answer
    fittrack.train           -> fittrack.jobs.training.train_from_store

Messages carry store keys only, never local paths: a worker on any machine
fetches what it needs from the shared store. Bad input fails the job at once
(no retry can fix the bytes); an unreachable store is retried with backoff.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

from celery import Task
from celery.signals import worker_init, worker_process_init, worker_process_shutdown, worker_ready

from fittrack.errors import DatabaseUnavailable, NoModelError, TransientStoreError
from fittrack.jobs.analysis import finished_analysis, run_analysis
from fittrack.jobs.correction import run_correction
from fittrack.jobs.extraction import run_extraction
from fittrack.jobs.history import record_analysis, record_correction
from fittrack.jobs.training import train_from_store
from fittrack.pose.estimator import PoseEstimator
from fittrack.recognition.model_file import ExerciseModel, model_from_store
from fittrack.settings import get_settings
from fittrack.storage.store import Store, open_store
from workers.app import app
from workers.jobs import (
    ANALYSE_TASK,
    CORRECT_TASK,
    EXTRACT_TASK,
    TRAIN_TASK,
    JobKind,
    analysis_job_id,
    parse_job_id,
    progress_reporter,
)

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def pose_estimator() -> PoseEstimator:
    """One landmarker per worker process, made on its first job (after the fork)."""
    return PoseEstimator.from_settings(get_settings())


@lru_cache(maxsize=1)
def shared_store() -> Store:
    return open_store(get_settings())


@worker_process_init.connect
def _pin_to_one_core(**_: object) -> None:
    """With FITTRACK_WORKER_PIN_CPUS, process i of this worker runs on core i only.

    MediaPipe's inference is multi-threaded, so unpinned processes of one
    worker compete for every core; pinned, each has a core to itself and N
    processes come close to N times one.
    """
    if not get_settings().worker_pin_cpus or not hasattr(os, "sched_setaffinity"):
        return
    from billiard.process import current_process

    cores = sorted(os.sched_getaffinity(0))
    index = getattr(current_process(), "index", 0) or 0
    os.sched_setaffinity(0, {cores[index % len(cores)]})
    log.info("worker process %d pinned to core %d", index, cores[index % len(cores)])


@worker_init.connect
def _bring_the_history_schema_up_to_date(**_: object) -> None:
    """Before any process forks: one worker migrates, the others wait on its lock and find nothing to do.

    A database that does not answer now does not stop the worker: extraction
    needs none, and an analysis retries its workout write with backoff.
    """
    from fittrack.errors import DatabaseError
    from fittrack.history.database import upgrade_schema

    try:
        upgrade_schema(get_settings().resolved_database_url())
    except DatabaseError as error:
        log.error("%s", error)


@worker_ready.connect
def _prune_the_embedded_broker(**_: object) -> None:
    """In the embedded mode the worker keeps the broker folder from growing (workers.embedded_broker)."""
    settings = get_settings()
    if settings.is_embedded and settings.broker_prune_after_seconds > 0:
        from workers.embedded_broker import start_pruning

        start_pruning(settings.broker_folder(), settings.broker_prune_after_seconds)


@worker_process_shutdown.connect
def _close_estimator(**_: object) -> None:
    if pose_estimator.cache_info().currsize:
        pose_estimator().close()


RETRY_STORE_ERRORS = {
    "bind": True,
    # Only an unreachable store, database or broker is worth another try; bad input fails at once.
    "autoretry_for": (TransientStoreError, DatabaseUnavailable, ConnectionError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": get_settings().job_max_retries,
}


@app.task(name=EXTRACT_TASK, **RETRY_STORE_ERRORS)
def extract_video(self: Task, video_key: str, label: str | None = None, redo: bool = False) -> dict:
    """Pose angles of one stored video, written to the store as one Parquet object.

    Unless `redo`, a job whose rows already exist does nothing (a late redelivery of a finished job).
    """
    ref = parse_job_id(self.request.id or "")
    known = ref.subject if ref and ref.kind is JobKind.EXTRACTION and not redo else None
    summary = run_extraction(
        shared_store(), video_key, pose_estimator(), get_settings(), label=label,
        on_progress=progress_reporter(self), known_sha256=known,
    )
    return summary.to_dict()


_models: dict[str, ExerciseModel] = {}


def current_model() -> tuple[ExerciseModel, str] | NoModelError:
    """The store's model, loaded again only when its recorded sha256 changes (a retrain)."""
    store, key = shared_store(), get_settings().model_key
    info = store.head(key)
    if info is None:
        return NoModelError(f"{store.url}/{key}", "no model has been trained yet", "run `fittrack train`")
    sha = info.metadata.get("sha256", "")
    if sha not in _models:
        _models.clear()
        _models[sha] = model_from_store(store, key)[0]
    return _models[sha], sha


@app.task(name=ANALYSE_TASK, **RETRY_STORE_ERRORS)
def analyse_upload(self: Task, upload_key: str, upload_id: str) -> dict:
    """A webapp upload: rows, prediction and annotated video, written under results/<upload_id>/."""
    report = progress_reporter(self)

    def staged(stage: str, done: int, total: int) -> None:
        report(done, total, stage=stage)

    # A redelivery (or a retry after the history database failed) finds the result done: only the workout
    # may be missing, and writing it again is a no-op when it is not.
    result = finished_analysis(shared_store(), upload_id) or run_analysis(
        shared_store(), upload_key, upload_id, pose_estimator(), get_settings(), current_model(), on_progress=staged)
    record_analysis(get_settings().resolved_database_url(), shared_store(), result,
                    self.request.id or analysis_job_id(upload_id))
    return result.to_dict()


@app.task(name=CORRECT_TASK, **RETRY_STORE_ERRORS)
def correct_upload(self: Task, upload_id: str) -> dict:
    """A person's labels applied to an analysed upload: reps, cues, sets and video again, from its rows."""
    report = progress_reporter(self)
    result = run_correction(shared_store(), upload_id, get_settings(), current_model(),
                            on_progress=lambda done, total: report(done, total, stage="render"))
    record_correction(get_settings().resolved_database_url(), shared_store(), result, analysis_job_id(upload_id))
    return result.to_dict()


@app.task(name=TRAIN_TASK, bind=True)
def train_model(self: Task, evaluate_first: bool = True, user_labels: bool = True) -> dict:
    """Trains on the rows in the shared store (and people's labelled uploads); the model goes back to it."""
    return train_from_store(shared_store(), get_settings(), evaluate_first=evaluate_first,
                            user_labels=user_labels).to_dict()
