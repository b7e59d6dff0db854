"""An analysed upload as a workout in the history: written at the end of its job, replaced by a correction,
removed with the upload.

The workout is keyed by the analysis job's id (`analyse-<upload id>`), so
however often that job is delivered, one workout exists. The store is the
upload's truth: a workout is written only while its upload exists, and one
whose upload was deleted while the job ran is removed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from fittrack.history.schema import RECORDED_FROM_UPLOAD, RECORDED_FROM_VIDEO
from fittrack.history.workouts import WorkoutFacts, delete_workout, record_workout, replace_answer
from fittrack.jobs.analysis import AnalysisResult
from fittrack.jobs.uploads import OWNER_METADATA, display_name_of
from fittrack.pose.recorded_time import parse_time
from fittrack.storage.keys import upload_key
from fittrack.storage.store import ObjectInfo, Store, delete_upload

log = logging.getLogger(__name__)


def facts_of(store: Store, result: AnalysisResult, job_id: str) -> WorkoutFacts:
    """The workout an analysis result describes: filmed when the video says, else when it was uploaded.

    The upload's name, owner and upload time come from one read of its metadata (one request on S3).
    """
    metadata = (store.head(result.video_key) or ObjectInfo(result.video_key, 0, {})).metadata
    filmed = parse_time(result.recorded_at)
    stamp = metadata.get("uploaded-at", "")
    uploaded = datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else datetime.now(UTC)
    when, source = (filmed, RECORDED_FROM_VIDEO) if filmed else (uploaded, RECORDED_FROM_UPLOAD)
    return WorkoutFacts(job_id=job_id, upload_id=result.upload_id, name=display_name_of(metadata),
                        recorded_at=when, recorded_from=source, duration_s=result.duration_s,
                        prediction=result.prediction, owner_id=metadata.get(OWNER_METADATA))


def record_analysis(database_url: str, store: Store, result: AnalysisResult, job_id: str) -> int | None:
    """The upload's workout, once per job; None (and nothing kept) when the upload was deleted meanwhile."""
    return _written_while_the_upload_exists(database_url, store, result, job_id, record_workout)


def record_correction(database_url: str, store: Store, result: AnalysisResult, job_id: str) -> int | None:
    """The corrected answer replaces the workout's sets, reps and rests; its date stays."""
    return _written_while_the_upload_exists(database_url, store, result, job_id, replace_answer)


def _written_while_the_upload_exists(database_url: str, store: Store, result: AnalysisResult, job_id: str,
                                     write: Callable[[str, WorkoutFacts], int]) -> int | None:
    """`write`s the workout unless the upload is gone, and removes it again if the upload went meanwhile."""
    key = upload_key(result.upload_id)
    if store.exists(key):
        workout_id = write(database_url, facts_of(store, result, job_id))
        if store.exists(key):
            return workout_id
        log.info("upload %s was deleted while its workout was written; the workout goes too", result.upload_id)
    delete_workout(database_url, result.upload_id)
    return None


def forget_upload(database_url: str, store: Store, upload_id: str) -> list[str]:
    """The workout of an upload, then its video, results and labels; returns the store keys removed.

    The database goes first: a history must not list a workout whose video is
    gone, while a video left by a failed second step is removed by trying again.
    """
    delete_workout(database_url, upload_id)
    return delete_upload(store, upload_id)
