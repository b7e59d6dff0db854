"""A set in front of a camera: frames in as they come, the rep count, phase and form cue out as they change.

Each accepted frame goes through the upload path's own steps: the pose model
(`pose.estimator`), the same angle table (`pose.extract.columns_of_poses`),
the same rep counter over the rows so far (`movement.reps.count_video_reps`)
and the same form cues (`movement.form.rep_cues`); nothing here counts on its
own. Frames come faster than the pose model runs, so at most `sample_fps` a
second are taken (as uploads are sampled) and the caller drops the rest
rather than queue them (`webapp/live.py`). Recognition, when the person has
not named the exercise, runs the trained model over the rows once 2.5 s with
a person are in (`movement.predict.predict_rows`), again every 2.5 s until it
names one of the five.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fittrack.labels import EXERCISES, display_name
from fittrack.movement.form import FAULT, rep_cues
from fittrack.movement.predict import predict_rows
from fittrack.movement.reps import RepCount, count_video_reps
from fittrack.movement.sessions import NAMED_BY_PERSON, RECOGNISED
from fittrack.pose.annotate import draw_banner, draw_pose, frame_poses
from fittrack.pose.estimator import PoseEstimator
from fittrack.pose.extract import columns_of_poses
from fittrack.pose.landmarks import PoseLandmarks
from fittrack.pose.table import Columns, rows_from_columns
from fittrack.recognition.model_file import ExerciseModel

RECOGNISE_AFTER_S = 2.5  # one window of the forest (recognition.features.WindowSpec)
RECOUNT_EVERY_S = 0.2  # of the set's own time: the counter ticks within a fifth of a second
RATE_WINDOW = 30  # processed frames the shown rate is averaged over


@dataclass(frozen=True)
class LiveState:
    """What the page shows while the set runs."""

    exercise: str | None
    named_by: str  # RECOGNISED or NAMED_BY_PERSON; "" before anything is named
    reps: int
    phase: str
    cue: str  # the last finished rep's faults, "" when it had none
    person: bool  # the latest processed frame has a person
    processed_fps: float
    latency_ms: float  # median time to process one frame, over the last RATE_WINDOW
    frames: int
    notice: str = ""

    def headline(self) -> str:
        what = display_name(self.exercise) if self.exercise else "recognising..."
        return f"{what}   reps: {self.reps}   {self.phase}"


@dataclass
class _Poses:
    poses: list[PoseLandmarks | None] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)


class LiveSet:
    """One set from a live camera. `offer` may be called from a media thread; `state` and `name` from the page's."""

    def __init__(self, estimator: PoseEstimator, *, exercise: str | None = None, model: ExerciseModel | None = None,
                 sample_fps: float = 15.0, visibility_threshold: float = 0.5) -> None:
        self._estimator = estimator
        self._model = model
        self._sample_ms = 1000.0 / sample_fps if sample_fps > 0 else 0.0
        self._visibility = visibility_threshold
        self._lock = threading.Lock()
        self._poses = _Poses()
        self._size = (0, 0)
        self._last_taken_ms = -1e9
        self._last_count_ms = -1e9
        self._next_recognition_s = RECOGNISE_AFTER_S
        self._seconds: deque[float] = deque(maxlen=RATE_WINDOW)
        self._taken_at: deque[float] = deque(maxlen=RATE_WINDOW)
        self._exercise = exercise if exercise in EXERCISES else None
        self._named_by = NAMED_BY_PERSON if self._exercise else ""
        self._count: RepCount | None = None
        self._cue = ""
        self._person = False
        self._notice = "" if exercise or model else "no exercise model yet: choose the exercise to count reps"
        self._rows_cache: pd.DataFrame | None = None

    def wants(self, timestamp_ms: int) -> bool:
        """Whether a frame at this time would be analysed (at most sample_fps a second)."""
        return timestamp_ms - self._last_taken_ms >= self._sample_ms - 1

    def offer(self, rgb: np.ndarray, timestamp_ms: int) -> bool:
        """Analyses the frame if it is due; returns whether it was. Draws nothing."""
        if not self.wants(timestamp_ms):
            return False
        started = time.perf_counter()
        pose = self._estimator.detect(rgb, timestamp_ms)
        with self._lock:
            self._last_taken_ms = timestamp_ms
            self._size = (rgb.shape[1], rgb.shape[0])
            self._poses.poses.append(pose)
            self._poses.indices.append(len(self._poses.indices))
            self._poses.timestamps.append(timestamp_ms)
            self._person = pose is not None
            self._rows_cache = None
            if timestamp_ms - self._last_count_ms >= RECOUNT_EVERY_S * 1000:
                self._last_count_ms = timestamp_ms
                self._update(self._rows_locked())
            self._seconds.append(time.perf_counter() - started)
            self._taken_at.append(time.monotonic())
        return True

    def finish(self) -> LiveState:
        """Counts once more over every row (the last frames may have come between two recounts)."""
        with self._lock:
            if self._poses.poses:
                self._update(self._rows_locked())
        return self.state

    def name(self, exercise: str) -> None:
        """The person's choice (before, or a one-click correction of the recognised name): counting follows it."""
        if exercise not in EXERCISES:
            raise ValueError(f"{exercise!r} is not one of {EXERCISES}")
        with self._lock:
            self._exercise, self._named_by, self._notice = exercise, NAMED_BY_PERSON, ""
            self._update(self._rows_locked())

    def _update(self, rows: pd.DataFrame) -> None:
        if self._exercise is None and self._model is not None:
            self._recognise(rows)
        if self._exercise is None:
            return
        self._count = count_video_reps(rows, self._exercise)
        if self._count.reps:
            cues = rep_cues(rows, self._exercise, self._count.reps[-1])
            self._cue = ", ".join(f"{c.cue.replace('_', ' ')}" for c in cues if c.verdict == FAULT)

    def _recognise(self, rows: pd.DataFrame) -> None:
        seen = rows[rows["detected"].astype(bool)]
        if len(seen) < 2:
            return
        span_s = (seen["timestamp_ms"].iloc[-1] - seen["timestamp_ms"].iloc[0]) / 1000.0
        if span_s < self._next_recognition_s or self._model is None:
            return
        self._next_recognition_s = span_s + RECOGNISE_AFTER_S
        label = predict_rows(self._model, rows).label
        if label in EXERCISES:
            self._exercise, self._named_by = label, RECOGNISED

    def _rows_locked(self) -> pd.DataFrame:
        if self._rows_cache is None:
            self._rows_cache = rows_from_columns(self._columns_locked())
        return self._rows_cache

    def _columns_locked(self) -> Columns:
        return columns_of_poses(self._poses.poses, self._poses.indices, self._poses.timestamps,
                                video_id="live", source="live camera", label=None, width=self._size[0],
                                height=self._size[1], visibility_threshold=self._visibility)

    def columns(self) -> Columns:
        """The set's angle table so far, as numpy columns (what its Parquet object is written from)."""
        with self._lock:
            return self._columns_locked()

    def rows(self) -> pd.DataFrame:
        with self._lock:
            return self._rows_locked().copy()

    @property
    def state(self) -> LiveState:
        with self._lock:
            count = self._count
            phase = str(count.phases[-1]) if count is not None and len(count.phases) else ""
            seconds = sorted(self._seconds)
            span = self._taken_at[-1] - self._taken_at[0] if len(self._taken_at) > 1 else 0.0
            return LiveState(
                exercise=self._exercise, named_by=self._named_by, reps=count.count if count else 0, phase=phase,
                cue=self._cue, person=self._person,
                processed_fps=(len(self._taken_at) - 1) / span if span > 0 else 0.0,
                latency_ms=1000 * seconds[len(seconds) // 2] if seconds else 0.0,
                frames=len(self._poses.poses), notice=self._notice)

    def draw(self, rgb: np.ndarray) -> np.ndarray:
        """The frame with the latest skeleton, the count, the phase and the cue drawn on it (a copy)."""
        image = rgb.copy()
        with self._lock:  # the latest frame's row alone: the whole table is rebuilt only to recount
            latest = rows_from_columns(columns_of_poses(
                self._poses.poses[-1:], self._poses.indices[-1:], self._poses.timestamps[-1:], video_id="live",
                source="live camera", label=None, width=self._size[0], height=self._size[1],
                visibility_threshold=self._visibility)) if self._poses.poses else None
        if latest is not None:
            for pose in frame_poses(latest, self._visibility).values():
                draw_pose(image, pose)
        state = self.state
        lines = [state.headline(), f"processed {state.processed_fps:.0f} frames/s"]
        if state.cue:
            lines.append(f"form (experimental): {state.cue}")
        draw_banner(image, lines, "" if state.person or not state.frames else "no person in view")
        return image
