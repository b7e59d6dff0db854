"""A correction recomputes the answer from the stored rows: no pose pass, the person's exercise wins."""

from __future__ import annotations

import json

import pytest

from fittrack.errors import BadInputError, NoModelError
from fittrack.jobs.analysis import run_analysis
from fittrack.jobs.correction import run_correction
from fittrack.jobs.uploads import store_upload
from fittrack.jobs.user_labels import UserLabel, record_label
from fittrack.recognition.model_file import model_from_store
from fittrack.settings import Settings
from fittrack.storage.store import LocalStore

from ..conftest import shared_video
from ..synthetic import store_synthetic_model

SQUAT = "squat/kaggle_squat_18.mp4"  # 3.7 s, a few squats


@pytest.fixture
def analysed(tmp_path, estimator):
    """A real upload of a shared squat clip, analysed with a synthetic model, as the page leaves it."""
    store, settings = LocalStore(tmp_path / "store"), Settings(home=tmp_path / "home", sample_fps=10)
    store_synthetic_model(store, settings.model_key)
    upload_id, key = store_upload(store, "legs.mp4", shared_video(SQUAT).read_bytes())
    result = run_analysis(store, key, upload_id, estimator, settings, model_from_store(store, settings.model_key))
    return store, settings, result


def _stored(store: LocalStore, upload_id: str) -> dict:
    return json.loads(store.get_bytes(f"results/{upload_id}/result.json"))


def test_a_corrected_exercise_recounts_from_the_stored_rows_and_redraws_the_video(analysed):
    store, settings, before = analysed
    model = model_from_store(store, settings.model_key)
    video_before = store.get_bytes(before.keys.video)
    rows_before = store.get_bytes(before.keys.rows)
    record_label(store, UserLabel(before.upload_id, before.prediction.label, "squat"), before.duration_s)
    after = run_correction(store, before.upload_id, settings, model)  # takes no pose estimator at all
    assert after.prediction.label == "squat" and after.prediction.named_by == "person"
    assert after.prediction.reps is not None and after.prediction.reps.count >= 1
    assert {s.label for s in after.prediction.segments} <= {"squat", "rest"}
    assert store.get_bytes(before.keys.rows) == rows_before, "the rows are read, never redone"
    assert store.get_bytes(before.keys.video) != video_before, "the video is drawn again with the new answer"
    assert _stored(store, before.upload_id)["prediction"]["named_by"] == "person"
    assert after.frames == before.frames and after.video_id == before.video_id


def test_none_of_these_and_a_set_label_and_a_redelivered_job(analysed):
    store, settings, before = analysed
    record_label(store, UserLabel(before.upload_id, "squat", "other"), before.duration_s)
    nothing = run_correction(store, before.upload_id, settings, NoModelError("m", "none", "train"))
    assert nothing.prediction.label == "other" and nothing.prediction.reps is None
    record_label(store, UserLabel(before.upload_id, "squat", "squat"), before.duration_s)
    record_label(store, UserLabel(before.upload_id, "squat", "push_up", 0.0, 1.0), before.duration_s)
    once = run_correction(store, before.upload_id, settings, NoModelError("m", "none", "train"))
    again = run_correction(store, before.upload_id, settings, NoModelError("m", "none", "train"))
    named_set = [s for s in once.prediction.segments if s.label == "push_up"]
    assert len(named_set) == 1 and (named_set[0].start_s, named_set[0].end_s) == (0.0, 1.0)
    assert named_set[0].named_by == "person"
    assert all(s.end_s <= 0.0 or s.start_s >= 1.0 for s in once.prediction.segments if s is not named_set[0])
    assert again.prediction == once.prediction, "the same labels give the same answer when sent twice"


def test_a_correction_of_an_upload_without_an_analysis_is_refused(tmp_path):
    store = LocalStore(tmp_path)
    upload_id, _ = store_upload(store, "legs.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\0" * 64)
    with pytest.raises(BadInputError, match="no finished analysis"):
        run_correction(store, upload_id, Settings(home=tmp_path), NoModelError("m", "none", "train"))


def test_a_set_cut_out_of_a_longer_one_leaves_pieces_with_their_own_reps(analysed):
    store, settings, before = analysed
    no_model = NoModelError("m", "none", "train")
    record_label(store, UserLabel(before.upload_id, "squat", "squat"), before.duration_s)
    whole = run_correction(store, before.upload_id, settings, no_model)
    reps_before = sum(s.reps for s in whole.prediction.segments)
    record_label(store, UserLabel(before.upload_id, "squat", "other", 1.5, 2.2), before.duration_s)
    cut = run_correction(store, before.upload_id, settings, no_model)
    squats = [s for s in cut.prediction.segments if s.label == "squat"]
    assert sum(s.reps for s in squats) <= reps_before, "no piece keeps the whole set's reps"
    assert all(s.end_s - s.start_s >= 1.0 for s in squats), "no sliver of a set is left as a set"
    assert [s.named_by for s in cut.prediction.segments if s.label == "other"] == ["person"]


def test_a_correction_of_an_upload_deleted_meanwhile_leaves_nothing(analysed):
    from fittrack.storage.keys import upload_key

    store, settings, before = analysed
    record_label(store, UserLabel(before.upload_id, "squat", "push_up"), before.duration_s)
    store.delete(upload_key(before.upload_id))  # deleted by its person while the job was on its way
    with pytest.raises(BadInputError, match="was deleted by its person"):
        run_correction(store, before.upload_id, settings, NoModelError("m", "none", "train"))
    assert not [key for key in store.list() if before.upload_id in key]
