"""The typed evaluation and its dict: the wire format of report.json, the Celery result and `.model` metrics."""

from __future__ import annotations

import json
import math

from fittrack.recognition.decision import OperatingPoint
from fittrack.recognition.evaluation import (
    BaselineEvaluation,
    ChosenPoint,
    ClassScore,
    Confusion,
    Evaluation,
    Grouping,
    Rates,
    Scores,
    VideoOutcome,
    WindowEvaluation,
)
from fittrack.recognition.training import missed_videos, point_of


def scores(accuracy: float) -> Scores:
    return Scores(accuracy, accuracy - 0.1, {"other": ClassScore(0.5, 1.0, 2 / 3, 1),
                                             "squat": ClassScore(1.0, 0.5, 2 / 3, 2)})


def an_evaluation(negatives_rejected: float | None = 1.0) -> Evaluation:
    videos = {"squat-0": VideoOutcome("squat", "squat", "videos/squat/a.mp4", "repo:me/gym", 0, 0.9),
              "squat-1": VideoOutcome("squat", "other", "videos/squat/b.mp4", "squat-1", -1, 0.0),
              "other-0": VideoOutcome("other", "other", "other-0", "repo:me/gym", 0, 0.7)}
    return Evaluation(
        split="2-fold stratified grouped by repo",
        grouping=Grouping("repo", groups=2, videos_without_group=1),
        operating_point=ChosenPoint(OperatingPoint(0.35, 1.25), folds=2, folds_with_this_point=1),
        videos=3,
        window=WindowEvaluation(scores(0.8), scores(2 / 3), Rates(0.5, negatives_rejected),
                                Confusion(("other", "squat"), ((1, 0), (1, 1))), videos),
        frame_baseline=BaselineEvaluation(scores(0.6), scores(1 / 3), Rates(0.0, negatives_rejected)),
    )


def test_an_evaluation_reads_back_equal_from_its_dict_and_from_json():
    for evaluation in (an_evaluation(), an_evaluation(negatives_rejected=None)):
        data = evaluation.to_dict()
        assert Evaluation.from_dict(data) == evaluation
        assert Evaluation.from_dict(json.loads(json.dumps(data))) == evaluation


def test_the_dict_keeps_the_keys_and_order_report_json_has_had_and_only_adds():
    data = json.loads(json.dumps(an_evaluation().to_dict()))
    assert list(data) == ["split", "grouping", "aggregation", "operating_point", "videos", "window",
                          "frame_baseline"]
    assert data["aggregation"] == "median of window probabilities"
    assert data["grouping"] == {"by": "repo", "groups": 2, "videos_without_group": 1}
    assert data["operating_point"] == {"threshold": 0.35, "other_ratio": 1.25, "folds": 2,
                                       "folds_with_this_point": 1}
    assert list(data["window"]) == ["per_window", "per_video", "rates", "confusion", "videos",
                                    "negatives_by_kind"]  # added with the two-floor door (2026-12-04)
    assert list(data["frame_baseline"]) == ["per_frame", "per_video", "rates"]
    assert list(data["window"]["per_video"]) == ["accuracy", "macro_f1", "per_class"]
    assert data["window"]["per_video"]["per_class"]["squat"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3,
                                                                  "support": 2}
    assert data["window"]["rates"] == {"exercise_videos_correct": 0.5, "negatives_rejected": 1.0}
    assert data["window"]["confusion"] == {"labels": ["other", "squat"], "matrix": [[1, 0], [1, 1]]}
    assert data["window"]["videos"]["squat-1"] == {"truth": "squat", "predicted": "other",
                                                   "source": "videos/squat/b.mp4", "group": "squat-1",
                                                   "fold": -1, "confidence": 0.0, "kind": ""}


def test_a_report_written_before_the_kinds_reads_back():
    data = json.loads(json.dumps(an_evaluation().to_dict()))
    del data["window"]["negatives_by_kind"]
    for video in data["window"]["videos"].values():
        del video["kind"]
    assert Evaluation.from_dict(data) == an_evaluation()


def test_no_negatives_to_reject_is_none_here_and_nan_in_the_dict():
    data = an_evaluation(negatives_rejected=None).to_dict()
    assert math.isnan(data["window"]["rates"]["negatives_rejected"])
    assert "NaN" in json.dumps(data), "as report.json has always written it"
    assert Rates.from_dict(data["frame_baseline"]["rates"]) == Rates(0.0, None)


def test_missed_videos_and_the_chosen_point():
    evaluation = an_evaluation()
    assert list(missed_videos(evaluation)) == ["squat-1"]
    assert missed_videos(evaluation)["squat-1"].predicted == "other"
    assert point_of(evaluation) == OperatingPoint(0.35, 1.25)
