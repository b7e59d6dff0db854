"""Synthetic angle rows and a small model trained on them, for tests that need a model fast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fittrack.pose.angles import ANGLE_NAMES
from fittrack.recognition.features import window_feature_names
from fittrack.recognition.model_file import ExerciseModel, model_to_bytes, sha256_of
from fittrack.recognition.training import TrainParams, train

FAST = TrainParams(trees=30, cv_trees=20, baseline_trees=10, threshold_folds=2, eval_folds=0)


def synthetic_rows(videos_per_class: int = 3, seconds: float = 6.0, fps: float = 10.0, seed: int = 0) -> pd.DataFrame:
    """Each class moves a different joint at a different pace; 'other' barely moves."""
    rng = np.random.default_rng(seed)
    classes = {"squat": ("left_knee", 0.5), "hammer_curl": ("left_elbow", 0.8), "push_up": ("right_elbow", 0.4),
               "other": ("left_hip", 0.0)}
    tables = []
    for label, (joint, hz) in classes.items():
        for v in range(videos_per_class):
            t = np.arange(0, seconds, 1 / fps)
            table = pd.DataFrame({name: 150 + rng.normal(0, 3, len(t)) for name in ANGLE_NAMES})
            table[joint] = 120 + 50 * np.sin(2 * np.pi * hz * t + v) + rng.normal(0, 3, len(t))
            table["video_id"] = f"{label}-{v}"
            table["label"] = label
            table["timestamp_ms"] = (t * 1000).astype(np.int64)
            table["frame_index"] = np.arange(len(t))
            table["detected"] = True
            tables.append(table)
    return pd.concat(tables, ignore_index=True)


def store_synthetic_model(store, key: str, params: TrainParams = FAST) -> str:
    """Trains on synthetic rows and writes the model to `key` as the trainer does; returns its sha256."""
    forest, point, _ = train(synthetic_rows(), params)
    model = ExerciseModel(forest=forest, point=point, classes=list(forest.classes_),
                          feature_names=window_feature_names(), window=params.window)
    data = model_to_bytes(model)
    store.put_bytes(key, data, metadata={"sha256": sha256_of(data)})
    return sha256_of(data)
