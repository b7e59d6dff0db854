"""Uploads from people: checks before anything is stored, and their display names.

The webapp is a thin page over these functions. A user's file name is kept
only as display text (URL-quoted object metadata); the store key comes
from a generated id, so no name ever reaches a path or a shell.
"""

from __future__ import annotations

import time
import urllib.parse

from fittrack.errors import BadInputError
from fittrack.labels import EXERCISES
from fittrack.pose.video import starts_like_video
from fittrack.settings import Settings
from fittrack.storage.keys import new_upload_id, upload_key
from fittrack.storage.store import Store

VIDEO_TYPES = ("mp4", "mov", "avi", "webm", "mkv", "m4v")


class UploadError(BadInputError):
    """An upload refused before it reaches the store."""


def check_upload(name: str, data: bytes, settings: Settings) -> None:
    """Raises UploadError for a file that is too large, empty, or not a video at all."""
    shown = display_text(name)
    limit = settings.upload_limit_mb * 1024 * 1024
    if len(data) > limit:
        raise UploadError(shown, f"is {len(data) / 2**20:.0f} MB, more than the limit of "
                          f"{settings.upload_limit_mb} MB", "trim or compress the video and upload it again")
    if not data:
        raise UploadError(shown, "is empty (0 bytes)", "choose the video file itself")
    if not starts_like_video(data[:16]):
        raise UploadError(shown, "is not a video file", f"upload one of: {', '.join(VIDEO_TYPES)}")


def display_text(name: str) -> str:
    """The user's file name as harmless display text: base name only, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable())
    return cleaned[:120] or "upload"


EXERCISE_METADATA = "exercise"  # the exercise the person named before the analysis, if any
OWNER_METADATA = "owner"  # the user id of the person who uploaded it; absent in single-user mode


def store_upload(store: Store, name: str, data: bytes, exercise: str | None = None,
                 owner_id: str | None = None) -> tuple[str, str]:
    """Writes the upload under a new id; returns (upload id, store key).

    A named `exercise` and the uploader's `owner_id` go with the upload
    itself, so the analysis job, any retry of it and every ownership check
    read them from the store.
    """
    if exercise is not None and exercise not in EXERCISES:
        raise UploadError(exercise, "is not an exercise fittrack counts", f"choose one of: {', '.join(EXERCISES)}")
    upload_id = new_upload_id()
    key = upload_key(upload_id)
    metadata = {"display-name": urllib.parse.quote(display_text(name)), "uploaded-at": str(int(time.time()))}
    if exercise is not None:
        metadata[EXERCISE_METADATA] = exercise
    if owner_id is not None:
        metadata[OWNER_METADATA] = owner_id
    store.put_bytes(key, data, metadata=metadata)
    return upload_id, key


def named_exercise(store: Store, key: str) -> str | None:
    """The exercise the person named for the upload at `key`, None for "recognise it"."""
    info = store.head(key)
    exercise = info.metadata.get(EXERCISE_METADATA) if info else None
    return exercise if exercise in EXERCISES else None


def upload_owner(store: Store, key: str) -> tuple[bool, str | None]:
    """(whether the upload exists, its owner's user id or None for an upload made in single-user mode)."""
    info = store.head(key)
    return (info is not None, info.metadata.get(OWNER_METADATA) if info else None)


def stored_display_name(store: Store, key: str) -> str:
    info = store.head(key)
    return display_name_of(info.metadata) if info else ""


def display_name_of(metadata: dict[str, str]) -> str:
    """The file name a person gave, from an upload's store metadata ("" when none was kept)."""
    return urllib.parse.unquote(metadata.get("display-name", ""))
