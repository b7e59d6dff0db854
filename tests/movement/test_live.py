"""The live path on a real clip's frames: the upload path's count, frames dropped rather than queued,
a one-click name, and what is drawn."""

from __future__ import annotations

import numpy as np

from fittrack.movement.live import LiveSet
from fittrack.movement.reps import count_video_reps
from fittrack.pose.extract import extract_video
from fittrack.pose.video import VideoReader

from ..conftest import shared_video

CLIP = "push_up/kaggle_push-up_26.mp4"  # 4 push-ups by eye (tests/rep_truth.py)


def test_the_live_count_is_the_upload_paths_count_on_the_same_frames(estimator):
    clip = shared_video(CLIP)
    live = LiveSet(estimator, exercise="push_up", sample_fps=15)
    estimator.reset()
    for frame in VideoReader(clip, sample_fps=15):
        assert live.offer(frame.rgb, frame.timestamp_ms)
    state = live.finish()
    uploaded = extract_video(clip, estimator, sample_fps=15).rows
    assert state.reps == count_video_reps(uploaded, "push_up").count == 4
    assert state.exercise == "push_up" and state.named_by == "person" and state.frames == len(uploaded)
    assert np.allclose(live.rows()["right_elbow"].to_numpy(), uploaded["right_elbow"].to_numpy(), equal_nan=True), \
        "the same angle table"


def test_frames_faster_than_the_sample_rate_are_dropped_not_queued(estimator):
    estimator.reset()
    live = LiveSet(estimator, exercise="squat", sample_fps=10)
    frame = next(iter(VideoReader(shared_video(CLIP))))
    taken = [live.offer(frame.rgb, ms) for ms in range(0, 1000, 20)]  # a 50 frames/s camera for 1 s
    assert sum(taken) == 10 and live.state.frames == 10


def test_a_one_click_name_recounts_and_the_picture_says_it(estimator):
    estimator.reset()
    live = LiveSet(estimator)  # no model, no name: it says what to do
    assert "choose the exercise" in live.state.notice
    frames = list(VideoReader(shared_video(CLIP), sample_fps=15))
    for frame in frames:
        live.offer(frame.rgb, frame.timestamp_ms)
    assert live.state.reps == 0 and live.state.exercise is None
    live.name("push_up")
    assert live.finish().reps == 4 and live.state.notice == ""
    drawn = live.draw(frames[-1].rgb)
    assert drawn.shape == frames[-1].rgb.shape and not np.array_equal(drawn, frames[-1].rgb)
    assert live.state.headline().startswith("push up   reps: 4")
