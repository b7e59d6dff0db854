"""A person's correction, applied: reps, form cues, sets and the annotated video again, from the stored rows.

The pose pass is the expensive part of an analysis and a correction does
not change what the camera saw, so this job reads the upload's rows back
(`results/<id>/rows.parquet`) and only decodes the video again to draw it.
What the person said wins: the whole video's label names the exercise
(or "none of these"), a set's label renames that set and recounts its reps.
The result replaces `results/<id>/` whole (each object is written
atomically), so a redelivered job writes the same thing again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from fittrack.errors import BadInputError, NoModelError
from fittrack.jobs.analysis import AnalysisResult, finished_analysis, store_angle_csv, store_annotated_video
from fittrack.jobs.extraction import errors_named_by, fetched_video
from fittrack.jobs.user_labels import UserLabel, labels_of
from fittrack.labels import EXERCISES, OTHER
from fittrack.movement.predict import NAMED_BY_PERSON, Prediction, predict_rows
from fittrack.movement.reps import count_video_reps
from fittrack.movement.sessions import Segment, rows_within
from fittrack.pose.table import from_parquet_bytes
from fittrack.recognition.model_file import ExerciseModel
from fittrack.settings import Settings
from fittrack.storage.keys import ResultKeys, upload_key
from fittrack.storage.store import Store, delete_upload

log = logging.getLogger(__name__)

MIN_PIECE_S = 1.0  # what a labelled span leaves of a set, shorter than this, is no set


def run_correction(store: Store, upload_id: str, settings: Settings,
                   model: tuple[ExerciseModel, str] | NoModelError,
                   on_progress: Callable[[int, int], None] | None = None) -> AnalysisResult:
    """Recomputes an analysed upload's answer with the labels its person gave, and stores it.

    `on_progress` gets (frames drawn, frames to draw) while the video is drawn again.
    """
    started = time.monotonic()
    if _deleted_meanwhile(store, upload_id):
        raise BadInputError(f"upload {upload_id}", "was deleted by its person", "there is nothing to correct")
    before = finished_analysis(store, upload_id)
    if before is None:
        raise BadInputError(f"upload {upload_id}", "has no finished analysis to correct",
                            "correct an upload after its analysis has finished")
    keys = ResultKeys.of(upload_id)
    rows = from_parquet_bytes(store.get_bytes(keys.rows))
    forest = None if isinstance(model, NoModelError) else model[0]
    prediction = corrected_prediction(forest, rows, labels_of(store, upload_id), before)
    with errors_named_by(before.video_key), fetched_video(store, before.video_key) as local:
        store_annotated_video(store, keys, local, rows, prediction, "", settings, on_progress=on_progress)
    store_angle_csv(store, keys, rows, prediction)
    result = replace(before, prediction=prediction.summary(),
                     seconds=round(time.monotonic() - started, 2),
                     model_sha256="" if isinstance(model, NoModelError) else model[1])
    store.put_bytes(keys.result, json.dumps(result.to_dict(), indent=1).encode())
    _deleted_meanwhile(store, upload_id)  # deleted while this job drew it: what it wrote goes too
    log.info("corrected %s: %s", upload_id, prediction.label)
    return result


def _deleted_meanwhile(store: Store, upload_id: str) -> bool:
    """True (and the outputs removed again) when the person deleted the upload while this job drew it:
    a deleted video must not come back as its annotated copy."""
    if store.exists(upload_key(upload_id)):
        return False
    log.info("upload %s was deleted during its correction; nothing of it is kept", upload_id)
    delete_upload(store, upload_id)
    return True


def corrected_prediction(model: ExerciseModel | None, rows: pd.DataFrame, labels: list[UserLabel],
                         before: AnalysisResult) -> Prediction:
    """The answer with the person's labels applied: the whole video's first, then each set's."""
    whole = next((label for label in labels if label.span_ms is None), None)
    if whole is not None and whole.person_said in EXERCISES:
        prediction = predict_rows(model, rows, whole.person_said)
    elif whole is not None:  # "none of these": no reps or sets of any exercise to show
        prediction = Prediction(OTHER, 1.0, {}, pd.DataFrame(columns=["start_ms", "end_ms", "label"]),
                                named_by=NAMED_BY_PERSON,
                                segments=(Segment(OTHER, 0.0, before.duration_s, 0, 1.0, NAMED_BY_PERSON),))
    elif before.prediction is not None and before.prediction.named_by == NAMED_BY_PERSON:
        prediction = predict_rows(model, rows, before.prediction.label)
    elif model is not None:
        prediction = predict_rows(model, rows)
    else:
        raise NoModelError("the exercise model", "no model has been trained yet",
                           "name the whole video's exercise, or run `fittrack train`")
    sets = sorted((label for label in labels if label.span_ms is not None), key=lambda label: label.at)
    return replace(prediction, segments=tuple(_relabelled(list(prediction.segments), sets, rows))) if sets \
        else prediction


def _relabelled(segments: list[Segment], sets: list[UserLabel], rows: pd.DataFrame) -> list[Segment]:
    """Each labelled span becomes a segment of what the person said (the later said over the earlier),
    and every segment a span cuts has its reps counted again on what is left of it."""
    for label in sets:
        start_s, end_s = label.span_s
        named = Segment(label.person_said, start_s, end_s, _reps(rows, label.person_said, start_s, end_s), 1.0,
                        named_by=NAMED_BY_PERSON)
        segments = _cut(segments, start_s, end_s, rows) + [named]
    return sorted(segments, key=lambda segment: segment.start_s)


def _reps(rows: pd.DataFrame, label: str, start_s: float, end_s: float) -> int:
    inside = rows_within(rows, start_s, end_s)
    return count_video_reps(inside, label).count if label in EXERCISES and len(inside) else 0


def _cut(segments: list[Segment], start_s: float, end_s: float, rows: pd.DataFrame) -> list[Segment]:
    """The segments with [start_s, end_s) taken out of them; a piece shorter than MIN_PIECE_S goes."""
    kept = []
    for segment in segments:
        if segment.end_s <= start_s or segment.start_s >= end_s:
            kept.append(segment)
            continue
        for a, b in ((segment.start_s, min(segment.end_s, start_s)), (max(segment.start_s, end_s), segment.end_s)):
            if b - a >= MIN_PIECE_S:
                kept.append(replace(segment, start_s=a, end_s=b, reps=_reps(rows, segment.label, a, b)))
    return kept
