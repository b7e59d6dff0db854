"""What a history shows, read in four queries: workouts, sets, rests and form-cue counts, then shaped with pandas.

Aggregation that SQLite and PostgreSQL spell alike (sums, counts, GROUP BY)
runs in the database; calendar arithmetic (weeks) runs in pandas, so the
same code reads both. The database holds UTC; a history is read in the
person's time zone, so a Sunday-night workout counts in Sunday's week.
Weeks start on Monday.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select

from fittrack.history.database import session
from fittrack.history.schema import Rep, RepCue, Rest, Workout, WorkoutSet
from fittrack.movement.form import FAULT, NOT_VISIBLE

WORKOUT_COLUMNS = ["workout_id", "upload_id", "name", "recorded_at", "recorded_from", "duration_s", "exercise",
                   "named_by"]
SET_COLUMNS = ["workout_id", "position", "exercise", "start_s", "end_s", "reps", "named_by"]
CUE_COLUMNS = ["workout_id", "exercise", "cue", "verdict", "count"]


@dataclass(frozen=True)
class History:
    """Every workout with its sets, and the form-cue verdicts counted per workout, exercise and cue."""

    workouts: pd.DataFrame  # WORKOUT_COLUMNS + sets, reps, rest_s; newest first
    sets: pd.DataFrame  # SET_COLUMNS + recorded_at, week
    cues: pd.DataFrame  # CUE_COLUMNS + week

    @property
    def empty(self) -> bool:
        return self.workouts.empty

    def weekly(self) -> pd.DataFrame:
        """Sets and reps of each exercise per week: week, exercise, sets, reps."""
        if self.sets.empty:
            return pd.DataFrame(columns=["week", "exercise", "sets", "reps"])
        return (self.sets.groupby(["week", "exercise"], as_index=False)
                .agg(sets=("position", "size"), reps=("reps", "sum")))

    def best_sets(self) -> pd.DataFrame:
        """Each exercise's set with the most reps (the earliest of equals): exercise, reps, recorded_at, name."""
        if self.sets.empty:
            return pd.DataFrame(columns=["exercise", "reps", "recorded_at", "name"])
        ordered = self.sets.sort_values(["exercise", "reps", "recorded_at"], ascending=[True, False, True])
        best = ordered.drop_duplicates("exercise")
        names = self.workouts.set_index("workout_id")["name"]
        return best.assign(name=best["workout_id"].map(names))[["exercise", "reps", "recorded_at", "name"]]

    def cue_trend(self) -> pd.DataFrame:
        """Share of judged reps with each fault, per week: week, exercise, cue, judged, faults, fault_share."""
        judged = self.cues[self.cues["verdict"] != NOT_VISIBLE]
        if judged.empty:
            return pd.DataFrame(columns=["week", "exercise", "cue", "judged", "faults", "fault_share"])
        judged = judged.assign(faults=judged["count"].where(judged["verdict"] == FAULT, 0))
        trend = (judged.groupby(["week", "exercise", "cue"], as_index=False)
                 .agg(judged=("count", "sum"), faults=("faults", "sum")))
        return trend.assign(fault_share=trend["faults"] / trend["judged"])


EVERYONE = "*"  # `owner` of load_history: every workout (the operator's `fittrack history`)


def load_history(url: str, timezone: str = "UTC", owner: str | None = EVERYONE) -> History:
    """The workouts of `owner` (a user id; None: those of single-user mode; EVERYONE), their sets and cue
    counts, with times in `timezone` (an IANA name such as Europe/Berlin)."""
    mine = _owned_by(owner)
    with session(url) as db:
        workouts = _frame(db.execute(select(
            Workout.id, Workout.upload_id, Workout.name, Workout.recorded_at, Workout.recorded_from,
            Workout.duration_s, Workout.exercise, Workout.named_by).where(*mine)), WORKOUT_COLUMNS)
        sets = _frame(db.execute(select(
            WorkoutSet.workout_id, WorkoutSet.position, WorkoutSet.exercise, WorkoutSet.start_s, WorkoutSet.end_s,
            WorkoutSet.reps, WorkoutSet.named_by).join(Workout, Workout.id == WorkoutSet.workout_id).where(*mine)),
            SET_COLUMNS)
        rests = _frame(db.execute(select(Rest.workout_id, func.sum(Rest.end_s - Rest.start_s))
                                  .join(Workout, Workout.id == Rest.workout_id).where(*mine)
                                  .group_by(Rest.workout_id)), ["workout_id", "rest_s"])
        cues = _frame(db.execute(
            select(WorkoutSet.workout_id, WorkoutSet.exercise, RepCue.cue, RepCue.verdict, func.count())
            .join(Workout, Workout.id == WorkoutSet.workout_id).where(*mine)
            .join(Rep, Rep.set_id == WorkoutSet.id).join(RepCue, RepCue.rep_id == Rep.id)
            .group_by(WorkoutSet.workout_id, WorkoutSet.exercise, RepCue.cue, RepCue.verdict)), CUE_COLUMNS)
    workouts["recorded_at"] = pd.to_datetime(workouts["recorded_at"], utc=True).dt.tz_convert(timezone)
    per_workout = sets.groupby("workout_id").agg(sets=("position", "size"), reps=("reps", "sum"))
    workouts = (workouts.join(per_workout, on="workout_id").join(rests.set_index("workout_id"), on="workout_id")
                .fillna({"sets": 0, "reps": 0, "rest_s": 0.0})
                .astype({"sets": int, "reps": int})
                .sort_values("recorded_at", ascending=False, ignore_index=True))
    when = workouts[["workout_id", "recorded_at"]]
    sets = sets.merge(when, on="workout_id", how="inner")
    sets = sets.assign(week=week_of(sets["recorded_at"]))
    cues = cues.merge(when, on="workout_id", how="inner")
    cues = cues.assign(week=week_of(cues["recorded_at"])).drop(columns="recorded_at")
    return History(workouts, sets, cues)


def _owned_by(owner: str | None) -> tuple:
    if owner == EVERYONE:
        return ()
    return (Workout.owner_id.is_(None),) if owner is None else (Workout.owner_id == owner,)


def week_of(when: pd.Series) -> pd.Series:
    """The Monday (00:00 on the wall clock of `when`'s zone, as a naive timestamp) of each moment's week."""
    if when.empty:
        return pd.Series([], dtype="datetime64[ns]", index=when.index)
    day = when.dt.tz_localize(None).dt.normalize()
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _frame(result, columns: list[str]) -> pd.DataFrame:
    """Column by column: pandas builds a frame from a few long tuples far faster than from many rows."""
    rows = result.all()
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True)))
