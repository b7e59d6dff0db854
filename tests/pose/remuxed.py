"""Real trimmed and damaged copies of shared clips, made by the tests themselves (issue #33).

Nothing here is committed as a video: each test writes its copy under
`tmp_path` from a clip of the shared set (and skips without the set).
"""

from __future__ import annotations

import struct
from pathlib import Path

import cv2

TRIM_SOURCE = "push_up/b3_muthu_pushup.mp4"  # 480x264, 105 frames at 15 frame/s, one keyframe, a person
HIDDEN_FRAMES = 16  # as in the phone clip: 118 stored, 102 shown
TRIM_PRESENTED = 105 - HIDDEN_FRAMES


def write_edit_list_copy(source: Path, target: Path, hidden: int = HIDDEN_FRAMES) -> Path:
    """A stream copy of `source` (no re-encoding) whose MP4 edit list hides its first `hidden` frames.

    Made the way `ffmpeg -ss T -c copy` trims a clip: every packet is kept
    (the decoder needs those before the first shown frame: here from the only
    keyframe, frame 0), with pts and dts shifted so the first `hidden` frames
    fall before zero. FFmpeg's mp4 muxer (through PyAV) then writes an `elst`
    whose media time starts at the first shown frame, and `faststart` puts
    the index (moov) first, as phones do. The sample table still stores every
    frame, so OpenCV's CAP_PROP_FRAME_COUNT counts them all, while the demuxer
    flags the hidden ones discard and decoding yields `hidden` fewer.
    """
    import av

    with av.open(str(source)) as original, av.open(str(target), "w", format="mp4",
                                                   options={"movflags": "faststart"}) as copy:
        stream = original.streams.video[0]
        out = copy.add_stream_from_template(stream)
        packets = [p for p in original.demux(stream) if p.dts is not None]
        first_shown = sorted(p.pts for p in packets if p.pts is not None)[hidden]
        for packet in packets:
            packet.pts = None if packet.pts is None else packet.pts - first_shown
            packet.dts -= first_shown
            packet.stream = out
            copy.mux(packet)
    return target


def edit_list_media_time(path: Path) -> int:
    """The media time of the first `elst` entry: how many time-scale units the edit skips (0 = none)."""
    data = path.read_bytes()
    at = data.find(b"elst")
    assert at > 0, f"{path} has no edit list"
    version = data[at + 4]
    entry = at + 12  # after version (1), flags (3), entry count (4)
    if version == 1:
        return struct.unpack(">q", data[entry + 8 : entry + 16])[0]
    return struct.unpack(">i", data[entry + 4 : entry + 8])[0]


def cut_copy(source: Path, target: Path, share: float = 0.5) -> Path:
    """The first `share` of `source`'s bytes: a copy or upload that stopped in the middle of its frames."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * share)])
    return target


def header_frame_count(path: Path) -> int:
    """What the old check compared with: OpenCV's CAP_PROP_FRAME_COUNT."""
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()


def decoded_frame_count(path: Path) -> int:
    """Frames OpenCV actually decodes, counted without our reader."""
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        count = 0
        while capture.grab():
            count += 1
        return count
    finally:
        capture.release()
