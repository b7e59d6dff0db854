"""Decoding a video file into upright RGB frames with true timestamps.

OpenCV's FFmpeg backend applies the rotation metadata of phone videos when
`CAP_PROP_ORIENTATION_AUTO` is on; we switch it on explicitly rather than rely
on a default. Timestamps come from the container (`CAP_PROP_POS_MSEC`), not
from index / fps, so variable-frame-rate files keep true times, and sampling
keeps the original frame index. Skipped frames are only `grab()`bed, which
decodes but skips the colour conversion.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from fittrack.errors import VideoError

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
_MIN_DECODED_SHARE = 0.9


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video, with sizes after rotation."""

    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    rotation_degrees: int

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


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
    """Refuses a video too short to show one repetition, rather than calling it "not one of these"."""
    if info.duration_s < MIN_VIDEO_SECONDS:
        raise VideoError(source, f"is {info.duration_s:.2f} s long ({info.frame_count} frames): too short to "
                         f"recognise an exercise", f"film at least {MIN_VIDEO_SECONDS:.0f} s, a whole repetition")


def probe(path: str | Path) -> VideoInfo:
    """Reads the container's facts without decoding the whole file."""
    path = Path(path)
    capture = _open_capture(path)
    try:
        return _info(path, capture)
    finally:
        capture.release()


def _info(path: Path, capture: cv2.VideoCapture) -> VideoInfo:
    rotation = int(capture.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if rotation in (90, 270):
        width, height = height, width
    return VideoInfo(
        path=str(path),
        width=width,
        height=height,
        fps=float(capture.get(cv2.CAP_PROP_FPS) or 0.0),
        frame_count=max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0),
        rotation_degrees=rotation,
    )


class VideoReader:
    """Iterates the frames of one video, optionally sampled to `sample_fps`.

    Decoding runs in a background thread: OpenCV releases the GIL while it
    decodes, so on a machine with a spare core decoding overlaps inference.
    """

    def __init__(self, path: str | Path, sample_fps: float = 0.0, prefetch: int = 4) -> None:
        self.path = Path(path)
        self.sample_fps = sample_fps
        self._prefetch = prefetch
        capture = _open_capture(self.path)
        self.info = _info(self.path, capture)
        capture.release()

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
                    break
                yield Frame(index, timestamp_ms, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        finally:
            capture.release()
        self._check_complete(decoded)

    def _check_complete(self, decoded: int) -> None:
        name = str(self.path)
        if decoded == 0:
            raise VideoError(name, "contains no decodable frames", _FIX_HINT)
        expected = self.info.frame_count
        if expected > 0 and decoded < _MIN_DECODED_SHARE * expected:
            raise VideoError(
                name,
                f"is truncated or corrupt: decoded {decoded} of the {expected} frames its header announces",
                _FIX_HINT,
            )
