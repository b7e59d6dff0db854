"""Per-frame series for the form cues that joint angles cannot express: where body parts are in the image.

Three faults are about positions, not joint angles: knees caving in (the knees
closer together than the feet), the chin not reaching the hands at the top of
a pull-up, and (in `fittrack.movement.form`) the back angle during a deadlift's first
pull. They are read from the image landmarks, scaled to square units (image x
is in widths, y in heights) and, where a length is needed, to the person's own
torso length so that the camera's distance does not matter.

Knees caving in can only be seen from the front: from the side both knees lie
on one line with the feet whatever they do. A frame counts as a front view
when the shoulders are at least FRONT_VIEW_SHOULDERS torso lengths apart in
the image (about 0.75 straight on, near 0 from the side); elsewhere the
series is NaN, so the cue says "not visible" rather than guessing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

VISIBLE = 0.5
FRONT_VIEW_SHOULDERS = 0.45  # shoulder span over torso length in the image; straight on ~0.75, side ~0.1
MIN_FEET_APART = 0.15  # torso lengths: feet closer than this leave the knee/feet ratio meaningless


def _xy(rows: pd.DataFrame, name: str) -> np.ndarray:
    """(frames, 2) image position in square units (heights), NaN where the landmark is not visible."""
    aspect = rows["frame_width"].to_numpy(np.float64) / rows["frame_height"].to_numpy(np.float64)
    x = rows[f"img_{name}_x"].to_numpy(np.float64) * aspect
    y = rows[f"img_{name}_y"].to_numpy(np.float64)
    seen = rows[f"vis_{name}"].to_numpy(np.float64) >= VISIBLE
    return np.where(seen[:, None], np.stack([x, y], axis=1), np.nan)


def _midpoint(rows: pd.DataFrame, left: str, right: str) -> np.ndarray:
    return (_xy(rows, left) + _xy(rows, right)) / 2.0


def torso_length(rows: pd.DataFrame) -> np.ndarray:
    """Shoulder midpoint to hip midpoint in the image, per frame (NaN when not seen)."""
    length = np.linalg.norm(_midpoint(rows, "left_shoulder", "right_shoulder")
                            - _midpoint(rows, "left_hip", "right_hip"), axis=1)
    return np.where(length > 1e-3, length, np.nan)


def _span(rows: pd.DataFrame, part: str) -> np.ndarray:
    """Horizontal distance between the left and right `part` in the image."""
    return np.abs(_xy(rows, f"left_{part}")[:, 0] - _xy(rows, f"right_{part}")[:, 0])


def knee_gap_ratio(rows: pd.DataFrame) -> np.ndarray:
    """Knee span over ankle span: 1 with the knees over the feet, below 1 as they cave in; NaN off a front view."""
    ankles, torso = _span(rows, "ankle"), torso_length(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        front_view = _span(rows, "shoulder") / torso >= FRONT_VIEW_SHOULDERS  # shoulders spread across the image
        usable = front_view & (ankles / torso >= MIN_FEET_APART)
        return np.where(usable, _span(rows, "knee") / ankles, np.nan)


def mouth_over_wrists(rows: pd.DataFrame) -> np.ndarray:
    """How far the mouth is above the wrists, in torso lengths (negative: below the hands)."""
    mouth = _midpoint(rows, "mouth_left", "mouth_right")[:, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # one wrist hidden on the bar: use the other
        wrists = np.nanmean(np.stack([_xy(rows, "left_wrist")[:, 1], _xy(rows, "right_wrist")[:, 1]]), axis=0)
    return (wrists - mouth) / torso_length(rows)  # image y points down


def has_image_landmarks(rows: pd.DataFrame) -> bool:
    """Rows made from angles alone (old exports, synthetic sessions) carry no image landmarks to read."""
    return "frame_width" in rows and "img_left_hip_x" in rows


DERIVED_SERIES = {"knee_gap_ratio": knee_gap_ratio, "mouth_over_wrists": mouth_over_wrists}
