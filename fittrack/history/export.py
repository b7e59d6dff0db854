"""The history as a person reads it in a terminal, and as one CSV row per set (`fittrack history [--csv]`)."""

from __future__ import annotations

import pandas as pd

from fittrack.history.reports import History
from fittrack.labels import display_name

SET_EXPORT_COLUMNS = ["recorded_at", "workout", "upload_id", "set", "exercise", "reps", "start_s", "end_s",
                      "named_by", "workout_duration_s", "workout_rest_s"]


def sets_table(history: History) -> pd.DataFrame:
    """One row per set, newest workout first; a workout without sets is one row with no exercise."""
    workouts = history.workouts.rename(columns={"name": "workout", "duration_s": "workout_duration_s",
                                                "rest_s": "workout_rest_s"})
    sets = history.sets.drop(columns=["recorded_at", "week"]).rename(columns={"position": "set"})
    table = workouts[["workout_id", "recorded_at", "workout", "upload_id", "workout_duration_s", "workout_rest_s"]] \
        .merge(sets, on="workout_id", how="left")
    table["recorded_at"] = table["recorded_at"].dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return table.sort_values(["recorded_at", "set"], ascending=[False, True])[SET_EXPORT_COLUMNS]


def history_lines(history: History) -> list[str]:
    """Each workout with its sets, then the weekly totals per exercise."""
    if history.empty:
        return ["No workouts yet: analyse a video on the page (`fittrack webapp`) and it appears here."]
    lines = []
    set_lines: dict[int, list[str]] = {}  # one pass over all sets, not a frame per workout
    for s in history.sets.sort_values(["workout_id", "position"]).itertuples(index=False):
        named = "named by you" if s.named_by == "person" else "recognised"
        set_lines.setdefault(s.workout_id, []).append(
            f"    set {s.position}: {display_name(s.exercise):<12} {s.reps:>3} reps  "
            f"{s.start_s:.0f}-{s.end_s:.0f} s  {named}")
    for workout in history.workouts.itertuples(index=False):
        lines.append(f"{workout.recorded_at:%Y-%m-%d %H:%M %Z}  {workout.name or 'video'}  "
                     f"({workout.duration_s:.0f} s, {workout.sets} sets, {workout.reps} reps, "
                     f"rest {workout.rest_s:.0f} s)")
        lines.extend(set_lines.get(workout.workout_id, []))
    weekly = history.weekly()
    if not weekly.empty:
        lines.append("")
        lines.append("Per week (from Monday):")
        for row in weekly.sort_values(["week", "exercise"]).itertuples():
            lines.append(f"    {row.week:%Y-%m-%d}  {display_name(row.exercise):<12} {row.sets:>3} sets "
                         f"{row.reps:>4} reps")
    return lines
