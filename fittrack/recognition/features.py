"""Features for the classifier: per frame (the original design) and per window.

A single frame is a posture; a window of a few seconds (2.5 s by default)
is a movement. Window features summarise each angle over the window (mean,
spread, extremes, range, and how fast it changes), which is what tells a
squat's knee swing from a deadlift's hip hinge when single postures overlap.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrack.pose.angles import ANGLE_NAMES

FEATURES_VERSION = 3

# Window features use side-free angles: for each left/right pair, the mean of
# the sides that are visible ("both_") and their difference ("diff_"). A side
# view hides one side; side-free features make a deadlift filmed from the left
# look like one filmed from the right. Measured with leave-one-video-out on the
# shared set: exercise accuracy 0.77 -> 0.87 at the same rejection of negatives.
_PAIRED = sorted({name[len("left_"):] for name in ANGLE_NAMES if name.startswith("left_")})
_UNPAIRED = tuple(name for name in ANGLE_NAMES if not name.startswith(("left_", "right_")))
WINDOW_ANGLES: tuple[str, ...] = _UNPAIRED + tuple(f"both_{p}" for p in _PAIRED) + tuple(f"diff_{p}" for p in _PAIRED)
# Where the body is, not only how it is bent: heights in torso lengths, in the
# image (y down, so the sign is flipped: larger = higher). Joint angles cannot
# tell a pull-up (the whole body rises) from a push press (the feet stay
# down), or a row from a deadlift (the hips stay put).
POSITIONS: tuple[str, ...] = ("hip_height", "shoulder_height", "wrist_height", "wrist_over_shoulder",
                              "wrist_over_hip", "ankle_height")
# The grip only where the elbow is bent past BENT_ELBOW_DEG: with a straight
# arm the elbow's bending plane, which the grip is measured against, is not
# defined, and the grip of a hanging arm is noise. At the top of a curl it
# tells a hammer curl's neutral grip from a curl's supinated one. Measured
# with benchmarks/accuracy_seeds.py over forest seeds 0-4: exercise videos
# right 164 -> 168 of 5 x 39, negatives rejected unchanged (92 of 5 x 22).
BENT_ELBOW_DEG = 100.0
GRIP_SERIES: tuple[str, ...] = ("bent_arm_grip",)
WINDOW_SERIES: tuple[str, ...] = WINDOW_ANGLES + POSITIONS + GRIP_SERIES
WINDOW_STATS = ("mean", "std", "min", "max", "range", "speed_mean", "speed_max")
MIN_DETECTED_IN_WINDOW = 4


@dataclass(frozen=True)
class WindowSpec:
    """Sliding windows in time: `length_ms` long, starting every `step_ms`."""

    length_ms: int = 2500
    step_ms: int = 500


def frame_feature_names() -> list[str]:
    return list(ANGLE_NAMES)


def window_feature_names() -> list[str]:
    return [f"{series}__{stat}" for series in WINDOW_SERIES for stat in WINDOW_STATS]


def _mean_y(rows: pd.DataFrame, names: tuple[str, ...], threshold: float = 0.5) -> np.ndarray:
    """Mean image y of the visible landmarks among `names` (NaN where none is visible)."""
    ys = np.stack([rows[f"img_{n}_y"].to_numpy(np.float64) for n in names])
    visible = np.stack([rows[f"vis_{n}"].to_numpy(np.float64) for n in names]) >= threshold
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.nanmean(np.where(visible, ys, np.nan), axis=0)


def body_positions(rows: pd.DataFrame) -> np.ndarray:
    """(frames, len(POSITIONS)) heights in torso lengths; NaN without image landmarks."""
    if "img_left_hip_y" not in rows or not len(rows):
        return np.full((len(rows), len(POSITIONS)), np.nan)
    height = rows["frame_height"].to_numpy(np.float64)
    width = rows["frame_width"].to_numpy(np.float64)
    scale = height / np.where(width > 0, width, np.nan)  # image y is in heights; make it comparable across sizes
    hip = _mean_y(rows, ("left_hip", "right_hip"))
    shoulder = _mean_y(rows, ("left_shoulder", "right_shoulder"))
    wrist = _mean_y(rows, ("left_wrist", "right_wrist"))
    ankle = _mean_y(rows, ("left_ankle", "right_ankle"))
    torso = np.abs(hip - shoulder) * scale
    torso = np.where(torso > 1e-3, torso, np.nan)
    lowest = np.nanmedian(hip) if np.isfinite(hip).any() else np.nan  # the video's typical hip height
    return np.stack([
        (lowest - hip) * scale / torso, (lowest - shoulder) * scale / torso, (lowest - wrist) * scale / torso,
        (shoulder - wrist) * scale / torso, (hip - wrist) * scale / torso, (lowest - ankle) * scale / torso,
    ], axis=1)


def side_free_angles(rows: pd.DataFrame) -> np.ndarray:
    """(frames, len(WINDOW_ANGLES)) array of the side-free angles of each frame."""
    columns = [rows[name].to_numpy(np.float64) for name in _UNPAIRED]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # both sides unseen -> NaN
        for pair in _PAIRED:
            both = np.stack([rows[f"left_{pair}"].to_numpy(np.float64), rows[f"right_{pair}"].to_numpy(np.float64)])
            columns.append(np.nanmean(both, axis=0))
        for pair in _PAIRED:
            columns.append(np.abs(rows[f"left_{pair}"].to_numpy(np.float64) - rows[f"right_{pair}"].to_numpy(np.float64)))
    return np.stack(columns, axis=1) if len(rows) else np.zeros((0, len(WINDOW_ANGLES)))


def bent_arm_grip(rows: pd.DataFrame) -> np.ndarray:
    """(frames, 1): the mean grip of the arms bent past BENT_ELBOW_DEG, NaN in frames with none."""
    grips = []
    for side in ("left", "right"):
        bent = rows[f"{side}_elbow"].to_numpy(np.float64) < BENT_ELBOW_DEG
        grips.append(np.where(bent, rows[f"{side}_grip"].to_numpy(np.float64), np.nan))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.nanmean(np.stack(grips), axis=0)[:, None] if len(rows) else np.zeros((0, 1))


def frame_features(rows: pd.DataFrame) -> pd.DataFrame:
    """Angles of detected frames, with the ids needed to group and score them."""
    detected = rows[rows["detected"].astype(bool)]
    return detected[["video_id", "label", "timestamp_ms", *ANGLE_NAMES]].reset_index(drop=True)


def _window_stats(times_s: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(windows, series * stats) for windows given as (windows, frames, series), NaN-padded.

    NaN marks both unseen angles and padding; padding sits at the end of a
    window, so consecutive valid frames stay consecutive for the speeds.
    """
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN columns are expected
        mean = np.nanmean(values, axis=1)
        std = np.nanstd(values, axis=1)
        low = np.nanmin(values, axis=1)
        high = np.nanmax(values, axis=1)
        dt = np.diff(times_s, axis=1)[:, :, None]
        speed = np.abs(np.diff(values, axis=1)) / np.where(dt > 0, dt, np.nan)
        speed_mean = np.nanmean(speed, axis=1)
        speed_max = np.nanmax(speed, axis=1)
    stats = np.stack([mean, std, low, high, high - low, speed_mean, speed_max], axis=2)
    return stats.reshape(len(values), -1)


def video_windows(rows: pd.DataFrame, spec: WindowSpec = WindowSpec()) -> pd.DataFrame:
    """Window features of one video's rows; one row per window.

    Windows with fewer than MIN_DETECTED_IN_WINDOW detected frames are left
    out: too little of a person to describe a movement. All windows of a
    video are computed at once on a padded (windows, frames, series) array:
    a per-window loop made training on a million rows take minutes.
    """
    names = window_feature_names()
    rows = rows.sort_values("timestamp_ms")
    if len(rows) == 0:
        return pd.DataFrame(columns=["start_ms", "end_ms", *names])
    times = rows["timestamp_ms"].to_numpy(np.int64)
    detected = np.flatnonzero(rows["detected"].to_numpy(bool))
    series = np.concatenate([side_free_angles(rows), body_positions(rows), bent_arm_grip(rows)], axis=1)[detected]
    seen_ms = times[detected]
    starts = np.arange(int(times[0]), max(int(times[-1]) - spec.length_ms, 0) + 1, spec.step_ms, dtype=np.int64)
    first = np.searchsorted(seen_ms, starts, side="left")
    counts = np.searchsorted(seen_ms, starts + spec.length_ms, side="left") - first
    keep = counts >= MIN_DETECTED_IN_WINDOW
    starts, first, counts = starts[keep], first[keep], counts[keep]
    if not len(starts):
        return pd.DataFrame(columns=["start_ms", "end_ms", *names])
    offsets = np.arange(counts.max())
    valid = offsets[None, :] < counts[:, None]
    index = np.minimum(first[:, None] + offsets[None, :], len(seen_ms) - 1)
    values = np.where(valid[:, :, None], series[index], np.nan)
    times_s = np.where(valid, seen_ms[index] / 1000.0, np.nan)
    features = pd.DataFrame(_window_stats(times_s, values), columns=names)
    features.insert(0, "start_ms", starts)
    features.insert(1, "end_ms", starts + spec.length_ms)
    return features


def window_features(rows: pd.DataFrame, spec: WindowSpec = WindowSpec()) -> pd.DataFrame:
    """Window features of every video in `rows`, with video_id and label columns."""
    tables = []
    for video_id, video_rows in rows.groupby("video_id", sort=True):
        windows = video_windows(video_rows, spec)
        windows.insert(0, "video_id", video_id)
        windows.insert(1, "label", video_rows["label"].iloc[0])
        tables.append(windows)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
