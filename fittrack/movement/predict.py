"""Predicting the exercise of one video's rows with a trained model."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fittrack.errors import BadInputError
from fittrack.labels import EXERCISES, OTHER, display_name
from fittrack.movement.form import RepCue, rep_cues, set_summary
from fittrack.movement.reps import RepCount, RepSummary, count_video_reps
from fittrack.movement.sessions import NAMED_BY_PERSON, RECOGNISED, Segment, segment_rows, session_summary
from fittrack.recognition.decision import aggregate_windows, decide, uncertain
from fittrack.recognition.features import WindowSpec, video_windows
from fittrack.recognition.model_file import ExerciseModel


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    probabilities: dict[str, float]
    timeline: pd.DataFrame  # start_ms, end_ms, one column per class, label
    reps: RepCount | None = None  # of the predicted exercise; None for "not one of these"
    segments: tuple[Segment, ...] = ()  # the session log: sets, other movement, rest (fittrack.movement.sessions)
    cues: tuple[tuple[RepCue, ...], ...] = ()  # per rep of `reps`: its form cues (fittrack.movement.form)
    uncertain: bool = False  # near the door: a neighbouring operating point would answer otherwise
    named_by: str = RECOGNISED  # RECOGNISED, or NAMED_BY_PERSON when the person said which exercise it is

    @property
    def display(self) -> str:
        return display_name(self.label)

    def form_sentences(self) -> tuple[str, ...]:
        """The set's form cues, one sentence per cue (fittrack.movement.form.set_summary)."""
        return tuple(set_summary(self.label, [list(cues) for cues in self.cues])) if self.reps else ()

    def summary(self) -> PredictionSummary:
        return PredictionSummary(
            label=self.label, confidence=round(self.confidence, 4),
            probabilities={k: round(float(v), 4) for k, v in self.probabilities.items()},
            timeline=self.timeline.round(4).to_dict(orient="records"),
            reps=self.reps.summary(tuple(tuple(c.to_dict() for c in cues) for cues in self.cues),
                                   self.form_sentences())
            if self.reps else None, segments=self.segments, uncertain=self.uncertain, named_by=self.named_by)


@dataclass(frozen=True)
class PredictionSummary:
    """A prediction as it crosses a boundary (`predict --json`, a job's result): plain values only."""

    label: str
    confidence: float
    probabilities: dict[str, float]
    timeline: list[dict]  # one record per window: start_ms, end_ms, one probability per class, label
    reps: RepSummary | None = None
    segments: tuple[Segment, ...] = ()
    uncertain: bool = False
    named_by: str = RECOGNISED

    @property
    def display(self) -> str:
        return display_name(self.label)

    def timeline_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.timeline)

    def to_dict(self) -> dict:
        return {"label": self.label, "display": self.display, "confidence": self.confidence,
                "uncertain": self.uncertain, "named_by": self.named_by,
                "probabilities": self.probabilities, "timeline": self.timeline,
                "reps": self.reps.to_dict() if self.reps else None,
                "segments": [segment.to_dict() for segment in self.segments],
                "summary": session_summary(list(self.segments))}

    @classmethod
    def from_dict(cls, data: dict) -> PredictionSummary:
        return cls(label=str(data["label"]), confidence=float(data["confidence"]),
                   probabilities={str(k): float(v) for k, v in data["probabilities"].items()},
                   timeline=list(data.get("timeline") or []),
                   reps=RepSummary.from_dict(data["reps"]) if data.get("reps") else None,
                   segments=tuple(Segment.from_dict(d) for d in data.get("segments") or []),
                   uncertain=bool(data.get("uncertain", False)),
                   named_by=str(data.get("named_by") or RECOGNISED))


def predict_rows(model: ExerciseModel | None, rows: pd.DataFrame, exercise: str | None = None) -> Prediction:
    """Median window probabilities over the video, then the model's rejection rule.

    With `exercise` (one of EXERCISES, the person's choice) recognition is
    skipped: reps, form cues and the sets follow that exercise, and `model`
    (None when none is trained) only supplies the timeline's probabilities.
    """
    if exercise is not None:
        return _named_by_person(model, rows, exercise)
    if model is None:
        raise ValueError("recognising the exercise needs a model; name the exercise or train one")
    windows = video_windows(rows, model.window)
    classes = list(model.classes)
    if windows.empty:
        empty = pd.DataFrame(columns=["start_ms", "end_ms", *classes, "label"])
        segments = tuple(segment_rows(model, rows, windows, pd.DataFrame(columns=classes)))  # all rest
        return Prediction(OTHER, 0.0, dict.fromkeys(classes, 0.0), empty, None, segments)
    proba = pd.DataFrame(model.forest.predict_proba(windows[model.feature_names]), columns=classes)
    timeline = pd.concat([windows[["start_ms", "end_ms"]].reset_index(drop=True), proba], axis=1)
    timeline["label"] = decide(proba, model.point).to_numpy()
    video = aggregate_windows(proba)
    label = decide(video.to_frame().T, model.point).iloc[0]
    near_door = bool(uncertain(video.to_frame().T, model.point).iloc[0])
    exercises = video.drop(OTHER, errors="ignore")
    confidence = float(1.0 - exercises.max()) if label == OTHER else float(video[label])
    reps = None if label == OTHER else count_video_reps(rows, label)
    segments = tuple(segment_rows(model, rows, windows, proba))
    cues = tuple(tuple(rep_cues(rows, label, span)) for span in reps.reps) if reps else ()
    return Prediction(label, confidence, video.to_dict(), timeline, reps, segments, cues, near_door)


def _named_by_person(model: ExerciseModel | None, rows: pd.DataFrame, exercise: str) -> Prediction:
    """The person's exercise: reps, cues and sets of it; probabilities only where a model can give them."""
    if exercise not in EXERCISES:
        raise BadInputError(exercise, "is not an exercise fittrack counts", f"name one of: {', '.join(EXERCISES)}")
    windows = video_windows(rows, model.window if model is not None else WindowSpec())
    if model is not None and not windows.empty:
        classes = list(model.classes)
        proba = pd.DataFrame(model.forest.predict_proba(windows[model.feature_names]), columns=classes)
        timeline = pd.concat([windows[["start_ms", "end_ms"]].reset_index(drop=True), proba], axis=1)
        timeline["label"] = exercise
        probabilities = aggregate_windows(proba).to_dict()
    else:  # no model: nothing to say about the other classes; the movement itself still tells sets from rest
        proba = pd.DataFrame({OTHER: [1.0] * len(windows)})
        timeline = pd.DataFrame(columns=["start_ms", "end_ms", "label"])
        probabilities = {}
    reps = count_video_reps(rows, exercise)
    segments = tuple(segment_rows(model, rows, windows, proba, exercise=exercise))
    cues = tuple(tuple(rep_cues(rows, exercise, span)) for span in reps.reps)
    return Prediction(exercise, 1.0, probabilities, timeline, reps, segments, cues, False, NAMED_BY_PERSON)
