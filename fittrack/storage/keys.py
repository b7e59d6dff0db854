"""Every store key fittrack writes or reads, built and parsed here and nowhere else.

    videos/<class>/<file>          a dataset video (`fittrack upload`)
    rows/<sha256>.parquet          its angle rows, keyed by content (re-runs overwrite)
    sessions/<sha256>.json         its session log (sets, other movement, rest) by the current model
    uploads/<id>/video             a video a person uploaded in the webapp
    results/<id>/...               that upload's result, annotated video, angle CSV and rows
    labels/<id>/<scope>.json       what its person said it is (scope: video, or set-<start ms>-<end ms>)
    models/exercise.model          the trained model (FITTRACK_MODEL_KEY)

Keys come from content hashes, generated ids and sanitised names only, so no
user-supplied text ever reaches a path.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from fittrack.errors import BadInputError
from fittrack.labels import normalise_label

ROWS_PREFIX = "rows/"
VIDEOS_PREFIX = "videos/"
UPLOADS_PREFIX = "uploads/"
RESULTS_PREFIX = "results/"
SESSIONS_PREFIX = "sessions/"
LABELS_PREFIX = "labels/"  # labels/<upload id>/<scope>.json: what a person said an upload (or a set of it) is

_SHA256 = re.compile(r"[0-9a-f]{64}")
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


def is_sha256(text: str) -> bool:
    return bool(_SHA256.fullmatch(text))


def is_upload_id(text: str) -> bool:
    return bool(_UPLOAD_ID.fullmatch(text))


def rows_key(video_sha256: str) -> str:
    """Where a video's angle rows live: derived from content, so reruns overwrite."""
    return f"{ROWS_PREFIX}{video_sha256}.parquet"


def sessions_key(video_sha256: str) -> str:
    return f"{SESSIONS_PREFIX}{video_sha256}.json"


def is_rows_key(key: str) -> bool:
    return key.startswith(ROWS_PREFIX) and key.endswith(".parquet")


def safe_name(name: str) -> str:
    """A file name with only [A-Za-z0-9._-]: store keys never carry shell or path characters."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "video"
    return stem[:200]


def dataset_video_key(label: str, file_name: str) -> str:
    return f"{VIDEOS_PREFIX}{normalise_label(label)}/{safe_name(file_name)}"


def label_of_key(key: str) -> str:
    """videos/<class>/<file> -> <class>."""
    parts = key.split("/")
    if len(parts) != 3 or f"{parts[0]}/" != VIDEOS_PREFIX:
        raise BadInputError(key, "is not a dataset video key", f"expected {VIDEOS_PREFIX}<class>/<file>")
    return parts[1]


def new_upload_id() -> str:
    """Generated ids name uploads; a user's file name never becomes part of a key."""
    return uuid.uuid4().hex


def upload_key(upload_id: str) -> str:
    return f"{UPLOADS_PREFIX}{upload_id}/video"


@dataclass(frozen=True)
class ResultKeys:
    """Where the outputs of one upload live in the store."""

    result: str
    video: str
    csv: str
    rows: str

    @classmethod
    def of(cls, upload_id: str) -> ResultKeys:
        base = f"{RESULTS_PREFIX}{upload_id}/"
        return cls(result=base + "result.json", video=base + "annotated.mp4", csv=base + "angles.csv",
                   rows=base + "rows.parquet")


def label_key(upload_id: str, span_ms: tuple[int, int] | None = None) -> str:
    """The label record of an upload's whole video, or of the set spanning `span_ms` (start, end) in it.

    One key per scope, so a second correction of the same scope replaces the
    first (the last one stands) and the put is atomic.
    """
    if not is_upload_id(upload_id):
        raise BadInputError(upload_id, "is not an upload id", "labels belong to uploads made through the page")
    scope = "video" if span_ms is None else f"set-{int(span_ms[0])}-{int(span_ms[1])}"
    return f"{LABELS_PREFIX}{upload_id}/{scope}.json"


def is_label_key(key: str) -> bool:
    return key.startswith(LABELS_PREFIX) and key.endswith(".json")


def upload_prefixes(upload_id: str) -> tuple[str, ...]:
    """Every prefix under which an upload leaves something: its video, its results, its labels."""
    if not is_upload_id(upload_id):
        raise BadInputError(upload_id, "is not an upload id", "pass the id of an upload made through the page")
    return (f"{UPLOADS_PREFIX}{upload_id}/", f"{RESULTS_PREFIX}{upload_id}/", f"{LABELS_PREFIX}{upload_id}/")
