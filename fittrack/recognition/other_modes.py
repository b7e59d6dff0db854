"""A forest that learns "not one of these" as several kinds of movement, and answers with one `other`.

The negatives are curls, rows, lunges, jumping jacks, people playing the
guitar and empty rooms. As one class, `other` asks each tree to fence off
all of them with the same leaves, and with a balanced class weight its many
windows count no more than one exercise's. So the training windows of
`other` are split into OTHER_MODES groups of similar windows (k-means on
standardised features), each group is a class of its own while the forest
is fitted, and their probabilities are added back into one `other` in
`predict_proba`. Callers see the same classes as with a plain forest.

Measured with the nested leave-one-video-out evaluation over forest seeds
0-4: docs/accuracy.md ("Against the bar of issue #5" and the 2026-11-26 table,
with the control that only reweights `other`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier

from fittrack.labels import OTHER

OTHER_MODES = 4
MODES_SAMPLE = 10_000  # k-means is fitted on at most this many windows
MODE_SEPARATOR = "#"  # a mode's training label is e.g. "other#2"; no exercise name contains it


def other_modes(features: np.ndarray, modes: int, seed: int) -> np.ndarray:
    """A mode index per row: k-means on the features standardised, a missing value taken as the column's median."""
    values = np.asarray(features, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # a feature never seen in these windows
        median = np.nanmedian(values, axis=0)
    median = np.where(np.isfinite(median), median, 0.0)
    filled = np.where(np.isfinite(values), values, median)
    spread = filled.std(axis=0)
    scaled = (filled - filled.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    kmeans = KMeans(modes, n_init=4, random_state=seed)
    if len(scaled) <= MODES_SAMPLE:
        return kmeans.fit_predict(scaled)
    # Like the trees (training.MAX_SAMPLES_PER_TREE): a sample finds the modes as well and keeps 1M rows fast.
    sample = np.random.default_rng(seed).choice(len(scaled), MODES_SAMPLE, replace=False)
    return kmeans.fit(scaled[sample]).predict(scaled)


class OtherModesForest:
    """A RandomForestClassifier fitted on `other` split into modes; `classes_` has one `other`.

    Only `fit`, `predict_proba`, `predict` and `classes_` are offered: what
    training, evaluation and `predict` use.
    """

    def __init__(self, forest: RandomForestClassifier, modes: int = OTHER_MODES, seed: int = 0,
                 balance_videos: bool = False) -> None:
        self.forest = forest
        self.modes = modes
        self.seed = seed
        self.balance_videos = balance_videos
        self.classes_: np.ndarray = np.array([], dtype=object)
        self._mode_to_class: np.ndarray = np.zeros((0, 0))  # (forest classes, classes_) of 0/1

    def fit(self, features, labels, videos=None) -> OtherModesForest:
        targets = np.asarray(labels, dtype=object).copy()
        is_other = targets == OTHER
        modes = min(self.modes, int(is_other.sum()))
        if modes > 1:
            chosen = other_modes(np.asarray(features)[is_other], modes, self.seed)
            targets[is_other] = [f"{OTHER}{MODE_SEPARATOR}{mode}" for mode in chosen]
        if self.balance_videos:
            if videos is None:
                raise ValueError("a forest that balances videos needs each window's video id to fit")
            self.forest.fit(features, targets, sample_weight=video_balanced_weights(targets, np.asarray(videos)))
        else:
            self.forest.fit(features, targets)
        merged = [str(name).split(MODE_SEPARATOR)[0] for name in self.forest.classes_]
        self.classes_ = np.array(sorted(set(merged)), dtype=object)
        self._mode_to_class = (np.array(merged, dtype=object)[:, None] == self.classes_[None, :]).astype(float)
        return self

    def predict_proba(self, features) -> np.ndarray:
        return self.forest.predict_proba(features) @ self._mode_to_class

    def predict(self, features) -> np.ndarray:
        return self.classes_[self.predict_proba(features).argmax(axis=1)]


def video_balanced_weights(targets: np.ndarray, videos: np.ndarray) -> np.ndarray:
    """Window weights under which every training target weighs the same and, within it, every video.

    A long clip of one person otherwise outweighs several short clips of
    others, and the forest learns that person rather than the movement.
    """
    pairs = pd.DataFrame({"target": targets, "video": videos})
    per_video = pairs.groupby(["target", "video"])["video"].transform("size").to_numpy(np.float64)
    videos_in_target = pairs.groupby("target")["video"].transform("nunique").to_numpy(np.float64)
    weights = 1.0 / (per_video * videos_in_target)
    return weights * len(weights) / weights.sum()
