"""The angle rows the accuracy benchmarks evaluate: every video's rows in the configured store."""

from __future__ import annotations

import pandas as pd


def stored_rows(store_url: str | None) -> pd.DataFrame | None:
    """All rows of the store at `store_url` (default: settings), or None after saying why there are none."""
    from fittrack.collect import load_rows
    from fittrack.settings import get_settings
    from fittrack.store import open_store

    rows = load_rows(open_store(get_settings(), store_url))
    if rows.empty:
        print("skipped: no rows in the store; run `fittrack run DATASET --no-train` first")
        return None
    print(f"{rows['video_id'].nunique()} videos, {len(rows)} rows")
    return rows
