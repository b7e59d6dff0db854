"""Joint angles from pose landmarks, vectorised over frames.

Which landmarks: joint angles use MediaPipe's 3-D *world* landmarks (metres,
hip-centred). A 2-D angle in the image shrinks or grows with the camera's
view of the limb (a bent elbow seen end-on looks straight), so the same squat
filmed from the front and from the side gives different image angles; the
world estimate undoes most of that. The choice is measured, not assumed:
`benchmarks/angle_source.py` trains the same classifier on both and reports
leave-one-video-out accuracy (see docs/accuracy.md).

Every angle is in degrees. An angle is NaN when any landmark it needs is
below the visibility threshold: a guessed joint is worse than a missing one,
and the classifier handles NaN.

Bump ANGLES_VERSION whenever a definition changes; saved models record it and
refuse rows computed under another definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from fittrack.pose.landmarks import INDEX

ANGLES_VERSION = 1
AngleSource = Literal["world", "image"]
DEFAULT_SOURCE: AngleSource = "world"

_DOWN = np.array([0.0, 1.0, 0.0], dtype=np.float64)  # y points down in both frames


@dataclass(frozen=True)
class JointAngle:
    """The angle at `vertex` between the segments to `first` and `second`."""

    name: str
    first: str
    vertex: str
    second: str


@dataclass(frozen=True)
class SegmentTilt:
    """The angle between the segment start->end and straight down (0 = hanging)."""

    name: str
    start: tuple[str, ...]
    end: tuple[str, ...]


def _sides(name: str, first: str, vertex: str, second: str) -> list[JointAngle]:
    return [
        JointAngle(f"{side}_{name}", f"{side}_{first}", f"{side}_{vertex}", f"{side}_{second}")
        for side in ("left", "right")
    ]


JOINT_ANGLES: tuple[JointAngle, ...] = tuple(
    _sides("elbow", "shoulder", "elbow", "wrist")
    + _sides("shoulder", "hip", "shoulder", "elbow")
    + _sides("hip", "shoulder", "hip", "knee")
    + _sides("knee", "hip", "knee", "ankle")
    + _sides("ankle", "knee", "ankle", "foot_index")
    + _sides("wrist", "elbow", "wrist", "index")
)

# Tilts tell postures apart that joint angles alone do not: a push-up and a
# plank-like standing pose share elbow and hip angles but not torso tilt; an
# arm over the head (pull-up) versus hanging (curl) differs in upper-arm tilt.
SEGMENT_TILTS: tuple[SegmentTilt, ...] = (
    SegmentTilt("torso_tilt", ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")),
    SegmentTilt("left_upper_arm_tilt", ("left_shoulder",), ("left_elbow",)),
    SegmentTilt("right_upper_arm_tilt", ("right_shoulder",), ("right_elbow",)),
    SegmentTilt("left_forearm_tilt", ("left_elbow",), ("left_wrist",)),
    SegmentTilt("right_forearm_tilt", ("right_elbow",), ("right_wrist",)),
    SegmentTilt("left_thigh_tilt", ("left_hip",), ("left_knee",)),
    SegmentTilt("right_thigh_tilt", ("right_hip",), ("right_knee",)),
    SegmentTilt("left_shin_tilt", ("left_knee",), ("left_ankle",)),
    SegmentTilt("right_shin_tilt", ("right_knee",), ("right_ankle",)),
)

# Grip: how far the hand is turned about the forearm. The thumb->pinky line
# lies in the elbow's bending plane for a neutral (hammer) grip and across it
# for a supinated curl grip, so this is near 90 for hammer curls and near 0
# for ordinary curls.
GRIP_ANGLES: tuple[str, ...] = ("left_grip", "right_grip")

ANGLE_NAMES: tuple[str, ...] = (
    tuple(a.name for a in JOINT_ANGLES) + tuple(t.name for t in SEGMENT_TILTS) + GRIP_ANGLES
)

# The angles drawn next to their joints on the annotated video.
DISPLAY_ANGLES: tuple[str, ...] = tuple(a.name for a in JOINT_ANGLES if not a.name.endswith("wrist"))


def angle_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle in degrees between vectors along the last axis; NaN for zero-length vectors."""
    dot = np.sum(u * v, axis=-1)
    norms = np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.where(norms > 0, dot / norms, np.nan)
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def joint_angle(first: np.ndarray, vertex: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Angle at `vertex` in degrees: 180 for a straight limb, 90 for a right angle."""
    return angle_between(first - vertex, second - vertex)


def _points(points: np.ndarray, visible: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Mean position of the named landmarks, NaN in frames where any is not visible."""
    idx = [INDEX[name] for name in names]
    mean = points[:, idx, :].mean(axis=1)
    ok = np.all(visible[:, idx], axis=1)
    return np.where(ok[:, None], mean, np.nan)


def _grip(points: np.ndarray, visible: np.ndarray, side: str) -> np.ndarray:
    shoulder, elbow, wrist, thumb, pinky = (
        _points(points, visible, (f"{side}_{part}",))
        for part in ("shoulder", "elbow", "wrist", "thumb", "pinky")
    )
    forearm = wrist - elbow
    bend_normal = np.cross(elbow - shoulder, forearm)
    across_hand = pinky - thumb
    with np.errstate(invalid="ignore", divide="ignore"):
        axis = forearm / np.linalg.norm(forearm, axis=-1, keepdims=True)
    across_hand = across_hand - np.sum(across_hand * axis, axis=-1, keepdims=True) * axis
    tilt = angle_between(across_hand, bend_normal)
    return np.minimum(tilt, 180.0 - tilt)  # the sign of the normal is arbitrary


def compute_angles(
    points: np.ndarray, visibility: np.ndarray, threshold: float = 0.5
) -> dict[str, np.ndarray]:
    """All angles for a stack of frames.

    Args:
        points: (frames, 33, 3) landmark positions in one coordinate frame with
            equal units on every axis (world metres, or image pixels).
        visibility: (frames, 33) visibility scores.
        threshold: landmarks below it count as unseen.

    Returns:
        A dict from each name in ANGLE_NAMES to a (frames,) float array.

    Example:
        >>> import numpy as np
        >>> pts = np.zeros((1, 33, 3)); vis = np.ones((1, 33))
        >>> pts[0, INDEX["left_shoulder"]] = (0, -1, 0)
        >>> pts[0, INDEX["left_wrist"]] = (1, 0, 0)
        >>> round(float(compute_angles(pts, vis)["left_elbow"][0]))
        90
    """
    points = np.asarray(points, dtype=np.float64)
    visible = np.asarray(visibility) >= threshold
    angles: dict[str, np.ndarray] = {}
    for joint in JOINT_ANGLES:
        angles[joint.name] = joint_angle(
            _points(points, visible, (joint.first,)),
            _points(points, visible, (joint.vertex,)),
            _points(points, visible, (joint.second,)),
        )
    for tilt in SEGMENT_TILTS:
        segment = _points(points, visible, tilt.end) - _points(points, visible, tilt.start)
        angles[tilt.name] = angle_between(segment, np.broadcast_to(_DOWN, segment.shape))
    for side, name in zip(("left", "right"), GRIP_ANGLES, strict=True):
        angles[name] = _grip(points, visible, side)
    return angles

