"""The batch path of sessions: every stored video's session log (and its reps with their form cues),
written next to its rows.

`fittrack segment` (and `fittrack run` after training) writes
`sessions/<sha256>.json` for each `rows/<sha256>.parquet` with the store's
model; `fittrack export --sessions` reads them back as one table.
"""

from __future__ import annotations

import json
import logging
import sys

import pandas as pd
from tqdm import tqdm

from fittrack.movement.predict import predict_rows
from fittrack.movement.sessions import session_summary
from fittrack.pose.table import from_parquet_bytes
from fittrack.recognition.model_file import ExerciseModel
from fittrack.storage.keys import ROWS_PREFIX, SESSIONS_PREFIX, is_rows_key, sessions_key
from fittrack.storage.store import Store

log = logging.getLogger(__name__)
SESSION_COLUMNS = ("video_id", "source", "segment", "label", "start_s", "end_s", "reps", "confidence")


def segment_stored_videos(store: Store, model: ExerciseModel, model_sha256: str, show_progress: bool = True) -> int:
    """Writes the session log of every video with rows in the store; returns how many."""
    keys = [key for key in store.list(ROWS_PREFIX) if is_rows_key(key)]
    for key in tqdm(keys, desc="sessions", unit="video", file=sys.stderr, disable=not show_progress):
        rows = from_parquet_bytes(store.get_bytes(key))
        video_id = key.removeprefix(ROWS_PREFIX).removesuffix(".parquet")
        prediction = predict_rows(model, rows)
        segments, reps = list(prediction.segments), prediction.summary().reps
        document = {"video_id": video_id, "source": str(rows["source"].iloc[0]) if len(rows) else "",
                    "model_sha256": model_sha256, "segments": [s.to_dict() for s in segments],
                    "summary": session_summary(segments), "reps": reps.to_dict() if reps else None}
        store.put_bytes(sessions_key(video_id), json.dumps(document, indent=1).encode())
    log.info("wrote the session logs of %d videos under %s", len(keys), SESSIONS_PREFIX)
    return len(keys)


def session_table(store: Store) -> pd.DataFrame:
    """Every stored session log as one row per segment."""
    records = []
    for key in store.list(SESSIONS_PREFIX):
        document = json.loads(store.get_bytes(key))
        records += [{"video_id": document["video_id"], "source": document["source"], "segment": number, **segment}
                    for number, segment in enumerate(document["segments"], start=1)]
    return pd.DataFrame(records, columns=list(SESSION_COLUMNS))
