"""Decoding: bad files get specific errors, sampling keeps true indices and times."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from fittrack.cli import EXIT_BAD_INPUT, main
from fittrack.errors import VideoError
from fittrack.pose.table import read_rows
from fittrack.pose.video import VideoInfo, VideoReader, probe, sampled_frame_count

from ..conftest import shared_video, write_test_video
from .remuxed import (
    HIDDEN_FRAMES,
    TRIM_PRESENTED,
    cut_copy,
    decoded_frame_count,
    edit_list_media_time,
    header_frame_count,
)


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


# Issue #33: a clip trimmed without re-encoding (an MP4 edit list hides frames its samples still store) plays
# everywhere and must be taken; a file cut in the middle of its data must still be refused, in one line.
# The trimmed and cut copies are made from a shared clip by tests/pose/remuxed.py.


@pytest.fixture
def cut(trimmed, tmp_path):
    return cut_copy(trimmed, tmp_path / "cut.mp4")


def test_the_edit_list_copy_reproduces_the_header_over_count(trimmed):
    """The premise: the old check (decoded < 0.9 x CAP_PROP_FRAME_COUNT) refused exactly this file."""
    assert edit_list_media_time(trimmed) > 0, "the edit list skips the start"
    assert header_frame_count(trimmed) == TRIM_PRESENTED + HIDDEN_FRAMES
    assert decoded_frame_count(trimmed) == TRIM_PRESENTED
    assert decoded_frame_count(trimmed) < 0.9 * header_frame_count(trimmed)


def test_a_trimmed_clip_is_described_and_decoded_as_a_player_shows_it(trimmed, caplog):
    with caplog.at_level(logging.INFO, logger="fittrack.pose.video"):
        info = probe(trimmed)
    assert info.frame_count == pytest.approx(TRIM_PRESENTED, abs=1)
    assert info.fps == pytest.approx(15.0)
    assert info.duration_s == pytest.approx(TRIM_PRESENTED / 15.0, abs=0.07)
    told = [r.getMessage() for r in caplog.records if r.name == "fittrack.pose.video"]
    stored = TRIM_PRESENTED + HIDDEN_FRAMES
    assert any(f"header counts {stored} frames" in m and f"using {info.frame_count}" in m for m in told), told
    frames = list(VideoReader(trimmed, info=info))
    assert len(frames) == TRIM_PRESENTED
    assert frames[0].timestamp_ms == 0
    assert frames[-1].timestamp_ms == pytest.approx((TRIM_PRESENTED - 1) * 1000 / 15, abs=2)
    assert sampled_frame_count(info, 5) == pytest.approx(len(list(VideoReader(trimmed, sample_fps=5))), abs=1)


def test_a_file_cut_in_the_middle_of_its_data_is_still_refused(cut):
    with pytest.raises(VideoError, match="is truncated or corrupt: its frames stop at") as caught:
        list(VideoReader(cut))
    message = str(caught.value)
    assert str(cut) in message and "\n" not in message
    assert "copy it again" in message


def test_a_real_clip_cut_in_half_is_refused(tmp_path):
    """A shared clip with its index first (moov before mdat): it opens, and its frames stop half way."""
    cut = cut_copy(shared_video("push_up/kaggle_push-up_15.mp4"), tmp_path / "half.mp4")
    with pytest.raises(VideoError, match="truncated or corrupt"):
        list(VideoReader(cut))


def test_a_file_whose_data_is_gone_has_no_decodable_frames(trimmed, tmp_path):
    data = trimmed.read_bytes()
    index_only = tmp_path / "index_only.mp4"
    index_only.write_bytes(data[: data.find(b"mdat") + 4])  # the index (moov) and nothing it points to
    with pytest.raises(VideoError, match="no decodable frames|truncated"):
        list(VideoReader(index_only))


def test_extract_cli_takes_a_trimmed_clip_and_refuses_a_cut_one_in_one_line(trimmed, cut, tmp_path, caplog):
    out = tmp_path / "rows.parquet"
    assert main(["extract", str(trimmed), "-o", str(out), "--sample-fps", "0", "-q"]) == 0
    assert len(read_rows(out)) == pytest.approx(TRIM_PRESENTED, abs=1)
    caplog.clear()
    assert main(["extract", str(cut), "-o", str(tmp_path / "cut.parquet"), "-q"]) == EXIT_BAD_INPUT
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0], errors
    assert str(cut) in errors[0] and "truncated or corrupt" in errors[0]


@pytest.fixture
def predict_env(tmp_path, monkeypatch):
    """`fittrack predict` with its own home and every frame analysed; a synthetic model as a local file."""
    from fittrack.recognition.model_file import model_from_store
    from fittrack.settings import get_settings
    from fittrack.storage.store import LocalStore

    from ..synthetic import store_synthetic_model

    monkeypatch.setenv("FITTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FITTRACK_SAMPLE_FPS", "0")
    get_settings.cache_clear()
    store = LocalStore(tmp_path / "models")
    store_synthetic_model(store, "exercise.model")
    model_from_store(store, "exercise.model")  # checks what was written
    path = tmp_path / "exercise.model"
    path.write_bytes(store.get_bytes("exercise.model"))
    yield path
    get_settings.cache_clear()


def test_predict_takes_a_trimmed_clip_with_the_frames_a_player_shows(trimmed, predict_env, monkeypatch,
                                                                    capsys):
    from fittrack.pose import extract

    seen: list[int] = []
    real = extract.extract_video

    def spied(*args, **kwargs):
        extraction = real(*args, **kwargs)
        seen.append(len(extraction.rows))
        return extraction

    monkeypatch.setattr(extract, "extract_video", spied)
    assert main(["predict", str(trimmed), "--model", str(predict_env), "--quiet", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["label"]
    assert seen == [pytest.approx(TRIM_PRESENTED, abs=1)]


def test_predict_refuses_the_cut_clip_in_one_line(cut, predict_env, caplog):
    assert main(["predict", str(cut), "--model", str(predict_env), "--quiet"]) == EXIT_BAD_INPUT
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0], errors
    assert str(cut) in errors[0] and "truncated or corrupt" in errors[0]


def test_a_rotated_phone_clip_has_the_upright_size_of_its_frames(tmp_path):
    """Remuxed with a display matrix (as phones write): OpenCV turns the frames, and the size says so too."""
    import av

    source, rotated = shared_video("squat/b3_vishal_weighted-squat.mp4"), tmp_path / "rotated.mp4"
    with av.open(str(source)) as original, av.open(str(rotated), "w") as copy:
        out = copy.add_stream_from_template(original.streams.video[0])
        out.set_display_rotation(90)  # a quarter turn counter-clockwise
        for packet in original.demux(original.streams.video[0]):
            if packet.dts is not None:
                packet.stream = out
                copy.mux(packet)
    stored = probe(source)
    info = probe(rotated)
    assert info.rotation_degrees == 270
    assert (info.width, info.height) == (stored.height, stored.width)
    frame = next(iter(VideoReader(rotated, info=info)))
    assert frame.rgb.shape[:2] == (info.height, info.width)


def test_frames_an_opencv_build_left_unturned_are_turned_as_a_player_would():
    info = VideoInfo(path="unused.mp4", width=4, height=6, fps=10.0, frame_count=10, rotation_degrees=90,
                     duration_s=1.0)
    reader = VideoReader("unused.mp4", info=info)  # with its info given, the file is never opened here
    unturned = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    turned = reader._upright(unturned)
    assert turned.shape[:2] == (6, 4)
    assert (turned == np.rot90(unturned, k=-1)).all(), "clockwise, as CAP_PROP_ORIENTATION_META says"
    upright = np.zeros((6, 4, 3), dtype=np.uint8)
    assert reader._upright(upright) is upright
