"""The decision rule: from window probabilities to one answer per video, or "not one of these".

Training chooses the operating point and inference applies it; both import
this module, so the rule a model is evaluated with is the rule it predicts
with.

A video's probabilities are the per-class **median** over its windows:
set-up, rest and transitions are a minority of an exercise video's windows,
and the median ignores them where the mean is dragged towards `other`
(measured: docs/accuracy.md).

"Not one of these": a video is called `other` when its best exercise
probability is below `threshold`, or when `other` is more than
`other_ratio` times as likely as the best exercise.

"Near the door": an answer that a neighbouring operating point would change
(threshold moved by NEAR_THRESHOLD, ratio by a factor NEAR_RATIO, either
way). Such an answer is given, and flagged `uncertain` so the person is asked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from fittrack.labels import EXERCISES, OTHER


@dataclass(frozen=True)
class OperatingPoint:
    """When a video is "not one of these" (see the module docstring)."""

    threshold: float = 0.0
    other_ratio: float = 1.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> OperatingPoint:
        return cls(threshold=float(data["threshold"]), other_ratio=float(data["other_ratio"]))


def decide(probabilities: pd.DataFrame, point: OperatingPoint) -> pd.Series:
    """Per row: the best exercise, or `other` when it is too unsure or `other` is much likelier."""
    exercises = probabilities.reindex(columns=list(EXERCISES), fill_value=0.0)
    best = exercises.idxmax(axis=1)
    top = exercises.max(axis=1)
    other = probabilities.get(OTHER, pd.Series(0.0, index=probabilities.index))
    rejected = (top < point.threshold) | (other > point.other_ratio * top) | (probabilities.sum(axis=1) <= 0)
    return best.where(~rejected, OTHER)


NEAR_THRESHOLD = 0.10
NEAR_RATIO = 1.5


def uncertain(probabilities: pd.DataFrame, point: OperatingPoint) -> pd.Series:
    """Per row: True where a looser and a stricter neighbour of `point` decide differently."""
    looser = OperatingPoint(max(0.0, point.threshold - NEAR_THRESHOLD), point.other_ratio * NEAR_RATIO)
    stricter = OperatingPoint(point.threshold + NEAR_THRESHOLD, point.other_ratio / NEAR_RATIO)
    return decide(probabilities, looser) != decide(probabilities, stricter)


def aggregate_windows(window_probabilities: pd.DataFrame) -> pd.Series:
    """One video's probabilities from its windows' (the median; see the module docstring)."""
    return window_probabilities.median()


def per_video(window_probabilities: pd.DataFrame, video_ids: pd.Series) -> pd.DataFrame:
    """`aggregate_windows` for many videos at once: one row per video_id."""
    table = window_probabilities.copy()
    table["video_id"] = video_ids.to_numpy()
    return table.groupby("video_id").median()
