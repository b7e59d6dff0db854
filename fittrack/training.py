"""Training and honest evaluation, as pure functions on DataFrames.

split -> train -> evaluate, with no store or file I/O here (that is in
`trainer/`), so tests run them on a few rows. Every evaluation is split by
video: the frames or windows of one video are never on both sides of a fold.

"Not one of these": videos of other movements are an `other` class in
training, and a video is also called `other` when its best exercise
probability is below a rejection threshold. The threshold is chosen by
grouped cross-validation on the training videos, then fixed, and the
leave-one-video-out evaluation uses that fixed value.
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

SEED = 0
THRESHOLDS = tuple(np.round(np.arange(0.0, 0.71, 0.05), 2))


@dataclass(frozen=True)
class TrainParams:
    trees: int = 300
    min_samples_leaf: int = 2
    window: WindowSpec = field(default_factory=WindowSpec)
    baseline_trees: int = 60
    threshold_folds: int = 4


def make_forest(trees: int, min_samples_leaf: int = 1) -> RandomForestClassifier:
    return RandomForestClassifier(
        n_estimators=trees, min_samples_leaf=min_samples_leaf, class_weight="balanced",
        n_jobs=-1, random_state=SEED,
    )


def with_targets(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows with `label` mapped to one of the five exercises or `other`."""
    rows = rows.copy()
    rows["label"] = rows["label"].fillna(OTHER).map(exercise_or_other)
    return rows


def decide(probabilities: pd.DataFrame, threshold: float) -> pd.Series:
    """Video-level decision: the best exercise, unless `other` wins or confidence is below threshold."""
    exercises = probabilities.reindex(columns=list(EXERCISES), fill_value=0.0)
    best = exercises.idxmax(axis=1)
    other = probabilities.get(OTHER, pd.Series(0.0, index=probabilities.index))
    rejected = (exercises.max(axis=1) < threshold) | (other > exercises.max(axis=1))
    return best.where(~rejected, OTHER)


def video_probabilities(model: RandomForestClassifier, windows: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Mean window probability per video: one row per video_id."""
    proba = pd.DataFrame(model.predict_proba(windows[features]), columns=model.classes_, index=windows.index)
    proba["video_id"] = windows["video_id"].to_numpy()
    return proba.groupby("video_id").mean()


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


def choose_threshold(windows: pd.DataFrame, params: TrainParams) -> float:
    """Rejection threshold maximising (exercise accuracy + negatives rejected) / 2 in grouped CV."""
    features = window_feature_names()
    truth = windows.groupby("video_id")["label"].first()
    folds = min(params.threshold_folds, truth.value_counts().min())
    if folds < 2 or OTHER not in set(truth):
        return 0.0
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    _, probabilities = _out_of_fold(windows, features, splitter,
                                    lambda: make_forest(params.trees, params.min_samples_leaf))
    truth = truth[probabilities.index]
    scores = {t: _operating_point(truth, decide(probabilities, t))["balanced"] for t in THRESHOLDS}
    return float(max(scores, key=lambda t: (round(scores[t], 6), -t)))


def _operating_point(truth: pd.Series, decided: pd.Series) -> dict[str, float]:
    is_exercise = truth != OTHER
    exercise_accuracy = float((decided[is_exercise] == truth[is_exercise]).mean()) if is_exercise.any() else 0.0
    rejected = float((decided[~is_exercise] == OTHER).mean()) if (~is_exercise).any() else float("nan")
    balanced = exercise_accuracy if np.isnan(rejected) else (exercise_accuracy + rejected) / 2
    return {"exercise_videos_correct": exercise_accuracy, "negatives_rejected": rejected, "balanced": balanced}


def _scores(truth: pd.Series, predicted: pd.Series, classes: list[str]) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, zero_division=0)
    return {
        "accuracy": float((truth == predicted).mean()),
        "macro_f1": float(f1_score(truth, predicted, labels=classes, average="macro", zero_division=0)),
        "per_class": {c: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                      for c, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)},
    }


def evaluate(rows: pd.DataFrame, params: TrainParams = TrainParams(), threshold: float | None = None) -> dict:
    """Leave-one-video-out evaluation of the window model and the per-frame baseline."""
    rows = with_targets(rows)
    windows = window_features(rows, params.window)
    threshold = choose_threshold(windows, params) if threshold is None else threshold
    classes = sorted(set(windows["label"]))
    window_prediction, probabilities = _out_of_fold(
        windows, window_feature_names(), LeaveOneGroupOut(),
        lambda: make_forest(params.trees, params.min_samples_leaf))
    # Videos with no window (nobody detected) are answered "other", as predict does.
    truth = rows.groupby("video_id")["label"].first()
    probabilities = probabilities.reindex(truth.index, fill_value=0.0)
    decided = decide(probabilities, threshold).where(probabilities.sum(axis=1) > 0, OTHER)

    frames = rows[rows["detected"].astype(bool)].reset_index(drop=True)
    frame_prediction, frame_video_proba = _out_of_fold(
        frames, frame_feature_names(), LeaveOneGroupOut(), lambda: make_forest(params.baseline_trees))
    frame_truth = frames.groupby("video_id")["label"].first()[frame_video_proba.index]
    frame_decided = decide(frame_video_proba, 0.0)

    return {
        "split": "leave-one-video-out",
        "threshold": threshold,
        "videos": int(len(truth)),
        "window": {
            "per_window": _scores(windows["label"], window_prediction, classes),
            "per_video": _scores(truth, decided, classes),
            "operating_point": _operating_point(truth, decided),
            "confusion": {"labels": classes,
                          "matrix": confusion_matrix(truth, decided, labels=classes).tolist()},
            "videos": {vid: {"truth": truth[vid], "predicted": decided[vid],
                             "confidence": float(probabilities.loc[vid].max())} for vid in truth.index},
        },
        "frame_baseline": {
            "per_frame": _scores(frames["label"], frame_prediction, classes),
            "per_video": _scores(frame_truth, frame_decided, classes),
            "operating_point": _operating_point(frame_truth, frame_decided),
        },
    }


def train(rows: pd.DataFrame, params: TrainParams = TrainParams(), threshold: float | None = None
          ) -> tuple[RandomForestClassifier, float, pd.DataFrame]:
    """The final window model on every video, and the rejection threshold it uses."""
    rows = with_targets(rows)
    windows = window_features(rows, params.window)
    if windows.empty or windows["label"].nunique() < 2:
        from fittrack.errors import FittrackError

        raise FittrackError("need windows of at least two classes to train; extract more videos first")
    threshold = choose_threshold(windows, params) if threshold is None else threshold
    model = make_forest(params.trees, params.min_samples_leaf).fit(windows[window_feature_names()],
                                                                    windows["label"])
    return model, threshold, windows


def training_summary(windows: pd.DataFrame) -> dict:
    per_video = windows.groupby("video_id")["label"].first()
    return {"videos_per_class": per_video.value_counts().sort_index().to_dict(),
            "windows_per_class": windows["label"].value_counts().sort_index().to_dict(),
            "videos": int(len(per_video)), "python": platform.python_version()}
