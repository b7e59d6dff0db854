"""Accounts on the page (Streamlit's AppTest): signing in, one's own jobs and history only, the rate limit,
a signed-out browser that cannot poll, and no password anywhere but as a hash."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fittrack.accounts.sessions import end_session
from fittrack.accounts.users import add_user
from fittrack.history.workouts import record_workout
from fittrack.jobs.uploads import store_upload
from fittrack.settings import get_settings
from fittrack.storage.keys import new_upload_id
from fittrack.storage.store import LocalStore

from .history.factories import facts
from .services import ROOT
from .test_webapp import store_result, texts

APP = str(ROOT / "webapp" / "app.py")
ANA_PASSWORD, BO_PASSWORD = "ana-secret-Zq81", "bo-secret-Xy42"
MONDAY = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    """A page that requires sign-in (embedded mode, SQLite), with two people: ana and bo."""
    url = f"sqlite:///{tmp_path / 'home' / 'fittrack.sqlite'}"
    for name in ("FITTRACK_BROKER_URL", "FITTRACK_RESULT_BACKEND", "FITTRACK_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FITTRACK_DATABASE_URL", url)
    monkeypatch.setenv("FITTRACK_SINGLE_USER", "0")
    _fresh()
    people = {"ana": add_user(url, "ana", ANA_PASSWORD), "bo": add_user(url, "bo", BO_PASSWORD)}
    yield url, people, LocalStore(tmp_path / "home" / "store")
    _fresh()


def _fresh() -> None:
    import streamlit as st

    get_settings.cache_clear()
    st.cache_resource.clear()


def signed_in(name: str, password: str, job: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if job:
        at.query_params["job"] = job
    at.run()
    return sign_in(at, name, password)


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return next(b for b in at.button if b.label == "Sign in").click().run()


def analysed_upload_of(store: LocalStore, tmp_path: Path, owner_id: str, url: str) -> str:
    """An upload of `owner_id` with a finished analysis in the store and its workout in the database."""
    upload_id = new_upload_id()
    store_result(tmp_path, upload_id, None)
    store.put_bytes(f"uploads/{upload_id}/video", store.get_bytes(f"uploads/{upload_id}/video"),
                    metadata={"owner": owner_id, "display-name": "ana%20squats.mp4"})
    record_workout(url, facts(upload_id, MONDAY, owner_id=owner_id, name="ana squats.mp4"))
    return upload_id


def test_the_page_asks_to_sign_in_and_a_wrong_password_reads_like_an_unknown_name(accounts):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "sign in to see them" in texts(at) and len(at.file_uploader) == 0
    wrong = texts(sign_in(at, "ana", "not-her-password"))
    unknown = texts(sign_in(AppTest.from_file(APP, default_timeout=30).run(), "nobody", "not-her-password"))
    assert "Wrong username or password." in wrong
    assert wrong == unknown


def test_ana_sees_her_job_and_history_and_bo_sees_neither(accounts, tmp_path):
    url, people, store = accounts
    upload_id = analysed_upload_of(store, tmp_path / "home", people["ana"].id, url)
    job = f"analyse-{upload_id}"

    ana = signed_in("ana", ANA_PASSWORD, job)
    assert not ana.exception
    assert "frames analysed" in texts(ana) and len(ana.get("video")) == 1
    assert [b.label for b in ana.get("download_button")] == ["Download annotated video", "Download angle rows (CSV)"]
    ana.switch_page("history.py").run()
    assert ana.dataframe[0].value["video"].tolist() == ["ana squats.mp4"]

    bo = signed_in("bo", BO_PASSWORD, job)
    unknown = signed_in("bo", BO_PASSWORD, f"analyse-{new_upload_id()}")
    assert "No such job" in texts(bo)
    assert texts(bo) == texts(unknown), "another person's job answers exactly like one that does not exist"
    assert not bo.get("video") and not bo.get("download_button") and "frames analysed" not in texts(bo)
    bo.switch_page("history.py").run()
    assert "No workouts yet" in texts(bo)


def test_the_sixth_quick_failed_sign_in_is_refused_for_a_while(accounts):
    at = AppTest.from_file(APP, default_timeout=30).run()
    for _ in range(5):
        assert "Wrong username or password." in texts(sign_in(at, "ana", "guess-guess"))
    said = texts(sign_in(at, "ana", ANA_PASSWORD))
    assert "Too many failed sign-ins: wait a minute, then try again." in said
    assert len(at.file_uploader) == 0


def test_a_signed_out_browser_cannot_poll_a_job(accounts):
    url, people, store = accounts
    upload_id, _ = store_upload(store, "squat.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, None,
                                people["ana"].id)
    from fittrack.settings import get_settings as settings
    from workers.app import create_app
    from workers.jobs import ANALYSE_TASK, analysis_job_id, send_job

    job = analysis_job_id(upload_id)
    send_job(create_app(settings()), ANALYSE_TASK, job, args=[f"uploads/{upload_id}/video", upload_id],
             record={"video_key": f"uploads/{upload_id}/video"})  # no worker: it stays queued
    at = signed_in("ana", ANA_PASSWORD, job)
    assert "Queued" in texts(at)
    end_session(url, at.session_state["session-token"])  # signed out in another tab, or expired
    at.run()
    said = texts(at)
    assert "Queued" not in said and "sign in to see them" in said


def test_no_password_in_logs_database_store_or_page(accounts, tmp_path, caplog):
    url, people, store = accounts
    caplog.set_level(logging.DEBUG)
    analysed_upload_of(store, tmp_path / "home", people["ana"].id, url)
    at = signed_in("ana", ANA_PASSWORD)
    sign_in(AppTest.from_file(APP, default_timeout=30).run(), "ana", BO_PASSWORD)  # a wrong one
    at.switch_page("history.py").run()
    next(b for b in at.button if b.label == "Sign out").click().run()
    assert "Signed out." in texts(at)
    said = [texts(at), caplog.text]
    files = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
    assert any(p.name.startswith("fittrack.sqlite") for p in files)
    for secret in (ANA_PASSWORD, BO_PASSWORD):
        assert not [text for text in said if secret in text]
        assert not [p for p in files if secret.encode() in p.read_bytes()], f"{secret} written to a file"
