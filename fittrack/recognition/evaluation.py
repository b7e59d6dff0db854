"""What an evaluation found (`fittrack.recognition.training.evaluate`), as typed values.

The report, the benchmarks, the trainer's command line and the training
job's result all read these figures; as attributes a misspelt name fails in
mypy rather than at the end of a long evaluation.

The figures leave the process as JSON: report.json beside the model, the
training job's result across Celery, and `ExerciseModel.metrics` inside the
pickled .model (a plain dict there, so model files name no class of this
module). `to_dict` is that wire format: keys are only ever added (the
negatives by kind and each video's kind came with the two-floor door,
2026-12-04), so older readers keep working. `from_dict` reads it
back, and `Evaluation.from_dict(e.to_dict()) == e`. The attribute names are
the dict's keys, so a figure has one name in the code and in report.json.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from fittrack.recognition.decision import OperatingPoint

AGGREGATION = "median of window probabilities"  # how a video's answer comes from its windows (decision.py)


@dataclass(frozen=True)
class ClassScore:
    """One class's precision, recall and F1, and how many items of it there were."""

    precision: float
    recall: float
    f1: float
    support: int

    @classmethod
    def from_dict(cls, data: Mapping) -> ClassScore:
        return cls(float(data["precision"]), float(data["recall"]), float(data["f1"]), int(data["support"]))


@dataclass(frozen=True)
class Scores:
    """Accuracy and macro-F1 over items (windows, frames or videos), and the per-class scores behind them."""

    accuracy: float
    macro_f1: float
    per_class: Mapping[str, ClassScore]  # in the order of the evaluation's classes (sorted)

    def to_dict(self) -> dict:
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1,
                "per_class": {c: asdict(s) for c, s in self.per_class.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> Scores:
        return cls(float(data["accuracy"]), float(data["macro_f1"]),
                   {str(c): ClassScore.from_dict(s) for c, s in data["per_class"].items()})


@dataclass(frozen=True)
class Rates:
    """The two per-video figures the operating point trades: exercises named right, negatives rejected.

    `negatives_rejected` is None when there were no negative videos to
    reject; the dict writes that as NaN, as report.json always has. (None,
    not NaN, in the value, so that an evaluation read back equals itself.)
    """

    exercise_videos_correct: float  # 0.0 when there were no exercise videos
    negatives_rejected: float | None

    def to_dict(self) -> dict[str, float]:
        rejected = math.nan if self.negatives_rejected is None else self.negatives_rejected
        return {"exercise_videos_correct": self.exercise_videos_correct, "negatives_rejected": rejected}

    @classmethod
    def from_dict(cls, data: Mapping) -> Rates:
        rejected = float(data["negatives_rejected"])
        return cls(float(data["exercise_videos_correct"]), None if math.isnan(rejected) else rejected)


@dataclass(frozen=True)
class Confusion:
    """The per-video confusion matrix: rows are the truth, columns what was decided, both in `labels` order."""

    labels: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict:
        return {"labels": list(self.labels), "matrix": [list(row) for row in self.matrix]}

    @classmethod
    def from_dict(cls, data: Mapping) -> Confusion:
        return cls(tuple(str(label) for label in data["labels"]),
                   tuple(tuple(int(n) for n in row) for row in data["matrix"]))


@dataclass(frozen=True)
class VideoOutcome:
    """One held-out video: what it is, what it was called, and the fold and group it was held out with."""

    truth: str
    predicted: str
    source: str  # the video's file in the store, or its id where rows name none
    group: str  # its origin group (fittrack.recognition.groups), or the video id where none is known
    fold: int  # -1: no window (nobody detected), so never in a fold and answered `other`
    confidence: float  # its highest median probability
    kind: str = ""  # a negative's kind (fittrack.recognition.groups.NEGATIVE_KINDS), "" where none is known

    @property
    def missed(self) -> bool:
        return self.truth != self.predicted

    @classmethod
    def from_dict(cls, data: Mapping) -> VideoOutcome:
        return cls(str(data["truth"]), str(data["predicted"]), str(data["source"]), str(data["group"]),
                   int(data["fold"]), float(data["confidence"]), str(data.get("kind") or ""))


@dataclass(frozen=True)
class KindCount:
    """Negatives of one kind (`exercise` look-alikes, `not_exercise`): how many, how many were turned away."""

    videos: int
    rejected: int

    @property
    def accepted(self) -> int:
        return self.videos - self.rejected

    @classmethod
    def from_dict(cls, data: Mapping) -> KindCount:
        return cls(int(data["videos"]), int(data["rejected"]))


@dataclass(frozen=True)
class Grouping:
    """What the folds kept together: origin groups ("repo") or, with no origin known, single videos ("video")."""

    by: str
    groups: int
    videos_without_group: int  # each is its own group

    @classmethod
    def from_dict(cls, data: Mapping) -> Grouping:
        return cls(str(data["by"]), int(data["groups"]), int(data["videos_without_group"]))


@dataclass(frozen=True)
class ChosenPoint:
    """The operating point chosen on all out-of-fold probabilities (the saved model's), and how stable it is.

    Each held-out fold was decided with a point chosen on the other folds
    only; `folds_with_this_point` of the `folds` got this same one.
    """

    point: OperatingPoint
    folds: int
    folds_with_this_point: int

    def to_dict(self) -> dict:
        return self.point.to_dict() | {"folds": self.folds, "folds_with_this_point": self.folds_with_this_point}

    @classmethod
    def from_dict(cls, data: Mapping) -> ChosenPoint:
        return cls(OperatingPoint.from_dict(dict(data)), int(data["folds"]), int(data["folds_with_this_point"]))


@dataclass(frozen=True)
class WindowEvaluation:
    """The window model (the one that is saved): per window, per video, and every video's outcome."""

    per_window: Scores
    per_video: Scores
    rates: Rates
    confusion: Confusion
    videos: Mapping[str, VideoOutcome]  # video_id -> outcome, in the order of the evaluated videos
    negatives_by_kind: Mapping[str, KindCount] = field(default_factory=dict)  # only the kinds the manifest named

    def to_dict(self) -> dict:
        return {"per_window": self.per_window.to_dict(), "per_video": self.per_video.to_dict(),
                "rates": self.rates.to_dict(), "confusion": self.confusion.to_dict(),
                "videos": {vid: asdict(video) for vid, video in self.videos.items()},
                "negatives_by_kind": {kind: asdict(count) for kind, count in self.negatives_by_kind.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> WindowEvaluation:
        return cls(Scores.from_dict(data["per_window"]), Scores.from_dict(data["per_video"]),
                   Rates.from_dict(data["rates"]), Confusion.from_dict(data["confusion"]),
                   {str(vid): VideoOutcome.from_dict(video) for vid, video in data["videos"].items()},
                   {str(kind): KindCount.from_dict(count)
                    for kind, count in (data.get("negatives_by_kind") or {}).items()})


@dataclass(frozen=True)
class BaselineEvaluation:
    """The per-frame forest of the original design, judged on the same folds, to show what windows add."""

    per_frame: Scores
    per_video: Scores
    rates: Rates

    def to_dict(self) -> dict:
        return {"per_frame": self.per_frame.to_dict(), "per_video": self.per_video.to_dict(),
                "rates": self.rates.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping) -> BaselineEvaluation:
        return cls(Scores.from_dict(data["per_frame"]), Scores.from_dict(data["per_video"]),
                   Rates.from_dict(data["rates"]))


@dataclass(frozen=True)
class Evaluation:
    """A grouped cross-validation of the window model and the frame baseline (see the module docstring)."""

    split: str  # e.g. "10-fold stratified grouped by repo"
    grouping: Grouping
    operating_point: ChosenPoint
    videos: int  # how many videos were evaluated
    window: WindowEvaluation
    frame_baseline: BaselineEvaluation
    aggregation: str = AGGREGATION

    def to_dict(self) -> dict:
        return {"split": self.split, "grouping": asdict(self.grouping), "aggregation": self.aggregation,
                "operating_point": self.operating_point.to_dict(), "videos": self.videos,
                "window": self.window.to_dict(), "frame_baseline": self.frame_baseline.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping) -> Evaluation:
        return cls(split=str(data["split"]), grouping=Grouping.from_dict(data["grouping"]),
                   operating_point=ChosenPoint.from_dict(data["operating_point"]), videos=int(data["videos"]),
                   window=WindowEvaluation.from_dict(data["window"]),
                   frame_baseline=BaselineEvaluation.from_dict(data["frame_baseline"]),
                   aggregation=str(data["aggregation"]))
