"""The History page: every analysed workout, the weekly totals, best sets and form over time.

A page of the app (`webapp/app.py` registers it); it reads the database
only (`fittrack.history.reports`), so it stays fast with thousands of
workouts, and opens the store only for the one workout a person opens.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import altair as alt
import pandas as pd
import streamlit as st

from fittrack.errors import DatabaseError, FittrackError
from fittrack.history.reports import History, load_history
from fittrack.history.schema import RECORDED_BY_PERSON, RECORDED_FROM_VIDEO
from fittrack.history.workouts import set_recorded_at
from fittrack.labels import display_name
from fittrack.storage.keys import ResultKeys
from webapp.accounts import page_owner
from webapp.backend import Backend, ServiceUnavailable, backend
from webapp.deleting import deleted_after_confirmation
from workers.jobs import analysis_job_id

log = logging.getLogger("webapp.history")
UNAVAILABLE = "History is unavailable right now"


def viewer_timezone() -> str:
    """The browser's time zone (weeks and times are the person's own), UTC when it does not say."""
    name = st.context.timezone or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def read_history(api: Backend) -> History | None:
    try:
        return load_history(api.database_url, viewer_timezone(), page_owner().id)
    except DatabaseError as error:
        log.error("%s", error)
        st.warning(f"{UNAVAILABLE}: the database did not answer. Your analyses are safe; try again in a moment.")
        return None


def weekly_charts(history: History) -> None:
    weekly = with_week_label(history.weekly())
    weekly = weekly.assign(exercise=weekly["exercise"].map(display_name))
    reps, sets = st.columns(2)
    for column, what, title in ((reps, "reps", "Reps per week"), (sets, "sets", "Sets per week")):
        chart = alt.Chart(weekly, title=title).mark_bar().encode(
            x=alt.X("week_of:O", title="week from", sort=None),
            y=alt.Y(f"sum({what}):Q", title=what, axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("exercise:N", title="exercise", legend=alt.Legend(orient="bottom", columns=3)),
            tooltip=["week_of:O", "exercise:N", f"{what}:Q"])
        column.altair_chart(chart, width="stretch")


def with_week_label(table: pd.DataFrame) -> pd.DataFrame:
    """Weeks as ordered bands named by their Monday ("2026-11-30"), oldest first: bars as wide as the chart allows."""
    if table.empty:
        return table.assign(week_of=[])
    table = table.sort_values("week")
    return table.assign(week_of=table["week"].dt.strftime("%Y-%m-%d"))


def best_sets(history: History) -> None:
    best = history.best_sets()
    st.subheader("Best sets")
    st.dataframe(pd.DataFrame({"exercise": best["exercise"].map(display_name), "reps": best["reps"],
                               "when": best["recorded_at"].dt.strftime("%Y-%m-%d"), "video": best["name"]}),
                 hide_index=True)


def form_trend(history: History) -> None:
    trend = history.cue_trend()
    st.subheader("Form over the weeks")
    if trend.empty:
        st.caption("No form cues judged yet: they come with counted reps of an exercise.")
        return
    exercises = sorted(trend["exercise"].unique())
    chosen = st.selectbox("Exercise", exercises, format_func=lambda e: display_name(e).capitalize(),
                          key="trend-exercise")
    shown = with_week_label(trend[trend["exercise"] == chosen])
    chart = alt.Chart(shown).mark_line(point=True).encode(
        x=alt.X("week_of:O", title="week from", sort=None),
        y=alt.Y("fault_share:Q", title="share of reps with the fault", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("cue:N", title="form cue"),
        tooltip=["week_of:O", "cue:N", "faults:Q", "judged:Q", alt.Tooltip("fault_share:Q", format=".0%")])
    st.altair_chart(chart, width="stretch")
    st.caption("Every form cue is experimental: each agreed with reps judged by eye only part of the time.")


def workout_labels(workouts: pd.DataFrame) -> list[str]:
    """"2026-11-30 18:00 · squats.mp4 · 2 sets, 8 reps" for each workout, built column-wise (thousands of them)."""
    def counted(numbers: pd.Series, word: str) -> pd.Series:
        return numbers.astype(str) + f" {word}" + (numbers != 1).map({True: "s", False: ""})

    names = workouts["name"].where(workouts["name"] != "", "video")
    return (workouts["recorded_at"].dt.strftime("%Y-%m-%d %H:%M") + " · " + names + " · "
            + counted(workouts["sets"], "set") + ", " + counted(workouts["reps"], "rep")).tolist()


def set_summaries(history: History) -> pd.Series:
    """"squat 8, squat 6" per workout id, in set order."""
    sets = history.sets.sort_values(["workout_id", "position"])
    words = sets["exercise"].map(display_name) + " " + sets["reps"].astype(str)
    return words.groupby(sets["workout_id"]).agg(", ".join)


def workouts_table(history: History) -> None:
    st.subheader("Workouts")
    table = pd.DataFrame({
        "when": history.workouts["recorded_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "video": history.workouts["name"],
        "sets (reps)": history.workouts["workout_id"].map(set_summaries(history)).fillna("no sets"),
        "reps": history.workouts["reps"],
        "rest (s)": history.workouts["rest_s"].round(0).astype(int),
        "length (s)": history.workouts["duration_s"].round(0).astype(int)})
    st.dataframe(table, hide_index=True)


def open_workout(api: Backend, history: History) -> None:
    workouts = history.workouts
    labels = workout_labels(workouts)
    choice = st.selectbox("Open a workout", range(len(workouts)), index=None, placeholder="choose a workout",
                          format_func=labels.__getitem__, key="open-workout")
    if choice is None:
        return
    workout = workouts.iloc[int(choice)]
    upload_id = str(workout["upload_id"])
    sets = history.sets[history.sets["workout_id"] == workout["workout_id"]]
    where = {RECORDED_FROM_VIDEO: "filmed (the date the camera wrote)", RECORDED_BY_PERSON: "set by you"}.get(
        str(workout["recorded_from"]), "uploaded (the video holds no filming date)")
    st.caption(f"{workout['recorded_at']:%A %Y-%m-%d %H:%M} ({workout['recorded_at']:%Z}), {where}")
    if len(sets):
        st.dataframe(pd.DataFrame({"set": sets["position"], "exercise": sets["exercise"].map(display_name),
                                   "reps": sets["reps"], "start (s)": sets["start_s"], "end (s)": sets["end_s"],
                                   "named": sets["named_by"].map({"person": "by you"}).fillna("recognised")}),
                     hide_index=True)
    else:
        st.caption("No sets of the five exercises in this video.")
    try:
        st.video(api.read(ResultKeys.of(upload_id).video), format="video/mp4")
    except ServiceUnavailable:
        st.caption("Its annotated video is not in the store any more.")
    st.markdown(f"[Open the full analysis (reps, form, corrections)](/?job={analysis_job_id(upload_id)})")
    edit_date(api, upload_id, workout["recorded_at"])
    delete_workout(api, upload_id)


def edit_date(api: Backend, upload_id: str, current: pd.Timestamp) -> None:
    with st.expander("Change the date"):
        day = st.date_input("Day", current.date(), key=f"day-{upload_id}")
        at = st.time_input(f"Time ({current:%Z})", time(current.hour, current.minute), key=f"time-{upload_id}")
        if st.button("Save the date", key=f"save-date-{upload_id}"):
            try:
                set_recorded_at(api.database_url, upload_id, datetime.combine(day, at, tzinfo=current.tzinfo))
            except DatabaseError as error:
                log.error("%s", error)
                st.error(f"{UNAVAILABLE}: the date was not changed. Try again in a moment.")
                return
            st.session_state["history-said"] = "Date changed."
            st.rerun()


def delete_workout(api: Backend, upload_id: str) -> None:
    if deleted_after_confirmation(api, upload_id, "Delete this workout", "Removes the workout, the video you "
                                  "uploaded, its annotated copy, its angle rows and what you said about it.",
                                  "history-delete"):
        st.session_state.pop("open-workout", None)
        st.session_state["history-said"] = "Deleted: the workout and its video are gone."
        st.rerun()


def page() -> None:
    st.title("Your workouts")
    said = st.session_state.pop("history-said", None)
    if said:
        st.success(said)
    try:
        api = backend()
    except FittrackError as error:
        st.error(str(error))
        return
    history = read_history(api)
    if history is None:
        return
    if history.empty:
        st.info("No workouts yet: analyse a video on the Analyse page and it appears here.")
        return
    this_week = history.weekly()
    latest = this_week[this_week["week"] == this_week["week"].max()] if len(this_week) else this_week
    st.caption(f"Times and weeks (from Monday) in {viewer_timezone()}, your browser's time zone.")
    count, sets, reps = st.columns(3)
    count.metric("Workouts", len(history.workouts))
    sets.metric("Sets in the latest week", int(latest["sets"].sum()) if len(latest) else 0)
    reps.metric("Reps in the latest week", int(latest["reps"].sum()) if len(latest) else 0)
    if not history.sets.empty:
        weekly_charts(history)
    workouts_table(history)
    open_workout(api, history)
    if not history.sets.empty:
        best_sets(history)
    form_trend(history)


page()
