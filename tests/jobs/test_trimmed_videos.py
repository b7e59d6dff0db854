"""Issue #33 on the job paths: a trimmed phone clip (MP4 edit list) is analysed, a cut one refused.

The upload path is what the webapp's job runs: `check_upload`, `store_upload`,
then `run_analysis` on a worker; the extraction path is the worker's
`run_extraction`. The copies are made from a shared clip by
tests/pose/remuxed.py (see `write_edit_list_copy` for how).
"""

from __future__ import annotations

import pytest

from fittrack.errors import VideoError
from fittrack.jobs import extraction as extraction_job
from fittrack.jobs.analysis import run_analysis
from fittrack.jobs.extraction import extract_within_limits, run_extraction
from fittrack.jobs.uploads import check_upload, store_upload
from fittrack.pose import video
from fittrack.pose.video import probe
from fittrack.recognition.model_file import model_from_store
from fittrack.settings import Settings
from fittrack.storage.store import LocalStore

from ..pose.remuxed import TRIM_PRESENTED, cut_copy
from ..synthetic import store_synthetic_model


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", sample_fps=0)


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def _upload(store: LocalStore, settings: Settings, name: str, data: bytes) -> tuple[str, str]:
    check_upload(name, data, settings)
    return store_upload(store, name, data)


def _probed_once(monkeypatch) -> None:
    """Any probe after the first fails: the VideoInfo read once must be passed down, not read again."""
    real = video.probe
    calls: list[str] = []

    def once(path):
        calls.append(str(path))
        assert len(calls) == 1, f"probed again: {calls}"
        return real(path)

    monkeypatch.setattr(extraction_job, "probe", once)
    monkeypatch.setattr(video, "probe", once)


def test_an_uploaded_trimmed_clip_is_analysed_with_the_frames_a_player_shows(trimmed, store, settings,
                                                                             estimator):
    store_synthetic_model(store, settings.model_key)
    model = model_from_store(store, settings.model_key)
    upload_id, key = _upload(store, settings, "trimmed on my phone.mp4", trimmed.read_bytes())
    result = run_analysis(store, key, upload_id, estimator, settings, model)
    assert result.frames == pytest.approx(TRIM_PRESENTED, abs=1)
    assert result.duration_s == pytest.approx(TRIM_PRESENTED / 15, abs=0.07)
    assert result.prediction is not None
    assert store.exists(result.keys.result) and store.exists(result.keys.video)


def test_an_uploaded_cut_clip_is_refused_in_one_line_naming_the_upload(trimmed, tmp_path, store, settings,
                                                                       estimator):
    cut = cut_copy(trimmed, tmp_path / "cut.mp4")
    upload_id, key = _upload(store, settings, "cut.mp4", cut.read_bytes())  # its first bytes are a video's
    with pytest.raises(VideoError, match="truncated or corrupt") as refused:
        run_analysis(store, key, upload_id, estimator, settings, model=_no_model())
    assert refused.value.source == key and "\n" not in str(refused.value)


def test_the_worker_extracts_a_trimmed_clip_and_refuses_a_cut_one(trimmed, tmp_path, store, settings,
                                                                  estimator):
    store.put_bytes("videos/push_up/trimmed.mp4", trimmed.read_bytes())
    summary = run_extraction(store, "videos/push_up/trimmed.mp4", estimator, settings, label="push_up")
    assert summary.frames == pytest.approx(TRIM_PRESENTED, abs=1)
    assert summary.duration_s == pytest.approx(TRIM_PRESENTED / 15, abs=0.07)
    store.put_bytes("videos/push_up/cut.mp4", cut_copy(trimmed, tmp_path / "cut.mp4").read_bytes())
    with pytest.raises(VideoError, match="truncated or corrupt") as refused:
        run_extraction(store, "videos/push_up/cut.mp4", estimator, settings, label="push_up")
    assert refused.value.source == "videos/push_up/cut.mp4"


def test_a_job_probes_its_video_once_and_passes_the_info_down(trimmed, settings, estimator, monkeypatch):
    info = probe(trimmed)
    _probed_once(monkeypatch)
    video.probe(trimmed)  # the one probe allowed, as run_analysis makes it
    extraction = extract_within_limits(trimmed, "uploads/x/video", estimator, settings, label=None,
                                       video_id="ab" * 32, info=info)
    assert extraction.info is info
    assert len(extraction.rows) == pytest.approx(TRIM_PRESENTED, abs=1)


def test_the_limits_use_the_presented_duration(trimmed, tmp_path, estimator):
    """5.9 s presented: within a limit of 6.5 s, though its stored samples (105 at 15 frame/s) make 7 s."""
    within = Settings(home=tmp_path / "home", max_video_seconds=6.5, sample_fps=5)
    extract_within_limits(trimmed, "uploads/x/video", estimator, within, label=None, video_id="ab" * 32)
    beyond = Settings(home=tmp_path / "home", max_video_seconds=5.5, sample_fps=5)
    with pytest.raises(VideoError, match=r"is 5\.9 s long, more than the limit of 5\.5 s"):
        extract_within_limits(trimmed, "uploads/x/video", estimator, beyond, label=None, video_id="ab" * 32)


def _no_model():
    from fittrack.errors import NoModelError

    return NoModelError("models/exercise.model", "no exercise model has been trained yet")
