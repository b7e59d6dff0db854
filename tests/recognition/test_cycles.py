"""Cycle descriptors on synthetic sinusoids: the period is found, the values are finite, stillness is defined."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fittrack.pose.angles import ANGLE_NAMES
from fittrack.recognition.cycles import (
    CYCLE_ANGLES,
    HARMONICS,
    cycle_descriptor,
    descriptor_names,
    find_period,
    resample,
    video_descriptor,
    video_descriptors,
)

RATE = 15.0


def _reps(period_s: float, seconds: float = 12.0, noise_deg: float = 2.0, seed: int = 0):
    """Times and (frames, joints) angles: knee and hip in phase, elbow a quarter period later, torso still."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, seconds, 1.0 / RATE)
    phase = 2 * np.pi * t / period_s
    angles = np.stack([
        150 + 20 * np.sin(phase + np.pi / 2),  # elbow
        40 + 10 * np.sin(phase),  # shoulder
        120 + 40 * np.sin(phase),  # hip
        110 + 50 * np.sin(phase),  # knee
        15 + np.zeros_like(t),  # torso
    ], axis=1) + rng.normal(0.0, noise_deg, (len(t), len(CYCLE_ANGLES)))
    return t, angles


@pytest.mark.parametrize("period_s", [0.8, 1.5, 2.5, 4.0])
def test_the_period_of_a_sinusoid_is_found_within_ten_percent(period_s):
    t, angles = _reps(period_s)
    period = find_period(resample(t, angles))
    assert period.seconds == pytest.approx(period_s, rel=0.10)
    assert period.periodicity > 0.8


def test_descriptors_of_reps_are_finite_and_say_which_joints_move_together():
    t, angles = _reps(2.0)
    values = dict(zip(descriptor_names(), cycle_descriptor(t, angles), strict=True))
    assert len(values) == len(descriptor_names())
    assert all(np.isfinite(v) for v in values.values())
    assert values["cycle__both_knee__range"] == pytest.approx(100, abs=12)
    assert values["cycle__both_knee__harmonic1"] == pytest.approx(50, abs=5)
    assert values["cycle__both_knee__harmonic1"] > 5 * values[f"cycle__both_knee__harmonic{HARMONICS}"]
    assert values["cycle__both_hip__both_knee__phase_cos"] > 0.9  # in phase
    assert abs(values["cycle__both_elbow__both_knee__phase_cos"]) < 0.3  # a quarter period apart
    assert abs(values["cycle__both_elbow__both_knee__phase_sin"]) > 0.9
    assert abs(values["cycle__both_knee__torso_tilt__phase_cos"]) < 0.5  # the still torso has (almost) no phase


def test_the_descriptors_do_not_depend_on_the_pace():
    slow, fast = (cycle_descriptor(*_reps(p, seconds=6 * p, noise_deg=0.0)) for p in (1.0, 3.0))
    names = descriptor_names()
    shape = [i for i, name in enumerate(names) if name not in ("cycle__period_s",)]
    # Within 10 %: the smoothing (cycles.SMOOTH_S) takes a few percent off a 1 s rep's amplitudes.
    np.testing.assert_allclose(slow[shape], fast[shape], rtol=0.10, atol=0.5)


def test_a_video_with_no_motion_has_no_period_and_no_movement():
    t = np.arange(0.0, 8.0, 1.0 / RATE)
    values = dict(zip(descriptor_names(), cycle_descriptor(t, np.full((len(t), len(CYCLE_ANGLES)), 100.0)),
                      strict=True))
    assert np.isnan(values.pop("cycle__period_s"))  # no period: not a number of seconds
    assert values["cycle__periodicity"] == 0.0
    assert all(v == 0.0 for v in values.values())  # no range, no harmonics, no phase


def test_too_few_frames_or_a_joint_never_seen_are_nan_not_an_error():
    assert np.isnan(cycle_descriptor(np.array([0.0, 0.1]), np.zeros((2, len(CYCLE_ANGLES))))).all()
    t, angles = _reps(2.0)
    angles[:, CYCLE_ANGLES.index("both_elbow")] = np.nan
    values = dict(zip(descriptor_names(), cycle_descriptor(t, angles), strict=True))
    assert np.isnan(values["cycle__both_elbow__range"]) and np.isnan(values["cycle__both_elbow__both_knee__phase_cos"])
    assert values["cycle__period_s"] == pytest.approx(2.0, rel=0.10)


def test_video_descriptors_read_side_free_angles_from_rows():
    t, angles = _reps(1.5)
    rows = pd.DataFrame({name: 90.0 for name in ANGLE_NAMES}, index=range(len(t)))
    for name, column in zip(("elbow", "shoulder", "hip", "knee"), angles.T[:4], strict=True):
        rows[f"left_{name}"] = column
        rows[f"right_{name}"] = np.nan  # one side hidden: the side-free angle is the seen side's
    rows["torso_tilt"] = angles[:, 4]
    rows["timestamp_ms"] = (t * 1000).astype(np.int64)
    rows["detected"] = True
    rows["video_id"] = "v"
    table = video_descriptors(rows.sample(frac=1.0, random_state=0))  # row order does not matter
    assert list(table.columns) == descriptor_names() and list(table.index) == ["v"]
    assert table.loc["v", "cycle__period_s"] == pytest.approx(1.5, rel=0.10)
    np.testing.assert_allclose(video_descriptor(rows), table.loc["v"].to_numpy())
