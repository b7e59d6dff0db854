"""A workout session: one long video split into sets of exercises, other movement and rest.

The forest scores every window (2.5 s, every 0.5 s). Deciding each window on
its own would split a set at every odd window, so the sequence of windows is
decoded as a whole: a Viterbi pass over the states (the five exercises,
`other` movement, `rest`) where staying costs nothing and switching costs
SWITCH_PENALTY in log-probability, so a new segment starts only where the
windows' evidence outweighs it. Rest is a window without a person, or with
one who barely moves (the main joints' ranges sum to under REST_MOTION_DEG).
Each exercise segment is then judged like a whole video, by the model's own
operating point on its median window probabilities (`fittrack.recognition.decision`),
and a set shorter than one window becomes `other`: too short to judge. A
set of a few seconds cannot pay the two changes of state, so inside
`other`, a stretch of at least one window that the rule accepts step by
step as one exercise becomes a set (SHORT_SETS). Reps are counted on the
segment's own frames (`fittrack.movement.reps`).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrack.labels import EXERCISES, OTHER, display_name
from fittrack.movement.reps import count_video_reps
from fittrack.recognition.decision import aggregate_windows, decide
from fittrack.recognition.features import WindowSpec
from fittrack.recognition.model_file import ExerciseModel

REST = "rest"
STATES: tuple[str, ...] = (*EXERCISES, OTHER, REST)
SWITCH_PENALTY = 6.0  # log-probability a change of state costs: about 12 consecutive odd windows at 0.6/0.4
REST_MOTION_DEG = 30.0
SHORT_SETS = True  # see _with_short_sets
SLOT_MODE = "centre"  # "centre": a step is the window centred on it; "cover": the mean of the windows covering it
_FLOOR = 1e-4  # no state is impossible: a probability of 0 would forbid a path outright
MOTION_FEATURES = tuple(f"both_{joint}__range" for joint in ("knee", "hip", "elbow", "shoulder"))


RECOGNISED = "model"  # an answer the model gave
NAMED_BY_PERSON = "person"  # an answer the person gave: chosen before, or a correction after


@dataclass(frozen=True)
class Segment:
    label: str  # one of EXERCISES, OTHER ("other movement") or REST ("rest / no person")
    start_s: float
    end_s: float
    reps: int = 0
    confidence: float = 0.0
    named_by: str = RECOGNISED

    @property
    def is_set(self) -> bool:
        return self.label in EXERCISES

    def to_dict(self) -> dict:
        return {"label": self.label, "start_s": round(self.start_s, 2), "end_s": round(self.end_s, 2),
                "reps": self.reps, "confidence": round(self.confidence, 4), "named_by": self.named_by}

    @classmethod
    def from_dict(cls, data: dict) -> Segment:
        return cls(str(data["label"]), float(data["start_s"]), float(data["end_s"]), int(data.get("reps", 0)),
                   float(data.get("confidence", 0.0)), str(data.get("named_by") or RECOGNISED))


def rows_within(rows: pd.DataFrame, start_s: float, end_s: float) -> pd.DataFrame:
    """The rows of [start_s, end_s): one set's frames."""
    ms = rows["timestamp_ms"]
    return rows[(ms >= start_s * 1000) & (ms < end_s * 1000)]


def segment_name(label: str) -> str:
    """What a person reads for a segment's label."""
    return {OTHER: "other movement", REST: "rest / no person"}.get(label) or display_name(label)


def set_at(segments: tuple[Segment, ...], seconds: float) -> tuple[int, Segment] | None:
    """(1-based number, segment) of the set running at `seconds`, or None between sets."""
    sets = [s for s in segments if s.is_set]
    for number, segment in enumerate(sets, start=1):
        if segment.start_s <= seconds < segment.end_s:
            return number, segment
    return None


def session_summary(segments: list[Segment]) -> dict:
    """Sets per exercise, reps in all, and seconds at work (sets) against the rest of the video."""
    sets = [s for s in segments if s.is_set]
    work = sum(s.end_s - s.start_s for s in sets)
    total = sum(s.end_s - s.start_s for s in segments)
    return {"sets": dict(sorted(Counter(s.label for s in sets).items())), "total_reps": sum(s.reps for s in sets),
            "work_s": round(work, 1), "rest_s": round(total - work, 1)}


def slot_probabilities(windows: pd.DataFrame, proba: pd.DataFrame, duration_ms: int, step_ms: int,
                       length_ms: int | None = None) -> pd.DataFrame:
    """One row per step of the video with a probability per state.

    With `length_ms` (centre mode) a step is the window centred on it, so a
    boundary is placed to within a step; without, a step is the mean of the
    windows that cover it (smoother, but it smears a boundary over a window's
    length). A step no window gives (no person in view) is rest.
    """
    slots = np.arange(0, max(duration_ms, step_ms), step_ms)
    summed = np.zeros((len(slots), len(STATES)))
    covering = np.zeros(len(slots))
    if len(windows):
        scored = proba.reindex(columns=[*EXERCISES, OTHER], fill_value=0.0).to_numpy(np.float64)
        motion = windows.reindex(columns=list(MOTION_FEATURES)).fillna(0.0).sum(axis=1).to_numpy()
        still = motion < REST_MOTION_DEG
        per_window = np.zeros((len(windows), len(STATES)))
        per_window[:, : len(EXERCISES) + 1] = scored
        per_window[still, len(EXERCISES) + 1] = per_window[still, len(EXERCISES)]  # a still person's `other`
        per_window[still, len(EXERCISES)] = 0.0  # ... is rest
        starts, ends = windows["start_ms"].to_numpy(), windows["end_ms"].to_numpy()
        if length_ms:
            centres = np.clip((starts + ends) // 2 // step_ms, 0, len(slots) - 1)
            first, last = centres, centres + 1
        else:
            first, last = starts // step_ms, np.minimum(ends // step_ms, len(slots))
        for row, (a, b) in enumerate(zip(first, last, strict=True)):
            summed[a:b] += per_window[row]
            covering[a:b] += 1
        if length_ms:  # the half window before the first centre and after the last: as those windows say
            seen, half = np.flatnonzero(covering), math.ceil(length_ms / 2 / step_ms)
            before = slice(max(0, seen[0] - half), seen[0])
            after = slice(seen[-1] + 1, seen[-1] + 1 + half)
            summed[before], covering[before] = summed[seen[0]], covering[seen[0]]
            summed[after], covering[after] = summed[seen[-1]], covering[seen[-1]]
    table = pd.DataFrame(summed / np.maximum(covering, 1)[:, None], columns=list(STATES))
    table.loc[covering == 0, REST] = 1.0
    table.insert(0, "time_s", slots / 1000.0)
    return table


def viterbi(probabilities: np.ndarray, switch_penalty: float | None = None) -> np.ndarray:
    """The most likely state per step, when every change of state costs `switch_penalty` (default:
    SWITCH_PENALTY as it is when called)."""
    switch_penalty = SWITCH_PENALTY if switch_penalty is None else switch_penalty
    emissions = np.log(np.maximum(probabilities, _FLOOR))
    steps, states = emissions.shape
    score = emissions[0].copy()
    back = np.zeros((steps, states), dtype=np.int64)
    for t in range(1, steps):
        best_other = np.argmax(score)
        switch = score[best_other] - switch_penalty
        stay_better = score >= switch
        back[t] = np.where(stay_better, np.arange(states), best_other)
        score = np.where(stay_better, score, switch) + emissions[t]
    path = np.empty(steps, dtype=np.int64)
    path[-1] = int(np.argmax(score))
    for t in range(steps - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def _runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """(label, first index, last index + 1) of each run of equal labels."""
    runs: list[tuple[str, int, int]] = []
    for i, label in enumerate(labels):
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1], i + 1)
        else:
            runs.append((label, i, i + 1))
    return runs


def _with_short_sets(labels: list[str], slots: pd.DataFrame, model: ExerciseModel) -> list[str]:
    """Inside `other` movement, a stretch of at least one window's length in which every step on its own
    is accepted by the model's rule as one exercise becomes a set of it. A set of a few seconds carries too
    little evidence to pay the Viterbi pass's two changes of state (in and out), yet the rule, which keeps
    look-alikes out of whole videos, accepts each of its steps."""
    per_step = list(decide(slots[[*EXERCISES, OTHER]], model.point))
    shortest = math.ceil(model.window.length_ms / model.window.step_ms)
    labels = list(labels)
    for label, first, last in _runs(labels):
        if label != OTHER:
            continue
        for exercise, a, b in _runs(per_step[first:last]):
            if exercise in EXERCISES and b - a >= shortest:
                labels[first + a: first + b] = [exercise] * (b - a)
    return labels


def segment_rows(model: ExerciseModel | None, rows: pd.DataFrame, windows: pd.DataFrame,
                 proba: pd.DataFrame, exercise: str | None = None) -> list[Segment]:
    """The session log of one video: its windows and their probabilities, decoded and judged.

    With `exercise` (the person named it) the log is sets of that exercise
    separated by rest: movement is not judged, only told apart from rest, so
    `model` may be None (then `proba` is all `other`: moving or still).
    """
    window = model.window if model is not None else WindowSpec()
    step_ms = window.step_ms
    duration_ms = int(rows["timestamp_ms"].max()) + 1 if len(rows) else 0
    slots = slot_probabilities(windows, proba, duration_ms, step_ms,
                               window.length_ms if SLOT_MODE == "centre" else None)
    path = viterbi(slots[list(STATES)].to_numpy())
    labels = [STATES[i] for i in path]
    if exercise is not None:
        return _segments([exercise if label != REST else REST for label in labels], slots, rows, step_ms,
                         duration_ms, named=True)
    assert model is not None, "recognising the sets needs a model"
    for label, first, last in _runs(labels):  # judge each exercise run as a whole video would be
        if label not in EXERCISES:
            continue
        held = slots.iloc[first:last][[*EXERCISES, OTHER]]
        decided = decide(aggregate_windows(held).to_frame().T, model.point).iloc[0]
        if decided != label or (last - first) * step_ms < model.window.length_ms:
            labels[first:last] = [OTHER] * (last - first)
    if SHORT_SETS:
        labels = _with_short_sets(labels, slots, model)
    return _segments(labels, slots, rows, step_ms, duration_ms)


def _segments(labels: list[str], slots: pd.DataFrame, rows: pd.DataFrame, step_ms: int, duration_ms: int,
              named: bool = False) -> list[Segment]:
    """One Segment per run of equal labels, with its reps; `named`: the exercise is the person's, so a
    set's confidence is theirs (1.0), not a probability."""
    segments = []
    for label, first, last in _runs(labels):
        start_s, end_s = first * step_ms / 1000.0, min(last * step_ms, duration_ms) / 1000.0
        held = slots.iloc[first:last]
        confidence = 1.0 if named and label in EXERCISES else float(held[label].median())
        reps = 0
        if label in EXERCISES:
            inside = rows_within(rows, start_s, end_s)
            reps = count_video_reps(inside, label).count if len(inside) else 0
        segments.append(Segment(label, start_s, end_s, reps, confidence,
                                NAMED_BY_PERSON if named and label in EXERCISES else RECOGNISED))
    return segments
