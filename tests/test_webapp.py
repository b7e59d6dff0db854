"""The webapp's flows with Streamlit's AppTest: the real page script, a real Redis, real workers.

AppTest runs the page in this process, so the settings it reads come from
this process's environment (set per test); the workers are separate real
processes sharing the broker and the store.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fittrack.history.reports import load_history
from fittrack.labels import display_name
from fittrack.settings import get_settings
from fittrack.storage.store import LocalStore
from workers.jobs import describe_job

from .conftest import shared_video, write_test_video
from .services import ROOT, ServiceProcesses, process_tree, service_env, start_worker, wait_for
from .synthetic import store_synthetic_model

APP = str(ROOT / "webapp" / "app.py")
SHORT_SQUAT = "squat/kaggle_squat_18.mp4"  # 3.7 s


@pytest.fixture
def webapp_env(tmp_path, fresh_redis, monkeypatch):
    """Settings for the page (this process) and for workers: Redis broker, local store."""
    settings = {"FITTRACK_BROKER_URL": fresh_redis, "FITTRACK_RESULT_BACKEND": fresh_redis,
                "FITTRACK_STORE_URL": (tmp_path / "store").as_uri(), "FITTRACK_UPLOAD_LIMIT_MB": "5",
                "FITTRACK_DATABASE_URL": f"sqlite:///{tmp_path / 'history.sqlite'}",  # the page's and workers'
                "FITTRACK_SINGLE_USER": "1"}  # one person's page (accounts: tests/test_accounts_page.py)

    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "home"))
    _fresh_caches()
    yield settings
    _fresh_caches()


def _fresh_caches() -> None:
    import streamlit as st

    get_settings.cache_clear()
    st.cache_resource.clear()


@pytest.fixture
def services(tmp_path):
    processes = ServiceProcesses(tmp_path)
    yield processes
    processes.stop_all()


def page() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30).run()


def texts(at: AppTest) -> str:
    """Everything the page says, in one string, for asserting on messages."""
    parts = [e.value for kind in ("error", "warning", "info", "success", "markdown", "caption", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "video/mp4"))
    at.run()
    next(b for b in at.button if b.label == "Process Video").click().run()
    return at


def job_of(at: AppTest) -> str:
    value = at.query_params["job"]
    return value[0] if isinstance(value, list) else value


def store_result(tmp_path, upload_id: str, prediction: dict, **fields) -> tuple:
    """A finished analysis as the worker leaves it in the store (result, annotated video, angle CSV)."""
    from fittrack.storage.keys import ResultKeys
    from webapp.app import CHART_ANGLES

    keys, store = ResultKeys.of(upload_id), LocalStore(tmp_path / "store")
    result = {"upload_id": upload_id, "video_key": f"uploads/{upload_id}/video", "video_id": "ab" * 32,
              "frames": 40, "detected_frames": 40, "duration_s": 4.0, "seconds": 2.0, "stage_seconds": {},
              "model_sha256": "", "notice": "", "prediction": prediction} | fields
    store.put_bytes(keys.result, json.dumps(result).encode())
    store.put_bytes(keys.video, write_test_video(tmp_path / "v.mp4", frames=20).read_bytes())
    store.put_bytes(f"uploads/{upload_id}/video", write_test_video(tmp_path / "u.mp4", frames=20).read_bytes())
    store.put_bytes(keys.csv, pd.DataFrame({"timestamp_ms": [0, 100], **{angle: [90.0, 95.0] for angle in CHART_ANGLES}})
                    .to_csv(index=False).encode())
    return keys, store


def opened(upload_id: str) -> AppTest:
    """The page at an upload's link, as a shared link or a reload opens it."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["job"] = f"analyse-{upload_id}"
    return at.run()


def test_no_model_is_explained_and_upload_form_is_shown(webapp_env):
    at = page()
    assert not at.exception
    assert "No exercise model yet" in texts(at) and "fittrack train" in texts(at)
    assert len(at.file_uploader) == 1
    assert any(b.label == "Process Video" for b in at.button)


def test_too_large_and_not_a_video_are_refused_before_any_job(webapp_env, tmp_path):
    at = page()
    upload(at, "huge.mp4", b"\x00\x00\x00\x20ftypisom" + b"\x00" * (6 * 2**20))
    assert "more than the limit of 5 MB" in texts(at)
    upload(at, "notes.mp4", b"these are my workout notes, not a video\n" * 50)
    assert "notes.mp4 is not a video file" in texts(at)
    assert "job" not in at.query_params, "nothing was submitted"
    assert not list((tmp_path / "store").rglob("video")), "nothing was stored"


def test_broker_unreachable_gives_a_plain_message(webapp_env, monkeypatch, tmp_path):
    monkeypatch.setenv("FITTRACK_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("FITTRACK_RESULT_BACKEND", "redis://127.0.0.1:1/0")
    _fresh_caches()
    at = page()
    upload(at, "squat.mp4", shared_video(SHORT_SQUAT).read_bytes())
    said = texts(at)
    assert "Cannot reach the job queue" in said and "FITTRACK_BROKER_URL" in said
    assert "Traceback" not in said
    assert list((tmp_path / "store").rglob("video")), "the upload itself is kept in the store"


def test_submit_pending_done_with_a_real_worker(webapp_env, services, tmp_path):
    store = LocalStore(tmp_path / "store")
    store_synthetic_model(store, get_settings().model_key)
    at = page()
    assert "No exercise model yet" not in texts(at)
    upload(at, "my ../squat;rm -rf ~.mp4", shared_video(SHORT_SQUAT).read_bytes())
    job_id = job_of(at)
    assert job_id.startswith("analyse-")
    assert "Queued: waiting for a worker" in texts(at), "no worker yet: the job waits in the queue"
    keys = list(store.list("uploads/"))
    assert keys == [f"uploads/{job_id.removeprefix('analyse-')}/video"], "the user's name is not in the key"

    from workers.app import create_app

    start_worker(services, create_app(get_settings()), "web-worker", service_env(webapp_env, tmp_path / "w"))
    done = wait_for(lambda: describe_job(*_state(job_id)).state == "done", 180, "the analysis job")
    assert done
    at.run()
    assert not at.exception
    said = texts(at)
    assert "frames analysed" in said
    assert len(at.get("video")) == 1
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download annotated video", "Download angle rows (CSV)"]
    annotated = store.get_bytes(f"results/{job_id.removeprefix('analyse-')}/annotated.mp4")
    assert annotated[4:8] == b"ftyp" and b"avc1" in annotated[:64], "H.264 in mp4"
    assert annotated.find(b"moov") < annotated.find(b"mdat"), "faststart: the index comes first"

    shared = AppTest.from_file(APP, default_timeout=30)
    shared.query_params["job"] = job_id
    shared.run()
    assert "frames analysed" in texts(shared), "a shared link shows the same job"


def test_failed_job_shows_its_reason_and_can_be_retried(webapp_env, services, tmp_path):
    good = write_test_video(tmp_path / "good.mp4", frames=40)
    truncated = good.read_bytes()[: good.stat().st_size // 2]
    at = page()
    upload(at, "broken.mp4", truncated)
    job_id = job_of(at)
    from workers.app import create_app

    start_worker(services, create_app(get_settings()), "web-worker", service_env(webapp_env, tmp_path / "w"))
    wait_for(lambda: describe_job(*_state(job_id)).state == "failed", 120, "the job to fail")
    at.run()
    said = texts(at)
    assert "The analysis failed: broken.mp4: video container is corrupt or truncated" in said
    assert "Traceback" not in said
    assert any(b.label == "Retry" for b in at.button)
    store = LocalStore(tmp_path / "store")
    assert store.exists(f"uploads/{job_id.removeprefix('analyse-')}/video"), "the upload is kept"



@pytest.fixture
def embedded_env(tmp_path, monkeypatch):
    """The embedded mode for the page and its workers: filesystem broker, sqlite results, local store, one home."""
    home = tmp_path / "home"
    for name in ("FITTRACK_BROKER_URL", "FITTRACK_RESULT_BACKEND", "FITTRACK_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FITTRACK_HOME", str(home))
    _fresh_caches()
    yield home
    _fresh_caches()


def test_embedded_job_whose_worker_is_killed_shows_failed_and_retry_finishes_it(embedded_env, services):
    # The filesystem queue forgets a taken job: without the check the page would say "processing" forever.
    home = embedded_env
    store_synthetic_model(LocalStore(home / "store"), get_settings().model_key)
    at = page()
    upload(at, "deadlift.mp4", shared_video("deadlift/ffreaks_deadlift.mp4").read_bytes())  # 24 s
    job_id = job_of(at)
    from workers.app import create_app

    app = create_app(get_settings())
    worker = start_worker(services, app, "doomed", service_env({"FITTRACK_SAMPLE_FPS": "10"}, home))
    wait_for(lambda: _state(job_id)[0] == "PROGRESS" and _state(job_id)[1]["done"] > 10, 120, "the analysis to run")
    for pid in process_tree(worker.pid):
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)
    at.run()
    said = texts(at)
    assert "The analysis failed: the worker processing this video stopped before it finished" in said, said
    next(b for b in at.button if b.label == "Retry").click().run()
    start_worker(services, app, "second", service_env({"FITTRACK_SAMPLE_FPS": "10"}, home))
    wait_for(lambda: describe_job(*_state(job_id)).state == "done", 240, "the analysis sent again")
    at.run()
    assert "frames analysed" in texts(at)


def _state(job_id: str) -> tuple[str, object]:
    from workers.app import create_app

    result = create_app(get_settings()).AsyncResult(job_id)
    return result.state, result.info


def _webapp(services: ServiceProcesses, name: str, home, *options: str):
    """`fittrack webapp` as a person starts it, on a free port; returns the process once the page answers."""
    import requests

    from .services import free_port

    port = free_port()
    process = services.start(name, [sys.executable, "-m", "fittrack", "webapp", f"--port={port}",
                                    "--address=127.0.0.1", *options], service_env({}, home))
    wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).ok, 90, "the page")
    return process


def test_the_webapp_command_brings_its_own_worker_in_the_embedded_mode_and_stops_it_with_the_page(
        embedded_env, services):
    from workers.app import create_app
    from workers.local import a_worker_answers

    app = create_app(get_settings())
    page_process = _webapp(services, "webapp", embedded_env)
    wait_for(lambda: a_worker_answers(app), 90, "the page's own worker to answer")
    page_process.send_signal(signal.SIGTERM)
    page_process.wait(90)  # the command ends with its page
    wait_for(lambda: not a_worker_answers(app), 90, "the worker to stop with the page")


def test_the_webapp_command_starts_no_worker_when_told_not_to(embedded_env, services):
    from workers.app import create_app
    from workers.local import a_worker_answers

    _webapp(services, "webapp", embedded_env, "--no-worker")
    assert not a_worker_answers(create_app(get_settings()), timeout_s=2.0)


def test_a_stored_session_result_shows_its_timeline_sets_and_form_cues(webapp_env, tmp_path):
    """A result the queue has forgotten is read from the store; a session of sets renders its log."""


    upload_id = "cd" * 16
    cue = {"cue": "depth", "verdict": "fault", "value": 61.0, "threshold": 80.0, "experimental": True,
           "agreement": 0.78}
    segments = [{"label": "squat", "start_s": 0.0, "end_s": 12.0, "reps": 5, "confidence": 0.9},
                {"label": "rest", "start_s": 12.0, "end_s": 20.0, "reps": 0, "confidence": 1.0},
                {"label": "push_up", "start_s": 20.0, "end_s": 30.0, "reps": 8, "confidence": 0.8}]
    store_result(tmp_path, upload_id, {
        "label": "squat", "confidence": 0.9, "probabilities": {"squat": 0.9, "other": 0.1}, "timeline": [],
        "segments": segments, "reps": {"exercise": "squat", "count": 1, "form": ["depth: 1 of 1 reps above depth"],
                                       "reps": [{"start_s": 1.0, "end_s": 3.0, "cues": [cue]}]}},
        frames=450, detected_frames=400, duration_s=30.0, seconds=9.0)
    at = opened(upload_id)
    said = texts(at)
    assert not at.exception and "Something went wrong" not in said, said
    assert "The session: sets in colour" in said and "depth: 1 of 1 reps above depth" in said
    sets = at.dataframe[0].value
    squat, push_up = display_name("squat"), display_name("push_up")
    assert list(sets["exercise"]) == [squat, push_up] and list(sets["reps"]) == [5, 8]
    play_from = next(s for s in at.selectbox if s.label == "Play from")
    assert list(play_from.options) == ["the start", f"set 1: {squat} at 0 s", f"set 2: {push_up} at 20 s"]
    assert list(sets["named"]) == ["recognised", "recognised"]
    assert list(at.dataframe[1].value["form"]) == ["depth: fault (61, limit 80) experimental"]
    play_from.select(2).run()  # the second set
    assert not at.exception and "Something went wrong" not in texts(at), "playing from a set works"


def test_an_answer_near_the_door_asks_the_person(webapp_env, tmp_path):
    """`uncertain` in a stored result: the page says which way it nearly went."""


    upload_id = "ef" * 16
    store_result(tmp_path, upload_id, {"label": "other", "confidence": 0.55, "uncertain": True, "timeline": [],
                                       "probabilities": {"hammer_curl": 0.35, "squat": 0.05, "other": 0.6}})
    at = opened(upload_id)
    said = texts(at)
    assert not at.exception and "Something went wrong" not in said, said
    assert "Not sure: this was close to being recognised as hammer curl." in said


def test_a_named_exercise_needs_no_model_and_the_result_says_named_by_you(webapp_env, services, tmp_path):
    """No model is trained: the person names the squat, a real worker counts its reps as a squat."""
    store = LocalStore(tmp_path / "store")
    at = page()
    assert "Name the exercise below to count reps anyway" in texts(at)
    choices = next(s for s in at.selectbox if s.label == "Which exercise is it?")
    assert list(choices.options)[:2] == ["Recognise it", "Deadlift"] and len(choices.options) == 6
    choices.select("squat").run()
    upload(at, "legs day.mp4", shared_video(SHORT_SQUAT).read_bytes())
    job_id = job_of(at)
    upload_id = job_id.removeprefix("analyse-")
    assert store.head(f"uploads/{upload_id}/video").metadata["exercise"] == "squat", "the choice goes with it"

    from workers.app import create_app

    start_worker(services, create_app(get_settings()), "named-worker", service_env(webapp_env, tmp_path / "w"))
    assert wait_for(lambda: describe_job(*_state(job_id)).state == "done", 180, "the analysis job")
    at.run()
    assert not at.exception
    said = texts(at)
    assert "squat" in said and "no exercise model has been trained yet" not in said
    assert [m.value for m in at.metric if m.label == "Exercise"] == ["named by you"]
    import json

    result = json.loads(store.get_bytes(f"results/{upload_id}/result.json"))
    assert result["prediction"]["named_by"] == "person" and result["prediction"]["label"] == "squat"
    assert result["prediction"]["reps"]["count"] >= 1
    assert {s["label"] for s in result["prediction"]["segments"]} <= {"squat", "rest"}


def test_a_correction_on_the_page_recomputes_the_answer_and_survives_a_reload(webapp_env, services, tmp_path):
    """Upload, a real worker answers, the person says it was a push-up: a correction job, then "named by you"."""
    store = LocalStore(tmp_path / "store")
    store_synthetic_model(store, get_settings().model_key)
    from workers.app import create_app

    start_worker(services, create_app(get_settings()), "fix-worker", service_env(webapp_env, tmp_path / "w"))
    at = page()
    upload(at, "legs.mp4", shared_video(SHORT_SQUAT).read_bytes())
    job_id = job_of(at)
    assert wait_for(lambda: describe_job(*_state(job_id)).state == "done", 180, "the analysis job")
    at.run()
    assert not at.exception
    assert any(m.label == "Confidence (recognised)" for m in at.metric)
    at.selectbox(key=f"right-no-{job_id.removeprefix('analyse-')}").select("push_up").run()
    at.button(key=f"right-correct-{job_id.removeprefix('analyse-')}").click().run()
    assert not at.exception
    upload_id = job_id.removeprefix("analyse-")
    label = json.loads(store.get_bytes(f"labels/{upload_id}/video.json"))
    assert label["person_said"] == "push_up" and label["upload_id"] == upload_id

    def recomputed() -> bool:
        stored = json.loads(store.get_bytes(f"results/{upload_id}/result.json"))
        return stored["prediction"]["named_by"] == "person"

    assert wait_for(recomputed, 120, "the correction job")
    at.run()
    assert wait_for(lambda: not at.run().exception and any(m.label == "Exercise" for m in at.metric), 30,
                    "the page showing the corrected answer")
    assert [m.value for m in at.metric if m.label == "Exercise"] == ["named by you"]
    assert "push up" in texts(at)
    database = webapp_env["FITTRACK_DATABASE_URL"]
    wait_for(lambda: set(load_history(database).sets["named_by"]) == {"person"}, 60, "the workout's corrected sets")
    history = load_history(database)
    assert set(history.sets["exercise"]) == {"push_up"} and len(history.workouts) == 1
    again = AppTest.from_file(APP, default_timeout=30)
    again.query_params["job"] = job_id
    again.run()
    said = texts(again)
    assert not again.exception and "push up" in said and "You said: Push up" in said
    again.checkbox(key=f"delete-sure-{upload_id}").check().run()
    again.button(key=f"delete-{upload_id}").click().run()
    assert not [key for key in store.list() if upload_id in key]
    assert load_history(webapp_env["FITTRACK_DATABASE_URL"]).empty, "its workout went with it"
    assert "No such job" in texts(opened(upload_id)), "the queue's record of the answer does not bring it back"


def test_deleting_from_the_page_leaves_nothing_of_the_upload(webapp_env, tmp_path):
    """A stored result: the person deletes it; video, results and labels are gone, the link says no such job."""
    from fittrack.jobs.user_labels import UserLabel, record_label

    upload_id = "12" * 16
    keys, store = store_result(tmp_path, upload_id, {"label": "squat", "confidence": 0.8, "timeline": [],
                                                     "probabilities": {"squat": 0.8}})
    store.put_bytes(keys.rows, b"rows")
    record_label(store, UserLabel(upload_id, "squat", "squat"), 4.0)
    store.put_bytes("rows/" + "cd" * 32 + ".parquet", b"someone else's")
    at = opened(upload_id)
    assert not at.exception
    assert at.button(key=f"delete-{upload_id}").disabled, "not without the confirmation"
    at.checkbox(key=f"delete-sure-{upload_id}").check().run()
    at.button(key=f"delete-{upload_id}").click().run()
    assert not at.exception
    assert "Deleted: the video and everything made from it are gone." in texts(at)
    assert sorted(store.list()) == ["rows/" + "cd" * 32 + ".parquet"]
    assert "No such job" in texts(opened(upload_id))


def test_one_set_of_a_session_is_corrected_on_its_own(webapp_env, tmp_path):
    """Two sets: the second was a squat, not a push-up; its span is labelled and a correction job is sent."""

    upload_id = "34" * 16
    segments = [{"label": "squat", "start_s": 0.0, "end_s": 12.0, "reps": 5, "confidence": 0.9},
                {"label": "rest", "start_s": 12.0, "end_s": 20.0, "reps": 0, "confidence": 1.0},
                {"label": "push_up", "start_s": 20.0, "end_s": 30.0, "reps": 8, "confidence": 0.8}]
    keys, store = store_result(tmp_path, upload_id, {"label": "squat", "confidence": 0.9, "timeline": [],
                                                     "probabilities": {"squat": 0.9}, "segments": segments},
                               duration_s=30.0)
    store.put_bytes(keys.rows, b"rows")
    at = opened(upload_id)
    assert not at.exception
    at.selectbox(key=f"set-which-{upload_id}").select(1).run()
    at.selectbox(key=f"set-was-{upload_id}").select("squat").run()
    at.button(key=f"set-correct-{upload_id}").click().run()
    assert not at.exception
    label = json.loads(store.get_bytes(f"labels/{upload_id}/set-20000-30000.json"))
    assert (label["model_said"], label["person_said"], label["start_s"], label["end_s"]) == ("push_up", "squat",
                                                                                            20.0, 30.0)
    assert not store.exists(f"labels/{upload_id}/video.json"), "only the set was said"
    assert "Recomputing reps, form and sets with your answer. Queued" in texts(at), "followed (no worker here)"


def test_a_correction_whose_worker_is_killed_is_sent_again_and_finishes_whole(embedded_env, services):
    """The embedded queue forgets a taken job; the page finds the correction lost and sends it again."""
    home = embedded_env
    store = LocalStore(home / "store")
    store_synthetic_model(store, get_settings().model_key)
    from workers.app import create_app

    app = create_app(get_settings())
    env = service_env({"FITTRACK_SAMPLE_FPS": "10"}, home)
    worker = start_worker(services, app, "first", env)
    at = page()
    upload(at, "deadlift.mp4", shared_video("deadlift/ffreaks_deadlift.mp4").read_bytes())  # 24 s
    job_id = job_of(at)
    assert wait_for(lambda: describe_job(*_state(job_id)).state == "done", 240, "the analysis")
    at.run()
    at.selectbox(key=f"right-no-{job_id.removeprefix('analyse-')}").select("squat").run()
    at.button(key=f"right-correct-{job_id.removeprefix('analyse-')}").click().run()
    correction = at.session_state["correcting"][job_id.removeprefix("analyse-")]
    assert correction.startswith("correct-")
    wait_for(lambda: _state(correction)[0] == "PROGRESS", 120, "the correction to draw the video")
    for pid in process_tree(worker.pid):
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)
    at.run()  # the page follows the correction, finds its worker gone and sends it again
    assert "it was sent again" in texts(at), texts(at)
    start_worker(services, app, "second", env)
    upload_id = job_id.removeprefix("analyse-")

    def whole() -> bool:
        stored = json.loads(store.get_bytes(f"results/{upload_id}/result.json"))
        return stored["prediction"]["named_by"] == "person" and stored["prediction"]["label"] == "squat"

    assert wait_for(whole, 240, "the correction sent again")
    annotated = store.get_bytes(f"results/{upload_id}/annotated.mp4")
    assert annotated[4:8] == b"ftyp" and annotated.find(b"moov") < annotated.find(b"mdat"), "a whole video"
