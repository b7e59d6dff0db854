"""fittrack.recognition.features: windows of a video's rows, their statistics, and which frames they may use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fittrack.recognition.features import (
    BENT_ELBOW_DEG,
    MIN_DETECTED_IN_WINDOW,
    WindowSpec,
    bent_arm_grip,
    side_free_angles,
    video_windows,
    window_feature_names,
    window_features,
)
from fittrack.recognition.features import WINDOW_ANGLES as SERIES

from ..synthetic import synthetic_rows


def _rows(frames: int = 40, detected: bool = True) -> pd.DataFrame:
    """One synthetic squat video of `frames` frames at 10 frames/s."""
    rows = synthetic_rows(videos_per_class=1, seconds=frames / 10.0 + 1e-6, fps=10.0, seed=1)
    rows = rows[rows["label"] == "squat"].iloc[:frames].reset_index(drop=True)
    rows["detected"] = detected
    return rows


@pytest.mark.parametrize(("frames", "windows"), [
    (41, 4), (26, 1),
    (21, 1),  # shorter than a window: one window over all of it
    (MIN_DETECTED_IN_WINDOW - 1, 0),  # too few frames to describe a movement
])
def test_windows_slide_every_step_over_the_video(frames, windows):
    rows = _rows(frames=frames)
    table = video_windows(rows, WindowSpec(length_ms=2500, step_ms=500))
    assert len(table) == windows
    assert list(table.columns) == ["start_ms", "end_ms", *window_feature_names()]
    if windows:
        assert (table["end_ms"] - table["start_ms"] == 2500).all() and table["start_ms"].diff().dropna().eq(500).all()


def test_a_window_with_too_few_frames_with_a_person_is_left_out():
    rows = _rows(frames=41)
    rows.loc[rows["timestamp_ms"] >= 1500, "detected"] = False  # 15 frames with a person, at the start
    table = video_windows(rows, WindowSpec(2500, 500))
    assert len(table) > 0
    kept_frames = [((rows["timestamp_ms"] >= s) & (rows["timestamp_ms"] < s + 2500) & rows["detected"]).sum()
                   for s in table["start_ms"]]
    assert min(kept_frames) >= MIN_DETECTED_IN_WINDOW
    assert video_windows(_rows(detected=False)).empty


def test_side_free_angles_are_the_mean_of_the_visible_sides_and_their_difference():
    rows = _rows(frames=3)
    rows["left_knee"], rows["right_knee"] = [100.0, 100.0, np.nan], [120.0, 140.0, 90.0]
    angles = side_free_angles(rows)
    both, diff = angles[:, SERIES.index("both_knee")], angles[:, SERIES.index("diff_knee")]
    assert both.tolist() == [110.0, 120.0, 90.0], "a hidden side does not pull the mean"
    assert diff[:2].tolist() == [20.0, 40.0] and np.isnan(diff[2])


def test_the_grip_counts_only_where_an_elbow_is_bent():
    rows = _rows(frames=2)
    rows["left_elbow"], rows["right_elbow"] = [BENT_ELBOW_DEG - 10, 170.0], [170.0, 175.0]
    rows["left_grip"], rows["right_grip"] = [30.0, 40.0], [80.0, 90.0]
    grip = bent_arm_grip(rows)[:, 0]
    assert grip[0] == 30.0 and np.isnan(grip[1])


def test_every_video_gets_its_own_windows_with_its_id_and_label():
    a, b = _rows(frames=41), _rows(frames=31)
    a["video_id"], b["video_id"], b["label"] = "a", "b", "deadlift"
    table = window_features(pd.concat([a, b]))
    assert table.groupby("video_id")["label"].first().to_dict() == {"a": "squat", "b": "deadlift"}
    assert table.groupby("video_id").size().to_dict() == {"a": 4, "b": 2}
