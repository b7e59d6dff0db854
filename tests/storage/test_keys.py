"""fittrack.storage.keys: every store key is built from hashes, generated ids and sanitised names."""

from __future__ import annotations

import pytest

from fittrack.errors import BadInputError
from fittrack.storage.keys import (
    ResultKeys,
    dataset_video_key,
    is_rows_key,
    is_sha256,
    is_upload_id,
    label_of_key,
    new_upload_id,
    rows_key,
    upload_key,
)
from fittrack.storage.store import check_key

SHA = "ab" * 32


@pytest.mark.parametrize(("label", "file_name", "key"), [
    ("squat", "kaggle_squat_1.mp4", "videos/squat/kaggle_squat_1.mp4"),
    ("Hammer Curl", "my clip (1).mp4", "videos/hammer_curl/my_clip_1_.mp4"),
    ("push-up", "../../etc/passwd", "videos/push_up/etc_passwd"),
    ("other", "$(rm -rf ~).mov", "videos/other/rm_-rf_.mov"),
])
def test_dataset_keys_carry_only_safe_characters_and_give_their_class_back(label, file_name, key):
    assert dataset_video_key(label, file_name) == key
    assert check_key(key) == key
    assert label_of_key(key) == key.split("/")[1]


@pytest.mark.parametrize("key", ["rows/abc.parquet", "videos/squat", "videos/a/b/c.mp4", "uploads/x/video"])
def test_a_key_that_is_not_a_dataset_video_has_no_class(key):
    with pytest.raises(BadInputError, match="is not a dataset video key"):
        label_of_key(key)


def test_rows_are_keyed_by_the_videos_content():
    assert rows_key(SHA) == f"rows/{SHA}.parquet"
    assert is_rows_key(rows_key(SHA)) and not is_rows_key(f"rows/{SHA}.parquet.tmp")


def test_upload_ids_are_fresh_and_name_every_output_of_one_upload():
    first, second = new_upload_id(), new_upload_id()
    assert first != second and is_upload_id(first) and not is_sha256(first)
    keys = ResultKeys.of(first)
    assert upload_key(first) == f"uploads/{first}/video"
    assert {keys.result, keys.video, keys.csv, keys.rows} == {
        f"results/{first}/{name}" for name in ("result.json", "annotated.mp4", "angles.csv", "rows.parquet")}


@pytest.mark.parametrize(("text", "sha", "upload"), [
    (SHA, True, False), ("ab" * 16, False, True), (SHA.upper(), False, False), ("", False, False),
    ("../" + "a" * 29, False, False), ("a" * 31 + "\x00", False, False),
])
def test_ids_are_recognised_only_in_their_exact_shape(text, sha, upload):
    assert (is_sha256(text), is_upload_id(text)) == (sha, upload)
