"""Answers and workouts as the analysis job leaves them, built by hand for the history's tests and benchmark."""

from __future__ import annotations

from datetime import datetime

from fittrack.history.workouts import WorkoutFacts
from fittrack.movement.predict import PredictionSummary
from fittrack.movement.reps import RepSummary
from fittrack.movement.sessions import NAMED_BY_PERSON, RECOGNISED, REST, Segment


def cue(name: str, verdict: str) -> dict:
    return {"cue": name, "verdict": verdict, "value": 80.0, "threshold": 90.0, "experimental": True}


def squat_session(sets: int = 2, reps: int = 3, faults_per_set: int = 1, named_by: str = RECOGNISED,
                  label: str = "squat") -> PredictionSummary:
    """`sets` sets of `reps` reps of one exercise, 10 s apart with a rest between; `faults_per_set` depth faults."""
    segments: list[Segment] = []
    spans, cues = [], []
    for s in range(sets):
        start = s * 20.0
        segments.append(Segment(label, start, start + 10.0, reps, 0.9, named_by))
        segments.append(Segment(REST, start + 10.0, start + 20.0))
        for r in range(reps):
            step = 10.0 / reps
            spans.append((start + r * step, start + (r + 0.8) * step))
            cues.append((cue("depth", "fault" if r < faults_per_set else "ok"), cue("knees_in", "not_visible")))
    return PredictionSummary(label=label, confidence=0.9, probabilities={label: 0.9}, timeline=[],
                             reps=RepSummary(label, len(spans), tuple(spans), tuple(cues)),
                             segments=tuple(segments), named_by=named_by)


def facts(upload_id: str, when: datetime, prediction: PredictionSummary | None = None, **fields) -> WorkoutFacts:
    values = {"job_id": f"analyse-{upload_id}", "upload_id": upload_id, "name": f"{upload_id}.mp4",
              "recorded_at": when, "recorded_from": "video", "duration_s": 40.0,
              "prediction": squat_session() if prediction is None else prediction} | fields
    return WorkoutFacts(**values)


__all__ = ["NAMED_BY_PERSON", "cue", "facts", "squat_session"]
