"""When a video was filmed, read from its container: real phone-style tags, and tags that are not dates,
not UTF-8, or megabytes long, none of which may break an analysis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest

from fittrack.pose.recorded_time import parse_time, recorded_at

MARKER = "ZZZZ-not-utf8-here-ZZZZ"


def tagged_video(path: Path, tags: dict[str, str], frames: int = 6) -> Path:
    """A small H.264 mp4 written by PyAV with the given container tags."""
    with av.open(str(path), "w") as container:
        container.metadata.update(tags)
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            image = np.full((48, 64, 3), 40 * i % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-30T18:04:05.000000Z", datetime(2026, 11, 30, 18, 4, 5, tzinfo=UTC)),
    ("2026-11-30T19:04:05+0100", datetime(2026, 11, 30, 18, 4, 5, tzinfo=UTC)),  # Apple's creationdate
    ("2026-11-30 18:04:05", datetime(2026, 11, 30, 18, 4, 5, tzinfo=UTC)),
    ("1970-01-01T00:00:00.000000Z", None),  # a clock never set
    ("1904-01-01T00:00:00Z", None),  # the QuickTime epoch
    ("2999-01-01T00:00:00Z", None),  # the future
    ("last Tuesday", None),
    ("2026-11-30T18:04:05Z" + " " * 100, None),  # too long to be a date
    ("", None),
    (None, None),
])
def test_creation_times_as_containers_write_them(value, expected):
    assert parse_time(value) == expected


def test_the_creation_time_of_a_video_is_read(tmp_path):
    video = tagged_video(tmp_path / "phone.mp4", {"creation_time": "2026-11-30T18:04:05.000000Z"})
    assert recorded_at(video) == datetime(2026, 11, 30, 18, 4, 5, tzinfo=UTC)


def test_a_video_without_one_says_none(tmp_path):
    assert recorded_at(tagged_video(tmp_path / "edited.mp4", {})) is None


def test_tags_that_are_not_utf8_or_are_huge_do_not_break_the_read(tmp_path):
    video = tagged_video(tmp_path / "odd.mp4", {"creation_time": "2026-11-30T18:04:05.000000Z",
                                                "comment": MARKER, "title": "x" * 1_000_000})
    data = video.read_bytes()
    assert data.count(MARKER.encode()) == 1
    video.write_bytes(data.replace(MARKER.encode(), b"\xff\xfe\xc3(" + b"\x80" * (len(MARKER) - 4)))
    assert b"\xff\xfe\xc3(" in video.read_bytes()
    assert recorded_at(video) == datetime(2026, 11, 30, 18, 4, 5, tzinfo=UTC)  # the mp4 keeps it in its header
