"""The History page with Streamlit's AppTest, on SQLite and the real PostgreSQL: what it shows, opening,
re-dating and deleting a workout, and a database that does not answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from fittrack.history.reports import load_history
from fittrack.history.workouts import record_workout
from fittrack.settings import get_settings
from fittrack.storage.keys import new_upload_id
from fittrack.storage.store import LocalStore

from .history.factories import facts, squat_session
from .services import ROOT
from .test_webapp import store_result, texts

APP = str(ROOT / "webapp" / "app.py")
MONDAY = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


@pytest.fixture
def page_env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FITTRACK_STORE_URL", (tmp_path / "store").as_uri())
    monkeypatch.setenv("FITTRACK_DATABASE_URL", database_url)
    monkeypatch.setenv("FITTRACK_SINGLE_USER", "1")  # one person's history (accounts: test_accounts_page.py)
    _fresh()
    yield database_url
    _fresh()


def _fresh() -> None:
    import streamlit as st

    get_settings.cache_clear()
    st.cache_resource.clear()


def history_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    return at.switch_page("history.py").run()


def test_an_empty_history_says_how_to_fill_it(page_env):
    at = history_page()
    assert not at.exception
    assert "No workouts yet: analyse a video" in texts(at)


def test_workouts_weekly_totals_and_best_sets_are_shown(page_env):
    record_workout(page_env, facts("u1", MONDAY, squat_session(sets=2, reps=4), name="Monday squats.mp4"))
    record_workout(page_env, facts("u2", datetime(2026, 12, 8, tzinfo=UTC), squat_session(sets=1, reps=7)))
    at = history_page()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Workouts"] == "2" and metrics["Reps in the latest week"] == "7"
    assert [s.value for s in at.subheader] == ["Workouts", "Best sets", "Form over the weeks"]
    best = at.dataframe[1].value
    assert best[["exercise", "reps"]].values.tolist() == [["squat", 7]]
    workouts = at.dataframe[0].value
    assert workouts["video"].tolist() == ["u2.mp4", "Monday squats.mp4"], "newest first"
    assert len(at.get("vega_lite_chart")) == 3, "reps per week, sets per week, form over the weeks"


def test_a_workout_opens_with_its_video_can_be_redated_and_deleted(page_env, tmp_path):
    upload_id = new_upload_id()
    record_workout(page_env, facts(upload_id, MONDAY, squat_session(sets=2, reps=4), name="Monday squats.mp4"))
    store_result(tmp_path, upload_id, None)
    store = LocalStore(tmp_path / "store")
    at = history_page()
    at.selectbox(key="open-workout").set_value(0).run()
    assert not at.exception
    assert "Monday 2026-11-30 18:00 (UTC)" in texts(at)
    assert len(at.get("video")) == 1
    sets = at.dataframe[1].value
    assert sets[["set", "exercise", "reps"]].values.tolist() == [[1, "squat", 4], [2, "squat", 4]]

    at.date_input(key=f"day-{upload_id}").set_value(datetime(2026, 12, 2).date()).run()
    next(b for b in at.button if b.label == "Save the date").click().run()
    assert "Date changed." in texts(at)
    assert load_history(page_env).workouts["recorded_at"].dt.strftime("%Y-%m-%d").tolist() == ["2026-12-02"]

    at.selectbox(key="open-workout").set_value(0).run()
    at.checkbox(key=f"history-delete-sure-{upload_id}").check().run()
    next(b for b in at.button if b.key == f"history-delete-{upload_id}").click().run()
    assert "Deleted: the workout and its video are gone." in texts(at)
    assert "No workouts yet" in texts(at)
    assert load_history(page_env).empty
    assert [key for key in store.list() if upload_id in key] == []


def test_a_database_that_does_not_answer_leaves_the_analysis_page_working(tmp_path, monkeypatch):
    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FITTRACK_STORE_URL", (tmp_path / "store").as_uri())
    monkeypatch.setenv("FITTRACK_DATABASE_URL", "postgresql+psycopg://fit:pw-never-shown@127.0.0.1:1/history")
    monkeypatch.setenv("FITTRACK_SINGLE_USER", "1")
    _fresh()
    try:
        at = AppTest.from_file(APP, default_timeout=30).run()
        assert not at.exception and len(at.file_uploader) == 1, "uploads still work"
        at.switch_page("history.py").run()
        said = texts(at)
        assert "History is unavailable right now" in said
        assert "Traceback" not in said and "pw-never-shown" not in said
        monkeypatch.setenv("FITTRACK_SINGLE_USER", "0")  # with accounts, who is signed in is in that database
        _fresh()
        at = AppTest.from_file(APP, default_timeout=30).run()
        at.text_input[0].input("ana")
        at.text_input[1].input("a-password-of-hers")
        next(b for b in at.button if b.label == "Sign in").click().run()
        said = texts(at)
        assert "Signing in is unavailable right now: the database did not answer." in said
        assert "Traceback" not in said and "pw-never-shown" not in said
    finally:
        _fresh()
