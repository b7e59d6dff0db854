"""Frames written to an H.264 mp4 as they come (a live camera's), each at its own time.

The live page keeps the frames it analysed, so a live set is stored like an
upload: a video whose frame i is the frame of row i (`frame_index`), which
the annotated copy is drawn on later. Times are kept in milliseconds
(time base 1/1000), so a camera's uneven frame rate plays back as filmed.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


class FrameRecorder:
    """Not thread-safe: one thread adds frames, then closes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._container = av.open(str(path), "w")
        self._stream: av.video.stream.VideoStream | None = None
        self._size = (0, 0)
        self._last_pts = -1
        self.frames = 0

    def add(self, rgb: np.ndarray, timestamp_ms: int) -> None:
        if self._stream is None:
            height, width = rgb.shape[:2]
            self._size = (width - width % 2, height - height % 2)  # H.264 wants even sizes
            stream = self._container.add_stream("libx264", rate=30)
            stream.width, stream.height, stream.pix_fmt = *self._size, "yuv420p"
            stream.time_base = Fraction(1, 1000)
            stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
            self._stream = stream
        assert self._stream is not None
        width, height = self._size
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:height, :width]), format="rgb24")
        self._last_pts = max(int(timestamp_ms), self._last_pts + 1)
        frame.pts, frame.time_base = self._last_pts, Fraction(1, 1000)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> Path:
        if self._stream is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
        self._container.close()
        return self.path
