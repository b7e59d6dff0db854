"""fittrack.form: each cue on synthetic angle sequences: a rep that meets it, one that does not, one unseen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fittrack.angles import ANGLE_NAMES
from fittrack.form import CUE_RULES, FAULT, NOT_VISIBLE, OK, rep_cues, set_summary


def _rep(series: dict[str, np.ndarray], frames: int = 20) -> pd.DataFrame:
    """One 2 s rep at 10 frames/s: every angle 150 except the given left/right (or unpaired) series."""
    rows = pd.DataFrame({name: np.full(frames, 150.0) for name in ANGLE_NAMES})
    for name, values in series.items():
        targets = [name] if name in ANGLE_NAMES else [f"left_{name}", f"right_{name}"]
        for target in targets:
            rows[target] = values
    rows["timestamp_ms"] = np.arange(frames) * 100
    return rows


def _dip(top: float, bottom: float, frames: int = 20) -> np.ndarray:
    return top + (bottom - top) * np.sin(np.linspace(0, np.pi, frames))


# (exercise, cue, series, a sequence that is fine, one that is a fault)
CASES = [
    ("squat", "depth", "thigh_tilt", _dip(5, 95), _dip(5, 55)),
    ("deadlift", "lockout", "hip", _dip(70, 175), _dip(70, 150)),
    ("push_up", "full_range", "elbow", _dip(170, 85), _dip(170, 125)),
    ("push_up", "hip_line", "hip", _dip(175, 168), _dip(175, 140)),
    ("pull_up", "extension", "elbow", _dip(60, 165), _dip(60, 120)),
    ("hammer_curl", "elbow_drift", "upper_arm_tilt", _dip(5, 20), _dip(5, 55)),
    ("hammer_curl", "swing", "torso_tilt", _dip(3, 8), _dip(3, 25)),
]


@pytest.mark.parametrize(("exercise", "cue", "series", "fine", "faulty"), CASES)
def test_each_cue_tells_a_good_rep_from_a_faulty_one_and_says_when_it_cannot_see(exercise, cue, series, fine,
                                                                                    faulty):
    def verdict(values: np.ndarray) -> str:
        cues = {c.cue: c for c in rep_cues(_rep({series: values}), exercise, (0.0, 2.0))}
        return cues[cue].verdict

    assert verdict(fine) == OK
    assert verdict(faulty) == FAULT
    assert verdict(np.full(20, np.nan)) == NOT_VISIBLE, "a hidden joint is not a guess"


def test_every_cue_has_a_test_a_reason_and_a_source():
    assert {(e, c) for e, c, *_ in CASES} == {(r.exercise, r.cue) for r in CUE_RULES}
    assert all(r.reason and r.source and r.ok_when in ("<=", ">=") for r in CUE_RULES)


def test_the_set_summary_counts_faults_over_the_reps_that_could_be_judged():
    reps = [rep_cues(_rep({"thigh_tilt": values}), "squat", (0.0, 2.0))
            for values in (_dip(5, 95), _dip(5, 50), _dip(5, 60), np.full(20, np.nan))]
    assert set_summary("squat", reps) == ["depth: 2 of 3 reps above depth (1 not visible) [experimental]"]
