"""fittrack.recognition.decision: one rule turns window probabilities into one answer per video."""

from __future__ import annotations

import pandas as pd
import pytest

from fittrack.labels import OTHER
from fittrack.recognition.decision import OperatingPoint, aggregate_windows, decide, per_video, uncertain


def _probabilities(**columns: float) -> pd.DataFrame:
    return pd.DataFrame([columns])


@pytest.mark.parametrize(("probabilities", "point", "answer"), [
    ({"squat": 0.6, "deadlift": 0.1, OTHER: 0.3}, OperatingPoint(), "squat"),
    ({"squat": 0.3, "deadlift": 0.1, OTHER: 0.6}, OperatingPoint(), OTHER),  # other likelier
    ({"squat": 0.3, "deadlift": 0.1, OTHER: 0.6}, OperatingPoint(0.0, 2.5), "squat"),  # ... but not 2.5x
    ({"squat": 0.3, "deadlift": 0.1, OTHER: 0.0}, OperatingPoint(0.35, 1.0), OTHER),  # below the threshold
    ({"squat": 0.0, "deadlift": 0.0, OTHER: 0.0}, OperatingPoint(), OTHER),  # nothing at all: no person
    ({"pull_up": 0.5, "push_up": 0.5}, OperatingPoint(), "pull_up"),  # no `other` column: exercises only
])
def test_the_best_exercise_unless_too_unsure_or_other_is_much_likelier(probabilities, point, answer):
    assert decide(_probabilities(**probabilities), point).iloc[0] == answer


def test_a_video_is_the_median_of_its_windows_so_a_minority_of_set_up_does_not_move_it():
    windows = pd.DataFrame({"squat": [0.9, 0.8, 0.85, 0.0], OTHER: [0.1, 0.2, 0.15, 1.0]})
    video = aggregate_windows(windows)
    assert video["squat"] == pytest.approx(0.825) and decide(video.to_frame().T, OperatingPoint()).iloc[0] == "squat"


def test_many_videos_at_once_agree_with_one_at_a_time():
    windows = pd.DataFrame({"squat": [0.9, 0.1, 0.2, 0.3], OTHER: [0.1, 0.9, 0.8, 0.7]})
    ids = pd.Series(["a", "a", "b", "b"])
    table = per_video(windows, ids)
    assert table.loc["b"].to_dict() == aggregate_windows(windows.iloc[2:]).to_dict()


def test_the_point_round_trips_through_json_values():
    point = OperatingPoint(0.35, 1.25)
    assert OperatingPoint.from_dict(point.to_dict()) == point


@pytest.mark.parametrize(("probabilities", "near"), [
    ({"squat": 0.8, OTHER: 0.2}, False),  # other at 0.25x the best exercise: far inside
    ({"squat": 0.45, OTHER: 0.5}, True),  # other 1.11x, the ratio is 1.25: a stricter point rejects it
    ({"squat": 0.35, OTHER: 0.55}, True),  # rejected at 1.57x, a looser ratio (1.875) accepts it
    ({"squat": 0.1, OTHER: 0.9}, False),  # other 9x: far outside
    ({"squat": 0.32, OTHER: 0.1}, True),  # accepted, but 0.02 above the threshold of 0.3
])
def test_an_answer_a_neighbouring_point_would_change_is_uncertain(probabilities, near):
    assert bool(uncertain(_probabilities(**probabilities), OperatingPoint(0.3, 1.25)).iloc[0]) is near
