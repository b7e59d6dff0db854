"""Pose estimation with MediaPipe's PoseLandmarker: the only module that imports mediapipe.

The model is the `.task` bundle committed next to this package (built offline
by `scripts/build_pose_model.sh` from the Apache-2.0 models in the mediapipe
0.10.21 wheel); its sha256 is checked before loading, so a damaged or swapped
file fails with instructions instead of odd landmarks. VIDEO running mode
tracks the person between frames, which is faster and steadier than
detecting afresh in every frame.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import numpy as np

from fittrack.errors import PoseModelError
from fittrack.pose.landmarks import NUM_LANDMARKS, PoseLandmarks
from fittrack.settings import Settings

POSE_MODEL_PATH = Path(__file__).parent.parent / "models" / "pose_landmarker_full.task"
POSE_MODEL_SHA256 = "2cc22bc3d6b620a5dc191045392cc716dba25a0d7590fabd2ef1b715fad969a9"
_REBUILD_HINT = "rebuild it with `bash scripts/build_pose_model.sh` or restore it with `git checkout fittrack/models`"


def verify_pose_model(path: Path = POSE_MODEL_PATH) -> Path:
    """Checks that the bundle is present and is the file this code was tested with."""
    if not path.is_file():
        raise PoseModelError(f"pose model not found at {path}: {_REBUILD_HINT}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != POSE_MODEL_SHA256:
        raise PoseModelError(
            f"pose model at {path} has sha256 {digest}, expected {POSE_MODEL_SHA256}: {_REBUILD_HINT}"
        )
    return path


@contextlib.contextmanager
def _native_stderr_silenced(enabled: bool) -> Iterator[None]:
    """MediaPipe's C++ side logs to file descriptor 2 and ignores Python logging."""
    if not enabled:
        yield
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class PoseEstimator:
    """A PoseLandmarker for one video at a time; use as a context manager.

    Frames must come in increasing timestamp order. `reset()` starts a new
    video (VIDEO mode keeps tracking state, and timestamps must not go back).
    """

    def __init__(
        self,
        quiet: bool = True,
        model_path: Path = POSE_MODEL_PATH,
        detection_confidence: float = 0.8,
        tracking_confidence: float = 0.6,
        max_people: int = 1,
    ) -> None:
        # MediaPipe's default confidences (0.5) "find" a person in the waves of
        # other/no_person_seascape.mp4; at 0.8/0.6 that false pose is gone while
        # every exercise video keeps its detections (measured on the shared set).
        self._quiet = quiet
        self._detection_confidence = detection_confidence
        self._tracking_confidence = tracking_confidence
        self._max_people = max(1, max_people)
        self._model_path = verify_pose_model(model_path)
        self._landmarker = None
        self._warm = False
        self._landmarker = self._create()

    def _create(self):
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self._model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=self._max_people,
            min_pose_detection_confidence=self._detection_confidence,
            min_pose_presence_confidence=self._detection_confidence,
            min_tracking_confidence=self._tracking_confidence,
            output_segmentation_masks=False,
        )
        with _native_stderr_silenced(self._quiet):
            return vision.PoseLandmarker.create_from_options(options)

    @classmethod
    def from_settings(cls, settings: Settings) -> PoseEstimator:
        return cls(
            quiet=not settings.mediapipe_logs,
            detection_confidence=settings.pose_detection_confidence,
            tracking_confidence=settings.pose_tracking_confidence,
            max_people=settings.pose_max_people,
        )

    def reset(self) -> None:
        """Forgets tracking state so the next frame may have any timestamp."""
        self.close()
        self._warm = False
        self._landmarker = self._create()

    def detect(self, rgb: np.ndarray, timestamp_ms: int) -> PoseLandmarks | None:
        """Landmarks of the largest person in view, or None when nobody is found.

        With `max_people` 1 MediaPipe keeps the first person it found; with
        more, each frame's largest body (a lifter before a spotter or a
        passer-by further away) is the one described.
        """
        import mediapipe as mp

        landmarker = self._landmarker
        if landmarker is None:
            raise RuntimeError("PoseEstimator used after close(); create a new one or call reset()")
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._warm:
            result = landmarker.detect_for_video(image, timestamp_ms)
        else:  # the first call prints native warnings once
            with _native_stderr_silenced(self._quiet):
                result = landmarker.detect_for_video(image, timestamp_ms)
            self._warm = True
        if not result.pose_landmarks:
            return None
        largest = max(range(len(result.pose_landmarks)), key=lambda i: _body_area(result.pose_landmarks[i]))
        return _to_pose_landmarks(result.pose_landmarks[largest], result.pose_world_landmarks[largest])

    def close(self) -> None:
        """Closes the landmarker now; its destructor raises if left to interpreter exit."""
        if self._landmarker is not None:
            with _native_stderr_silenced(self._quiet):
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _body_area(image_points) -> float:
    """Area of the box around a person's landmarks, in image fractions: how large they appear."""
    xs = [p.x for p in image_points]
    ys = [p.y for p in image_points]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


def _to_pose_landmarks(image_points, world_points) -> PoseLandmarks:
    image = np.array([(p.x, p.y, p.z) for p in image_points], dtype=np.float32)
    world = np.array([(p.x, p.y, p.z) for p in world_points], dtype=np.float32)
    visibility = np.array([p.visibility or 0.0 for p in image_points], dtype=np.float32)
    assert image.shape == (NUM_LANDMARKS, 3), image.shape
    return PoseLandmarks(image=image, world=world, visibility=visibility)
