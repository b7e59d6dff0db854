"""The distributed pipeline end to end, with real parts only.

Distributed: Redis broker and results, moto's S3 server as the store, two
worker processes that share nothing but those (each its own home folder),
and Flower watching them. Embedded: filesystem broker, sqlite results, a
local store and two worker processes. Both run the same producer code.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import requests

from fittrack.settings import Settings
from fittrack.storage.keys import ROWS_PREFIX
from fittrack.storage.store import open_store
from producer.enqueue import describe_outcomes, enqueue_videos, follow_jobs
from producer.upload import upload_dataset
from workers.app import create_app

from .conftest import VIDEOS
from .services import ServiceProcesses, free_port, service_env, start_worker, wait_for

SUBSET = {
    "deadlift": "jeff_nico_deadlift.mp4",
    "hammer curl": "odil_hammer_curl.mp4",  # a Kaggle-style folder name with a space
    "pull_up": "kaggle_pull_up_23.mp4",
    "push_up": "kaggle_push-up_15.mp4",
    "squat": "kaggle_squat_9.mp4",
}
SOURCE_FOLDER = {"hammer curl": "hammer_curl"}
BAD_KEY = "videos/other/broken_clip.mp4"
JOB_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """A small dataset in the Kaggle layout: one video per class and one bad file."""
    if not VIDEOS.exists():
        pytest.skip(f"shared video set not found at {VIDEOS}")
    root = tmp_path_factory.mktemp("dataset")
    for folder, name in SUBSET.items():
        (root / folder).mkdir()
        shutil.copy(VIDEOS / SOURCE_FOLDER.get(folder, folder) / name, root / folder / name)
    (root / "other").mkdir()
    (root / "other" / "broken clip.mp4").write_text("this is not a video\n" * 50)
    return root


def run_and_check(settings: Settings, env_settings: dict[str, str], dataset: Path, tmp: Path,
                  services: ServiceProcesses) -> dict:
    """Upload, start two workers, enqueue, follow; returns facts for the assertions."""
    store = open_store(settings)
    app = create_app(settings)
    upload = upload_dataset(dataset, store, show_progress=False)
    assert len(upload.uploaded) == 6 and not upload.unchanged
    assert upload_dataset(dataset, store, show_progress=False).unchanged, "a re-run uploads nothing unchanged"

    for index in (1, 2):  # each worker its own home: no shared disk but the store
        home = tmp / f"worker{index}-home"
        start_worker(services, app, f"worker{index}", service_env(env_settings, home))
    report = enqueue_videos(app, store)
    assert len(report.sent) == 6
    again = enqueue_videos(app, store)
    assert not again.sent, f"a second enqueue while jobs are pending sends nothing: {again.summary()}"
    outcomes = follow_jobs(app, report.job_ids, timeout_s=JOB_TIMEOUT_S, show_progress=False)
    summary = describe_outcomes(outcomes)
    by_key = {o.video_key: o for o in outcomes}
    return {"store": store, "app": app, "outcomes": by_key, "summary": summary,
            "rerun": enqueue_videos(app, store)}


def assert_pipeline_facts(facts: dict) -> None:
    outcomes, store = facts["outcomes"], facts["store"]
    good = {k: o for k, o in outcomes.items() if k != BAD_KEY}
    assert all(o.state == "SUCCESS" for o in good.values()), facts["summary"]
    rows_keys = sorted(store.list(ROWS_PREFIX))
    assert sorted(o.result["rows_key"] for o in good.values()) == rows_keys, "exactly one object per video"
    assert "videos/hammer_curl/odil_hammer_curl.mp4" in good, "class folder names are normalised"
    bad = outcomes[BAD_KEY]
    assert bad.state == "FAILURE"
    assert "not a video file" in bad.reason and BAD_KEY in bad.reason, bad.reason
    assert f"FAILED {BAD_KEY}: " in facts["summary"] and "5 done, 1 failed" in facts["summary"]
    rerun = facts["rerun"]
    assert not rerun.sent, f"a second enqueue does no work: {rerun.summary()}"
    assert len(rerun.already_done) == 5 and list(rerun.already_failed) == [BAD_KEY]


def test_distributed_redis_and_s3_with_two_workers_and_flower(dataset, fresh_redis, s3_endpoint, tmp_path,
                                                               monkeypatch):
    from .services import S3_CREDENTIALS

    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    env_settings = {
        "FITTRACK_BROKER_URL": fresh_redis, "FITTRACK_RESULT_BACKEND": fresh_redis,
        "FITTRACK_STORE_URL": "s3://fittrack-test/run1", "FITTRACK_S3_ENDPOINT_URL": s3_endpoint,
        "FITTRACK_SAMPLE_FPS": "5", "FITTRACK_FLOWER_USER": "admin", "FITTRACK_FLOWER_PASSWORD": "s3cret",
    }
    settings = Settings(home=tmp_path / "producer-home", broker_url=fresh_redis, result_backend=fresh_redis,
                        store_url="s3://fittrack-test/run1", s3_endpoint_url=s3_endpoint)
    open_store(settings).ensure_bucket()
    services = ServiceProcesses(tmp_path)
    flower_port = free_port()
    try:
        services.start("flower", [sys.executable, "-m", "fittrack", "flower", "--port", str(flower_port)],
                       service_env(env_settings, tmp_path / "flower-home"))
        flower = f"http://127.0.0.1:{flower_port}"
        wait_for(lambda: requests.get(f"{flower}/healthcheck", timeout=1).ok, 60, "flower")
        assert requests.get(f"{flower}/api/workers", timeout=5).status_code == 401, "Flower asks for credentials"
        facts = run_and_check(settings, env_settings, dataset, tmp_path, services)
        assert_pipeline_facts(facts)

        auth = ("admin", "s3cret")
        workers = wait_for(lambda: requests.get(f"{flower}/api/workers?refresh=1", auth=auth, timeout=10).json(), 30,
                           "Flower's worker list")
        assert {"worker1@testhost", "worker2@testhost"} <= set(workers)

        def finished_in_flower() -> dict:
            tasks = requests.get(f"{flower}/api/tasks", auth=auth, timeout=5).json()
            ended = {t["uuid"] for t in tasks.values() if t.get("state") in ("SUCCESS", "FAILURE")}
            return tasks if {o.job_id for o in facts["outcomes"].values()} <= ended else {}

        tasks = wait_for(finished_in_flower, 30, "finished jobs in Flower")
        workers_used = {t["worker"] for t in tasks.values() if t.get("worker")}
        assert workers_used == {"worker1@testhost", "worker2@testhost"}, "both workers took jobs"
        metrics = requests.get(f"{flower}/metrics", auth=auth, timeout=5)
        assert metrics.ok and "flower_events_total" in metrics.text
    finally:
        services.stop_all()


def test_embedded_filesystem_broker_sqlite_and_local_store(dataset, tmp_path):
    home = tmp_path / "home"
    env_settings = {"FITTRACK_SAMPLE_FPS": "5"}
    settings = Settings(home=home)
    services = ServiceProcesses(tmp_path)
    try:
        # Embedded mode shares one home (broker folder, sqlite, store) on one machine.
        facts = run_and_check(settings, env_settings | {"FITTRACK_HOME": str(home)}, dataset, tmp_path,
                              _SharedHome(services, home))
        assert_pipeline_facts(facts)
        assert settings.resolved_result_backend().startswith("db+sqlite:///")
        assert facts["store"].url.startswith("file://")
    finally:
        services.stop_all()


class _SharedHome:
    """Starts every process with the same FITTRACK_HOME (the embedded mode's shared folder)."""

    def __init__(self, services: ServiceProcesses, home: Path) -> None:
        self._services, self._home = services, home

    def start(self, name, command, env, cwd=None):
        return self._services.start(name, command, dict(env, FITTRACK_HOME=str(self._home)), cwd)

    def log_text(self, name):
        return self._services.log_text(name)
