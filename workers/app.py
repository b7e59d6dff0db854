"""The Celery app: configuration only. Tasks are in `workers.tasks`, the job contract in `workers.jobs`.

`celery -A workers.app worker` uses the module-level `app`, built from the
environment's settings. Tests and the producer build their own with
`create_app(settings)`, so one process can talk to a test broker.

Delivery is at-least-once: a job's message is acknowledged only after the job
ends (`acks_late`), a worker that dies mid-job gives its message back
(`task_reject_on_worker_lost`), each worker process reserves one job at a time
(prefetch 1), and Redis redelivers an unacknowledged job only after the
visibility timeout, which is longer than the longest job may run. Jobs are
idempotent (rows are keyed by content hash), which is what makes this safe.
"""

from __future__ import annotations

from celery import Celery

from fittrack.settings import Settings, get_settings


def hard_time_limit_s(settings: Settings) -> float:
    """Hard limit for any job: the soft budget of the longest accepted video, plus slack."""
    return settings.job_time_floor_seconds + settings.max_video_seconds * settings.job_time_per_video_second * 1.5


WORKER_BACKEND_RETRIES = 60  # a worker waits out a restarting Redis (minutes) rather than lose a result
SENDER_BACKEND_RETRIES = 12  # a command gives up after about 30 s and says why (a full disk never heals)


def celery_config(settings: Settings, backend_retries: int = WORKER_BACKEND_RETRIES) -> dict:
    broker_url = settings.resolved_broker_url()
    config: dict = {
        "broker_url": broker_url,
        "result_backend": settings.resolved_result_backend(),
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_extended": True,
        "task_track_started": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": hard_time_limit_s(settings),
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "worker_hijack_root_logger": False,
        "result_expires": 7 * 24 * 3600,
        "broker_transport_options": {
            "visibility_timeout": settings.broker_visibility_timeout_seconds or hard_time_limit_s(settings) * 2},
        # A result backend that went away (Redis restarting) is waited for, not reported as a failure.
        "result_backend_always_retry": True,
        "result_backend_max_retries": backend_retries,
    }
    if broker_url.startswith("filesystem://"):
        folder = settings.broker_folder()
        for sub in ("queue", "control", "processed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        config["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            # The folder is scanned for new messages this often (kombu's default, 1 s, was most of
            # a webapp job's dispatch latency); a directory listing ten times a second costs nothing.
            "polling_interval": 0.1,
        }
        settings.home.mkdir(parents=True, exist_ok=True)
    return config


def create_app(settings: Settings | None = None, backend_retries: int = WORKER_BACKEND_RETRIES) -> Celery:
    settings = settings or get_settings()
    app = Celery("fittrack", include=["workers.tasks"])
    app.conf.update(celery_config(settings, backend_retries))
    app.conf.fittrack_settings = settings
    return app


app = create_app()
