"""Training and honest evaluation, as pure functions on DataFrames.

split -> train -> evaluate, with no store or file I/O here (that is in
`trainer/`), so tests run them on a few rows. Every evaluation is split by
video: the frames or windows of one video are never on both sides of a fold.

A video's probabilities are the per-class **median** over its windows: set-up,
rest and transitions are a minority of an exercise video's windows, and the
median ignores them where the mean is dragged towards `other` (measured:
below, and docs/accuracy.md).

"Not one of these": videos of other movements are an `other` class in
training (learnt as several modes, `fittrack.other_modes`), and a video is
called `other` when its best exercise probability
is below a threshold, or when `other` is more than `other_ratio` times as
likely as the best exercise. That operating point is chosen on the
leave-one-video-out probabilities of the evaluation, and the saved model
uses it. In the evaluation itself each held-out video is decided with the
point chosen on the other videos' probabilities only, so its own outcome
never picks the point it is judged by. Without an evaluation
(`train --no-eval`) the point comes from 4-fold grouped cross-validation.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold

from fittrack.features import WindowSpec, frame_feature_names, window_feature_names, window_features
from fittrack.labels import EXERCISES, OTHER, exercise_or_other
from fittrack.other_modes import OTHER_MODES, OtherModesForest

SEED = 0
THRESHOLDS = tuple(np.round(np.arange(0.0, 0.71, 0.05), 2))
OTHER_RATIOS = (0.75, 1.0, 1.25, 1.5, 2.0)
MIN_REJECTED = 0.85  # the floor under negatives rejected when choosing the point (best_point)


@dataclass(frozen=True)
class OperatingPoint:
    """When a video is "not one of these" (see the module docstring)."""

    threshold: float = 0.0
    other_ratio: float = 1.0


@dataclass(frozen=True)
class TrainParams:
    trees: int = 300
    cv_trees: int = 100  # forests that only choose the operating point: probabilities, not the final model
    min_samples_leaf: int = 5
    window: WindowSpec = field(default_factory=WindowSpec)
    baseline_trees: int = 60
    threshold_folds: int = 4
    seed: int = SEED  # figures vary by a few videos with it (docs/accuracy.md, benchmarks/accuracy_seeds.py)
    other_modes: int = OTHER_MODES  # 1 = `other` as a single class

    def forest(self, trees: int, samples: int = 0) -> OtherModesForest:
        """An unfitted forest of `trees` trees with these parameters, for `samples` training items."""
        return make_forest(trees, self.min_samples_leaf, samples, self.seed, self.other_modes)


MAX_SAMPLES_PER_TREE = 10_000


def make_forest(trees: int, min_samples_leaf: int = 1, samples: int = 0, seed: int = SEED,
                other_modes: int = OTHER_MODES) -> OtherModesForest:
    """A forest on all cores that learns `other` as `other_modes` kinds of movement (fittrack.other_modes).

    Past MAX_SAMPLES_PER_TREE items each tree sees a bootstrap of that size:
    windows of one video are strongly correlated, so a tree learns little
    more from 130,000 windows than from 10,000, while fitting time grows
    with the sample; the cap keeps a million-row training under a minute.
    """
    forest = RandomForestClassifier(
        n_estimators=trees, min_samples_leaf=min_samples_leaf, class_weight="balanced",
        max_samples=MAX_SAMPLES_PER_TREE if samples > MAX_SAMPLES_PER_TREE else None,
        n_jobs=-1, random_state=seed,
    )
    return OtherModesForest(forest, other_modes, seed)


def with_targets(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with `label` mapped to one of the five exercises or `other`."""
    rows = rows.copy()
    rows["label"] = rows["label"].fillna(OTHER).map(exercise_or_other)
    return rows


def decide(probabilities: pd.DataFrame, point: OperatingPoint) -> pd.Series:
    """Per row: the best exercise, or `other` when it is too unsure or `other` is much likelier."""
    exercises = probabilities.reindex(columns=list(EXERCISES), fill_value=0.0)
    best = exercises.idxmax(axis=1)
    top = exercises.max(axis=1)
    other = probabilities.get(OTHER, pd.Series(0.0, index=probabilities.index))
    rejected = (top < point.threshold) | (other > point.other_ratio * top) | (probabilities.sum(axis=1) <= 0)
    return best.where(~rejected, OTHER)


def video_probabilities(model: OtherModesForest, windows: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Median window probability per video: one row per video_id."""
    proba = pd.DataFrame(model.predict_proba(windows[features]), columns=model.classes_, index=windows.index)
    proba["video_id"] = windows["video_id"].to_numpy()
    return proba.groupby("video_id").median()


def aggregate_windows(window_probabilities: pd.DataFrame) -> pd.Series:
    """One video's probabilities from its windows' (the median; see the module docstring)."""
    return window_probabilities.median()


def _out_of_fold(table: pd.DataFrame, features: list[str], splitter, make) -> tuple[pd.Series, pd.DataFrame]:
    """Per-item predictions and per-video mean probabilities, each from a model that never saw that video."""
    item_predictions = pd.Series(index=table.index, dtype=object)
    videos = []
    for train_idx, test_idx in splitter.split(table, table["label"], table["video_id"]):
        train, test = table.iloc[train_idx], table.iloc[test_idx]
        assert not set(train["video_id"]) & set(test["video_id"]), "a video on both sides of a fold"
        model = make().fit(train[features], train["label"])
        item_predictions.iloc[test_idx] = model.predict(test[features])
        videos.append(video_probabilities(model, test, features))
    return item_predictions, pd.concat(videos).fillna(0.0)


def grouped_video_probabilities(windows: pd.DataFrame, params: TrainParams) -> tuple[pd.Series, pd.DataFrame]:
    """Truth and out-of-fold mean probabilities per video from StratifiedGroupKFold (empty if too few)."""
    truth = windows.groupby("video_id")["label"].first()
    folds = min(params.threshold_folds, truth.value_counts().min())
    if folds < 2 or OTHER not in set(truth):
        return truth.iloc[:0], pd.DataFrame()
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=params.seed)
    _, probabilities = _out_of_fold(windows, window_feature_names(), splitter,
                                    lambda: params.forest(params.cv_trees, len(windows)))
    return truth[probabilities.index], probabilities


def best_point(truth: pd.Series, probabilities: pd.DataFrame) -> OperatingPoint:
    """The point with the most exercise videos right among those rejecting >= MIN_REJECTED of the negatives.

    Ties: more negatives rejected, then the mildest threshold; with no such
    point, the one that rejects most. The product needs "not one of these"
    to hold for at least 80 % of other movements, so that is a floor, with a
    margin because the point is chosen on other videos than it is used on;
    above it, exercise videos right is what counts. Maximising
    (right + rejected) / 2 instead was unstable: forests differing only in
    their seed chose points from 27/39 right + 22/22 rejected to 34/39 +
    19/22 (docs/accuracy.md).
    """
    if probabilities.empty:
        return OperatingPoint()

    def score(point: OperatingPoint) -> tuple:
        rates = _rates(truth, decide(probabilities, point))
        rejected = 1.0 if np.isnan(rates["negatives_rejected"]) else round(rates["negatives_rejected"], 6)
        meets_floor = rejected >= MIN_REJECTED
        right = round(rates["exercise_videos_correct"], 6) if meets_floor else 0.0
        return (meets_floor, right, rejected, -point.threshold, -abs(point.other_ratio - 1.0))

    return max((OperatingPoint(float(t), float(r)) for t in THRESHOLDS for r in OTHER_RATIOS), key=score)


def choose_operating_point(windows: pd.DataFrame, params: TrainParams) -> OperatingPoint:
    return best_point(*grouped_video_probabilities(windows, params))


def _rates(truth: pd.Series, decided: pd.Series) -> dict[str, float]:
    is_exercise = truth != OTHER
    exercise_accuracy = float((decided[is_exercise] == truth[is_exercise]).mean()) if is_exercise.any() else 0.0
    rejected = float((decided[~is_exercise] == OTHER).mean()) if (~is_exercise).any() else float("nan")
    return {"exercise_videos_correct": exercise_accuracy, "negatives_rejected": rejected}


def _scores(truth: pd.Series, predicted: pd.Series, classes: list[str]) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, zero_division=0)
    return {
        "accuracy": float((truth == predicted).mean()),
        "macro_f1": float(f1_score(truth, predicted, labels=classes, average="macro", zero_division=0)),
        "per_class": {c: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                      for c, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)},
    }


def evaluate(rows: pd.DataFrame, params: TrainParams = TrainParams()) -> dict:
    """Leave-one-video-out evaluation of the window model and the per-frame baseline.

    Also chooses the operating point the saved model uses (`metrics["operating_point"]`),
    from the same leave-one-video-out probabilities.
    """
    rows = with_targets(rows)
    windows = window_features(rows, params.window)
    classes = sorted(set(windows["label"]))
    window_prediction, probabilities = _out_of_fold(
        windows, window_feature_names(), LeaveOneGroupOut(),
        lambda: params.forest(params.trees))
    # Videos with no window (nobody detected) are answered "other", as predict does.
    truth = rows.groupby("video_id")["label"].first()
    sources = rows.groupby("video_id")["source"].first() if "source" in rows else truth.index.to_series()
    probabilities = probabilities.reindex(truth.index, fill_value=0.0)
    points = {vid: best_point(truth.drop(vid), probabilities.drop(vid)) for vid in truth.index}
    decided = pd.Series({vid: decide(probabilities.loc[[vid]], points[vid]).iloc[0] for vid in truth.index})
    decided = decided[truth.index]
    final_point = best_point(truth, probabilities)

    frames = rows[rows["detected"].astype(bool)].reset_index(drop=True)
    frame_prediction, frame_video_proba = _out_of_fold(
        frames, frame_feature_names(), LeaveOneGroupOut(),
        lambda: make_forest(params.baseline_trees, seed=params.seed, other_modes=1))  # the original design
    frame_truth = frames.groupby("video_id")["label"].first()[frame_video_proba.index]
    frame_decided = decide(frame_video_proba, OperatingPoint())

    return {
        "split": "leave-one-video-out",
        "aggregation": "median of window probabilities",
        "operating_point": {"threshold": final_point.threshold, "other_ratio": final_point.other_ratio,
                            "held_out_videos_with_this_point": sum(p == final_point for p in points.values())},
        "videos": len(truth),
        "window": {
            "per_window": _scores(windows["label"], window_prediction, classes),
            "per_video": _scores(truth, decided, classes),
            "rates": _rates(truth, decided),
            "confusion": {"labels": classes,
                          "matrix": confusion_matrix(truth, decided, labels=classes).tolist()},
            "videos": {vid: {"truth": truth[vid], "predicted": decided[vid], "source": sources[vid],
                             "confidence": float(probabilities.loc[vid].max())} for vid in truth.index},
        },
        "frame_baseline": {
            "per_frame": _scores(frames["label"], frame_prediction, classes),
            "per_video": _scores(frame_truth, frame_decided, classes),
            "rates": _rates(frame_truth, frame_decided),
        },
    }


def point_of(metrics: dict) -> OperatingPoint:
    """The operating point an evaluation chose."""
    chosen = metrics["operating_point"]
    return OperatingPoint(float(chosen["threshold"]), float(chosen["other_ratio"]))


def train(rows: pd.DataFrame, params: TrainParams = TrainParams(), point: OperatingPoint | None = None
          ) -> tuple[OtherModesForest, OperatingPoint, pd.DataFrame]:
    """The final window model on every video, and the operating point it uses.

    `point` is the evaluation's (`point_of(evaluate(...))`); without one it is
    chosen by grouped cross-validation here.
    """
    rows = with_targets(rows)
    windows = window_features(rows, params.window)
    if windows.empty or windows["label"].nunique() < 2:
        from fittrack.errors import FittrackError

        raise FittrackError("need windows of at least two classes to train; extract more videos first")
    point = point or choose_operating_point(windows, params)
    model = params.forest(params.trees, len(windows)).fit(windows[window_feature_names()], windows["label"])
    return model, point, windows


def training_summary(windows: pd.DataFrame) -> dict:
    per_video = windows.groupby("video_id")["label"].first()
    return {"videos_per_class": per_video.value_counts().sort_index().to_dict(),
            "windows_per_class": windows["label"].value_counts().sort_index().to_dict(),
            "videos": len(per_video), "python": platform.python_version()}
