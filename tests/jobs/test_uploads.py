"""fittrack.jobs.uploads: what a person uploads is checked before it is stored, and their file name is display text."""

from __future__ import annotations

import re

import pytest

from fittrack.jobs.uploads import UploadError, check_upload, display_text, store_upload, stored_display_name
from fittrack.settings import Settings
from fittrack.storage.keys import is_upload_id
from fittrack.storage.store import LocalStore

MP4_START = b"\x00\x00\x00\x20ftypisom"


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("huge.mp4", MP4_START + b"\x00" * (2 * 2**20), "more than the limit of 1 MB"),
    ("empty.mp4", b"", "is empty (0 bytes)"),
    ("notes.mp4", b"my workout notes\n" * 20, "is not a video file"),
])
def test_uploads_that_cannot_be_videos_are_refused_with_the_reason(tmp_path, name, data, problem):
    with pytest.raises(UploadError, match=re.escape(problem)) as refused:
        check_upload(name, data, Settings(home=tmp_path, upload_limit_mb=1))
    assert refused.value.source == name


def test_a_video_within_the_limit_passes(tmp_path):
    check_upload("squat.mp4", MP4_START + b"\x00" * 1000, Settings(home=tmp_path, upload_limit_mb=1))


@pytest.mark.parametrize(("name", "shown"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\squat.mp4", "squat.mp4"),
    ("a\x00b\nc;rm -rf ~.mp4", "abc;rm -rf ~.mp4"),
    ("", "upload"),
])
def test_upload_names_are_display_text_only(name, shown):
    assert display_text(name) == shown


def test_the_stored_upload_is_keyed_by_a_new_id_and_keeps_its_name_for_display(tmp_path):
    store = LocalStore(tmp_path / "store")
    upload_id, key = store_upload(store, "mon squat été.mp4", MP4_START)
    assert is_upload_id(upload_id) and upload_id in key and "squat" not in key
    assert store.get_bytes(key) == MP4_START
    assert stored_display_name(store, key) == "mon squat été.mp4"


def test_a_named_exercise_goes_with_the_upload_and_an_unknown_one_stores_nothing(tmp_path):
    from fittrack.jobs.uploads import named_exercise

    store = LocalStore(tmp_path)
    _, key = store_upload(store, "legs.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\0" * 64, "squat")
    assert named_exercise(store, key) == "squat"
    _, unnamed = store_upload(store, "legs.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\0" * 64)
    assert named_exercise(store, unnamed) is None
    with pytest.raises(UploadError, match="not an exercise"):
        store_upload(store, "legs.mp4", b"\x00\x00\x00\x18ftypmp42", "lunges")
    assert len(list(store.list("uploads/"))) == 2
