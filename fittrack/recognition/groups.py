"""Which videos share a person and a camera: the groups that evaluation folds keep together.

Several clips of one origin usually show the same person filmed by the same
camera. If one of them is in a fold's training side and another on its test
side, the model is judged on someone it has already seen, which is how
leave-one-video-out overstated accuracy on new people (docs/accuracy.md).

A dataset folder may carry a `manifest.json` at its root: a list of objects
with each file's `sha256` and its origin (`group`, or `repo` as in the shared
set's manifest). `fittrack upload` records that origin as the video's
`group` metadata in the store, and the trainer reads it back from there, so
the grouping travels with the videos to any machine. A video without one is
its own group, and the evaluation report says how many were.

A negative (`other`) may also carry its `kind`: `exercise` (a gym movement
that is none of the five: the look-alikes) or `not_exercise` (walking,
sport, talking, nobody). The operating point is held to a floor for each
kind (fittrack.recognition.training), so a door tuned on look-alikes alone
does not turn away new people. It travels as the `kind` metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from fittrack.errors import BadInputError
from fittrack.storage.store import Store

MANIFEST_NAME = "manifest.json"
GROUP_METADATA = "group"
KIND_METADATA = "kind"
NEGATIVE_KINDS = ("exercise", "not_exercise")  # another gym movement, or no exercise at all (walking, sport, ...)
_ORIGIN = "repo:"  # a group named by the manifest: one origin, all of its videos
_OWN = "video:"  # a video with no known origin: a group of its own
_UPLOAD = "upload:"  # a person's labelled upload (fittrack.jobs.user_labels): its sets and whole video together


def origin_group(origin: str) -> str:
    return f"{_ORIGIN}{origin}"


def own_group(video_id: str) -> str:
    return f"{_OWN}{video_id}"


def upload_group(upload_id: str) -> str:
    return f"{_UPLOAD}{upload_id}"


def is_origin_group(group: object) -> bool:
    """True for a group whose origin is known (the manifest's, or a person's upload), False for a video
    that is its own group for want of one."""
    return str(group).startswith((_ORIGIN, _UPLOAD))


def read_manifest(dataset: Path) -> dict[str, str]:
    """sha256 -> group from DATASET/manifest.json; empty when the folder has none."""
    groups: dict[str, str] = {}
    for digest, entry in _manifest_entries(dataset).items():
        group = entry.get("group") or entry.get("repo")
        if isinstance(group, str) and group.strip():
            groups[digest] = _ascii(group.strip())
    return groups


def read_kinds(dataset: Path) -> dict[str, str]:
    """sha256 -> kind of negative (NEGATIVE_KINDS) from DATASET/manifest.json, for the negatives that say."""
    return {digest: entry["kind"] for digest, entry in _manifest_entries(dataset).items()
            if entry.get("kind") in NEGATIVE_KINDS}


def _manifest_entries(dataset: Path) -> dict[str, dict]:
    """sha256 -> its manifest entry; empty when the folder has no manifest."""
    path = Path(dataset) / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInputError(str(path), f"is not readable JSON ({error})",
                            "fix or remove it; it only names each video's origin") from None
    if not isinstance(entries, list):
        raise BadInputError(str(path), "is not a list of entries", 'expected [{"sha256": ..., "repo": ...}, ...]')
    return {entry["sha256"].lower(): entry for entry in entries
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str)}


def _ascii(text: str) -> str:
    """S3 metadata must be ASCII: other characters become '?' (a group only needs to be distinct)."""
    return text.encode("ascii", "replace").decode("ascii")


def video_groups(store: Store, rows: pd.DataFrame) -> pd.Series:
    """video_id -> group from each video's store metadata; a video without one is its own group.

    The Series' `attrs["from_manifest"]` counts the videos that had a group.
    """
    return video_origins(store, rows)[0]


def video_origins(store: Store, rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """`video_groups`, and video_id -> kind for the negatives whose metadata names one, in one read each."""
    if "source" in rows and len(rows):
        sources = rows.groupby("video_id")["source"].first()
    else:  # rows without their origin column (hand-made tables): each video is its own group
        sources = pd.Series(None, index=pd.Index(rows["video_id"].unique() if len(rows) else []), dtype=object)
    groups, kinds = {}, {}
    for video_id, source in sources.items():
        try:
            info = store.head(str(source)) if isinstance(source, str) and source else None
        except BadInputError:  # a local file's name (`fittrack extract`), not a store key
            info = None
        metadata = info.metadata if info else {}
        group = metadata.get(GROUP_METADATA)
        groups[video_id] = origin_group(group) if group else own_group(str(video_id))
        if metadata.get(KIND_METADATA) in NEGATIVE_KINDS:
            kinds[video_id] = metadata[KIND_METADATA]
    result = pd.Series(groups, dtype=object)
    result.attrs["from_manifest"] = int(sum(is_origin_group(value) for value in groups.values()))
    return result, pd.Series(kinds, dtype=object)
