"""What the page talks to: the store and the Celery app, created once per process.

Kept apart from the Streamlit script so the script reads as a page, and so
every failure of a server the page depends on becomes one sentence that says
what to do, never a stack trace (those go to the log).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st
from celery import Celery

from fittrack.errors import DatabaseError, FittrackError, NoModelError, StoreError
from fittrack.history.database import upgrade_schema
from fittrack.jobs.history import forget_upload
from fittrack.jobs.uploads import store_upload, upload_owner
from fittrack.jobs.user_labels import UserLabel, record_label
from fittrack.settings import Settings, get_settings, without_password
from fittrack.storage.keys import upload_key
from fittrack.storage.store import Store, open_store
from workers.app import create_app
from workers.jobs import (
    ANALYSE_TASK,
    CORRECT_TASK,
    NO_SUCH_JOB,
    JobStatus,
    analysis_job_id,
    correction_job_id,
    correction_of_job,
    describe_job,
    is_lost,
    redelivers_lost_jobs,
    send_job,
    upload_of_job,
)

log = logging.getLogger(__name__)


class ServiceUnavailable(FittrackError):
    """A server the page needs (broker, result backend, store) did not answer."""


@dataclass(frozen=True)
class Backend:
    settings: Settings
    store: Store
    app: Celery

    def model_status(self) -> str:
        """'' when a model is ready, else what the user should know."""
        try:
            info = self.store.head(self.settings.model_key)
        except FittrackError as error:
            log.warning("store check failed: %s", error)
            raise ServiceUnavailable(store_message(self.settings)) from None
        if info is None:
            return NoModelError(self.settings.model_key, "no exercise model has been trained yet",
                                "the video will be annotated with pose and angles only; "
                                "run `fittrack train` to add exercise predictions").hint
        return ""

    def submit(self, name: str, data: bytes, exercise: str | None = None, owner_id: str | None = None) -> str:
        """Stores the upload (with the exercise the person named, if any, and its owner) and sends its job."""
        try:
            upload_id, key = store_upload(self.store, name, data, exercise, owner_id)
        except (StoreError, OSError) as error:
            log.exception("storing an upload failed")
            raise ServiceUnavailable(store_message(self.settings)) from error
        job_id = analysis_job_id(upload_id)
        self.send(job_id, key, upload_id)
        return job_id

    def owns(self, owner_id: str | None, upload_id: str) -> bool:
        """Whether the upload exists and is this owner's (None: an upload of single-user mode)."""
        try:
            exists, owner = upload_owner(self.store, upload_key(upload_id))
        except FittrackError as error:
            log.warning("store check failed: %s", error)
            raise ServiceUnavailable(store_message(self.settings)) from None
        return exists and owner == owner_id

    def resubmit(self, job_id: str) -> None:
        """Sends a failed job again, on the upload it left in the store."""
        upload_id = upload_of_job(job_id)
        if upload_id is not None:
            self.send(job_id, upload_key(upload_id), upload_id)

    def send(self, job_id: str, key: str, upload_id: str) -> None:
        self._send(ANALYSE_TASK, job_id, [key, upload_id], {"video_key": key})

    def _send(self, task: str, job_id: str, args: list, record: dict) -> None:
        """One job through the job contract; a broker that does not answer is one sentence."""
        try:
            send_job(self.app, task, job_id, args=args, record=record,
                     retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5})
        except Exception as error:  # kombu/redis/sqlalchemy each raise their own
            log.exception("sending job %s failed", job_id)
            raise ServiceUnavailable(broker_message(self.settings)) from error

    @property
    def database_url(self) -> str:
        return self.settings.resolved_database_url()

    def delete(self, upload_id: str) -> None:
        """The upload's workout, video, results and labels, all gone (fittrack.jobs.history.forget_upload)."""
        try:
            removed = forget_upload(self.database_url, self.store, upload_id)
        except StoreError as error:
            log.exception("deleting an upload failed")
            raise ServiceUnavailable(store_message(self.settings)) from error
        except DatabaseError as error:
            log.error("deleting the workout of %s failed: %s", upload_id, error)
            raise ServiceUnavailable(f"Nothing was deleted: {error}. Try again in a moment.") from None
        try:  # the queue's copy of the answer goes too, so the old link finds nothing
            self.app.AsyncResult(analysis_job_id(upload_id)).forget()
        except Exception:
            log.warning("the result backend kept its record of %s", upload_id, exc_info=True)
        log.info("deleted upload %s (%d objects)", upload_id, len(removed))

    def confirm(self, label: UserLabel, duration_s: float) -> None:
        """A "yes, right": one label record, nothing to recompute."""
        try:
            record_label(self.store, label, duration_s)
        except StoreError as error:
            log.exception("storing a label failed")
            raise ServiceUnavailable(store_message(self.settings)) from error

    def correct(self, label: UserLabel, duration_s: float) -> str:
        """A "no, it was ...": the label record, then a correction job; returns the job id."""
        self.confirm(label, duration_s)
        job_id = correction_job_id(label.upload_id)
        self.send_correction(job_id)
        return job_id

    def send_correction(self, job_id: str) -> None:
        upload_id = correction_of_job(job_id)
        self._send(CORRECT_TASK, job_id, [upload_id], {"upload_id": upload_id})

    def correction_status(self, job_id: str) -> JobStatus:
        """Like `status`, for a correction job; a lost one is sent again as an analysis would be."""
        if correction_of_job(job_id) is None:
            return JobStatus("unknown", NO_SUCH_JOB)
        state, record, lost = self._state(job_id)
        if lost:
            log.warning("correction job %s lost its worker; sending it again", job_id)
            self.send_correction(job_id)
            return JobStatus("queued", "The worker recomputing your answer stopped; it was sent again.")
        return describe_job(state, record)

    def _state(self, job_id: str) -> tuple[str, object, bool]:
        """The job's state, its record and whether its worker is gone, from the result backend."""
        try:
            result = self.app.AsyncResult(job_id)
            return result.state, result.info, is_lost(self.app, result)
        except Exception as error:
            log.exception("reading the state of job %s failed", job_id)
            raise ServiceUnavailable(broker_message(self.settings)) from error

    def status(self, job_id: str) -> JobStatus:
        """The job's state; an id that is not an analysis job of ours is "no such job", read from nowhere."""
        if upload_of_job(job_id) is None:
            return JobStatus("unknown", NO_SUCH_JOB)
        state, record, lost = self._state(job_id)
        if lost and redelivers_lost_jobs(self.app):  # a cluster: another worker can take it now
            log.warning("job %s lost its worker node; sending it again", job_id)
            self.resubmit(job_id)
            return JobStatus("queued", "The worker running this job stopped; it was sent to another worker.")
        return describe_job(state, record, lost=lost)

    def read(self, key: str) -> bytes:
        try:
            return self.store.get_bytes(key)
        except FittrackError as error:
            log.warning("reading %s failed: %s", key, error)
            raise ServiceUnavailable(f"the result {key} could not be read from the store: {error}") from None


def broker_message(settings: Settings) -> str:
    return (f"Cannot reach the job queue ({without_password(settings.resolved_broker_url())}). Start it (Redis in the "
            "cluster setup) or fix FITTRACK_BROKER_URL / FITTRACK_RESULT_BACKEND, then try again.")


def store_message(settings: Settings) -> str:
    return (f"Cannot reach the store ({without_password(settings.resolved_store_url())}). Check that it is running "
            "and that FITTRACK_STORE_URL and the S3 credentials are right, then try again.")


@st.cache_resource
def backend() -> Backend:
    settings = get_settings()
    app = create_app(settings)
    # Workers and the producer wait out a restarting Redis; a page must answer now, with a message.
    app.conf.update(result_backend_always_retry=False)
    try:
        upgrade_schema(settings.resolved_database_url())
    except DatabaseError as error:  # the page still analyses; its history says it is unavailable
        log.error("%s", error)
    return Backend(settings, open_store(settings), app)
