"""A live set saved like an upload, then drawn and recorded by the job that recomputes an upload from its rows."""

from __future__ import annotations

import json

from fittrack.accounts.users import add_user
from fittrack.errors import NoModelError
from fittrack.history.reports import load_history
from fittrack.jobs.correction import run_correction
from fittrack.jobs.history import record_correction
from fittrack.jobs.live import save_live_set
from fittrack.movement.live import LiveSet
from fittrack.pose.recording import FrameRecorder
from fittrack.pose.table import from_parquet_bytes
from fittrack.pose.video import VideoReader, probe
from fittrack.settings import Settings
from fittrack.storage.keys import ResultKeys
from fittrack.storage.store import LocalStore

from ..conftest import shared_video


def test_a_saved_live_set_becomes_an_upload_a_drawn_result_and_a_workout(estimator, tmp_path):
    settings = Settings(home=tmp_path / "home")
    store, url = LocalStore(tmp_path / "store"), f"sqlite:///{tmp_path / 'history.sqlite'}"
    estimator.reset()
    live = LiveSet(estimator, exercise="push_up", sample_fps=15)
    recorder = FrameRecorder(tmp_path / "set.mp4")
    for frame in VideoReader(shared_video("push_up/kaggle_push-up_26.mp4"), sample_fps=15):
        if live.offer(frame.rgb, frame.timestamp_ms):
            recorder.add(frame.rgb, frame.timestamp_ms)
    owner = add_user(url, "ana", "a long password").id
    upload_id, state = save_live_set(store, live, recorder.close(), owner, None)

    keys = ResultKeys.of(upload_id)
    head = store.head(f"uploads/{upload_id}/video")
    assert head.metadata["owner"] == owner and head.metadata["exercise"] == "push_up"
    assert probe(store.local_file(f"uploads/{upload_id}/video")).frame_count == state.frames, \
        "frame i of the stored video is row i"
    rows = from_parquet_bytes(store.get_bytes(keys.rows))
    assert len(rows) == state.frames and rows["frame_index"].tolist() == list(range(state.frames))
    result = json.loads(store.get_bytes(keys.result))
    assert result["prediction"]["label"] == "push_up" and result["prediction"]["named_by"] == "person"
    assert result["prediction"]["reps"]["count"] == state.reps == 4

    drawn = run_correction(store, upload_id, settings, NoModelError("model", "none yet"))
    assert store.exists(keys.video) and drawn.prediction.reps.count == 4
    record_correction(url, store, drawn, f"analyse-{upload_id}")
    history = load_history(url)
    assert history.workouts["name"].str.startswith("Live set").tolist() == [True]
    assert set(history.sets["exercise"]) == {"push_up"} and history.workouts["reps"].tolist() == [4]
