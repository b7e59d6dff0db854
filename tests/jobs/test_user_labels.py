"""People's labels: checked before anything is stored, the last of a scope stands, they train, and deletion is whole."""

from __future__ import annotations

import threading

import pytest

from fittrack.errors import BadInputError
from fittrack.jobs.user_labels import UserLabel, labelled_rows, labels_of, record_label
from fittrack.pose.table import to_parquet_bytes
from fittrack.settings import Settings
from fittrack.storage.keys import ResultKeys, new_upload_id, rows_key, upload_key
from fittrack.storage.store import LocalStore, delete_upload

from ..synthetic import FAST, synthetic_rows


def _analysed_upload(store: LocalStore, label: str = "hammer_curl", seed: int = 1) -> str:
    """An upload as the page leaves it after its analysis: the video and its result rows (no label)."""
    upload_id = new_upload_id()
    rows = synthetic_rows(videos_per_class=1, seed=seed).query(f"label == '{label}'").reset_index(drop=True)
    rows = rows.assign(label=None, video_id="ab" * 32)
    store.put_bytes(upload_key(upload_id), b"the video")
    keys = ResultKeys.of(upload_id)
    store.put_bytes(keys.rows, to_parquet_bytes(rows))
    store.put_bytes(keys.result, b"{}")
    return upload_id


def test_bad_labels_are_refused_with_one_line_and_nothing_is_stored(tmp_path):
    store = LocalStore(tmp_path)
    upload_id = _analysed_upload(store)
    before = sorted(store.list())
    for label, problem in [
        (UserLabel(upload_id, "other", "lunges"), "not an exercise fittrack counts"),
        (UserLabel(new_upload_id(), "other", "squat"), "does not exist"),
        (UserLabel(upload_id, "other", "squat", 4.0, 9.0), "outside the video's 0-6.0 s"),
        (UserLabel(upload_id, "other", "squat", 3.0, 2.0), "outside the video"),
    ]:
        with pytest.raises(BadInputError, match=problem) as refused:
            record_label(store, label, duration_s=6.0)
        assert "\n" not in str(refused.value)
    assert sorted(store.list()) == before


def test_the_last_label_of_a_scope_stands_and_sets_are_scopes_of_their_own(tmp_path):
    store = LocalStore(tmp_path)
    upload_id = _analysed_upload(store)
    said = ["squat", "push_up", "deadlift", "pull_up", "hammer_curl", "other"]
    threads = [threading.Thread(target=record_label, args=(store, UserLabel(upload_id, "other", s, at=i + 1), 6.0))
               for i, s in enumerate(said)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    record_label(store, UserLabel(upload_id, "other", "squat", 1.0, 3.0), 6.0)
    labels = labels_of(store, upload_id)
    assert len(labels) == 2, "one record per scope however many times it was said"
    whole, one_set = labels
    assert whole.span_ms is None and whole.person_said in said, "a whole record, never a half-written one"
    assert one_set.span_ms == (1000, 3000) and one_set.person_said == "squat"


def test_labelled_uploads_become_rows_under_their_own_group_a_set_only_its_span(tmp_path):
    store = LocalStore(tmp_path)
    corrected, one_set = _analysed_upload(store), _analysed_upload(store, seed=2)
    record_label(store, UserLabel(corrected, "other", "hammer_curl"), 6.0)
    record_label(store, UserLabel(one_set, "squat", "other", 2.0, 4.0), 6.0)
    rows, groups = labelled_rows(store)
    by_video = rows.groupby("video_id")
    assert set(by_video.groups) == {f"upload-{corrected}", f"upload-{one_set}-2000-4000"}
    assert (by_video.get_group(f"upload-{corrected}")["label"] == "hammer_curl").all()
    span = by_video.get_group(f"upload-{one_set}-2000-4000")["timestamp_ms"]
    assert span.min() >= 2000 and span.max() < 4000
    assert groups.to_dict() == {f"upload-{corrected}": f"upload:{corrected}",
                                f"upload-{one_set}-2000-4000": f"upload:{one_set}"}


def test_training_counts_the_corrected_upload_and_keeps_it_in_a_fold_of_its_own(tmp_path):
    from fittrack.jobs.training import train_from_store

    store = LocalStore(tmp_path / "store")
    for video_id, video_rows in synthetic_rows().groupby("video_id"):
        store.put_bytes(rows_key(str(video_id)), to_parquet_bytes(video_rows.reset_index(drop=True)))
    upload_id = _analysed_upload(store)
    record_label(store, UserLabel(upload_id, "other", "hammer_curl"), 6.0)
    settings = Settings(home=tmp_path)
    trained = train_from_store(store, settings, FAST)
    assert trained.training["videos_from_user_labels"] == 1
    assert trained.evaluation is not None
    outcome = trained.evaluation.window.videos[f"upload-{upload_id}"]
    assert outcome.truth == "hammer_curl" and outcome.group == f"upload:{upload_id}" and outcome.fold >= 0
    without = train_from_store(store, settings, FAST, user_labels=False)
    assert without.training["videos_from_user_labels"] == 0
    assert without.evaluation is not None and f"upload-{upload_id}" not in without.evaluation.window.videos


def test_deleting_an_upload_removes_its_video_results_and_labels_and_nothing_else(tmp_path):
    store = LocalStore(tmp_path)
    kept, deleted = _analysed_upload(store), _analysed_upload(store)
    for upload_id in (kept, deleted):
        record_label(store, UserLabel(upload_id, "other", "squat"), 6.0)
    store.put_bytes(rows_key("cd" * 32), b"a dataset video's rows")
    before = sorted(store.list())
    removed = delete_upload(store, deleted)
    after = sorted(store.list())
    assert sorted(removed) == sorted(key for key in before if deleted in key)
    assert len(removed) == 4, "video, result rows, result record, label"
    assert after == sorted(key for key in before if deleted not in key)
    assert any(kept in key for key in after) and rows_key("cd" * 32) in after
    assert labels_of(store, deleted) == [] and labels_of(store, kept)
    with pytest.raises(BadInputError):
        delete_upload(store, "../../etc")


def test_what_is_said_now_replaces_the_set_labels_it_overlaps(tmp_path):
    store = LocalStore(tmp_path)
    upload_id = _analysed_upload(store)
    record_label(store, UserLabel(upload_id, "squat", "push_up", 1.0, 4.0), 6.0)
    record_label(store, UserLabel(upload_id, "squat", "deadlift", 4.5, 5.5), 6.0)
    record_label(store, UserLabel(upload_id, "push_up", "pull_up", 2.0, 3.0), 6.0)  # inside the first
    assert [(label.span_ms, label.person_said) for label in labels_of(store, upload_id)] == [
        ((2000, 3000), "pull_up"), ((4500, 5500), "deadlift")]
    record_label(store, UserLabel(upload_id, "squat", "other"), 6.0)  # the whole video: every set label goes
    assert [(label.span_ms, label.person_said) for label in labels_of(store, upload_id)] == [(None, "other")]
