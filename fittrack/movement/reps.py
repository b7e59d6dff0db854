"""Counting repetitions and marking movement phases from one video's joint angles.

Each exercise has one angle that carries its movement and a side of that
angle where the work happens: the knee closes in a squat, the hip opens at
a deadlift's lockout, the elbow closes in a push-up, pull-up and curl. The
angle is filled across frames where it was not seen (so a hidden joint can
neither make nor break a rep), smoothed, and read with two thresholds set
from the video's own range (hysteresis): a rep counts when the angle enters
the working zone coming from the rest zone. Jitter, half reps that stop
short of the working zone, and pauses therefore count nothing.

A clip that starts in the working zone does not count that first visit (the
rep began before the clip); one that starts between the zones does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrack.labels import EXERCISES


@dataclass(frozen=True)
class Movement:
    """How to read one exercise: the angle, which way is work, and the names of the two phases."""

    angle: str  # a side-free angle, or "elbow_per_arm" (each arm on its own: curls may alternate)
    work_is_low: bool
    away: str  # phase while moving from rest towards the working end
    back: str  # phase while returning


MOVEMENTS: dict[str, Movement] = {
    "squat": Movement("both_knee", True, "down", "up"),
    "deadlift": Movement("both_hip", False, "up", "down"),
    "push_up": Movement("both_elbow", True, "down", "up"),
    "pull_up": Movement("both_elbow", True, "up", "down"),
    "hammer_curl": Movement("elbow_per_arm", True, "up", "down"),
}
assert set(MOVEMENTS) == set(EXERCISES)

ENTER_WORK = 0.35  # share of the video's angle range from the working end: entering the working zone
BACK_TO_REST = 0.65  # ... and leaving it again (hysteresis)
MIN_RANGE_DEG = 20.0  # a smaller swing is not a movement
MIN_REP_S = 0.5  # two reps closer than this are one
SMOOTH_S = 0.3
REST = "rest"


@dataclass(frozen=True)
class RepCount:
    exercise: str
    count: int
    reps: list[tuple[float, float]]  # (start s, end s) of each rep: leaving rest .. back at rest
    phases: np.ndarray  # one label per row, in the order of the rows given: rest / away / back
    at_work_s: list[float]  # when each rep reached its working end (what a live counter shows)

    def count_at(self, seconds: float) -> int:
        return int(np.searchsorted(np.asarray(self.at_work_s), seconds, side="right"))

    def summary(self, cues: tuple[tuple[dict, ...], ...] = (), form: tuple[str, ...] = ()) -> RepSummary:
        return RepSummary(self.exercise, self.count, tuple((round(a, 2), round(b, 2)) for a, b in self.reps),
                          cues, form)


@dataclass(frozen=True)
class RepSummary:
    """The reps as stored and shown: how many, and when each began and ended (seconds)."""

    exercise: str
    count: int
    spans: tuple[tuple[float, float], ...]
    cues: tuple[tuple[dict, ...], ...] = ()  # per rep: fittrack.movement.form.RepCue.to_dict() of each cue
    form: tuple[str, ...] = ()  # the set's cue summary, one sentence per cue

    def to_dict(self) -> dict:
        reps: list[dict[str, object]] = [{"start_s": a, "end_s": b} for a, b in self.spans]
        for rep, cues in zip(reps, self.cues, strict=False):
            rep["cues"] = list(cues)
        return {"exercise": self.exercise, "count": self.count, "reps": reps, "form": list(self.form)}

    @classmethod
    def from_dict(cls, data: dict) -> RepSummary:
        reps = data.get("reps", [])
        return cls(str(data["exercise"]), int(data["count"]),
                   tuple((float(r["start_s"]), float(r["end_s"])) for r in reps),
                   tuple(tuple(r.get("cues", [])) for r in reps) if any("cues" in r for r in reps) else (),
                   tuple(data.get("form", [])))


def movement_signal(rows: pd.DataFrame, movement: Movement) -> np.ndarray:
    """The movement's angle per row (NaN where it was not seen)."""
    from fittrack.recognition.features import WINDOW_ANGLES, side_free_angles

    return side_free_angles(rows)[:, WINDOW_ANGLES.index(movement.angle)]


def fill_and_smooth(times_s: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Gaps filled linearly in time (edges held), then a centred moving average of SMOOTH_S."""
    seen = np.isfinite(values)
    if not seen.any():
        return values
    filled = np.interp(times_s, times_s[seen], values[seen])
    step = np.median(np.diff(times_s)) if len(times_s) > 1 else 1.0
    width = max(1, round(SMOOTH_S / step) | 1)
    if width == 1 or len(filled) < width:
        return filled
    padded = np.pad(filled, width // 2, mode="edge")
    return np.convolve(padded, np.ones(width) / width, mode="valid")


def count_reps(times_s: np.ndarray, angle: np.ndarray, movement: Movement, exercise: str = "") -> RepCount:
    """Reps and phases of one angle series (times in seconds, ascending)."""
    phases = np.full(len(angle), REST, dtype=object)
    signal = fill_and_smooth(times_s, angle)
    if not np.isfinite(signal).any():
        return RepCount(exercise, 0, [], phases, [])
    low, high = np.percentile(signal, [5, 95])
    if high - low < MIN_RANGE_DEG:
        return RepCount(exercise, 0, [], phases, [])
    # Work as "distance from the working end" in [0, 1]: 0 = fully at work.
    distance = (signal - low) / (high - low) if movement.work_is_low else (high - signal) / (high - low)
    state = "work" if distance[0] <= ENTER_WORK else "rest"
    left_rest_at = times_s[0]
    at_work: list[float] = []
    reps: list[tuple[float, float | None]] = []  # (start, end); end None while the rep is under way
    for t, d in zip(times_s, distance, strict=True):
        if state == "rest":
            if d > BACK_TO_REST:
                left_rest_at = t
            elif d <= ENTER_WORK:
                state = "work"
                if not at_work or t - at_work[-1] >= MIN_REP_S:
                    at_work.append(t)
                    reps.append((left_rest_at, None))
        elif d > BACK_TO_REST:
            state, left_rest_at = "rest", t
            if reps and reps[-1][1] is None:
                reps[-1] = (reps[-1][0], t)
    velocity = np.gradient(signal, times_s) if len(signal) > 1 else np.zeros(len(signal))
    towards_work = velocity < 0 if movement.work_is_low else velocity > 0
    for start, end in ((a, times_s[-1] if b is None else b) for a, b in reps):
        inside = (times_s >= start) & (times_s <= end)
        phases[inside] = np.where(towards_work[inside], movement.away, movement.back)
    spans = [(float(a), float(times_s[-1] if b is None else b)) for a, b in reps]
    return RepCount(exercise, len(at_work), spans, phases, [float(t) for t in at_work])


MIN_SEEN_SHARE = 0.2  # an arm seen in fewer frames than this is not counted on its own
TOGETHER_CORRELATION = 0.3  # arms whose elbows move more alike than this curl together


def _per_arm(times_s: np.ndarray, rows: pd.DataFrame, movement: Movement, exercise: str) -> RepCount:
    """Curls: both arms together count once; alternating arms count every curl of either arm."""
    arms = {side: rows[f"{side}_elbow"].to_numpy(np.float64) for side in ("left", "right")}
    seen = {side: np.isfinite(values).mean() for side, values in arms.items()}
    counts = {side: count_reps(times_s, values, movement, exercise) for side, values in arms.items()}
    both = [side for side in arms if seen[side] >= MIN_SEEN_SHARE and counts[side].count]
    if len(both) == 2:
        left, right = (fill_and_smooth(times_s, arms[side]) for side in ("left", "right"))
        if np.std(left) > 0 and np.std(right) > 0 and np.corrcoef(left, right)[0, 1] < TOGETHER_CORRELATION:
            merged = sorted(counts["left"].at_work_s + counts["right"].at_work_s)
            phases = np.where(counts["left"].phases != REST, counts["left"].phases, counts["right"].phases)
            return RepCount(exercise, len(merged), sorted(counts["left"].reps + counts["right"].reps), phases,
                            merged)
    best = max(arms, key=lambda side: (seen[side] >= MIN_SEEN_SHARE, counts[side].count, seen[side]))
    return counts[best]


def count_video_reps(rows: pd.DataFrame, exercise: str) -> RepCount:
    """Reps of `exercise` in one video's rows; phases follow the rows' order."""
    movement = MOVEMENTS[exercise]
    order = np.argsort(rows["timestamp_ms"].to_numpy(), kind="stable")
    ordered = rows.iloc[order]
    times_s = ordered["timestamp_ms"].to_numpy(np.float64) / 1000.0
    if movement.angle == "elbow_per_arm":
        result = _per_arm(times_s, ordered, movement, exercise)
    else:
        result = count_reps(times_s, movement_signal(ordered, movement), movement, exercise)
    phases = np.empty(len(rows), dtype=object)
    phases[order] = result.phases
    return RepCount(exercise, result.count, result.reps, phases, result.at_work_s)
