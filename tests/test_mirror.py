"""A clip filmed from the other side, or mirrored by a phone's front camera, is the same exercise.

The window features are built to be left-right symmetric (side-free angles,
heights only, an unsigned grip), so a mirrored pose gives the same features
exactly, and so the same answer from any model.
"""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd

from fittrack.pose.extract import extract_video, recompute_angles
from fittrack.pose.landmarks import LANDMARK_NAMES
from fittrack.recognition.features import window_feature_names, window_features

from .conftest import shared_video

TRAINING = {"squat": "squat/kaggle_squat_1.mp4", "push_up": "push_up/kaggle_push-up_15.mp4",
            "pull_up": "pull_up/kaggle_pull_up_23.mp4", "hammer_curl": "hammer_curl/odil_hammer_curl.mp4",
            "other": "other/umali_lunges.mp4"}
HELD_OUT = {"squat": "squat/kaggle_squat_9.mp4", "push_up": "push_up/kaggle_push-up_10.mp4"}


def mirrored_landmarks(rows: pd.DataFrame) -> pd.DataFrame:
    """The same frames as seen in a mirror: left and right swapped, x reversed."""
    mirrored = rows.copy()
    for name in LANDMARK_NAMES:
        other = name.replace("left_", "right_") if "left_" in name else name.replace("right_", "left_")
        for column in ("vis_{}", *(f"img_{{}}_{axis}" for axis in "yz"), *(f"world_{{}}_{axis}" for axis in "yz")):
            mirrored[column.format(name)] = rows[column.format(other)]
        mirrored[f"img_{name}_x"] = 1.0 - rows[f"img_{other}_x"]
        mirrored[f"world_{name}_x"] = -rows[f"world_{other}_x"]
    angles = recompute_angles(mirrored)
    mirrored[angles.columns] = angles
    return mirrored


def flipped_copy(source, target) -> None:
    reader = cv2.VideoCapture(str(source))
    fps = reader.get(cv2.CAP_PROP_FPS)
    size = (int(reader.get(cv2.CAP_PROP_FRAME_WIDTH)), int(reader.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    while True:
        ok, frame = reader.read()
        if not ok:
            break
        writer.write(cv2.flip(frame, 1))
    reader.release()
    writer.release()


def test_mirrored_landmarks_give_exactly_the_same_window_features(estimator):
    rows = extract_video(shared_video("pull_up/kaggle_pull_up_23.mp4"), estimator, label="pull_up", sample_fps=10).rows
    original = window_features(rows)[window_feature_names()].to_numpy()
    mirrored = window_features(mirrored_landmarks(rows))[window_feature_names()].to_numpy()
    assert len(original) >= 3
    assert np.allclose(original, mirrored, rtol=1e-4, atol=1e-3, equal_nan=True)
