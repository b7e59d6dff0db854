"""Per-repetition cycle descriptors: what one rep of a video looks like, whatever its pace or length.

An experiment (issue #28, docs/accuracy.md "Cycle descriptors"), not part of
the default model. The window features describe 2.5 s of posture and speed;
a rep is often longer or shorter than that, so a window holds part of one
rep or parts of two. Here the video's own period is found first, from the
autocorrelation of its main side-free angles together (one period for all
joints: they move with the same rep), and each one-period segment is then
described by what a coach would look at: how far each joint moves (range),
how the movement is shaped (the first harmonic amplitudes of each joint over
exactly one period) and which joints move together or in turn (the relative
phase of each pair of joints at the rep's frequency). A squat's hip and knee
close together, a deadlift's knee leads its hip, a curl moves the elbow
alone. None of that depends on how fast the person goes.

Pure numpy on one video's rows; nothing here is fitted.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from fittrack.recognition.features import WINDOW_ANGLES, side_free_angles

# The big joints and the torso: what carries every one of the five exercises
# (knee, hip, elbow, shoulder) and what tells a hinge from a squat (torso).
# Small joints (wrist, ankle, grip) are noisy in MediaPipe and are left out.
CYCLE_ANGLES: tuple[str, ...] = ("both_elbow", "both_shoulder", "both_hip", "both_knee", "torso_tilt")
RATE_HZ = 15.0  # the grid the angles are resampled to (rows are extracted at 15 frames/s)
MIN_PERIOD_S = 0.6  # faster than this is jitter, not a rep
MAX_PERIOD_S = 8.0  # slower than this is not one rep of these exercises
MAX_LAG_SHARE = 0.6  # a period is looked for up to this share of the clip: its autocorrelation needs overlap
MIN_PERIODICITY = 0.2  # an autocorrelation peak below this is no period
NEAR_BEST_PEAK = 0.85  # the first peak at least this share of the highest: a multiple of the period scores as high
HARMONICS = 3
SEGMENT_SAMPLES = 24  # each one-period segment is resampled to this many points before its Fourier transform
PHASE_FULL_AMPLITUDE_DEG = 5.0  # a pair's phase fades to 0 below this first-harmonic amplitude: a still joint has none
MIN_FRAMES = 4  # fewer detected frames describe no movement (as features.MIN_DETECTED_IN_WINDOW)
SMOOTH_S = 0.2  # a centred moving average before anything is measured: landmark jitter is not movement


@dataclass(frozen=True)
class Period:
    """A video's rep period (seconds) and how periodic it is (the autocorrelation at that lag, 0..1).

    With no period found (a still video, a single rep, no repetition)
    `seconds` is NaN and `periodicity` 0, and the whole clip is one segment.
    Not the clip's length instead: that would tell the forest how long the
    clips of each class happen to be in this data set, not how they move.
    """

    seconds: float
    periodicity: float


def _pair_names() -> list[tuple[str, str]]:
    return list(combinations(CYCLE_ANGLES, 2))


def descriptor_names() -> list[str]:
    """The names of `video_descriptor`'s values, in order."""
    names = ["cycle__period_s", "cycle__periodicity"]
    for angle in CYCLE_ANGLES:
        names.append(f"cycle__{angle}__range")
        names.extend(f"cycle__{angle}__harmonic{k}" for k in range(1, HARMONICS + 1))
    for first, second in _pair_names():
        names.extend([f"cycle__{first}__{second}__phase_cos", f"cycle__{first}__{second}__phase_sin"])
    return names


def resample(times_s: np.ndarray, values: np.ndarray, rate_hz: float = RATE_HZ) -> np.ndarray:
    """(samples, joints) on a uniform grid from the first to the last time, gaps filled linearly, then smoothed.

    A joint never seen stays NaN. Filling across a gap neither makes nor
    breaks a rep (as the rep counter does, fittrack.movement.reps); the
    uniform grid is what an autocorrelation and a Fourier transform need.
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64).reshape(len(times_s), -1)
    if len(times_s) == 0:
        return np.zeros((0, values.shape[1]))
    grid = np.arange(times_s[0], times_s[-1] + 0.5 / rate_hz, 1.0 / rate_hz)
    width = max(1, round(SMOOTH_S * rate_hz) | 1)
    out = np.full((len(grid), values.shape[1]), np.nan)
    for j in range(values.shape[1]):
        seen = np.isfinite(values[:, j])
        if not seen.any():
            continue
        filled = np.interp(grid, times_s[seen], values[seen, j])
        if width > 1 and len(filled) >= width:
            filled = np.convolve(np.pad(filled, width // 2, mode="edge"), np.ones(width) / width, mode="valid")
        out[:, j] = filled
    return out


def find_period(signal: np.ndarray, rate_hz: float = RATE_HZ) -> Period:
    """The rep period of a (samples, joints) uniform series, from the autocorrelation of all joints together.

    Each joint is centred but not scaled, so the joints that move most
    (the rep's own) dominate and a still joint's jitter counts for little.
    The autocorrelation at each lag is normalised by the overlap's own
    energy, so it reads as a correlation (1 = the clip repeats exactly).
    The first peak near the highest one is taken: twice the period
    correlates as well as the period itself.
    """
    samples = len(signal)
    whole = Period(float("nan"), 0.0)
    moving = signal[:, np.all(np.isfinite(signal), axis=0)] if samples else signal
    if samples < MIN_FRAMES or moving.shape[1] == 0:
        return whole
    centred = moving - moving.mean(axis=0)
    if float(np.sum(centred**2)) <= 1e-9 * samples:
        return whole
    low = max(1, int(np.floor(MIN_PERIOD_S * rate_hz)))
    high = min(int(np.ceil(MAX_PERIOD_S * rate_hz)), int(MAX_LAG_SHARE * samples))
    if high <= low + 1:
        return whole
    lags = np.arange(low - 1, high + 2)
    correlation = np.array([_lag_correlation(centred, int(lag)) for lag in lags])
    inner = np.arange(1, len(lags) - 1)
    peaks = inner[(correlation[inner] >= correlation[inner - 1]) & (correlation[inner] > correlation[inner + 1])
                  & (correlation[inner] >= MIN_PERIODICITY)]
    if not len(peaks):
        return whole
    best = float(correlation[peaks].max())
    first = int(peaks[correlation[peaks] >= NEAR_BEST_PEAK * best][0])
    # Parabolic interpolation between the neighbouring lags: a period between two samples.
    before, at, after = correlation[first - 1], correlation[first], correlation[first + 1]
    curvature = before - 2 * at + after
    shift = 0.5 * (before - after) / curvature if curvature < 0 else 0.0
    return Period(float((lags[first] + np.clip(shift, -0.5, 0.5)) / rate_hz), float(np.clip(at, 0.0, 1.0)))


def _lag_correlation(centred: np.ndarray, lag: int) -> float:
    head, tail = centred[:-lag], centred[lag:]
    energy = np.sqrt(np.sum(head**2) * np.sum(tail**2))
    return float(np.sum(head * tail) / energy) if energy > 0 else 0.0


def segment_descriptors(signal: np.ndarray, period: Period, rate_hz: float = RATE_HZ) -> np.ndarray:
    """(segments, per-segment values) for consecutive one-period segments of a (samples, joints) series.

    Per joint: range and the amplitudes of harmonics 1..HARMONICS (degrees);
    per pair of joints: cos and sin of their phase difference at the first
    harmonic, faded to 0 where either joint barely moves (a still joint's
    phase is noise). A joint never seen is NaN throughout. With no period
    the whole series is one segment.
    """
    joints = signal.shape[1]
    pairs = list(combinations(range(joints), 2))
    width = joints * (1 + HARMONICS) + 2 * len(pairs)
    samples = len(signal)
    if samples < 2:
        return np.full((0, width), np.nan)
    length = period.seconds * rate_hz if period.periodicity > 0 else float(samples - 1)
    count = max(1, int(np.floor((samples - 1) / length))) if length > 0 else 1
    rows = []
    for index in range(count):
        start = index * length
        stop = min(start + length, samples - 1)
        # One period exactly, resampled, without its closing point: the DFT then sees whole cycles.
        at = np.linspace(start, stop, SEGMENT_SAMPLES, endpoint=False)
        grid = np.arange(samples)
        segment = np.stack([np.interp(at, grid, signal[:, j]) if np.isfinite(signal[:, j]).all()
                            else np.full(SEGMENT_SAMPLES, np.nan) for j in range(joints)], axis=1)
        inside = signal[int(np.floor(start)):int(np.ceil(stop)) + 1]
        ranges = inside.max(axis=0) - inside.min(axis=0)  # NaN for a joint never seen
        spectrum = np.fft.rfft(segment, axis=0)[1:HARMONICS + 1] * (2.0 / SEGMENT_SAMPLES)  # (harmonics, joints)
        amplitudes = np.abs(spectrum)
        values = []
        for j in range(joints):
            values.append(ranges[j])
            values.extend(amplitudes[:, j])
        first = spectrum[0]
        for a, b in pairs:
            cross = first[a] * np.conj(first[b])
            size = abs(first[a]) * abs(first[b])
            fade = min(1.0, min(abs(first[a]), abs(first[b])) / PHASE_FULL_AMPLITUDE_DEG)
            unit = cross / size * fade if size > 0 else (np.nan if np.isnan(cross) else 0.0)
            values.extend([np.real(unit), np.imag(unit)])
        rows.append(values)
    return np.asarray(rows, dtype=np.float64)


def cycle_descriptor(times_s: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """One vector (`descriptor_names()`) for a video's (frames, len(CYCLE_ANGLES)) angles at `times_s`.

    The median over the video's segments: set-up and racking the bar are a
    minority of its segments, as they are of its windows (decision.py).
    All NaN with fewer than MIN_FRAMES frames: nobody to describe.
    """
    names = descriptor_names()
    times_s = np.asarray(times_s, dtype=np.float64)
    if len(times_s) < MIN_FRAMES:
        return np.full(len(names), np.nan)
    signal = resample(times_s, angles)
    period = find_period(signal)
    segments = segment_descriptors(signal, period)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # a joint never seen is NaN on purpose
        per_segment = np.nanmedian(segments, axis=0) if len(segments) else np.full(len(names) - 2, np.nan)
    return np.concatenate([[period.seconds, period.periodicity], per_segment])


def video_descriptor(rows: pd.DataFrame) -> np.ndarray:
    """`cycle_descriptor` of one video's angle rows (detected frames only, in time order)."""
    rows = rows.sort_values("timestamp_ms")
    rows = rows[rows["detected"].astype(bool)]
    columns = [WINDOW_ANGLES.index(name) for name in CYCLE_ANGLES]
    angles = side_free_angles(rows)[:, columns] if len(rows) else np.zeros((0, len(CYCLE_ANGLES)))
    return cycle_descriptor(rows["timestamp_ms"].to_numpy(np.float64) / 1000.0, angles)


def video_descriptors(rows: pd.DataFrame) -> pd.DataFrame:
    """`video_descriptor` of every video in `rows`: one row per video_id, columns `descriptor_names()`."""
    table = {video_id: video_descriptor(video_rows) for video_id, video_rows in rows.groupby("video_id", sort=True)}
    return pd.DataFrame.from_dict(table, orient="index", columns=descriptor_names())
