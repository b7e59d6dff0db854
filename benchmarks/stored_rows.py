"""The angle rows the accuracy benchmarks evaluate: every video's rows in the configured store, with their groups."""

from __future__ import annotations

import pandas as pd


def stored_rows(store_url: str | None) -> tuple[pd.DataFrame, pd.Series] | None:
    """All rows of the store at `store_url` (default: settings) and each video's origin group
    (fittrack.recognition.groups), or None after saying why there are none."""
    from fittrack.pose.collect import load_rows
    from fittrack.recognition.groups import video_groups
    from fittrack.settings import get_settings
    from fittrack.storage.store import open_store

    store = open_store(get_settings(), store_url)
    rows = load_rows(store)
    if rows.empty:
        print("skipped: no rows in the store; run `fittrack run DATASET --no-train` first")
        return None
    groups = video_groups(store, rows)
    print(f"{rows['video_id'].nunique()} videos, {len(rows)} rows, "
          f"{groups.attrs['from_manifest']} with an origin group ({groups.nunique()} groups)")
    return rows, groups
