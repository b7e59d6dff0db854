"""What one webapp upload becomes: rows, a prediction and an annotated video, all in the store.

The analysis job runs on a worker, never in the webapp process: the page only
polls. Everything it produces goes under `results/<upload id>/`, so a shared
link or a refreshed page finds it again from the store alone, and uploads
never mix with the labelled training rows under `rows/`.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from fittrack.errors import NoModelError
from fittrack.jobs.extraction import errors_named_by, extract_within_limits, fetched_video
from fittrack.jobs.uploads import named_exercise
from fittrack.labels import OTHER, display_name
from fittrack.movement.form import RULE_OF
from fittrack.movement.predict import NAMED_BY_PERSON, Prediction, PredictionSummary, predict_rows
from fittrack.movement.sessions import segment_name, set_at
from fittrack.pose.annotate import Caption, KeptFrames, render_annotated_video
from fittrack.pose.collect import EXPORT_COLUMNS
from fittrack.pose.estimator import PoseEstimator
from fittrack.pose.extract import file_sha256
from fittrack.pose.recorded_time import recorded_at
from fittrack.pose.table import columns_to_parquet_bytes
from fittrack.pose.video import probe, sampled_frame_count
from fittrack.recognition.model_file import ExerciseModel
from fittrack.settings import Settings
from fittrack.storage.keys import ResultKeys
from fittrack.storage.store import Store

log = logging.getLogger(__name__)

CUE_SHOWN_S = 1.5  # how long a rep's form cue stays on the annotated video after the rep ends
StageProgress = Callable[[str, int, int], None]
"""Called with (stage, done, total); stages are "pose" then "render"."""


@dataclass(frozen=True)
class AnalysisResult:
    """What an upload's analysis produced; stored as results/<id>/result.json and returned by its job."""

    upload_id: str
    video_key: str
    video_id: str
    frames: int
    detected_frames: int
    duration_s: float
    seconds: float
    stage_seconds: dict[str, float]  # fetch, pose, predict, render, store: where the time went
    prediction: PredictionSummary | None  # None without a model
    model_sha256: str
    notice: str  # what the user should know: no model, no person
    recorded_at: str = ""  # when the camera says it filmed (ISO 8601, UTC); "" when the file does not say

    @property
    def keys(self) -> ResultKeys:
        return ResultKeys.of(self.upload_id)

    def to_dict(self) -> dict:
        data = asdict(self) | {"keys": asdict(self.keys)}
        data["prediction"] = self.prediction.to_dict() if self.prediction else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> AnalysisResult:
        fields = {name: data[name] for name in cls.__dataclass_fields__ if name != "prediction" and name in data}
        prediction = PredictionSummary.from_dict(data["prediction"]) if data.get("prediction") else None
        return cls(**fields, prediction=prediction)


class _StageClock:
    """Seconds spent in each stage of a job, so a slow result says where its time went."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, stage: str) -> None:
        now = time.monotonic()
        self.laps[stage] = round(self.laps.get(stage, 0.0) + now - self._last, 3)
        self._last = now


def captions_for(prediction: Prediction | None, rows) -> Callable[[int], list[str]]:
    """Banner lines for a moment: the set (in a session of several), the window's label, and a live rep
    counter with the phase."""
    window = _session_caption(prediction, _window_caption(prediction))
    reps = prediction.reps if prediction else None
    if reps is None:
        return window
    phase_at = dict(zip(rows["timestamp_ms"].to_numpy().tolist(), reps.phases.tolist(), strict=True))

    ended = [(b, cues) for (_, b), cues in zip(reps.reps, prediction.cues if prediction else (), strict=False)]

    def caption(ms: int) -> list[str]:
        lines = [*window(ms), f"reps: {reps.count_at(ms / 1000.0)}   {phase_at.get(ms, '')}"]
        just_ended = [cues for end_s, cues in ended if 0 <= ms / 1000.0 - end_s < CUE_SHOWN_S]
        if just_ended:  # the last rep's form, for a moment after it ends
            cues = just_ended[-1]
            trial = " (experimental)" if any(RULE_OF[c.cue].experimental for c in cues) else ""
            lines.append(f"form{trial}: " + ", ".join(f"{c.cue} {c.verdict.replace('_', ' ')}" for c in cues))
        return lines

    return caption


def _session_caption(prediction: Prediction | None, then: Callable[[int], list[str]]) -> Callable[[int], list[str]]:
    """In a session of several sets, the current set and its reps come first."""
    segments = prediction.segments if prediction else ()
    sets = [s for s in segments if s.is_set]
    if len(sets) < 2:
        return then

    def caption(ms: int) -> list[str]:
        current = set_at(segments, ms / 1000.0)
        line = (f"set {current[0]} of {len(sets)}: {segment_name(current[1].label)}, {current[1].reps} reps"
                if current else "between sets")
        return [line, *then(ms)]

    return caption


def _window_caption(prediction: Prediction | None) -> Callable[[int], list[str]]:
    """The label of the window centred nearest to a moment: what the model sees right now."""
    if prediction is None or prediction.timeline.empty or prediction.named_by == NAMED_BY_PERSON:
        return lambda _ms: []  # a named exercise: the model's view of each moment is not the answer
    timeline = prediction.timeline
    centres = ((timeline["start_ms"] + timeline["end_ms"]) / 2).to_numpy(np.float64)
    labels = timeline["label"].to_numpy()
    classes = [c for c in timeline.columns if c not in ("start_ms", "end_ms", "label")]
    best = timeline[classes].to_numpy(np.float64).max(axis=1)

    def caption(ms: int) -> list[str]:
        i = int(np.argmin(np.abs(centres - ms)))
        return [f"now: {display_name(labels[i])} ({best[i]:.0%})"]

    return caption


def headline_for(prediction: Prediction | None, notice: str) -> Caption:
    if prediction is None:
        return Caption(notice or "no exercise model yet")
    if prediction.named_by == NAMED_BY_PERSON:
        return Caption(f"{prediction.display} (named by you)")
    if prediction.label == OTHER:
        return Caption("not one of the five exercises")
    return Caption(prediction.display, prediction.confidence)


def store_annotated_video(store: Store, keys: ResultKeys, local: Path, rows, prediction: Prediction | None,
                          notice: str, settings: Settings, on_progress: Callable[[int, int], None] | None = None,
                          kept: KeptFrames | None = None) -> None:
    """Draws the skeleton, angles and answer on the video and puts it at `keys.video`."""
    with tempfile.TemporaryDirectory(prefix="fittrack-render-") as folder:
        annotated = render_annotated_video(
            local, rows, Path(folder) / "annotated.mp4", sample_fps=settings.sample_fps,
            visibility_threshold=settings.visibility_threshold, headline=headline_for(prediction, notice),
            caption_at=captions_for(prediction, rows), on_progress=on_progress, kept=kept)
        store.put_file(keys.video, annotated, metadata={"content-type": "video/mp4"})


def store_angle_csv(store: Store, keys: ResultKeys, rows, prediction: Prediction | None) -> None:
    """The angle rows a person downloads, with each frame's rep phase when reps were counted."""
    table = rows[list(EXPORT_COLUMNS)].copy()
    if prediction is not None and prediction.reps is not None:
        table["phase"] = prediction.reps.phases
    store.put_bytes(keys.csv, table.to_csv(index=False).encode())


def finished_analysis(store: Store, upload_id: str) -> AnalysisResult | None:
    """The stored result of an upload already analysed, or None."""
    key = ResultKeys.of(upload_id).result
    return AnalysisResult.from_dict(json.loads(store.get_bytes(key))) if store.exists(key) else None


def run_analysis(
    store: Store,
    upload_key: str,
    upload_id: str,
    estimator: PoseEstimator,
    settings: Settings,
    model: tuple[ExerciseModel, str] | NoModelError,
    on_progress: StageProgress | None = None,
) -> AnalysisResult:
    """Extracts, predicts (when a model exists), renders and stores the outputs of one upload."""
    started = time.monotonic()
    clock = _StageClock()
    keys = ResultKeys.of(upload_id)
    stage = (lambda name: (lambda done, total: on_progress(name, done, total))) if on_progress else \
        (lambda name: None)
    kept = KeptFrames(settings.render_memory_mb << 20)
    with errors_named_by(upload_key), fetched_video(store, upload_key) as local, closing(kept):
        clock.lap("fetch")
        info = probe(local)
        kept.plan(info.width, info.height, sampled_frame_count(info, settings.sample_fps))
        video_id = file_sha256(local)
        filmed = recorded_at(local)
        extraction = extract_within_limits(local, upload_key, estimator, settings, label=None, video_id=video_id,
                                           on_progress=stage("pose"), frame_sink=kept, info=info)
        rows = extraction.rows
        clock.lap("pose")
        prediction, model_sha, notice = None, "", ""
        exercise = named_exercise(store, upload_key)
        if exercise is not None:  # the person said which exercise it is: recognition is skipped
            prediction = predict_rows(None if isinstance(model, NoModelError) else model[0], rows, exercise)
            model_sha = "" if isinstance(model, NoModelError) else model[1]
        elif isinstance(model, NoModelError):
            notice = "no exercise model has been trained yet: run `fittrack train`"
        else:
            prediction = predict_rows(model[0], rows)
            model_sha = model[1]
        clock.lap("predict")
        if extraction.detected_frames == 0:
            notice = "no person was detected in this video: film the whole body in good light"
        store_annotated_video(store, keys, local, rows, prediction, notice, settings,
                              on_progress=stage("render"), kept=kept)
        clock.lap("render")
    store.put_bytes(keys.rows, columns_to_parquet_bytes(extraction.columns))
    store_angle_csv(store, keys, rows, prediction)
    clock.lap("store")
    result = AnalysisResult(
        upload_id=upload_id, video_key=upload_key, video_id=video_id, frames=len(rows),
        detected_frames=extraction.detected_frames, duration_s=round(extraction.info.duration_s, 2),
        seconds=round(time.monotonic() - started, 2), stage_seconds=clock.laps,
        prediction=prediction.summary() if prediction else None, model_sha256=model_sha, notice=notice,
        recorded_at=filmed.isoformat() if filmed else "",
    )
    store.put_bytes(keys.result, json.dumps(result.to_dict(), indent=1).encode())
    log.info("analysed %s in %.1f s: %s", upload_key, result.seconds,
             prediction.label if prediction else notice)
    return result
