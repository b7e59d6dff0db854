"""Training and evaluation on small real and synthetic row tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fittrack.movement.predict import predict_rows
from fittrack.recognition.decision import OperatingPoint
from fittrack.recognition.evaluation import Evaluation, Grouping
from fittrack.recognition.features import window_feature_names, window_features
from fittrack.recognition.model_file import (
    ExerciseModel,
    load_model,
    save_model,
)
from fittrack.recognition.training import LeaveOneGroupOut, _out_of_fold, evaluate, make_forest, train

from ..synthetic import FAST, synthetic_rows


def test_out_of_fold_never_has_a_video_on_both_sides():
    windows = window_features(synthetic_rows())
    seen_test = []

    class Recording(LeaveOneGroupOut):
        def split(self, X, y=None, groups=None):
            for train_idx, test_idx in super().split(X, y, groups):
                train_videos = set(windows.iloc[train_idx]["video_id"])
                test_videos = set(windows.iloc[test_idx]["video_id"])
                assert not train_videos & test_videos
                seen_test.extend(test_videos)
                yield train_idx, test_idx

    _out_of_fold(windows, window_feature_names(), Recording(), lambda: make_forest(10))
    assert sorted(seen_test) == sorted(windows["video_id"].unique()), "every video is held out once"


def test_evaluation_without_groups_holds_out_single_videos_and_says_so():
    evaluation = evaluate(synthetic_rows(), FAST)
    assert evaluation.split == "leave-one-group-out by video"
    assert evaluation.grouping == Grouping(by="video", groups=12, videos_without_group=12)
    assert evaluation.videos == 12
    chance = 1 / 4
    assert evaluation.window.per_video.accuracy > chance + 0.25
    assert set(evaluation.frame_baseline.per_frame.per_class) == {"squat", "hammer_curl", "push_up", "other"}
    assert Evaluation.from_dict(json.loads(json.dumps(evaluation.to_dict()))) == evaluation, "read back from JSON"


def test_saved_model_round_trips_and_predicts(tmp_path):
    rows = synthetic_rows()
    forest, point, _ = train(rows, FAST)
    model = ExerciseModel(forest=forest, point=point, classes=list(forest.classes_),
                          feature_names=window_feature_names(), window=FAST.window)
    digest = save_model(model, tmp_path / "m.model")
    loaded = load_model(tmp_path / "m.model", expected_sha256=digest)
    squat = rows[rows["video_id"] == "squat-0"]
    prediction = predict_rows(loaded, squat)
    assert prediction.label == "squat" and 0 < prediction.confidence <= 1
    assert len(prediction.timeline) > 0


def test_a_video_is_its_windows_median_so_a_set_up_before_the_reps_does_not_decide_it():
    rows = synthetic_rows()
    forest, point, _ = train(rows, FAST)
    model = ExerciseModel(forest=forest, point=point, classes=list(forest.classes_),
                          feature_names=window_feature_names(), window=FAST.window)
    squat = rows[rows["video_id"] == "squat-1"].reset_index(drop=True)
    standing = rows[rows["video_id"] == "other-1"].reset_index(drop=True)
    set_up = standing.iloc[: int(len(squat) * 0.4)].assign(video_id="squat-1", label="squat")
    video = pd.concat([set_up, squat.assign(timestamp_ms=squat["timestamp_ms"] + set_up["timestamp_ms"].max() + 100)],
                      ignore_index=True)
    prediction = predict_rows(model, video)
    windows = prediction.timeline[list(model.classes)]
    assert prediction.probabilities == pytest.approx(windows.median().to_dict())
    assert (windows.idxmax(axis=1) == "other").any(), "the set-up windows look like 'other'"
    assert prediction.label == "squat"


def test_other_is_learnt_as_modes_but_answered_as_one_class():
    windows = window_features(synthetic_rows())
    features, labels = windows[window_feature_names()], windows["label"]
    forest = make_forest(20, other_modes=3).fit(features, labels)
    assert sum(str(c).startswith("other#") for c in forest.forest.classes_) == 3, "fitted on three modes"
    assert list(forest.classes_) == sorted(set(labels))
    proba = forest.predict_proba(features)
    assert proba.shape == (len(windows), len(forest.classes_))
    assert np.allclose(proba.sum(axis=1), 1.0)
    per_mode = forest.forest.predict_proba(features)
    other_columns = [i for i, c in enumerate(forest.forest.classes_) if str(c).startswith("other#")]
    other = list(forest.classes_).index("other")
    assert np.allclose(proba[:, other], per_mode[:, other_columns].sum(axis=1)), "the modes add up to `other`"
    single = make_forest(20, other_modes=1).fit(features, labels)
    assert list(single.forest.classes_) == list(single.classes_), "one mode is a plain forest"


def test_the_grip_counts_only_for_arms_bent_enough_for_it_to_be_defined():
    from fittrack.recognition.features import BENT_ELBOW_DEG, bent_arm_grip

    frames = pd.DataFrame({
        "left_elbow": [60.0, 60.0, 170.0, 170.0, np.nan],
        "left_grip": [80.0, 80.0, 10.0, 10.0, 50.0],
        "right_elbow": [70.0, 175.0, 175.0, BENT_ELBOW_DEG - 1, 60.0],
        "right_grip": [60.0, 5.0, 5.0, 30.0, np.nan],
    })
    grip = bent_arm_grip(frames)[:, 0]
    assert grip[:2].tolist() == [70.0, 80.0], "both arms bent: their mean; one bent: its grip alone"
    assert np.isnan(grip[2]), "straight arms: their grip is not defined, so no value"
    assert grip[3] == 30.0
    assert np.isnan(grip[4]), "an unseen elbow or grip gives no value"


def test_the_operating_point_keeps_rejection_above_its_floor_then_names_most_exercises():
    from fittrack.recognition.decision import decide
    from fittrack.recognition.training import MIN_REJECTED, best_point

    squat_other = {"e1": (0.9, 0.1), "e2": (0.8, 0.2), "e3": (0.55, 0.45), "e4": (0.5, 0.5),
                   "n1": (0.1, 0.9), "n2": (0.3, 0.7), "n3": (0.6, 0.4), "n4": (0.52, 0.48)}
    probabilities = pd.DataFrame(squat_other, index=["squat", "other"]).T
    truth = pd.Series({vid: "squat" if vid.startswith("e") else "other" for vid in squat_other})
    point = best_point(truth, probabilities)
    decided = decide(probabilities, point)
    rejected = (decided[truth == "other"] == "other").mean()
    assert rejected >= MIN_REJECTED, "the look-alike n3 (squat 0.60) must be rejected too"
    assert list(decided[truth == "squat"]) == ["squat", "squat", "other", "other"]
    assert point == OperatingPoint(0.65, 1.0), "the mildest threshold that does it, the neutral ratio"


def test_with_kinds_the_door_holds_each_kind_to_its_own_floor():
    """A look-alike may pass (3 of 4 rejected is enough) if that names more exercises; walking may not."""
    from fittrack.recognition.decision import decide
    from fittrack.recognition.training import best_point, door_holds

    squat_other = {"e1": (0.9, 0.1), "e2": (0.8, 0.2), "e3": (0.55, 0.45), "e4": (0.5, 0.5),
                   "n1": (0.1, 0.9), "n2": (0.3, 0.7), "n3": (0.6, 0.4), "n4": (0.2, 0.8),
                   "w1": (0.05, 0.95), "w2": (0.45, 0.55)}
    probabilities = pd.DataFrame(squat_other, index=["squat", "other"]).T
    truth = pd.Series({vid: "squat" if vid.startswith("e") else "other" for vid in squat_other})
    kinds = pd.Series({vid: "not_exercise" if vid.startswith("w") else "exercise"
                       for vid in squat_other if not vid.startswith("e")})
    one_floor = decide(probabilities, best_point(truth, probabilities))
    assert list(one_floor[truth == "squat"]) == ["squat", "squat", "other", "other"], "85% of all: n3 rejected"
    point = best_point(truth, probabilities, kinds)
    decided = decide(probabilities, point)
    assert list(decided[truth == "squat"]) == ["squat"] * 4, "e3 and e4 named too"
    assert decided["n3"] == "squat" and decided["w2"] == "other", "a look-alike let in, walking kept out"
    assert door_holds(truth, decided, kinds)
    let_in = decided.copy()
    let_in[["w1", "w2"]] = "squat"
    assert not door_holds(truth, let_in, kinds), "two walking videos accepted: more than one"
    assert not door_holds(truth, let_in, None), "without kinds: 4 of 6 rejected is under 85%"


def test_evaluation_counts_negatives_by_kind():
    rows = synthetic_rows()
    negatives = sorted(rows.loc[rows["label"] == "other", "video_id"].unique())
    kinds = pd.Series({negatives[0]: "not_exercise"} | {vid: "exercise" for vid in negatives[1:]})
    evaluation = evaluate(rows, FAST, kinds=kinds)
    by_kind = evaluation.window.negatives_by_kind
    assert {kind: count.videos for kind, count in by_kind.items()} == {"exercise": 2, "not_exercise": 1}
    outcomes = evaluation.window.videos
    assert outcomes[negatives[0]].kind == "not_exercise" and outcomes[negatives[1]].kind == "exercise"
    assert all(outcomes[vid].kind == "" for vid in outcomes if vid not in negatives)
    for kind, count in by_kind.items():
        assert count.rejected == sum(o.predicted == "other" for o in outcomes.values() if o.kind == kind)


def test_the_saved_model_uses_the_operating_point_its_evaluation_chose(tmp_path):
    from fittrack.jobs.training import TrainedModel
    from fittrack.pose.table import to_parquet_bytes
    from fittrack.settings import Settings
    from fittrack.storage.keys import rows_key
    from fittrack.storage.store import LocalStore
    from trainer.train import train_and_report

    store = LocalStore(tmp_path / "store")
    for video_id, video_rows in synthetic_rows().groupby("video_id"):
        store.put_bytes(rows_key(video_id), to_parquet_bytes(video_rows.reset_index(drop=True)))
    result = train_and_report(store, tmp_path / "out" / "exercise.model", Settings(home=tmp_path), FAST)
    model = load_model(tmp_path / "out" / "exercise.model", expected_sha256=result.sha256)
    assert result.evaluation is not None
    chosen = result.evaluation.operating_point
    assert (model.point.threshold, model.point.other_ratio) == (chosen.point.threshold, chosen.point.other_ratio)
    assert model.metrics["operating_point"] == chosen.to_dict()
    assert Evaluation.from_dict(model.metrics) == result.evaluation, "the .model carries the whole evaluation"
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["metrics"] == model.metrics
    assert TrainedModel.from_dict(json.loads(json.dumps(result.to_dict()))) == result, "as it crosses Celery"


def test_train_submit_runs_on_a_real_worker_and_writes_the_model_to_the_store(fresh_redis, tmp_path):
    from fittrack.pose.table import to_parquet_bytes
    from fittrack.recognition.model_file import model_from_store
    from fittrack.settings import Settings
    from fittrack.storage.keys import rows_key
    from fittrack.storage.store import LocalStore
    from workers.app import create_app

    from ..services import ROOT, ServiceProcesses, service_env, start_worker

    store = LocalStore(tmp_path / "store")
    for video_id, video_rows in synthetic_rows().groupby("video_id"):
        store.put_bytes(rows_key(video_id), to_parquet_bytes(video_rows.reset_index(drop=True)))
    settings = {"FITTRACK_BROKER_URL": fresh_redis, "FITTRACK_RESULT_BACKEND": fresh_redis,
                "FITTRACK_STORE_URL": store.url}
    services = ServiceProcesses(tmp_path)
    try:
        start_worker(services, create_app(Settings(**{k.removeprefix("FITTRACK_").lower(): v
                                                      for k, v in settings.items()})),
                     "trainer-worker", service_env(settings, tmp_path / "worker"))
        client_home = tmp_path / "client"  # has no rows: the data stays on the worker's side
        submitted = subprocess.run([sys.executable, "-m", "fittrack", "train", "--submit", "--no-eval"],
                                   env=service_env(settings, client_home), cwd=ROOT, capture_output=True,
                                   text=True, timeout=300, check=False)
    finally:
        services.stop_all()
    assert submitted.returncode == 0, submitted.stderr[-2000:]
    assert "model trained: models/exercise.model" in submitted.stdout
    model, sha = model_from_store(store, "models/exercise.model")
    assert sha in submitted.stdout
    assert set(model.classes) == {"squat", "hammer_curl", "push_up", "other"}
    assert not (client_home / "store").exists(), "nothing was trained on the submitting side"


def test_predict_uses_the_stores_model_only_when_its_sha256_matches(tmp_path):
    from fittrack.settings import Settings
    from fittrack.storage.store import LocalStore

    from ..conftest import shared_video
    from ..synthetic import store_synthetic_model

    video = shared_video("push_up/kaggle_push-up_15.mp4")
    env = dict(os.environ, FITTRACK_HOME=str(tmp_path / "home"), FITTRACK_SAMPLE_FPS="5")
    key = Settings().model_key

    def predict() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "fittrack", "predict", str(video), "--json"], env=env,
                              capture_output=True, text=True, timeout=300, check=False)

    untrained = predict()
    assert untrained.returncode != 0 and "no model has been trained yet" in untrained.stderr

    store = LocalStore(tmp_path / "home" / "store")
    recorded = store_synthetic_model(store, key)
    answer = predict()
    assert answer.returncode == 0, answer.stderr
    said = json.loads(answer.stdout)
    assert said["label"] in {"deadlift", "hammer_curl", "pull_up", "push_up", "squat", "other"}
    assert isinstance(said["uncertain"], bool), "near the door or not, said either way"
    assert "frame/s" in answer.stderr, "a progress bar of analysed frames, on stderr beside the JSON"

    other_model = tmp_path / "other.model"
    other_model.write_bytes(store.get_bytes(key))
    store.put_bytes(key, store.get_bytes(key) + b"\0", metadata={"sha256": recorded})  # swapped behind the trainer
    tampered = predict()
    assert tampered.returncode != 0 and "does not match the sha256 recorded" in tampered.stderr
    named = subprocess.run([sys.executable, "-m", "fittrack", "predict", str(video), "--model", str(other_model),
                            "--quiet"], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert named.returncode == 0 and "confidence" in named.stdout, "a local file the user names is still taken"
    assert "frame/s" not in named.stderr


def test_predict_refuses_a_missing_a_non_video_and_a_too_short_file_before_loading_any_model(tmp_path):
    """No model is in this store: each answer below comes from checking the input first."""
    import cv2
    import numpy as np

    from ..conftest import write_test_video

    picture = tmp_path / "photo.mp4"
    picture.write_bytes(cv2.imencode(".png", np.full((90, 120, 3), 90, dtype=np.uint8))[1].tobytes())
    cases = {tmp_path / "missing.mp4": "file not found", picture: "not a video file",
             write_test_video(tmp_path / "one_frame.mp4", frames=1): "too short to recognise an exercise",
             write_test_video(tmp_path / "half_second.mp4", frames=5): "too short to recognise an exercise"}
    env = dict(os.environ, FITTRACK_HOME=str(tmp_path / "home"))
    for video, phrase in cases.items():
        done = subprocess.run([sys.executable, "-m", "fittrack", "predict", str(video)], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 2 and phrase in done.stderr and str(video) in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and "no model" not in done.stderr
