"""A live set kept like an analysed upload: its analysed frames as the upload's video, its rows, its answer.

The live page has analysed every frame it kept (`movement.live.LiveSet`), so
no pose pass is run again: the rows are stored as the upload's rows, the
answer is computed from them by the upload path's `predict_rows`, and the
annotated video and the workout come from the job that recomputes an
upload from its stored rows (`jobs.correction`, sent by the page).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fittrack.jobs.analysis import AnalysisResult, store_angle_csv
from fittrack.jobs.uploads import store_upload
from fittrack.movement.live import LiveSet, LiveState
from fittrack.movement.predict import predict_rows
from fittrack.movement.sessions import NAMED_BY_PERSON
from fittrack.pose.extract import file_sha256
from fittrack.pose.table import columns_to_parquet_bytes, rows_from_columns
from fittrack.recognition.model_file import ExerciseModel
from fittrack.storage.keys import ResultKeys
from fittrack.storage.store import Store

LIVE_NAME = "Live set {:%Y-%m-%d %H:%M}.mp4"


def save_live_set(store: Store, live: LiveSet, recording: Path, owner_id: str | None,
                  model: tuple[ExerciseModel, str] | None) -> tuple[str, LiveState]:
    """Stores the set; returns (its upload id, its final state). Its annotated video is drawn afterwards."""
    state = live.finish()
    columns = live.columns()
    rows = rows_from_columns(columns)
    named = state.exercise if state.named_by == NAMED_BY_PERSON else None
    duration = float(rows["timestamp_ms"].iloc[-1]) / 1000.0 if len(rows) else 0.0
    started = datetime.now(UTC) - timedelta(seconds=duration)
    upload_id, key = store_upload(store, LIVE_NAME.format(started), recording.read_bytes(), named, owner_id)
    keys = ResultKeys.of(upload_id)
    prediction = None
    if named is not None or model is not None:
        prediction = predict_rows(model[0] if model else None, rows, named)
    store.put_bytes(keys.rows, columns_to_parquet_bytes(columns))
    store_angle_csv(store, keys, rows, prediction)
    result = AnalysisResult(
        upload_id=upload_id, video_key=key, video_id=file_sha256(recording), frames=len(rows),
        detected_frames=int(rows["detected"].sum()) if len(rows) else 0, duration_s=round(duration, 2),
        seconds=0.0, stage_seconds={}, prediction=prediction.summary() if prediction else None,
        model_sha256=model[1] if model and named is None else "",
        notice="" if prediction else "no exercise was named or recognised", recorded_at=started.isoformat())
    store.put_bytes(keys.result, json.dumps(result.to_dict(), indent=1).encode())
    return upload_id, state
