"""A quick version of benchmarks/load_test.py: 20 distinct jobs through 2 worker processes."""

from __future__ import annotations

import sys

from .conftest import shared_video
from .services import ROOT


def test_twenty_jobs_all_finish_once(fresh_redis, tmp_path, monkeypatch):
    shared_video("squat/kaggle_squat_18.mp4")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from load_test import run_load

    for name in ("FITTRACK_HOME", "FITTRACK_BROKER_URL", "FITTRACK_RESULT_BACKEND", "FITTRACK_SAMPLE_FPS",
                 "FITTRACK_WORKER_PIN_CPUS"):
        monkeypatch.setenv(name, "")  # run_load sets them; monkeypatch restores them afterwards
    facts = run_load(20, fresh_redis, tmp_path / "home", sample_fps=3.0, webapp=False)
    assert facts["states"] == {"SUCCESS": 20}
    assert facts["executed_twice"] == [] and facts["succeeded_in_log"] == 20
    assert facts["rows_objects"] == 20
    assert facts["rss_late_kb"], "worker processes were measured"
