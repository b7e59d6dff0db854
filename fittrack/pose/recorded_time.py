"""When a video was filmed, from what the camera wrote into its container.

Phones write it (`creation_time` in MP4/MOV, Apple's
`com.apple.quicktime.creationdate` with the local offset); editors and
screen recorders often write nothing, or the container epoch (1904/1970).
The caller falls back to the upload time; nothing here may fail an analysis,
so odd bytes (not UTF-8, megabytes of tags) only mean "unknown".
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)

CREATION_KEYS = ("com.apple.quicktime.creationdate", "creation_time", "date")  # the most precise first
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before this, a clock that was never set
LONGEST_VALUE = 64  # a date is short; a longer tag is not one


def recorded_at(path: str | Path) -> datetime | None:
    """The filming time in UTC, or None when the file does not say (or says something impossible)."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            tags = [dict(container.metadata)] + [dict(s.metadata) for s in container.streams.video]
    except (av.FFmpegError, OSError, ValueError, UnicodeError) as error:
        log.info("no creation time read from %s: %s", Path(path).name, error)
        return None
    for key in CREATION_KEYS:
        for found in tags:
            when = parse_time(found.get(key))
            if when is not None:
                return when
    return None


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as containers write it ("2026-11-30T18:04:05.000000Z", "...+0100"), else None."""
    if not isinstance(value, str) or not value or len(value) > LONGEST_VALUE:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():  # +0100 -> +01:00
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if not EARLIEST <= when <= datetime.now(UTC) + timedelta(days=1):
        return None
    return when
