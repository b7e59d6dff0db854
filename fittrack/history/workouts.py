"""Writing, changing and deleting workouts: each in one transaction, each safe to run twice.

A workout is keyed by the analysis job that wrote it, so a redelivered or
retried job finds its workout already there and adds nothing; a job killed
before its commit leaves nothing, and its resend writes the one workout.
A correction replaces a workout's sets, reps and rests, and keeps its date
(which the person may have edited).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fittrack.errors import DatabaseError
from fittrack.history.database import session
from fittrack.history.schema import RECORDED_BY_PERSON, Rep, RepCue, Rest, Workout, WorkoutSet
from fittrack.labels import EXERCISES
from fittrack.movement.predict import PredictionSummary
from fittrack.movement.sessions import REST, Segment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkoutFacts:
    """What an analysed upload tells the history; built by the analysis and correction jobs."""

    job_id: str
    upload_id: str
    name: str
    recorded_at: datetime
    recorded_from: str
    duration_s: float
    prediction: PredictionSummary | None
    owner_id: str | None = None  # the account the upload belongs to; None in single-user mode


def record_workout(url: str, facts: WorkoutFacts) -> int:
    """The upload's workout, written once; returns its id. A second call with the same job adds nothing."""
    try:
        with session(url) as db:
            existing = db.scalar(select(Workout.id).where(Workout.job_id == facts.job_id))
            if existing is not None:
                log.info("workout of job %s already recorded (%d); nothing added", facts.job_id, existing)
                return existing
            workout = Workout(job_id=facts.job_id, upload_id=facts.upload_id, owner_id=facts.owner_id,
                              name=facts.name[:120],
                              recorded_at=_utc(facts.recorded_at), recorded_from=facts.recorded_from,
                              duration_s=facts.duration_s, created_at=datetime.now(UTC))
            _fill(workout, facts.prediction, facts.duration_s)
            db.add(workout)
            db.flush()
            log.info("recorded workout %d of upload %s: %d sets", workout.id, facts.upload_id, len(workout.sets))
            return workout.id
    except IntegrityError:  # the same job, delivered twice at once: the other delivery wrote it
        with session(url) as db:
            found = db.scalar(select(Workout.id).where(Workout.job_id == facts.job_id))
        if found is None:  # not a second delivery: the one foreign key, the upload's owner, is gone
            raise DatabaseError(f"the workout of upload {facts.upload_id} names an owner who has no account "
                                "(removed meanwhile?); its upload is removed with that account") from None
        return found


def replace_answer(url: str, facts: WorkoutFacts) -> int:
    """A corrected answer: the workout's sets, reps and rests replaced; its date kept. Creates it if missing."""
    with session(url) as db:
        workout = db.scalar(select(Workout).where(Workout.upload_id == facts.upload_id))
        if workout is not None:
            workout.sets.clear()
            workout.rests.clear()
            db.flush()
            _fill(workout, facts.prediction, facts.duration_s)
            db.flush()
            return workout.id
    return record_workout(url, facts)


def delete_workout(url: str, upload_id: str) -> bool:
    """The upload's workout and all its rows; False when it had none."""
    with session(url) as db:
        workout = db.scalar(select(Workout).where(Workout.upload_id == upload_id))
        if workout is None:
            return False
        db.delete(workout)
        return True


def set_recorded_at(url: str, upload_id: str, when: datetime) -> None:
    """The person's own date for a workout (a video whose camera clock was wrong, or re-uploaded later)."""
    with session(url) as db:
        workout = db.scalar(select(Workout).where(Workout.upload_id == upload_id))
        if workout is not None:
            workout.recorded_at = _utc(when)
            workout.recorded_from = RECORDED_BY_PERSON


def _fill(workout: Workout, prediction: PredictionSummary | None, duration_s: float) -> None:
    """Sets (with reps and their form cues) and rests from the answer's session log."""
    if prediction is None:
        workout.exercise, workout.named_by = "", ""
        return
    workout.exercise, workout.named_by = prediction.label, prediction.named_by
    segments = list(prediction.segments)
    sets = [segment for segment in segments if segment.is_set]
    if not sets and prediction.reps is not None and prediction.label in EXERCISES:  # one set, no session log
        sets = [Segment(prediction.label, 0.0, duration_s, prediction.reps.count, prediction.confidence,
                        prediction.named_by)]
    for position, segment in enumerate(sets, start=1):
        workout.sets.append(WorkoutSet(position=position, exercise=segment.label, start_s=segment.start_s,
                                       end_s=segment.end_s, reps=segment.reps, named_by=segment.named_by,
                                       rep_rows=_reps_inside(prediction, segment)))
    workout.rests.extend(Rest(start_s=s.start_s, end_s=s.end_s) for s in segments if s.label == REST)


def _reps_inside(prediction: PredictionSummary, segment: Segment) -> list[Rep]:
    """The counted reps whose middle falls in the set, with their form cues (same exercise only)."""
    reps = prediction.reps
    if reps is None or reps.exercise != segment.label:
        return []
    rows: list[Rep] = []
    cues_of = list(reps.cues) + [()] * (len(reps.spans) - len(reps.cues))
    for (start_s, end_s), cues in zip(reps.spans, cues_of, strict=True):
        if segment.start_s <= (start_s + end_s) / 2 < segment.end_s:
            rows.append(Rep(position=len(rows) + 1, start_s=start_s, end_s=end_s,
                            cues=[RepCue(cue=str(c["cue"]), verdict=str(c["verdict"]), value=c.get("value"),
                                         threshold=c.get("threshold")) for c in cues]))
    return rows


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
