"""Rep counting: synthetic angle series with known answers, then real videos against counts by eye."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fittrack.movement.reps import MOVEMENTS, count_reps, count_video_reps
from fittrack.pose.extract import extract_video, file_sha256

from ..conftest import shared_video
from ..rep_truth import REP_TRUTH

FPS = 15.0
SQUAT = MOVEMENTS["squat"]  # knee angle, work is low


def knee_series(cycles: int, seconds_per_rep: float = 2.0, rest_s: float = 1.0, seed: int = 0,
                noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Standing (170 deg) with `cycles` full squats to 80 deg, a rest before and after."""
    t = np.arange(0, rest_s * 2 + cycles * seconds_per_rep, 1 / FPS)
    moving = (t >= rest_s) & (t < rest_s + cycles * seconds_per_rep)
    phase = (t - rest_s) / seconds_per_rep
    knee = np.where(moving, 125 + 45 * np.cos(2 * np.pi * phase), 170.0)
    return t, knee + np.random.default_rng(seed).normal(0, noise, len(t))


def test_clean_sine_counts_every_rep_with_start_and_end():
    t, knee = knee_series(5)
    result = count_reps(t, knee, SQUAT)
    assert result.count == 5
    assert len(result.reps) == 5 and all(end > start for start, end in result.reps)
    assert set(result.phases) == {"rest", "down", "up"}
    assert result.count_at(t[-1]) == 5 and result.count_at(0.0) == 0


def test_noise_and_jitter_make_no_extra_reps():
    t, knee = knee_series(4, noise=6.0, seed=1)
    assert count_reps(t, knee, SQUAT).count == 4
    still = 170 + np.random.default_rng(2).normal(0, 4, 150)  # standing still, jittering
    assert count_reps(np.arange(150) / FPS, still, SQUAT).count == 0


def test_a_pause_at_the_bottom_or_top_is_still_one_rep():
    t, knee = knee_series(3)
    paused = np.concatenate([knee[t <= 2.0], np.full(45, 80.0), knee[t > 2.0]])  # 3 s held at the bottom
    assert count_reps(np.arange(len(paused)) / FPS, paused, SQUAT).count == 3


def test_missing_frames_neither_create_nor_break_reps():
    t, knee = knee_series(4)
    gappy = knee.copy()
    gappy[np.random.default_rng(3).random(len(t)) < 0.3] = np.nan  # 30 % of frames unseen
    gappy[(t > 3.0) & (t < 3.6)] = np.nan  # and one longer gap mid-rep
    assert count_reps(t, gappy, SQUAT).count == 4
    assert count_reps(t, np.full(len(t), np.nan), SQUAT).count == 0


def test_a_half_rep_does_not_count():
    t, knee = knee_series(3)
    half_t = np.arange(0, 2.0, 1 / FPS)
    half = 150 + 20 * np.cos(2 * np.pi * half_t / 2.0)  # only down to 130: above the working zone
    times = np.concatenate([t, t[-1] + 1 / FPS + half_t])
    assert count_reps(times, np.concatenate([knee, half]), SQUAT).count == 3


def test_a_clip_that_starts_at_the_working_end_does_not_count_it():
    _, knee = knee_series(3, rest_s=0.0)
    starts_low = np.concatenate([np.full(10, 80.0), knee])  # already at the bottom when the clip starts
    assert count_reps(np.arange(len(starts_low)) / FPS, starts_low, SQUAT).count == 3


def test_alternating_curls_count_each_arm():
    t = np.arange(0, 12, 1 / FPS)
    left = 110 + 50 * np.cos(2 * np.pi * t / 4.0)  # a curl every 4 s...
    right = 110 - 50 * np.cos(2 * np.pi * t / 4.0)  # ...and the other arm in between
    rows = pd.DataFrame({"timestamp_ms": (t * 1000).astype(int), "left_elbow": left, "right_elbow": right})
    assert count_video_reps(rows, "hammer_curl").count == 6
    rows["right_elbow"] = left  # both arms together: one rep per curl
    assert count_video_reps(rows, "hammer_curl").count == 3


@pytest.mark.parametrize("relative", ["push_up/kaggle_push-up_1.mp4", "squat/fitbod_air_squats.mp4",
                                      "pull_up/kaggle_pull_up_10.mp4"])
def test_real_videos_match_the_count_by_eye(relative, estimator):
    path = shared_video(relative)
    truth = REP_TRUTH[file_sha256(path)]
    rows = extract_video(path, estimator, sample_fps=15).rows
    counted = count_video_reps(rows, relative.split("/")[0])
    assert counted.count == truth.reps, f"{relative}: counted {counted.count}, by eye {truth.reps}"
    assert len(counted.phases) == len(rows)
