"""`fittrack run`: the whole job on one machine, with the same parts as a cluster.

Upload the dataset into the store, start worker processes, send one job per
video, follow them, export the rows as one CSV, train and write the report.
With the default settings this is the embedded mode (filesystem broker,
sqlite results, local store); with FITTRACK_* pointing at Redis and S3 it
drives a cluster, and `--workers 0` uses the workers already running there.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fittrack.pose.collect import EXPORT_COLUMNS, load_rows
from fittrack.pose.table import write_rows
from fittrack.settings import get_settings
from fittrack.storage.store import open_store
from producer.enqueue import describe_outcomes, enqueue_videos, follow_jobs
from producer.upload import upload_dataset
from workers.app import SENDER_BACKEND_RETRIES, create_app
from workers.jobs import FINISHED_STATES
from workers.local import local_workers

log = logging.getLogger(__name__)


def bring_history_up_to_date(url: str) -> None:
    """The page and workers this command starts share the history; the dataset itself is no one's workout
    and never enters it, so a database that does not answer only earns a warning here."""
    from fittrack.errors import DatabaseError
    from fittrack.history.database import upgrade_schema

    try:
        upgrade_schema(url)
    except DatabaseError as error:
        log.warning("%s", error)


def run_pipeline(dataset: Path, out: Path, workers: int | None = None, train: bool = True) -> int:
    settings = get_settings()
    store = open_store(settings)
    app = create_app(settings, SENDER_BACKEND_RETRIES)
    out.mkdir(parents=True, exist_ok=True)
    log.info("store: %s, broker: %s", store.url, settings.resolved_broker_url())
    bring_history_up_to_date(settings.resolved_database_url())
    print(f"upload: {upload_dataset(dataset, store).summary()}")
    worker_count = (os.cpu_count() or 1) if workers is None else workers
    with local_workers(worker_count, out / "worker.log") as workers_alive:
        report = enqueue_videos(app, store)
        print(f"enqueue: {report.summary()}")
        outcomes = follow_jobs(app, report.job_ids, workers_alive=workers_alive)
    print(describe_outcomes(outcomes))
    if workers_alive is not None and any(o.state not in FINISHED_STATES for o in outcomes):
        log.error("the worker processes stopped before every job ended (log: %s). Run the same command "
                  "again: videos already extracted are kept, and the unfinished ones are sent again.",
                  out / "worker.log")
        return 1
    rows = load_rows(store, EXPORT_COLUMNS)
    csv_path = write_rows(rows, out / "angles.csv")
    print(f"export: {len(rows)} rows of {rows['video_id'].nunique()} videos -> {csv_path}")
    if train:
        from fittrack.jobs.session_logs import segment_stored_videos
        from trainer.train import train_and_report

        trained = train_and_report(store, out / "exercise.model", settings=settings)
        assert trained.model is not None, "a model trained in this process is at hand"
        print(f"sessions: the session logs of {segment_stored_videos(store, trained.model, trained.sha256)} videos "
              f"-> {store.url}/sessions/ (`fittrack export --sessions sessions.csv`)")
    failed = [o for o in outcomes if o.state == "FAILURE"]
    return 1 if failed and len(failed) == len(outcomes) else 0
