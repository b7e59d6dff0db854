"""Decoding: bad files get specific errors, sampling keeps true indices and times."""

from __future__ import annotations

import numpy as np
import pytest

from fittrack.errors import VideoError
from fittrack.pose.video import VideoReader, probe

from ..conftest import shared_video, write_test_video


def test_each_bad_input_gets_its_own_error_naming_the_file(bad_videos):
    for phrase, path in bad_videos.items():
        with pytest.raises(VideoError) as caught:
            list(VideoReader(path))
        message = str(caught.value)
        assert phrase in message, message
        assert str(path) in message, "the error names the file"


def test_missing_file_is_a_video_error(tmp_path):
    with pytest.raises(VideoError, match="file not found"):
        probe(tmp_path / "nope.mp4")


def test_all_frames_are_decoded_with_increasing_times(tmp_path):
    video = write_test_video(tmp_path / "v.mp4", frames=20, fps=10)
    frames = list(VideoReader(video))
    assert [f.index for f in frames] == list(range(20))
    times = [f.timestamp_ms for f in frames]
    assert times == sorted(set(times))
    assert times[-1] == pytest.approx(1900, abs=2)
    assert frames[0].rgb.shape == (120, 160, 3)


def test_sampling_keeps_original_frame_indices_and_timestamps(tmp_path):
    video = write_test_video(tmp_path / "v.mp4", frames=30, fps=30)
    frames = list(VideoReader(video, sample_fps=10))
    assert [f.index for f in frames] == list(range(0, 30, 3))
    assert [f.timestamp_ms for f in frames] == pytest.approx([i * 100 for i in range(10)], abs=2)


def test_frames_are_rgb_not_bgr(tmp_path):
    def paint_red(_, image):  # OpenCV writes BGR: red is channel 2
        image[:] = (0, 0, 255)

    video = write_test_video(tmp_path / "red.mp4", frames=3, draw=paint_red)
    first = next(iter(VideoReader(video))).rgb
    assert first[..., 0].mean() > 200 and first[..., 2].mean() < 60


def test_portrait_phone_video_comes_out_upright():
    path = shared_video("deadlift/rfn_deadlift3.mp4")
    info = probe(path)
    assert info.height > info.width
    frame = next(iter(VideoReader(path)))
    assert frame.rgb.shape[:2] == (info.height, info.width)


def test_stopping_early_releases_the_decoder_thread(tmp_path):
    video = write_test_video(tmp_path / "v.mp4", frames=50)
    reader = iter(VideoReader(video, prefetch=2))
    assert next(reader).index == 0
    reader.close()  # must not hang on the full prefetch queue
    assert np.isfinite(probe(video).fps)
