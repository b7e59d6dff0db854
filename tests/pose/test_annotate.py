"""The annotated video: frames kept during extraction render the same video as decoding the file again."""

from __future__ import annotations

import av
import numpy as np

from fittrack.pose.annotate import Caption, KeptFrames, output_size, render_annotated_video
from fittrack.pose.extract import extract_video

from ..conftest import shared_video


def _decoded(path) -> tuple[str, str, list[np.ndarray]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        return stream.codec_context.name, stream.codec_context.pix_fmt, frames


def test_kept_frames_and_a_second_decode_give_the_same_video(estimator, tmp_path):
    video = shared_video("push_up/kaggle_push-up_15.mp4")  # 1920x1080: shrunk to 960x540
    kept = KeptFrames(budget_bytes=512 << 20)
    rows = extract_video(video, estimator, sample_fps=15, frame_sink=kept).rows
    assert kept.usable and len(kept.frames) == len(rows)
    assert kept.frames[0].rgb.shape == (540, 960, 3)

    common = {"sample_fps": 15, "visibility_threshold": 0.5, "headline": Caption("push-up", 0.9)}
    from_memory = render_annotated_video(video, rows, tmp_path / "kept.mp4", kept=kept, **common)
    assert not kept.usable, "rendering frees the kept frames"
    from_file = render_annotated_video(video, rows, tmp_path / "decoded.mp4", **common)

    codec, pix_fmt, memory_frames = _decoded(from_memory)
    _, _, file_frames = _decoded(from_file)
    assert (codec, pix_fmt) == ("h264", "yuv420p")
    assert len(memory_frames) == len(file_frames) == len(rows)
    assert memory_frames[0].shape[:2] == (540, 960)
    difference = np.mean([np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(memory_frames, file_frames)])
    assert difference < 2.0, f"the two paths differ by {difference:.1f} grey levels on average"


def test_past_its_budget_nothing_is_kept_and_the_file_is_decoded_again(estimator, tmp_path):
    video = shared_video("squat/kaggle_squat_12.mp4")  # 1280x720
    width, height = output_size(1280, 720)
    kept = KeptFrames(budget_bytes=width * height * 3 * 10)  # ten frames' worth
    rows = extract_video(video, estimator, sample_fps=15, frame_sink=kept).rows
    assert len(rows) > 10
    assert kept.overflowed and not kept.usable and kept.frames == []

    output = render_annotated_video(video, rows, tmp_path / "out.mp4", sample_fps=15, visibility_threshold=0.5,
                                    headline=Caption("squat"), kept=kept)
    _, _, frames = _decoded(output)
    assert len(frames) == len(rows), "every analysed frame is in the video, decoded from the file"
