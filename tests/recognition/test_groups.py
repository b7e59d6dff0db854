"""Evaluation folds grouped by a video's origin: the manifest, the store metadata, the folds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from fittrack.errors import BadInputError
from fittrack.recognition.evaluation import Grouping
from fittrack.recognition.features import window_feature_names, window_features
from fittrack.recognition.groups import read_kinds, read_manifest, video_groups, video_origins
from fittrack.recognition.training import (
    TrainParams,
    _out_of_fold,
    evaluate,
    evaluation_splitter,
    item_groups,
    make_forest,
)
from fittrack.storage.store import LocalStore

from ..synthetic import synthetic_rows

# Four "people", each filmed doing every class once: a grouped split must keep a person's clips together.
PEOPLE = 4


def rows_and_people() -> tuple[pd.DataFrame, pd.Series]:
    rows = synthetic_rows(videos_per_class=PEOPLE)
    people = {vid: f"repo:person-{int(vid.rsplit('-', 1)[1])}" for vid in rows["video_id"].unique()}
    return rows, pd.Series(people)


def test_no_group_is_ever_on_both_sides_of_a_fold():
    rows, people = rows_and_people()
    windows = window_features(rows)
    groups = item_groups(windows, people)
    held_out: list[str] = []
    splitter = evaluation_splitter(TrainParams(eval_folds=2), n_groups=PEOPLE)
    for train_idx, test_idx in splitter.split(windows, windows["label"], groups):
        assert not set(groups[train_idx]) & set(groups[test_idx])
        held_out.extend(set(groups[test_idx]))
    assert sorted(held_out) == sorted(set(people)), "every person is held out exactly once"
    # the evaluation's own loop asserts the same; a splitter that leaks must trip it
    leaky = type("Leaky", (), {"split": lambda self, X, y, g: iter([(np.arange(len(X)), np.arange(len(X)))])})()
    with pytest.raises(AssertionError, match="both sides"):
        _out_of_fold(windows, window_feature_names(), leaky, lambda: make_forest(5), groups)


def test_grouped_evaluation_beats_chance_on_held_out_groups():
    rows, people = rows_and_people()
    evaluation = evaluate(rows, TrainParams(trees=30, cv_trees=20, baseline_trees=10, threshold_folds=2,
                                            eval_folds=2), people)
    assert evaluation.split == "2-fold stratified grouped by repo"
    assert evaluation.grouping == Grouping(by="repo", groups=PEOPLE, videos_without_group=0)
    per_video = evaluation.window.videos
    for video in per_video.values():  # a person's clips were all in one fold
        same_person = {v.fold for v in per_video.values() if v.group == video.group}
        assert same_person == {video.fold}
    assert evaluation.window.per_video.accuracy > 1 / 4 + 0.25, "chance is 1 in 4 classes"
    assert evaluation.operating_point.folds == 2


def test_leave_one_group_out_when_asked_or_when_there_are_fewer_groups_than_folds():
    assert type(evaluation_splitter(TrainParams(eval_folds=0), 40)).__name__ == "LeaveOneGroupOut"
    assert type(evaluation_splitter(TrainParams(eval_folds=10), 6)).__name__ == "LeaveOneGroupOut"
    assert type(evaluation_splitter(TrainParams(eval_folds=10), 42)).__name__ == "StratifiedGroupKFold"


def test_manifest_gives_each_videos_origin_and_bad_manifests_say_which_file(tmp_path):
    assert read_manifest(tmp_path) == {}, "no manifest: no groups"
    (tmp_path / "manifest.json").write_text(json.dumps([
        {"sha256": "AB12", "repo": "someone/videos", "name": "a.mp4"},
        {"sha256": "cd34", "group": "gym-camera-2"},
        {"sha256": "ef56"},  # no origin: left out, the video becomes its own group
        "not an entry",
    ]))
    assert read_manifest(tmp_path) == {"ab12": "someone/videos", "cd34": "gym-camera-2"}
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(BadInputError, match="manifest.json"):
        read_manifest(tmp_path)


def test_groups_come_from_the_stores_metadata_and_default_to_the_video(tmp_path):
    store = LocalStore(tmp_path)
    store.put_bytes("videos/squat/a.mp4", b"a", metadata={"sha256": "a", "group": "someone/videos"})
    store.put_bytes("videos/squat/b.mp4", b"b", metadata={"sha256": "b"})
    rows = pd.DataFrame({"video_id": ["a", "a", "b", "c"],
                         "source": ["videos/squat/a.mp4"] * 2 + ["videos/squat/b.mp4", "my clip.mp4"]})
    groups = video_groups(store, rows)
    assert groups.to_dict() == {"a": "repo:someone/videos", "b": "video:b", "c": "video:c"}
    assert groups.attrs["from_manifest"] == 1


def test_upload_records_the_manifest_origin_and_uploads_again_when_it_changes(tmp_path):
    from fittrack.pose.extract import file_sha256
    from producer.upload import upload_dataset

    from ..conftest import write_test_video

    (tmp_path / "data" / "squat").mkdir(parents=True)
    video = write_test_video(tmp_path / "data" / "squat" / "one.mp4")
    store = LocalStore(tmp_path / "store")
    assert upload_dataset(tmp_path / "data", store, show_progress=False).uploaded == ["videos/squat/one.mp4"]
    assert "group" not in store.head("videos/squat/one.mp4").metadata
    (tmp_path / "data" / "manifest.json").write_text(json.dumps([{"sha256": file_sha256(video), "repo": "me/gym"}]))
    assert upload_dataset(tmp_path / "data", store, show_progress=False).uploaded == ["videos/squat/one.mp4"]
    assert store.head("videos/squat/one.mp4").metadata["group"] == "me/gym"
    assert upload_dataset(tmp_path / "data", store, show_progress=False).unchanged == ["videos/squat/one.mp4"]


def test_a_negatives_kind_goes_from_the_manifest_into_the_store_and_back(tmp_path):
    """Only negatives get a kind; an exercise video's kind in a manifest is not a negative's kind."""
    from fittrack.pose.extract import file_sha256
    from producer.upload import upload_dataset

    from ..conftest import write_test_video

    for folder in ("squat", "other", "lunge"):
        (tmp_path / "data" / folder).mkdir(parents=True)
    squat = write_test_video(tmp_path / "data" / "squat" / "s.mp4", frames=10)
    walk = write_test_video(tmp_path / "data" / "other" / "walk.mp4", frames=11)
    lunge = write_test_video(tmp_path / "data" / "lunge" / "l.mp4", frames=12)  # a sixth class: trained as other
    (tmp_path / "data" / "manifest.json").write_text(json.dumps([
        {"sha256": file_sha256(squat), "repo": "a/b", "kind": "exercise"},
        {"sha256": file_sha256(walk), "repo": "c/d", "kind": "not_exercise"},
        {"sha256": file_sha256(lunge), "repo": "e/f", "kind": "exercise"},
        {"sha256": "00", "kind": "something else"},
    ]))
    assert read_kinds(tmp_path / "data") == {file_sha256(squat): "exercise", file_sha256(walk): "not_exercise",
                                             file_sha256(lunge): "exercise"}
    store = LocalStore(tmp_path / "store")
    upload_dataset(tmp_path / "data", store, show_progress=False)
    assert "kind" not in store.head("videos/squat/s.mp4").metadata
    assert store.head("videos/other/walk.mp4").metadata["kind"] == "not_exercise"
    assert store.head("videos/lunge/l.mp4").metadata["kind"] == "exercise"
    rows = pd.DataFrame({"video_id": ["s", "w", "l"],
                         "source": ["videos/squat/s.mp4", "videos/other/walk.mp4", "videos/lunge/l.mp4"]})
    groups, kinds = video_origins(store, rows)
    assert kinds.to_dict() == {"w": "not_exercise", "l": "exercise"}
    assert groups.to_dict() == {"s": "repo:a/b", "w": "repo:c/d", "l": "repo:e/f"}
