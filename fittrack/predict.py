"""Predicting the exercise of one video's rows with a trained model."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fittrack.features import video_windows
from fittrack.labels import OTHER, display_name
from fittrack.model_file import ExerciseModel
from fittrack.reps import RepCount, count_video_reps
from fittrack.training import aggregate_windows, decide


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    probabilities: dict[str, float]
    timeline: pd.DataFrame  # start_ms, end_ms, one column per class, label
    reps: RepCount | None = None  # of the predicted exercise; None for "not one of these"

    @property
    def display(self) -> str:
        return display_name(self.label)

    def as_dict(self) -> dict:
        return {"label": self.label, "display": self.display, "confidence": round(self.confidence, 4),
                "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
                "timeline": self.timeline.round(4).to_dict(orient="records"),
                "reps": self.reps.as_dict() if self.reps else None}


def predict_rows(model: ExerciseModel, rows: pd.DataFrame) -> Prediction:
    """Median window probabilities over the video, then the model's rejection rule."""
    windows = video_windows(rows, model.window)
    classes = list(model.classes)
    if windows.empty:
        empty = pd.DataFrame(columns=["start_ms", "end_ms", *classes, "label"])
        return Prediction(OTHER, 0.0, dict.fromkeys(classes, 0.0), empty)
    proba = pd.DataFrame(model.forest.predict_proba(windows[model.feature_names]), columns=classes)
    timeline = pd.concat([windows[["start_ms", "end_ms"]].reset_index(drop=True), proba], axis=1)
    timeline["label"] = decide(proba, model.point).to_numpy()
    video = aggregate_windows(proba)
    label = decide(video.to_frame().T, model.point).iloc[0]
    exercises = video.drop(OTHER, errors="ignore")
    confidence = float(1.0 - exercises.max()) if label == OTHER else float(video[label])
    reps = None if label == OTHER else count_video_reps(rows, label)
    return Prediction(label, confidence, video.to_dict(), timeline, reps)
