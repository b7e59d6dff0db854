"""The angle rows the accuracy benchmarks evaluate: every video's rows in the configured store, with their groups."""

from __future__ import annotations

import pandas as pd


def stored_rows(store_url: str | None) -> tuple[pd.DataFrame, pd.Series, pd.Series] | None:
    """All rows of the store at `store_url` (default: settings), each video's origin group and each
    negative's kind (fittrack.recognition.groups), or None after saying why there are none."""
    from fittrack.pose.collect import load_rows
    from fittrack.recognition.groups import video_origins
    from fittrack.settings import get_settings
    from fittrack.storage.store import open_store

    store = open_store(get_settings(), store_url)
    rows = load_rows(store)
    if rows.empty:
        print("skipped: no rows in the store; run `fittrack run DATASET --no-train` first")
        return None
    groups, kinds = video_origins(store, rows)
    print(f"{rows['video_id'].nunique()} videos, {len(rows)} rows, "
          f"{groups.attrs['from_manifest']} with an origin group ({groups.nunique()} groups), "
          f"{len(kinds)} negatives with a kind")
    return rows, groups, kinds
