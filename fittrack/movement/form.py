"""Form cues per rep: range of motion and the common faults of each exercise, from the rep's own angles.

Every cue is a measure over the frames of one rep (`fittrack.movement.reps` gives the
spans) compared with one threshold in CUE_RULES, where each threshold has its
reason and a public source. A cue whose angles were not seen in the rep
(the angle is NaN where its landmarks were not visible enough at extraction)
is `not_visible`, never a guess. Each cue carries its agreement with reps
judged by eye (benchmarks/form_labels.csv, measured by
benchmarks/form_agreement.py and copied into MEASURED); a cue is shown as
experimental, with that figure, until it meets AGREEMENT_BAR and
FALSE_FAULT_BAR on at least MIN_JUDGED_REPS labelled reps, one of them a
fault by eye (CueAgreement.meets_bar).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fittrack.movement.form_series import DERIVED_SERIES, has_image_landmarks
from fittrack.movement.reps import MOVEMENTS
from fittrack.recognition.features import WINDOW_ANGLES as SIDE_FREE
from fittrack.recognition.features import side_free_angles

OK, FAULT, NOT_VISIBLE = "ok", "fault", "not_visible"
MIN_SEEN_FRAMES = 3  # fewer frames with the angle seen in a rep: not visible


@dataclass(frozen=True)
class CueRule:
    """One cue: which exercise, what is measured (a rep's minimum or maximum or range of a series),
    the threshold and on which side of it the rep is fine, and why."""

    cue: str
    exercise: str
    series: str  # a side-free angle or tilt (fittrack.recognition.features.WINDOW_ANGLES) or a DERIVED_SERIES name
    measure: str  # "min", "max" or "range" over the rep's frames, or "early_pull_rise" (see _early_pull_rise)
    threshold: float
    ok_when: str  # "<=" or ">="
    fault_text: str  # the set summary: "7 of 10 reps <fault_text>"
    reason: str
    source: str

    @property
    def agreement(self) -> CueAgreement | None:
        return MEASURED.get(self.cue)

    @property
    def experimental(self) -> bool:
        """Until the cue agrees with enough reps judged by eye (AGREEMENT_BAR)."""
        return self.agreement is None or not self.agreement.meets_bar


CUE_RULES: tuple[CueRule, ...] = (
    CueRule("depth", "squat", "both_thigh_tilt", "max", 80.0, ">=", "above depth",
            "the thigh at the bottom within 10 degrees of parallel: the hip joint landmark sits above the hip "
            "crease, so a crease at the knee's height reads a little short of 90",
            "IPF Technical Rules of Competition, squat: the top surface of the legs at the hip joint lower "
            "than the top of the knees"),
    CueRule("knees_in", "squat", "knee_gap_ratio", "min", 0.8, ">=", "with the knees caving in",
            "seen from the front, the knees stay over the feet: their gap may narrow to 80% of the ankles' "
            "gap (landmark noise and a narrow stance) but not further; from the side it cannot be seen",
            "NSCA Essentials of Strength Training and Conditioning (4th ed.), back squat: knees aligned over "
            "the feet, no valgus"),
    CueRule("lockout", "deadlift", "both_hip", "max", 165.0, ">=", "without a full lockout",
            "at the top the hips are extended (the shoulder-hip-knee line straight within 15 degrees)",
            "IPF Technical Rules of Competition, deadlift: knees locked straight and shoulders back"),
    CueRule("hips_first", "deadlift", "torso_tilt", "early_pull_rise", 10.0, "<=", "with the hips rising first",
            "in the first third of the pull the back angle holds: the torso tilts no more than 10 degrees "
            "further towards the floor, which it does when the hips rise before the shoulders",
            "NSCA Essentials of Strength Training and Conditioning (4th ed.), deadlift: the hips and shoulders "
            "rise at the same rate with the back angle constant until the bar passes the knees"),
    CueRule("full_range", "push_up", "both_elbow", "min", 100.0, "<=", "short of full range",
            "at the bottom the elbows bend to 90 degrees (10 degrees of landmark noise allowed)",
            "ACSM's Guidelines for Exercise Testing and Prescription, push-up test: the chest to a fist's "
            "height from the floor, elbows at about 90 degrees"),
    CueRule("hip_line", "push_up", "both_hip", "min", 160.0, ">=", "with sagging or piked hips",
            "shoulders, hips and knees in one line through the rep: the hip angle stays above 160 degrees",
            "ACSM's Guidelines for Exercise Testing and Prescription, push-up test: the back straight"),
    CueRule("extension", "pull_up", "both_elbow", "max", 150.0, ">=", "without full extension at the bottom",
            "each rep starts from a hang with the arms straight (within 30 degrees)",
            "US Marine Corps Physical Fitness Test (MCO 6100.13A), pull-up: arms fully extended at the bottom"),
    CueRule("chin_over_bar", "pull_up", "mouth_over_wrists", "max", 0.0, ">=", "with the chin below the bar",
            "at the top the mouth reaches the height of the wrists: the chin sits a little below the mouth "
            "and the bar a little above the wrists, and the two offsets roughly cancel",
            "US Marine Corps Physical Fitness Test (MCO 6100.13A), pull-up: the chin above the bar"),
    CueRule("elbow_drift", "hammer_curl", "both_upper_arm_tilt", "max", 30.0, "<=", "with the elbow drifting",
            "the upper arm stays by the side: it tilts forward less than 30 degrees from hanging",
            "NSCA Exercise Technique Manual for Resistance Training, biceps curl: upper arms stay against the torso"),
    CueRule("swing", "hammer_curl", "torso_tilt", "range", 10.0, "<=", "with a body swing",
            "the torso moves less than 10 degrees during the rep: no momentum from the hips",
            "NSCA Exercise Technique Manual for Resistance Training, biceps curl: no swinging of the torso"),
)


MIN_JUDGED_REPS = 10
AGREEMENT_BAR = 0.85  # at least this share of the judged labelled reps called as by eye
FALSE_FAULT_BAR = 0.10  # at most this share of the reps judged fine by eye called a fault


@dataclass(frozen=True)
class CueAgreement:
    """How one cue's verdicts compare with reps labelled by eye. Agreement and false faults are over the reps
    the cue could judge; the reps it called not visible are counted apart, so a cue cannot look good by
    hiding."""

    labelled: int  # reps with a call by eye
    not_visible: int  # of those, reps the cue could not judge
    agreed: int  # judged reps whose verdict is the call by eye
    judged_ok: int  # judged reps the eye called ok
    false_faults: int  # of those, reps the cue called a fault

    @property
    def judged(self) -> int:
        return self.labelled - self.not_visible

    @property
    def rate(self) -> float | None:
        return self.agreed / self.judged if self.judged else None

    @property
    def false_fault_rate(self) -> float | None:
        return self.false_faults / self.judged_ok if self.judged_ok else None

    @property
    def meets_bar(self) -> bool:
        """The issue's bar, and one fault by eye at least: a cue never seen to catch a fault is not trusted
        to catch one, however well it agrees on fine reps."""
        return (self.judged >= MIN_JUDGED_REPS and (self.rate or 0.0) >= AGREEMENT_BAR
                and (self.false_fault_rate or 0.0) <= FALSE_FAULT_BAR and self.judged > self.judged_ok)


def measure_agreement(calls: Iterable[tuple[str, str]]) -> CueAgreement:
    """(call by eye, cue verdict) pairs of one cue -> its agreement; calls are OK or FAULT."""
    pairs = list(calls)
    judged = [(eye, verdict) for eye, verdict in pairs if verdict != NOT_VISIBLE]
    return CueAgreement(labelled=len(pairs), not_visible=len(pairs) - len(judged),
                        agreed=sum(eye == verdict for eye, verdict in judged),
                        judged_ok=sum(eye == OK for eye, _ in judged),
                        false_faults=sum(eye == OK and verdict == FAULT for eye, verdict in judged))


# `python benchmarks/form_agreement.py` on the 232 labelled reps of benchmarks/form_labels.csv (2026-12-03,
# rows of the 159 shared videos; docs/accuracy.md). Labelled, not visible, agreed, judged ok, false faults.
MEASURED: dict[str, CueAgreement] = {
    "depth": CueAgreement(18, 0, 14, 13, 4),
    "knees_in": CueAgreement(19, 0, 15, 16, 1),
    "lockout": CueAgreement(51, 0, 44, 51, 7),
    "hips_first": CueAgreement(11, 0, 11, 11, 0),
    "full_range": CueAgreement(20, 0, 18, 19, 2),
    "hip_line": CueAgreement(11, 0, 10, 11, 1),
    "extension": CueAgreement(25, 0, 10, 25, 15),
    "chin_over_bar": CueAgreement(11, 0, 8, 7, 0),
    "elbow_drift": CueAgreement(27, 0, 21, 27, 6),
    "swing": CueAgreement(39, 0, 31, 35, 8),
}


@dataclass(frozen=True)
class RepCue:
    cue: str
    verdict: str  # ok, fault, not_visible
    value: float | None
    threshold: float

    def to_dict(self) -> dict:
        rule = RULE_OF[self.cue]
        rate = rule.agreement.rate if rule.agreement else None
        return {"cue": self.cue, "verdict": self.verdict,
                "value": None if self.value is None else round(self.value, 1), "threshold": self.threshold,
                "experimental": rule.experimental, "agreement": None if rate is None else round(rate, 2)}


def _measure(values: np.ndarray, how: str) -> float | None:
    seen = values[np.isfinite(values)]
    if len(seen) < MIN_SEEN_FRAMES:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        measures: dict[str, Callable[[np.ndarray], float]] = {
            "min": np.min, "max": np.max, "range": lambda v: float(np.max(v) - np.min(v))}
        return float(measures[how](seen))


def _early_pull_rise(torso_tilt: np.ndarray, hip: np.ndarray, times: np.ndarray) -> float | None:
    """The most the torso tilts further during the first third of the pull (bottom: the rep's smallest
    movement angle, the deadlift's hip, before its largest; top: that largest). Positive when the hips rise
    before the shoulders."""
    seen = np.isfinite(torso_tilt) & np.isfinite(hip)
    if seen.sum() < MIN_SEEN_FRAMES:
        return None
    tilt, hip, times = torso_tilt[seen], hip[seen], times[seen]
    top = int(np.argmax(hip))
    bottom = int(np.argmin(hip[: top + 1]))
    if top - bottom < 2:
        return None  # no pull from a bottom inside this rep
    third = bottom + int(np.argmin(np.abs(times[bottom: top + 1] - (times[bottom] + (times[top] - times[bottom]) / 3))))
    return float(np.max(tilt[bottom: third + 1]) - tilt[bottom])


def _series(rows: pd.DataFrame, name: str, side_free: np.ndarray) -> np.ndarray:
    if name not in DERIVED_SERIES:
        return side_free[:, SIDE_FREE.index(name)]
    return DERIVED_SERIES[name](rows) if has_image_landmarks(rows) else np.full(len(rows), np.nan)


def rep_cues(rows: pd.DataFrame, exercise: str, span: tuple[float, float]) -> list[RepCue]:
    """The cues of one rep of `exercise` (its rows' times between span[0] and span[1] seconds)."""
    times = rows["timestamp_ms"].to_numpy(np.float64) / 1000.0
    inside = (times >= span[0]) & (times <= span[1])
    rep_rows = rows[inside]
    side_free = side_free_angles(rep_rows)
    cues = []
    for rule in rules_of(exercise):
        values = _series(rep_rows, rule.series, side_free)
        if rule.measure == "early_pull_rise":
            movement_angle = _series(rep_rows, MOVEMENTS[exercise].angle, side_free)
            value = _early_pull_rise(values, movement_angle, times[inside])
        else:
            value = _measure(values, rule.measure)
        if value is None:
            cues.append(RepCue(rule.cue, NOT_VISIBLE, None, rule.threshold))
            continue
        fine = value <= rule.threshold if rule.ok_when == "<=" else value >= rule.threshold
        cues.append(RepCue(rule.cue, OK if fine else FAULT, value, rule.threshold))
    return cues


def set_summary(exercise: str, per_rep: list[list[RepCue]]) -> list[str]:
    """One sentence per cue: "7 of 10 reps above depth", or why it could not be judged."""
    sentences = []
    for rule in rules_of(exercise):
        verdicts = [cue.verdict for cues in per_rep for cue in cues if cue.cue == rule.cue]
        judged = [v for v in verdicts if v != NOT_VISIBLE]
        if not judged:
            sentences.append(f"{rule.cue}: not visible in any rep")
            continue
        faults = judged.count(FAULT)
        hidden = f" ({len(verdicts) - len(judged)} not visible)" if len(judged) < len(verdicts) else ""
        sentences.append(f"{rule.cue}: {faults} of {len(judged)} reps {rule.fault_text}{hidden}"
                         + (f" [{trust_note(rule)}]" if rule.experimental else ""))
    return sentences


def trust_note(rule: CueRule) -> str:
    """Why a person should not take an experimental cue at its word: "experimental: agreed with 8 of 12 reps
    judged by eye"."""
    agreement = rule.agreement
    if agreement is None or not agreement.judged:
        return "experimental: not yet checked against reps judged by eye"
    return f"experimental: agreed with {agreement.agreed} of {agreement.judged} reps judged by eye"


def rules_of(exercise: str) -> list[CueRule]:
    return [rule for rule in CUE_RULES if rule.exercise == exercise]


RULE_OF: dict[str, CueRule] = {rule.cue: rule for rule in CUE_RULES}
