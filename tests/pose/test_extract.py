"""Extraction on real videos and through the `fittrack extract` command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fittrack.cli import EXIT_BAD_INPUT, EXIT_NO_PERSON, main
from fittrack.errors import NoPersonError
from fittrack.pose.angles import ANGLE_NAMES
from fittrack.pose.extract import extract_video, file_sha256
from fittrack.pose.table import ALL_COLUMNS, read_rows

from ..conftest import VIDEOS, exercise_videos, shared_video, write_test_video

SAMPLE_FPS = 4.0  # enough frames to judge detection, few enough to keep the suite quick


def test_every_exercise_video_has_a_person_in_most_frames(estimator):
    """Batches 1-2 (original bytes): every clip checked. Batch 3 (small re-encoded copies, b3_*): nine in ten.

    Every third exercise video in name order (about 70 of 214): decoding all
    of them at full resolution takes minutes, and `fittrack run` extracts
    them all anyway and names each one without a person. Batch 3 holds
    clips MediaPipe finds nobody in at the detector's confidence of 0.8
    (far, dark or cropped views); they are the recognition's problem to
    meet, not the decoder's, so they are counted here, not excused one by one.
    """
    videos = exercise_videos()[::3]
    if not videos:
        pytest.skip(f"shared video set not found at {VIDEOS}")
    shares = {}
    for video in videos:
        rows = extract_video(video, estimator, sample_fps=SAMPLE_FPS).rows
        assert len(rows) >= 3, video
        shares[video.name] = rows["detected"].mean()
    poor = {name: round(share, 2) for name, share in shares.items() if share < 0.6}
    original = {name: share for name, share in poor.items() if not name.startswith("b3_")}
    assert not original, f"pose found in fewer than 60% of frames: {original}"
    batch3 = [name for name in shares if name.startswith("b3_")]
    assert len(poor) <= 0.1 * max(len(batch3), 1), f"batch 3, pose in fewer than 60% of frames: {poor}"


def test_rows_follow_the_schema_with_angles_in_range(estimator):
    video = shared_video("squat/kaggle_squat_12.mp4")
    rows = extract_video(video, estimator, label="squat", sample_fps=8).rows
    assert tuple(rows.columns) == ALL_COLUMNS
    assert (rows["video_id"] == file_sha256(video)).all()
    assert (rows["label"] == "squat").all()
    detected = rows[rows["detected"]]
    knees = detected[["left_knee", "right_knee"]].to_numpy()
    assert np.nanmin(knees) >= 0 and np.nanmax(knees) <= 180
    # A squat bends the knees: the knee angle must swing by tens of degrees.
    swing = np.nanmax(knees, axis=0) - np.nanmin(knees, axis=0)
    assert swing.max() > 40, swing


def test_portrait_video_person_is_upright(estimator):
    video = shared_video("deadlift/rfn_deadlift3.mp4")
    rows = extract_video(video, estimator, sample_fps=5).rows
    seen = rows[rows["detected"]]
    assert len(seen) > 0
    assert (seen["img_nose_y"] < seen["img_left_ankle_y"]).mean() > 0.9, "head above feet"


def test_video_without_a_person_yields_undetected_rows_and_a_clear_error(estimator):
    video = shared_video("other/no_person_seascape.mp4")
    extraction = extract_video(video, estimator)
    assert len(extraction.rows) > 0
    assert not extraction.rows["detected"].any()
    assert extraction.rows[list(ANGLE_NAMES)].isna().all().all(), "no person, no angles"
    with pytest.raises(NoPersonError, match="no person detected"):
        extraction.require_person()


def test_blank_generated_video_yields_rows_with_detected_false(estimator, tmp_path):
    video = write_test_video(tmp_path / "blank.mp4", frames=8)
    rows = extract_video(video, estimator).rows
    assert len(rows) == 8 and not rows["detected"].any()


def test_cli_writes_parquet_and_csv_with_the_same_content(tmp_path, capsys):
    video = shared_video("push_up/kaggle_push-up_15.mp4")
    parquet, csv = tmp_path / "rows.parquet", tmp_path / "rows.csv"
    assert main(["extract", str(video), "-o", str(parquet), "--label", "Push-Up", "--sample-fps", "6", "-q"]) == 0
    assert main(["extract", str(video), "-o", str(csv), "--label", "push up", "--sample-fps", "6", "-q"]) == 0
    from_parquet, from_csv = read_rows(parquet), read_rows(csv)
    assert (from_parquet["label"] == "push_up").all() and (from_csv["label"] == "push_up").all()
    pd.testing.assert_frame_equal(from_parquet, from_csv, check_dtype=False, atol=1e-4)


def test_cli_exit_codes_for_bad_input_and_no_person(tmp_path, bad_videos, caplog):
    for path in bad_videos.values():
        assert main(["extract", str(path), "-o", str(tmp_path / "x.parquet"), "-q"]) == EXIT_BAD_INPUT
        assert str(path) in caplog.text
    blank = write_test_video(tmp_path / "blank.mp4", frames=5)
    assert main(["extract", str(blank), "-o", str(tmp_path / "b.csv"), "-q"]) == EXIT_NO_PERSON
    assert "no person detected" in caplog.text
    assert (tmp_path / "b.csv").exists(), "rows are still written"


def test_unwritable_output_is_a_clear_error(tmp_path, caplog):
    video = write_test_video(tmp_path / "v.mp4", frames=3)
    (tmp_path / "file").write_text("x")
    assert main(["extract", str(video), "-o", str(tmp_path / "file" / "rows.csv"), "-q"]) == EXIT_BAD_INPUT
    assert "cannot be written" in caplog.text


def test_parquet_round_trip_keeps_missing_labels_and_every_column():
    from fittrack.pose.table import from_parquet_bytes, to_parquet_bytes

    from ..synthetic import synthetic_rows

    rows = synthetic_rows(videos_per_class=1).head(20).copy()
    rows["label"] = pd.Series([None] * 10 + ["squat"] * 10, dtype="string")
    back = from_parquet_bytes(to_parquet_bytes(rows))
    assert list(back.columns) == list(rows.columns)
    assert back["label"].isna().sum() == 10 and (back["label"].dropna() == "squat").all()
    assert np.allclose(back["left_knee"], rows["left_knee"])


def test_a_job_writes_the_same_parquet_from_numpy_columns_as_from_the_rows(estimator):
    """Jobs write Parquet from the numpy columns (fast); reading it back gives the very rows extraction returned."""
    from fittrack.pose.table import (
        ALL_COLUMNS,
        columns_to_parquet_bytes,
        from_parquet_bytes,
        to_parquet_bytes,
    )

    extraction = extract_video(shared_video("squat/kaggle_squat_12.mp4"), estimator, sample_fps=5, label=None)
    from_columns = from_parquet_bytes(columns_to_parquet_bytes(extraction.columns))
    from_rows = from_parquet_bytes(to_parquet_bytes(extraction.rows))
    assert list(from_columns.columns) == list(ALL_COLUMNS)
    pd.testing.assert_frame_equal(from_columns, from_rows)
    pd.testing.assert_frame_equal(from_columns, extraction.rows, check_dtype=False)
    assert from_columns["label"].isna().all(), "an unlabelled video stays unlabelled, not the text 'None'"
