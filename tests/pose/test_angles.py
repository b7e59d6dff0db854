"""Angle maths against geometry whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from fittrack.pose.angles import ANGLE_NAMES, compute_angles, joint_angle
from fittrack.pose.landmarks import INDEX


def _pose(**points: tuple[float, float, float]) -> np.ndarray:
    pts = np.zeros((1, 33, 3))
    for name, xyz in points.items():
        pts[0, INDEX[name]] = xyz
    return pts


def test_right_angle_is_90_and_straight_limb_is_180():
    vertex = np.array([[0.0, 0.0, 0.0]])
    assert joint_angle(np.array([[1.0, 0, 0]]), vertex, np.array([[0, 1.0, 0]]))[0] == pytest.approx(90)
    assert joint_angle(np.array([[1.0, 0, 0]]), vertex, np.array([[-2.0, 0, 0]]))[0] == pytest.approx(180)
    assert joint_angle(np.array([[1.0, 1, 0]]), vertex, np.array([[1.0, 0, 0]]))[0] == pytest.approx(45)


def test_zero_length_segment_is_nan_not_a_number_made_up():
    vertex = np.array([[1.0, 1.0, 1.0]])
    assert np.isnan(joint_angle(vertex.copy(), vertex, np.array([[0.0, 0, 0]]))[0])


def test_knee_angle_of_a_bent_and_a_straight_leg():
    bent = _pose(left_hip=(0, -1, 0), left_knee=(0, 0, 0), left_ankle=(1, 0, 0))
    straight = _pose(left_hip=(0, -1, 0), left_knee=(0, 0, 0), left_ankle=(0, 1, 0))
    visible = np.ones((1, 33))
    assert compute_angles(bent, visible)["left_knee"][0] == pytest.approx(90)
    assert compute_angles(straight, visible)["left_knee"][0] == pytest.approx(180)


def test_angle_is_nan_when_one_of_its_landmarks_is_below_visibility():
    pose = _pose(left_hip=(0, -1, 0), left_knee=(0, 0, 0), left_ankle=(1, 0, 0))
    visibility = np.ones((1, 33))
    visibility[0, INDEX["left_ankle"]] = 0.2
    angles = compute_angles(pose, visibility, threshold=0.5)
    assert np.isnan(angles["left_knee"][0])
    assert np.isnan(angles["left_shin_tilt"][0])
    assert not np.isnan(angles["left_thigh_tilt"][0]), "angles not using the ankle stay defined"


def test_tilts_measure_against_straight_down():
    pts = _pose(left_shoulder=(0, -1, 0), right_shoulder=(0.4, -1, 0), left_hip=(0, 0, 0), right_hip=(0.4, 0, 0),
                left_elbow=(0, -2, 0))
    angles = compute_angles(pts, np.ones((1, 33)))
    assert angles["torso_tilt"][0] == pytest.approx(0), "upright torso: shoulder->hip points down"
    assert angles["left_upper_arm_tilt"][0] == pytest.approx(180), "arm straight overhead"
    lying = _pose(left_shoulder=(-1, 0, 0), right_shoulder=(-1, 0, 0.4), left_hip=(0, 0, 0), right_hip=(0, 0, 0.4))
    assert compute_angles(lying, np.ones((1, 33)))["torso_tilt"][0] == pytest.approx(90)


def test_grip_tells_neutral_from_supinated():
    # Arm bending in the x-y plane: upper arm down from the shoulder, forearm forward (x).
    arm = {"left_shoulder": (0, -1, 0), "left_elbow": (0, 0, 0), "left_wrist": (1, 0, 0)}
    neutral = _pose(**arm, left_thumb=(1.1, -0.1, 0), left_pinky=(1.1, 0.1, 0))  # thumb up
    supinated = _pose(**arm, left_thumb=(1.1, 0, 0.1), left_pinky=(1.1, 0, -0.1))  # palm up
    visible = np.ones((1, 33))
    assert compute_angles(neutral, visible)["left_grip"][0] == pytest.approx(90)
    assert compute_angles(supinated, visible)["left_grip"][0] == pytest.approx(0)


def test_every_named_angle_is_computed_for_every_frame():
    frames = np.random.default_rng(0).normal(size=(5, 33, 3))
    angles = compute_angles(frames, np.ones((5, 33)))
    assert tuple(angles) == ANGLE_NAMES
    assert all(values.shape == (5,) for values in angles.values())
    assert all(np.all((values >= 0) & (values <= 180)) for values in angles.values())
