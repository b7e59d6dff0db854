"""Decoding a video file into upright RGB frames with true timestamps.

OpenCV's FFmpeg backend applies the rotation metadata of phone videos when
`CAP_PROP_ORIENTATION_AUTO` is on; we switch it on explicitly rather than rely
on a default. Timestamps come from the container (`CAP_PROP_POS_MSEC`), not
from index / fps, so variable-frame-rate files keep true times, and sampling
keeps the original frame index. Skipped frames are only `grab()`bed, which
decodes but skips the colour conversion.

What a file is said to hold follows what a player shows, not the header's
sample count: a clip trimmed without re-encoding keeps every sample and lets
its MP4 edit list hide some, so `CAP_PROP_FRAME_COUNT` over-counts it. The
frame count and duration come from the video stream's edit-list-aware
duration (read through PyAV, the same FFmpeg demuxer), and a file is called
truncated only when its decoded frames stop well before that duration.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from fittrack.errors import VideoError

log = logging.getLogger(__name__)

# Leading bytes of the containers FFmpeg would read. Used only to tell "not a
# video at all" apart from "a video file that is damaged" in error messages.
# Checked before FFmpeg opens a file: FFmpeg also reads a single image (a PNG
# renamed .mp4) as a one-frame "video", which is never what a person meant.
_CONTAINER_SIGNATURES = (
    (4, b"ftyp"),  # mp4, mov, m4v, 3gp
    *((4, atom) for atom in (b"moov", b"mdat", b"wide", b"free", b"skip")),  # QuickTime without ftyp
    (0, b"\x1a\x45\xdf\xa3"),  # mkv, webm
    (0, b"RIFF"),  # avi
    (0, b"\x00\x00\x01\xba"),  # mpeg-ps
    (0, b"OggS"),
    (0, b"FLV"),
    (0, b"\x30\x26\xb2\x75"),  # asf, wmv
)
MIN_VIDEO_SECONDS = 1.0  # shorter than this holds no repetition of any exercise
_FIX_HINT = "re-export it as mp4 (H.264) and try again"
_CUT_HINT = "the copy or upload may not have finished: copy it again, or re-export it as mp4 (H.264)"
_MIN_DECODED_SHARE = 0.9  # of the presented duration the decoded frames must reach
_MAX_FPS = 1000.0  # a rate above this is a broken header, not a camera
# Quarter turns only: a half turn keeps the frame's shape, so whether OpenCV applied it cannot be seen.
_TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@dataclass(frozen=True)
class VideoInfo:
    """What a player shows of a video: upright size, frame rate, and the frames and seconds presented.

    `frame_count` and `duration_s` come from the edit-list-aware presentation
    when the container's stored sample count disagrees with it (see `probe`).
    """

    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    rotation_degrees: int  # clockwise turn the metadata asks for; width and height are after it
    duration_s: float


@dataclass(frozen=True)
class Frame:
    """One decoded frame, upright, in RGB order (what MediaPipe expects)."""

    index: int
    timestamp_ms: int
    rgb: np.ndarray


def looks_like_video_container(path: Path) -> bool:
    with path.open("rb") as handle:
        return starts_like_video(handle.read(16))


def starts_like_video(head: bytes) -> bool:
    """True when the first bytes are those of a container FFmpeg reads as video."""
    return any(head[offset : offset + len(magic)] == magic for offset, magic in _CONTAINER_SIGNATURES)


def _open_capture(path: Path) -> cv2.VideoCapture:
    """Opens a capture or raises a VideoError that says what is wrong with the file."""
    name = str(path)
    if not path.exists():
        raise VideoError(name, "file not found", "check the path")
    if not path.is_file():
        raise VideoError(name, "is not a regular file", "pass a video file, not a folder")
    if path.stat().st_size == 0:
        raise VideoError(name, "file is empty (0 bytes)", "the upload or copy did not finish; copy it again")
    if not looks_like_video_container(path):
        raise VideoError(name, "not a video file (no known video container in its first bytes)",
                         "pass an mp4, mov, avi, mkv or webm file")
    capture = cv2.VideoCapture(name, cv2.CAP_FFMPEG)
    if not capture.isOpened():
        capture.release()
        if _readable_without_video(path):
            raise VideoError(name, "has no video stream (audio only?)", "pass a file with a video track")
        raise VideoError(name, "video container is corrupt or truncated and cannot be opened", _FIX_HINT)
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if width <= 0 or height <= 0:
        capture.release()
        raise VideoError(name, "has no video stream (audio only or empty)", "pass a file with a video track")
    return capture


def _readable_without_video(path: Path) -> bool:
    """True when FFmpeg (through PyAV) reads the container but finds no video stream in it."""
    import av

    try:
        with av.open(str(path)) as container:
            return not container.streams.video
    except (av.FFmpegError, OSError, ValueError):
        return False


def sampled_frame_count(info: VideoInfo, sample_fps: float) -> int:
    """Frames a read of the whole file yields at `sample_fps` (0 = every frame)."""
    if sample_fps <= 0 or info.fps <= 0 or sample_fps >= info.fps:
        return info.frame_count
    return max(1, round(info.duration_s * sample_fps))


def require_long_enough(info: VideoInfo, source: str) -> None:
    """Refuses a video too short to show one repetition, rather than calling it "not one of these".

    Judged on the presented duration, so a trimmed clip is as long as a player shows it.
    """
    if info.duration_s < MIN_VIDEO_SECONDS:
        raise VideoError(source, f"is {info.duration_s:.2f} s long ({info.frame_count} frames): too short to "
                         f"recognise an exercise", f"film at least {MIN_VIDEO_SECONDS:.0f} s, a whole repetition")


def probe(path: str | Path) -> VideoInfo:
    """What a player would show of the file, read without decoding it; logs where the header disagrees."""
    path = Path(path)
    capture = _open_capture(path)
    try:
        return _info(path, capture)
    finally:
        capture.release()


@dataclass(frozen=True)
class _Presentation:
    """What FFmpeg's demuxer (through PyAV) says a player shows, beside OpenCV's header numbers."""

    duration_s: float  # the video stream's edit-list-aware duration, else the container's; 0 = unknown
    rate: float  # the stream's average frame rate; 0 = unknown
    indexed: int  # index entries not flagged discard: every shown frame in mp4/mov, only keyframes in mkv


def _presentation(path: Path) -> _Presentation | None:
    """None when PyAV cannot read what OpenCV could: the header's numbers are then all there is."""
    import av

    try:
        with av.open(str(path)) as container:
            streams = [s for s in container.streams.video
                       if not s.disposition & av.stream.Disposition.attached_pic]  # cover art is no video
            if not streams:
                return None
            stream = streams[0]
            if stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            else:
                duration = container.duration / av.time_base if container.duration else 0.0
            return _Presentation(duration_s=max(duration, 0.0), rate=float(stream.average_rate or 0.0),
                                 indexed=sum(1 for entry in stream.index_entries if not entry.is_discard))
    except (av.FFmpegError, OSError, ValueError):
        return None


def _info(path: Path, capture: cv2.VideoCapture) -> VideoInfo:
    rotation = int(capture.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
    width, height = _upright_size(capture, rotation)
    shown = _presentation(path)
    fps = _frame_rate(path, float(capture.get(cv2.CAP_PROP_FPS) or 0.0), shown)
    frame_count, duration_s = _presented(path, max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0), fps, shown)
    return VideoInfo(path=str(path), width=width, height=height, fps=fps, frame_count=frame_count,
                     rotation_degrees=rotation, duration_s=duration_s)


def _upright_size(capture: cv2.VideoCapture, rotation: int) -> tuple[int, int]:
    """Width and height a player shows: the coded size, turned by the rotation metadata.

    Read with auto-orientation off: OpenCV 5 reports the size already turned
    when it is on (older builds did not), and turning that again gave portrait
    frames a landscape size.
    """
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    return (height, width) if rotation in (90, 270) else (width, height)


def _plausible_rate(rate: float) -> bool:
    return math.isfinite(rate) and 0 < rate <= _MAX_FPS


def _frame_rate(path: Path, header: float, shown: _Presentation | None) -> float:
    """The stream's average rate (frames shown per second), else OpenCV's; logs when they disagree."""
    average = shown.rate if shown else 0.0
    if not _plausible_rate(average):
        return header if _plausible_rate(header) else 0.0
    if not _plausible_rate(header) or abs(header - average) > 0.01 * average:
        log.info("%s: OpenCV reports %.3f frame/s, the stream averages %.3f: using %.3f",
                 path, header, average, average)
    return average


def _presented(path: Path, stored: int, fps: float, shown: _Presentation | None) -> tuple[int, float]:
    """Frames and seconds a player shows, from the stored count when it agrees with the presentation.

    The stored count (`CAP_PROP_FRAME_COUNT`: the stream's sample count, or
    the container's duration times the rate when it has none) also counts the
    frames an edit list hides, and a longer audio track stretches the
    container's duration. The video stream's own duration is edit-list aware,
    so more stored frames than it holds means a player shows fewer; fewer
    stored frames than it holds is a variable frame rate, and a player shows
    them all.
    """
    duration = shown.duration_s if shown else 0.0
    if duration <= 0 or fps <= 0:
        return stored, stored / fps if fps > 0 else 0.0
    timed = round(duration * fps)
    if 0 < stored <= timed + 1:
        return stored, duration
    indexed = shown.indexed if shown else 0
    if abs(indexed - timed) <= max(2, timed // 20):  # the index lists every shown frame: exact at any rate
        count, counted = indexed, "its index"
    else:  # an index of keyframes only (mkv), or of the fragments read so far
        count, counted = timed, "its duration"
    log.info("%s: the header counts %d frames, the video stream presents %d (%.2f s at %.3f frame/s, counted "
             "from %s): using %d", path, stored, count, duration, fps, counted, count)
    return count, duration


class VideoReader:
    """Iterates the frames of one video, optionally sampled to `sample_fps`.

    Decoding runs in a background thread: OpenCV releases the GIL while it
    decodes, so on a machine with a spare core decoding overlaps inference.
    """

    def __init__(self, path: str | Path, sample_fps: float = 0.0, prefetch: int = 4,
                 info: VideoInfo | None = None) -> None:
        """`info` is this file's `probe()` when the caller has it: the file is then not opened again."""
        self.path = Path(path)
        self.sample_fps = sample_fps
        self._prefetch = prefetch
        self.info = info or probe(self.path)
        self._turn_told = False

    @property
    def expected_frames(self) -> int:
        """Frames that will be yielded if the file decodes fully (for progress bars)."""
        return sampled_frame_count(self.info, self.sample_fps)

    def __iter__(self) -> Iterator[Frame]:
        frames: queue.Queue[Frame | BaseException | None] = queue.Queue(maxsize=self._prefetch)
        stop = threading.Event()
        worker = threading.Thread(target=self._decode_into, args=(frames, stop), daemon=True)
        worker.start()
        try:
            while True:
                item = frames.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while worker.is_alive():  # unblock a producer waiting on a full queue
                try:
                    frames.get_nowait()
                except queue.Empty:
                    worker.join(timeout=0.05)

    def _decode_into(self, frames: queue.Queue, stop: threading.Event) -> None:
        try:
            for frame in self._decode():
                if stop.is_set():
                    return
                frames.put(frame)
            frames.put(None)
        except BaseException as error:  # noqa: BLE001 -- handed to the consuming thread
            frames.put(error)

    def _decode(self) -> Iterator[Frame]:
        capture = _open_capture(self.path)
        period_ms = 1000.0 / self.sample_fps if self.sample_fps > 0 else 0.0
        next_due_ms = 0.0
        last_ms = -1
        decoded = 0
        try:
            while capture.grab():
                index = decoded
                decoded += 1
                timestamp_ms = round(capture.get(cv2.CAP_PROP_POS_MSEC))
                # PoseLandmarker's VIDEO mode needs strictly increasing times.
                timestamp_ms = max(timestamp_ms, last_ms + 1)
                last_ms = timestamp_ms
                if period_ms and timestamp_ms + 0.5 < next_due_ms:
                    continue
                next_due_ms += period_ms
                if next_due_ms <= timestamp_ms:  # a gap in a variable-rate file
                    next_due_ms = timestamp_ms + period_ms
                ok, bgr = capture.retrieve()
                if not ok or bgr is None:
                    break  # a frame that will not decode ends the stream; _check_complete judges how early
                yield Frame(index, timestamp_ms, cv2.cvtColor(self._upright(bgr), cv2.COLOR_BGR2RGB))
        finally:
            capture.release()
        self._check_complete(decoded, last_ms)

    def _upright(self, bgr: np.ndarray) -> np.ndarray:
        """The frame as a player shows it: turned here when this OpenCV build did not apply the rotation."""
        info = self.info
        unturned = bgr.shape[:2] == (info.width, info.height) and info.width != info.height
        if info.rotation_degrees not in _TURNS or not unturned:
            return bgr
        if not self._turn_told:
            log.info("%s: OpenCV decoded the frames unturned; turning them %d degrees as the rotation "
                     "metadata (and a player) does", self.path, info.rotation_degrees)
            self._turn_told = True
        return cv2.rotate(bgr, _TURNS[info.rotation_degrees])

    def _check_complete(self, decoded: int, last_ms: int) -> None:
        """Refuses a stream ending well before the presented duration: evidence of damage, not a header count.

        The decoded stream's end is the later of its last timestamp plus one
        frame and its frame count at the rate, so neither odd timestamps nor a
        variable rate alone make a whole file look cut.
        """
        name = str(self.path)
        if decoded == 0:
            raise VideoError(name, "contains no decodable frames", _FIX_HINT)
        info = self.info
        frame_s = 1.0 / info.fps if info.fps > 0 else 0.0
        reached_s = max(last_ms / 1000.0 + frame_s, decoded * frame_s)
        if info.duration_s > 0 and reached_s < _MIN_DECODED_SHARE * info.duration_s:
            raise VideoError(name, f"is truncated or corrupt: its frames stop at {reached_s:.2f} s of the "
                             f"{info.duration_s:.2f} s its container says it lasts ({decoded} frames "
                             "decoded)",
                             _CUT_HINT)
        if decoded > 1 and last_ms > 0 and info.fps > 0:
            rate = (decoded - 1) * 1000.0 / last_ms
            if abs(rate - info.fps) > 0.1 * info.fps:
                log.info("%s: the frames decoded at %.1f frame/s on average, the header says %.1f: their own "
                         "timestamps were used", name, rate, info.fps)
