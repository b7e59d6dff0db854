"""fittrack.movement.sessions: a long video becomes sets, other movement and rest, without splitting a set on one odd window."""

from __future__ import annotations

from itertools import pairwise
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from fittrack.movement.predict import PredictionSummary, predict_rows
from fittrack.movement.reps import count_video_reps
from fittrack.movement.sessions import (
    OTHER,
    REST,
    STATES,
    Segment,
    _with_short_sets,
    session_summary,
    slot_probabilities,
    viterbi,
)
from fittrack.recognition.decision import OperatingPoint
from fittrack.recognition.features import WindowSpec, window_feature_names
from fittrack.recognition.model_file import ExerciseModel
from fittrack.recognition.training import train

from ..synthetic import FAST, synthetic_rows


def _one_hot(sequence: list[str], strength: float = 0.8) -> np.ndarray:
    table = np.full((len(sequence), len(STATES)), (1 - strength) / (len(STATES) - 1))
    for i, state in enumerate(sequence):
        table[i, STATES.index(state)] = strength
    return table


def test_one_odd_window_does_not_split_a_set_but_a_real_change_starts_a_new_one():
    sequence = ["squat"] * 10 + ["deadlift"] + ["squat"] * 10 + [REST] * 12 + ["push_up"] * 12
    path = [STATES[i] for i in viterbi(_one_hot(sequence))]
    assert path == ["squat"] * 21 + [REST] * 12 + ["push_up"] * 12


def test_without_a_switch_cost_every_window_decides_for_itself():
    sequence = ["squat"] * 5 + ["deadlift"] + ["squat"] * 5
    assert [STATES[i] for i in viterbi(_one_hot(sequence), switch_penalty=0.0)] == sequence


def test_a_short_set_the_rule_accepts_step_by_step_is_kept_but_a_flicker_or_an_unsure_stretch_is_not():
    """Six steps (3 s) of squat at 0.6 against other's 0.3 inside `other`: too little to pay two state changes,
    yet a set."""
    sequence = [OTHER] * 6 + ["squat"] * 6 + [OTHER] * 6 + ["deadlift"] * 3 + [OTHER] * 6
    slots = pd.DataFrame(_one_hot(sequence), columns=list(STATES))
    leading = [i for i, state in enumerate(sequence) if state != OTHER]
    slots.loc[leading, OTHER] = 0.3
    slots.loc[leading, ["squat", "deadlift"]] = slots.loc[leading, ["squat", "deadlift"]].clip(upper=0.6)
    unsure = slots.index[-4:]  # four steps where squat leads other only a little: the rule rejects them
    slots.loc[unsure, ["squat", OTHER]] = [0.45, 0.5]
    model = SimpleNamespace(point=OperatingPoint(threshold=0.5, other_ratio=1.0), window=WindowSpec())
    assert [STATES[i] for i in viterbi(slots.to_numpy())] == [OTHER] * len(sequence), "the path keeps other"
    labels = _with_short_sets([OTHER] * len(sequence), slots, model)
    assert labels == [OTHER] * 6 + ["squat"] * 6 + [OTHER] * (len(sequence) - 12), \
        "3 deadlift steps are shorter than one window (5 steps); the unsure stretch is rejected"


def test_steps_no_window_covers_are_rest_and_a_still_person_rests_rather_than_moves():
    columns = window_feature_names()
    windows = pd.DataFrame(0.0, index=range(2), columns=["start_ms", "end_ms", *columns])
    windows[["start_ms", "end_ms"]] = [[0, 2500], [500, 3000]]
    windows["both_knee__range"] = [80.0, 0.0]  # moving, then still
    proba = pd.DataFrame({"squat": [0.2, 0.1], "other": [0.8, 0.9]})
    slots = slot_probabilities(windows, proba, duration_ms=6000, step_ms=500)
    assert (slots.loc[slots["time_s"] >= 3.0, REST] == 1.0).all(), "after the last window: nobody there"
    assert slots.loc[0, "other"] == pytest.approx(0.8) and slots.loc[0, REST] == 0.0
    assert slots.loc[5, REST] == pytest.approx(0.9), "only the still window covers 2.5-3 s: its other is rest"


def _session_rows(parts: list[tuple[str, float]]) -> pd.DataFrame:
    """Synthetic rows of each (class, seconds) in turn; "gap" is seconds with no person."""
    library = synthetic_rows(videos_per_class=1, seconds=30.0, seed=3)
    tables, offset_ms = [], 0
    for label, seconds in parts:
        if label == "gap":
            times = np.arange(0, seconds * 1000, 100).astype(np.int64)
            table = library.iloc[: len(times)].copy()
            table["detected"] = False
        else:
            table = library[library["label"] == label].iloc[: int(seconds * 10)].copy()
            times = table["timestamp_ms"].to_numpy() - table["timestamp_ms"].min()
        table["timestamp_ms"] = times + offset_ms
        tables.append(table)
        offset_ms += int(seconds * 1000)
    rows = pd.concat(tables, ignore_index=True)
    rows["video_id"] = "session"
    return rows


def test_a_session_of_two_sets_with_a_rest_between_is_logged_as_such():
    forest, _, _ = train(synthetic_rows(videos_per_class=4, seconds=12.0), FAST)
    model = ExerciseModel(forest=forest, point=OperatingPoint(), classes=list(forest.classes_),
                          feature_names=window_feature_names(), window=WindowSpec())
    rows = _session_rows([("squat", 15.0), ("gap", 8.0), ("push_up", 15.0)])
    prediction = predict_rows(model, rows)
    sets = [s for s in prediction.segments if s.is_set]
    assert [s.label for s in sets] == ["squat", "push_up"]
    assert abs(sets[0].start_s - 0.0) <= 1.5 and abs(sets[1].end_s - 38.0) <= 1.5
    assert abs(sets[0].end_s - 15.0) <= 2.5 and abs(sets[1].start_s - 23.0) <= 2.5
    assert any(s.label == REST and s.start_s >= 14 and s.end_s <= 24 for s in prediction.segments)
    summary = session_summary(list(prediction.segments))
    assert summary["sets"] == {"push_up": 1, "squat": 1} and summary["work_s"] > 20
    stored = PredictionSummary.from_dict(prediction.summary().to_dict())
    assert stored.segments == tuple(Segment.from_dict(s.to_dict()) for s in prediction.segments)


def test_the_batch_path_writes_a_session_log_per_stored_video_and_exports_them(tmp_path, monkeypatch):
    from fittrack.cli import main
    from fittrack.pose.table import to_parquet_bytes
    from fittrack.settings import get_settings
    from fittrack.storage.keys import rows_key
    from fittrack.storage.store import LocalStore

    from ..synthetic import store_synthetic_model

    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    try:
        store = LocalStore(tmp_path / "home" / "store")
        store_synthetic_model(store, get_settings().model_key)
        rows = synthetic_rows(videos_per_class=1, seconds=8.0, seed=5)
        rows["source"] = "videos/" + rows["label"] + "/clip.mp4"
        for video_id, video_rows in rows.groupby("video_id"):
            store.put_bytes(rows_key(str(video_id)), to_parquet_bytes(video_rows.reset_index(drop=True)))
        assert main(["segment", "-q"]) == 0
        assert sorted(store.list("sessions/")) == sorted(f"sessions/{v}.json" for v in rows["video_id"].unique())
        assert main(["export", "--sessions", str(tmp_path / "sessions.csv")]) == 0
    finally:
        get_settings.cache_clear()
    table = pd.read_csv(tmp_path / "sessions.csv")
    assert set(table["video_id"]) == set(rows["video_id"])
    assert {"label", "start_s", "end_s", "reps"} <= set(table.columns)
    assert (table["end_s"] > table["start_s"]).all()


def test_a_real_video_with_nobody_in_its_middle_is_logged_with_a_rest_there(tmp_path, estimator):
    """Real frames through MediaPipe: 5 s of an empty grey room between two parts of a push-up clip."""
    import cv2

    from fittrack.pose.extract import extract_video

    from ..conftest import shared_video

    clip = cv2.VideoCapture(str(shared_video("push_up/nem_pushup_side.mp4")))
    fps, size = clip.get(cv2.CAP_PROP_FPS), (640, 360)
    writer = cv2.VideoWriter(str(tmp_path / "session.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for second in range(16):  # 0-5 s the clip, 5-10 s nobody, 10-16 s the clip again
        for _ in range(int(fps)):
            ok, frame = clip.read() if not 5 <= second < 10 else (True, np.full((360, 640, 3), 90, np.uint8))
            writer.write(frame if ok else np.full((360, 640, 3), 90, np.uint8))
    writer.release()
    clip.release()
    rows = extract_video(tmp_path / "session.mp4", estimator, sample_fps=5).rows
    assert not rows.loc[rows["timestamp_ms"].between(5200, 9800), "detected"].any(), "nobody in the gap"
    forest, _, _ = train(synthetic_rows(videos_per_class=2, seconds=8.0), FAST)
    model = ExerciseModel(forest=forest, point=OperatingPoint(), classes=list(forest.classes_),
                          feature_names=window_feature_names(), window=WindowSpec())
    prediction = predict_rows(model, rows)
    segments = prediction.segments
    assert segments[0].start_s == 0.0 and abs(segments[-1].end_s - 16.0) < 0.3
    assert all(a.end_s == b.start_s for a, b in pairwise(segments)), "no holes in the log"
    rests = [s for s in segments if s.label == REST]
    assert any(s.start_s <= 6.5 and s.end_s >= 8.5 for s in rests), [s.to_dict() for s in segments]


def test_a_named_exercise_logs_sets_of_it_separated_by_rest_even_without_a_model():
    """Two squat sets with nobody in view between them, named by the person: no recognition at all."""
    rows = _session_rows([("squat", 15.0), ("gap", 8.0), ("squat", 15.0)])
    prediction = predict_rows(None, rows, "squat")
    labels = [s.label for s in prediction.segments]
    assert labels == ["squat", REST, "squat"], labels
    first, rest, second = prediction.segments
    assert abs(first.end_s - 15.0) <= 2.5 and abs(second.start_s - 23.0) <= 2.5 and rest.start_s >= 13
    assert first.confidence == 1.0 and second.reps == count_video_reps(
        rows[rows["timestamp_ms"] >= second.start_s * 1000], "squat").count
