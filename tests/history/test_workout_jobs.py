"""Analysis jobs on real worker processes write their workout once, on SQLite and on the real PostgreSQL.

Embedded mode (filesystem broker, sqlite results, local store) with the
history database set apart, so the same jobs run against both databases.
The person names the exercise, so no trained model is needed.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fittrack.history.database import session
from fittrack.history.schema import Rep, RepCue, Rest, Workout, WorkoutSet
from fittrack.jobs.history import forget_upload
from fittrack.pose.recorded_time import recorded_at
from fittrack.settings import Settings
from fittrack.storage.store import LocalStore
from workers.app import create_app
from workers.jobs import analysis_job_id, describe_job

from ..conftest import shared_video
from ..services import ServiceProcesses, process_tree, service_env, start_worker, wait_for

SHORT_SQUAT = "squat/kaggle_squat_18.mp4"  # 3.7 s
LONG_DEADLIFT = "deadlift/ffreaks_deadlift.mp4"  # 24 s: long enough to be killed in the middle


@pytest.fixture
def embedded(tmp_path, database_url, monkeypatch):
    """Settings of this test's page side and workers: embedded mode, the parametrised history database."""
    home = tmp_path / "home"
    for name in ("FITTRACK_BROKER_URL", "FITTRACK_RESULT_BACKEND", "FITTRACK_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(home=home, database_url=database_url)
    env = service_env({"FITTRACK_DATABASE_URL": database_url, "FITTRACK_SAMPLE_FPS": "10"}, home)
    processes = ServiceProcesses(tmp_path)
    yield settings, env, processes
    processes.stop_all()


def backend_of(settings: Settings):
    from webapp.backend import Backend

    return Backend(settings, LocalStore(settings.home / "store"), create_app(settings))


def counts(url: str) -> dict[str, int]:
    with session(url) as db:
        return {table.__tablename__: db.scalar(select(func.count()).select_from(table))
                for table in (Workout, WorkoutSet, Rep, RepCue, Rest)}


def finished(api, job_id: str, timeout_s: float = 240) -> None:
    wait_for(lambda: describe_job(*_state(api, job_id)).state == "done", timeout_s, f"job {job_id}")


def _state(api, job_id: str) -> tuple[str, object]:
    result = api.app.AsyncResult(job_id)
    return result.state, result.info


def test_a_job_delivered_twice_leaves_one_workout_with_its_sets(embedded):
    settings, env, processes = embedded
    api = backend_of(settings)
    job_id = api.submit("Monday squats.mp4", shared_video(SHORT_SQUAT).read_bytes(), "squat")
    api.resubmit(job_id)  # a second delivery of the same job, queued behind the first
    start_worker(processes, api.app, "history-worker", env, concurrency=2)
    finished(api, job_id)
    wait_for(lambda: counts(settings.database_url)["workouts"] == 1, 60, "the workout")
    api.resubmit(job_id)  # and a third, after it finished
    finished(api, job_id)
    with session(settings.database_url) as db:
        workout = db.scalar(select(Workout))
        sets = [(s.exercise, s.reps, s.named_by) for s in workout.sets]
    assert counts(settings.database_url)["workouts"] == 1
    assert (workout.job_id, workout.name, workout.exercise) == (job_id, "Monday squats.mp4", "squat")
    assert sets and all(exercise == "squat" and named == "person" for exercise, _, named in sets), sets
    assert sum(reps for _, reps, _ in sets) >= 1
    filmed = recorded_at(shared_video(SHORT_SQUAT))
    assert filmed is not None and workout.recorded_from == "video", "the clip says when it was filmed"
    assert workout.recorded_at.replace(tzinfo=None) == filmed.replace(tzinfo=None)


def test_a_worker_killed_mid_job_leaves_no_workout_and_the_resend_leaves_one(embedded):
    settings, env, processes = embedded
    api = backend_of(settings)
    job_id = api.submit("deadlifts.mp4", shared_video(LONG_DEADLIFT).read_bytes(), "deadlift")
    worker = start_worker(processes, api.app, "doomed", env)
    wait_for(lambda: _state(api, job_id)[0] == "PROGRESS" and _state(api, job_id)[1]["done"] > 10, 120,
             "the analysis to run")
    for pid in process_tree(worker.pid):
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)
    assert set(counts(settings.database_url).values()) == {0}, "no half workout"
    assert api.status(job_id).state == "failed", "the page finds the job lost"
    api.resubmit(job_id)  # the page's Retry
    start_worker(processes, api.app, "second", env)
    finished(api, job_id)
    wait_for(lambda: counts(settings.database_url)["workouts"] == 1, 60, "the workout of the resent job")
    assert counts(settings.database_url)["sets"] >= 1


def test_deleting_an_upload_leaves_nothing_in_the_database_or_the_store(embedded):
    settings, env, processes = embedded
    api = backend_of(settings)
    job_id = api.submit("squat.mp4", shared_video(SHORT_SQUAT).read_bytes(), "squat")
    start_worker(processes, api.app, "history-worker", env)
    finished(api, job_id)
    upload_id = job_id.removeprefix("analyse-")
    assert analysis_job_id(upload_id) == job_id
    store = LocalStore(settings.home / "store")
    assert list(store.list(f"results/{upload_id}/")), "the job left its results"
    wait_for(lambda: counts(settings.database_url)["workouts"] == 1, 60, "the workout")
    forget_upload(settings.database_url, store, upload_id)
    assert set(counts(settings.database_url).values()) == {0}
    assert [key for key in store.list() if upload_id in key] == []
    assert not any(upload_id in str(path) for path in Path(settings.home / "store").rglob("*"))


def test_odd_metadata_and_an_odd_file_name_do_not_break_the_write(embedded, tmp_path):
    from ..pose.test_recorded_time import MARKER, tagged_video

    settings, env, processes = embedded
    video = tagged_video(tmp_path / "odd.mp4", {"creation_time": "2026-11-30T18:04:05.000000Z",
                                                "comment": MARKER, "title": "x" * 1_000_000}, frames=20)
    data = video.read_bytes().replace(MARKER.encode(), b"\xff\xfe" + b"\x80" * (len(MARKER) - 2))
    api = backend_of(settings)
    name = "Mon\x00day ✓ " + "long " * 60 + ".mp4"
    job_id = api.submit(name, data, "squat")
    start_worker(processes, api.app, "history-worker", env)
    finished(api, job_id)
    wait_for(lambda: counts(settings.database_url)["workouts"] == 1, 60, "the workout")
    with session(settings.database_url) as db:
        workout = db.scalar(select(Workout))
    assert workout.recorded_from == "video" and workout.recorded_at.year == 2026
    assert workout.name.startswith("Monday ✓ long") and len(workout.name) <= 120


def test_a_database_that_does_not_answer_fails_the_job_in_one_line_naming_it(tmp_path, monkeypatch):
    home = tmp_path / "home"
    for name in ("FITTRACK_BROKER_URL", "FITTRACK_RESULT_BACKEND", "FITTRACK_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    unreachable = "postgresql+psycopg://fit:pw-never-shown@127.0.0.1:1/history"
    settings = Settings(home=home, database_url=unreachable)
    env = service_env({"FITTRACK_DATABASE_URL": unreachable, "FITTRACK_JOB_MAX_RETRIES": "1"}, home)
    processes = ServiceProcesses(tmp_path)
    try:
        api = backend_of(settings)
        job_id = api.submit("squat.mp4", shared_video(SHORT_SQUAT).read_bytes(), "squat")
        start_worker(processes, api.app, "history-worker", env)
        status = wait_for(lambda: (s := api.status(job_id)).state == "failed" and s, 240, "the job to fail")
        assert "the history database postgresql+psycopg://***@127.0.0.1:1/history did not answer" in status.message
        assert "\n" not in status.message and "pw-never-shown" not in status.message
        assert "Traceback" not in status.message
        log = processes.log_text("history-worker")
        assert "Retry in" in log, "retried with backoff before failing"
        assert "pw-never-shown" not in log
        upload_id = job_id.removeprefix("analyse-")
        assert LocalStore(home / "store").exists(f"results/{upload_id}/result.json"), "the analysis itself is kept"
        said = _page_at(job_id, home, unreachable)
        assert "History is unavailable right now" in said and "frames analysed" in said, said
        assert "Traceback" not in said and "pw-never-shown" not in said
    finally:
        processes.stop_all()


def _page_at(job_id: str, home: Path, database_url: str) -> str:
    """What the page says at a job's link, with these settings (AppTest runs it in this process)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from fittrack.settings import get_settings

    from ..services import ROOT
    from ..test_webapp import texts

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FITTRACK_HOME", str(home))
        patch.setenv("FITTRACK_DATABASE_URL", database_url)
        patch.setenv("FITTRACK_SINGLE_USER", "1")
        get_settings.cache_clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "webapp" / "app.py"), default_timeout=30)
        at.query_params["job"] = job_id
        said = texts(at.run())
    get_settings.cache_clear()
    st.cache_resource.clear()
    return said
