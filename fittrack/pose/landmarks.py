"""The one typed structure for a pose: everything downstream consumes this.

MediaPipe's result objects are converted once, in `fittrack.pose.estimator`, into
`PoseLandmarks` (and a video's worth into one `PoseSequence`); angles,
features, rendering and storage never see MediaPipe types. Landmark order is MediaPipe's BlazePose topology (33 points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
NUM_LANDMARKS = len(LANDMARK_NAMES)
INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}

# Bones drawn on the annotated video: pairs of landmark names.
SKELETON_EDGES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"), ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("left_wrist", "left_thumb"), ("left_wrist", "left_index"), ("left_wrist", "left_pinky"),
    ("right_wrist", "right_thumb"), ("right_wrist", "right_index"), ("right_wrist", "right_pinky"),
)  # fmt: skip


@dataclass(frozen=True)
class PoseLandmarks:
    """One person's pose in one frame.

    Attributes:
        image: (33, 3) x and y normalised to [0, 1] by frame width and height,
            z roughly on the scale of x (MediaPipe's image landmarks).
        world: (33, 3) metres, origin between the hips, y pointing down.
        visibility: (33,) MediaPipe's estimate that the point is visible.

    Example:
        >>> pose = PoseLandmarks.empty()
        >>> pose.world.shape
        (33, 3)
    """

    image: np.ndarray
    world: np.ndarray
    visibility: np.ndarray

    @classmethod
    def empty(cls) -> PoseLandmarks:
        nan = np.full((NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
        return cls(nan, nan.copy(), np.zeros(NUM_LANDMARKS, dtype=np.float32))

    def pixels(self, width: int, height: int) -> np.ndarray:
        """Image landmarks as (33, 2) pixel coordinates of a width x height frame."""
        return self.image[:, :2] * np.array([width, height], dtype=np.float32)


@dataclass(frozen=True)
class PoseSequence:
    """The poses of one video's analysed frames, stacked once into arrays.

    Angles and the stored table both read these arrays; stacking the
    per-frame objects in one place keeps a video's landmarks in memory once.
    Frames without a person hold NaN landmarks and zero visibility.
    """

    image: np.ndarray  # (frames, 33, 3)
    world: np.ndarray  # (frames, 33, 3)
    visibility: np.ndarray  # (frames, 33)
    detected: np.ndarray  # (frames,) bool

    @classmethod
    def stack(cls, poses: Sequence[PoseLandmarks | None]) -> PoseSequence:
        if not poses:
            points = np.zeros((0, NUM_LANDMARKS, 3), dtype=np.float32)
            return cls(points, points.copy(), np.zeros((0, NUM_LANDMARKS), dtype=np.float32), np.zeros(0, bool))
        empty = PoseLandmarks.empty()
        filled = [pose or empty for pose in poses]
        return cls(
            image=np.stack([p.image for p in filled]),
            world=np.stack([p.world for p in filled]),
            visibility=np.stack([p.visibility for p in filled]),
            detected=np.array([pose is not None for pose in poses], dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.detected)
