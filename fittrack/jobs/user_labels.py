"""What people said their uploads are: one record per confirmation or correction, and its rows for training.

A person who corrects an answer knows their own body, camera and room, so
each correction (and each confirmation) is a training example the dataset
cannot give. A record names the upload, what the model said, what the
person said (one of the five, or `other` for "none of these") and its scope:
the whole video, or one set's time span. `fittrack train` takes labelled
uploads as training videos, each in a group of its own (`upload:<id>`), so
the grouped evaluation never has one person's upload on both sides of a
fold; a set's label trains only that set's rows.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

import pandas as pd

from fittrack.errors import BadInputError, StoreKeyMissing
from fittrack.labels import EXERCISES, OTHER
from fittrack.movement.sessions import rows_within
from fittrack.pose.table import from_parquet_bytes
from fittrack.recognition.groups import upload_group
from fittrack.storage.keys import LABELS_PREFIX, ResultKeys, is_label_key, label_key, upload_key
from fittrack.storage.store import Store

PERSON_CHOICES = (*EXERCISES, OTHER)  # what a person may say: one of the five, or "none of these"


@dataclass(frozen=True)
class UserLabel:
    upload_id: str
    model_said: str  # the answer the person saw when they said it
    person_said: str  # one of PERSON_CHOICES
    start_s: float | None = None  # the set's span; None for the whole video
    end_s: float | None = None
    at: float = 0.0  # when it was said (unix time)

    @property
    def span_ms(self) -> tuple[int, int] | None:
        if self.start_s is None or self.end_s is None:
            return None
        return round(self.start_s * 1000), round(self.end_s * 1000)

    @property
    def span_s(self) -> tuple[float, float]:
        """The set's span in seconds ((0, 0) for the whole video: check `span_ms` first)."""
        return float(self.start_s or 0.0), float(self.end_s or 0.0)

    @property
    def training_id(self) -> str:
        """The video id its rows train under: the upload, or the upload's set."""
        span = self.span_ms
        return f"upload-{self.upload_id}" + (f"-{span[0]}-{span[1]}" if span else "")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> UserLabel:
        start, end = data.get("start_s"), data.get("end_s")
        return cls(str(data["upload_id"]), str(data.get("model_said") or ""), str(data["person_said"]),
                   None if start is None else float(start), None if end is None else float(end),
                   float(data.get("at") or 0.0))


def record_label(store: Store, label: UserLabel, duration_s: float) -> str:
    """Checks the label against its upload and writes it (atomically; the last one of a scope stands)."""
    source = f"label for upload {label.upload_id}"
    if label.person_said not in PERSON_CHOICES:
        raise BadInputError(source, f"names {label.person_said!r}, not an exercise fittrack counts",
                            f"say one of: {', '.join(PERSON_CHOICES)}")
    if not store.exists(upload_key(label.upload_id)) or not store.exists(ResultKeys.of(label.upload_id).rows):
        raise BadInputError(source, "names an upload that does not exist or has no analysis yet",
                            "label an upload after its analysis has finished")
    span = label.span_ms
    if span is not None and not (0 <= span[0] < span[1] <= round(duration_s * 1000) + 1):
        raise BadInputError(source, f"spans {label.start_s}-{label.end_s} s, outside the video's "
                            f"0-{duration_s:.1f} s", "label a set inside the video")
    key = label_key(label.upload_id, span)
    stamped = UserLabel(**(label.to_dict() | {"at": label.at or time.time()}))
    for older in labels_of(store, label.upload_id):  # what the person says now replaces what it overlaps
        if older.span_ms is not None and (span is None or _overlap(older.span_ms, span)):
            store.delete(label_key(label.upload_id, older.span_ms))
    store.put_bytes(key, json.dumps(stamped.to_dict()).encode())
    return key


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def labels_of(store: Store, upload_id: str | None = None) -> list[UserLabel]:
    """The label records of one upload (or of all), whole-video ones first."""
    prefix = f"{LABELS_PREFIX}{upload_id}/" if upload_id else LABELS_PREFIX
    found = []
    for key in filter(is_label_key, sorted(store.list(prefix))):
        try:
            found.append(UserLabel.from_dict(json.loads(store.get_bytes(key))))
        except StoreKeyMissing:  # replaced or deleted between the listing and the read
            continue
    return sorted(found, key=lambda label: (label.upload_id, label.span_ms is not None, label.span_ms or (0, 0)))


def labelled_rows(store: Store) -> tuple[pd.DataFrame, pd.Series]:
    """The rows of every labelled upload, relabelled as the person said, and their groups (one per upload).

    A whole-video label trains all of its rows, minus the spans of its set
    labels; a set label trains only its span.
    """
    tables, groups = [], {}
    for upload_id, labels in _by_upload(labels_of(store)).items():
        try:
            rows = from_parquet_bytes(store.get_bytes(ResultKeys.of(upload_id).rows))
        except StoreKeyMissing:  # deleted meanwhile: nothing to train
            continue
        sets = [label for label in labels if label.span_ms is not None]
        for label in labels:
            chosen = rows_within(rows, *label.span_s) if label.span_ms else _outside(rows, [s.span_ms for s in sets])
            if chosen.empty:
                continue
            chosen = chosen.assign(video_id=label.training_id, label=label.person_said,
                                   source=upload_key(upload_id))
            tables.append(chosen)
            groups[label.training_id] = upload_group(upload_id)
    if not tables:
        return pd.DataFrame(), pd.Series(dtype=object)
    return pd.concat(tables, ignore_index=True), pd.Series(groups, dtype=object)


def _by_upload(labels: list[UserLabel]) -> dict[str, list[UserLabel]]:
    grouped: dict[str, list[UserLabel]] = {}
    for label in labels:
        grouped.setdefault(label.upload_id, []).append(label)
    return grouped


def _outside(rows: pd.DataFrame, spans: list[tuple[int, int] | None]) -> pd.DataFrame:
    """The rows in none of `spans` (ms)."""
    inside = [rows_within(rows, span[0] / 1000, span[1] / 1000).index for span in spans if span is not None]
    return rows.drop(index=inside[0].append(inside[1:])) if inside else rows
