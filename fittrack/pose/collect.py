"""Reading every video's rows back from the store into one DataFrame."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import pandas as pd
from tqdm import tqdm

from fittrack.pose.angles import ANGLE_NAMES
from fittrack.pose.table import from_parquet_bytes
from fittrack.storage.keys import ROWS_PREFIX, is_rows_key
from fittrack.storage.store import Store

EXPORT_COLUMNS = ("video_id", "source", "label", "frame_index", "timestamp_ms", "detected") + ANGLE_NAMES
"""The original design's CSV: which video and frame, its label, and the angles."""


def load_rows(store: Store, columns: Sequence[str] | None = None, show_progress: bool = False) -> pd.DataFrame:
    """All rows in the store, one video after another (empty frame if there are none)."""
    keys = [key for key in store.list(ROWS_PREFIX) if is_rows_key(key)]
    tables = []
    for key in tqdm(keys, desc="read rows", unit="video", file=sys.stderr, disable=not show_progress):
        rows = from_parquet_bytes(store.get_bytes(key))
        tables.append(rows[list(columns)] if columns else rows)
    if not tables:
        return pd.DataFrame(columns=list(columns or EXPORT_COLUMNS))
    return pd.concat(tables, ignore_index=True)
