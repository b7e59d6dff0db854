"""Load: N short jobs through 2 worker processes; all finish, none twice, memory bounded, webapp responsive.

In one run: N distinct copies of one short clip (each ends with a different
MP4 `free` box, so each has its own content hash and job) are uploaded and
enqueued; one worker with 2 processes takes them. Measured: every job ends
SUCCESS exactly once (by the worker's own log of succeeded task ids), one
Parquet object per copy, the RSS of each worker process after the first 10%
of jobs and at the end (goal: end <= 1.2x), and the webapp's health-check
latency polled twice a second while the workers are busy.

Usage: python benchmarks/load_test.py [--jobs 200] [--broker redis://127.0.0.1:6379/14]
Also used by tests/test_load.py with a small N.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT.parent / "shared" / "data" / "videos" / "squat" / "kaggle_squat_18.mp4"


def free_box(n: int) -> bytes:
    """A valid top-level MP4 box that players skip; makes each copy's bytes unique."""
    payload = f"fittrack-load-{n:08d}".encode()
    return (8 + len(payload)).to_bytes(4, "big") + b"free" + payload


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def run_load(jobs: int, broker: str, home: Path, sample_fps: float = 5.0, webapp: bool = True) -> dict:
    os.environ.update({"FITTRACK_HOME": str(home), "FITTRACK_BROKER_URL": broker, "FITTRACK_RESULT_BACKEND": broker,
                       "FITTRACK_SAMPLE_FPS": str(sample_fps), "FITTRACK_WORKER_PIN_CPUS": "1"})
    from fittrack.settings import get_settings
    from fittrack.storage.keys import ROWS_PREFIX
    from fittrack.storage.store import open_store
    from producer.enqueue import enqueue_videos, follow_jobs
    from producer.upload import upload_dataset
    from workers.app import create_app

    get_settings.cache_clear()
    settings = get_settings()
    store, app = open_store(settings), create_app(settings)
    dataset = home / "dataset" / "squat"
    dataset.mkdir(parents=True)
    clip = CLIP.read_bytes()
    for n in range(jobs):
        (dataset / f"copy_{n:04d}.mp4").write_bytes(clip + free_box(n))
    upload_dataset(dataset.parent, store, show_progress=False)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    log = home / "worker.log"
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--loglevel=INFO",
                               "--concurrency=2", "--hostname=load@%h"], env=env, cwd=ROOT,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    web = None
    latencies: list[float] = []
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 120
        while not app.control.ping(timeout=0.5) and time.monotonic() < deadline:
            pass
        if webapp:
            import requests

            port = 8600 + os.getpid() % 300
            web = subprocess.Popen([sys.executable, "-m", "fittrack", "webapp", "--port", str(port),
                                    "--address", "127.0.0.1"], env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            health = f"http://127.0.0.1:{port}/_stcore/health"
            while time.monotonic() < deadline:
                try:
                    if requests.get(health, timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)

            def poll_webapp() -> None:
                while not stop.is_set():
                    started = time.perf_counter()
                    try:
                        requests.get(health, timeout=10)
                        latencies.append(time.perf_counter() - started)
                    except requests.RequestException:
                        latencies.append(float("inf"))
                    stop.wait(0.5)

            threading.Thread(target=poll_webapp, daemon=True).start()
        start = time.perf_counter()
        report = enqueue_videos(app, store)
        early: dict[int, int] = {}
        first_tenth = max(jobs // 10, 1)
        ids = list(report.job_ids.values())
        while time.perf_counter() - start < 60 * 30:
            if sum(app.AsyncResult(j).state in ("SUCCESS", "FAILURE") for j in ids) >= first_tenth:
                early = {pid: rss_kb(pid) for pid in children(worker.pid)}
                break
            time.sleep(0.5)
        outcomes = follow_jobs(app, report.job_ids, poll_s=0.5, timeout_s=60 * 30, show_progress=False)
        elapsed = time.perf_counter() - start
        late = {pid: rss_kb(pid) for pid in children(worker.pid)}
    finally:
        stop.set()
        if web:
            web.terminate()
            web.wait(30)
        worker.terminate()
        worker.wait(60)
    succeeded = Counter(re.findall(r"Task fittrack\.extract_video\[([\w-]+)\] succeeded", log.read_text()))
    return {
        "jobs": jobs, "seconds": elapsed,
        "states": Counter(o.state for o in outcomes),
        "executed_twice": sorted(job for job, count in succeeded.items() if count > 1),
        "succeeded_in_log": len(succeeded),
        "rows_objects": sum(1 for k in store.list(ROWS_PREFIX) if k.endswith(".parquet")),
        "rss_early_kb": early, "rss_late_kb": late,
        "webapp_latency_s": sorted(latencies),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    if not CLIP.exists():
        print(f"skipped: {CLIP} not found (the shared data set lives in ../shared/data)")
        return 0
    import redis

    redis.Redis.from_url(args.broker).flushdb()
    home = Path(tempfile.mkdtemp(prefix="fittrack-load-"))
    try:
        facts = run_load(args.jobs, args.broker, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(f"{facts['jobs']} jobs in {facts['seconds']:.1f} s ({facts['jobs'] / facts['seconds']:.2f} jobs/s): "
          f"{dict(facts['states'])}; succeeded in the worker log: {facts['succeeded_in_log']}; "
          f"executed twice: {len(facts['executed_twice'])}; Parquet objects: {facts['rows_objects']}")
    for pid, late in facts["rss_late_kb"].items():
        early = facts["rss_early_kb"].get(pid)
        ratio = f"{late / early:.3f}" if early else "n/a (process replaced)"
        print(f"worker process {pid}: RSS after {max(args.jobs // 10, 1)} jobs {early} kB, at the end {late} kB, "
              f"RATIO {ratio} (goal <= 1.2)")
    lat = facts["webapp_latency_s"]
    if lat:
        print(f"webapp health check while busy: {len(lat)} polls, median {1000 * lat[len(lat) // 2]:.0f} ms, "
              f"max {1000 * lat[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
