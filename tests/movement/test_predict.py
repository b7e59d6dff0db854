"""fittrack.movement.predict: one video's answer, and how it crosses a boundary."""

from __future__ import annotations

import json

import pandas as pd

from fittrack.movement.predict import PredictionSummary, predict_rows
from fittrack.recognition.decision import aggregate_windows, uncertain
from fittrack.recognition.features import window_feature_names
from fittrack.recognition.model_file import ExerciseModel
from fittrack.recognition.training import train

from ..synthetic import FAST, synthetic_rows


def _model() -> ExerciseModel:
    forest, point, _ = train(synthetic_rows(), FAST)
    return ExerciseModel(forest=forest, point=point, classes=list(forest.classes_),
                         feature_names=window_feature_names(), window=FAST.window)


def test_the_answer_is_flagged_uncertain_exactly_where_the_rule_says_it_is_near_the_door():
    model = _model()
    flags = []
    for _, rows in synthetic_rows(videos_per_class=2, seed=7).groupby("video_id"):
        prediction = predict_rows(model, rows.reset_index(drop=True))
        video = aggregate_windows(prediction.timeline[list(model.classes)])
        assert prediction.uncertain == bool(uncertain(video.to_frame().T, model.point).iloc[0])
        flags.append(prediction.uncertain)
    assert len(flags) == 8


def test_the_summary_carries_the_flag_through_json():
    model = _model()
    rows = synthetic_rows(videos_per_class=1, seed=3).query("label == 'squat'").reset_index(drop=True)
    summary = predict_rows(model, rows).summary()
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["uncertain"] is summary.uncertain
    assert PredictionSummary.from_dict(data).uncertain is summary.uncertain
    assert PredictionSummary.from_dict(data | {"uncertain": True}).uncertain is True
    older = {k: v for k, v in data.items() if k != "uncertain"}  # a result stored before the flag existed
    assert PredictionSummary.from_dict(older).uncertain is False
    assert isinstance(summary.timeline_frame(), pd.DataFrame)


def test_a_named_exercise_skips_recognition_with_or_without_a_model():
    import pytest

    from fittrack.errors import BadInputError
    from fittrack.movement.predict import NAMED_BY_PERSON, RECOGNISED

    rows = synthetic_rows(videos_per_class=1, seed=5).query("label == 'hammer_curl'").reset_index(drop=True)
    model = _model()
    recognised = predict_rows(model, rows)
    assert recognised.named_by == RECOGNISED
    for given in (model, None):
        named = predict_rows(given, rows, "squat")  # the person says squat, whatever the model would say
        assert named.label == "squat" and named.named_by == NAMED_BY_PERSON and not named.uncertain
        assert named.reps is not None and named.reps.exercise == "squat"
        assert {segment.label for segment in named.segments} <= {"squat", "rest"}
        assert named.summary().to_dict()["named_by"] == "person"
    assert set(predict_rows(model, rows, "squat").probabilities) == set(model.classes), "the model's view kept"
    assert predict_rows(None, rows, "squat").probabilities == {}
    with pytest.raises(BadInputError, match="not an exercise"):
        predict_rows(model, rows, "lunge")
    with pytest.raises(ValueError, match="needs a model"):
        predict_rows(None, rows)
