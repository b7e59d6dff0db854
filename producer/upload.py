"""Uploading a dataset folder (Kaggle layout) into the store, once per content."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from fittrack.labels import OTHER, exercise_or_other
from fittrack.pose.extract import file_sha256
from fittrack.recognition.groups import GROUP_METADATA, KIND_METADATA, read_kinds, read_manifest
from fittrack.storage.dataset import scan_dataset
from fittrack.storage.store import Store

log = logging.getLogger(__name__)


@dataclass
class UploadReport:
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.uploaded)} uploaded, {len(self.unchanged)} unchanged"


def upload_dataset(root: Path, store: Store, show_progress: bool = True) -> UploadReport:
    """Puts every class video at videos/<class>/<file> with its sha256 as metadata.

    A video whose stored sha256 and group match the local file is not sent
    again, so a re-run after adding a few files uploads only those. The group
    (the video's origin, from the dataset's manifest.json: fittrack.recognition.groups)
    keeps clips of one person on one side of every evaluation fold.
    """
    report = UploadReport()
    videos = scan_dataset(root)
    groups, kinds = read_manifest(root), read_kinds(root)
    for video in tqdm(videos, desc="upload", unit="video", file=sys.stderr, disable=not show_progress):
        digest = file_sha256(video.path)
        metadata = {"sha256": digest, "label": video.label}
        if digest in groups:
            metadata[GROUP_METADATA] = groups[digest]
        if digest in kinds and exercise_or_other(video.label) == OTHER:
            metadata[KIND_METADATA] = kinds[digest]
        stored = store.head(video.key)
        if stored and all(stored.metadata.get(k) == v for k, v in metadata.items()):
            report.unchanged.append(video.key)
            continue
        store.put_file(video.key, video.path, metadata=metadata)
        report.uploaded.append(video.key)
    log.info("upload to %s: %s", store.url, report.summary())
    return report
