"""Jobs/s and frames/s with 1 and 2 worker processes, and the per-job overhead of Celery + store.

In one run, on the same videos, the whole job path (enqueue -> broker ->
worker -> store download -> extraction -> Parquet upload -> result) with one
worker process, then with two, each process pinned to its own core
(FITTRACK_WORKER_PIN_CPUS=1, so "one worker" is one core's worth), and for
reference one unpinned process (which spreads its inference threads over
both cores). Overhead per job = (wall time of the 1-process run - the
extraction time the worker measured inside its jobs) / jobs: dispatch,
download, Parquet upload, result and polling, all in the same run.
Uses the Redis at 127.0.0.1:6379 (database 14) when it answers, else the
embedded filesystem broker; the store is a local folder.

Usage: python benchmarks/worker_scaling.py [--videos N] [--sample-fps F]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "videos"
sys.path.insert(0, str(ROOT))


def pick_videos(count: int) -> list[Path]:
    classes = ["squat", "push_up", "pull_up", "deadlift", "hammer_curl"]
    per_class = [sorted((DATA / c).glob("*.mp4"), key=lambda p: p.stat().st_size) for c in classes]
    picked = [videos[i] for i in range(max(len(v) for v in per_class)) for videos in per_class if i < len(videos)]
    return picked[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--videos", type=int, default=10)
    parser.add_argument("--sample-fps", type=float, default=15.0)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: shared videos not found at {DATA}")
        return 0
    import redis

    broker = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(broker).ping()
    except redis.exceptions.RedisError:
        broker = ""
    home = Path(tempfile.mkdtemp(prefix="fittrack-bench-"))
    env = dict(os.environ, FITTRACK_HOME=str(home), FITTRACK_SAMPLE_FPS=str(args.sample_fps),
               FITTRACK_BROKER_URL=broker, FITTRACK_RESULT_BACKEND=broker, PYTHONPATH=str(ROOT))
    os.environ.update({k: v for k, v in env.items() if k.startswith("FITTRACK_")})

    from fittrack.settings import get_settings
    from fittrack.storage.keys import ROWS_PREFIX
    from fittrack.storage.store import open_store
    from producer.enqueue import enqueue_videos, follow_jobs
    from workers.app import create_app
    from workers.jobs import EXTRACT_TASK

    settings = get_settings()
    store, app = open_store(settings), create_app(settings)
    videos = pick_videos(args.videos)
    dataset = home / "dataset"
    for video in videos:
        (dataset / video.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(video, dataset / video.parent.name / video.name)
    from producer.upload import upload_dataset

    upload_dataset(dataset, store, show_progress=False)
    print(f"broker: {settings.resolved_broker_url()}, videos: {len(videos)}, sample fps: {args.sample_fps}")

    results: dict[str, tuple[float, list]] = {}
    for label, workers, pinned in (("1 pinned", 1, True), ("2 pinned", 2, True), ("1 unpinned", 1, False)):
        for key in list(store.list(ROWS_PREFIX)):
            store.delete(key)
        if broker:
            redis.Redis.from_url(broker).flushdb()
        else:
            shutil.rmtree(home / "results.sqlite", ignore_errors=True)
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--loglevel=WARNING",
                                   f"--concurrency={workers}", "--hostname=bench@%h"],
                                  env=dict(env, FITTRACK_WORKER_PIN_CPUS=str(int(pinned))), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not app.control.ping(timeout=0.5) and time.monotonic() < deadline:
                pass
            # Warm-up jobs: each worker process loads the pose model on its first job.
            warm_key = next(iter(store.list("videos/")))
            warmups = [app.send_task(EXTRACT_TASK, args=[warm_key, None], task_id=f"warmup-{label}-{i}")
                       for i in range(workers)]
            for job in warmups:
                job.get(timeout=300)
            for key in list(store.list(ROWS_PREFIX)):
                store.delete(key)
            start = time.perf_counter()
            report = enqueue_videos(app, store, force=True)
            outcomes = follow_jobs(app, report.job_ids, poll_s=0.05, show_progress=False)
            elapsed = time.perf_counter() - start
        finally:
            worker.terminate()
            worker.wait(60)
        done = [o for o in outcomes if o.state == "SUCCESS"]
        job_frames = sum(o.result["frames"] for o in done)
        results[label] = (elapsed, done)
        print(f"{label} worker process(es): {elapsed:.1f} s, {len(done) / elapsed:.3f} jobs/s, "
              f"{job_frames / elapsed:.1f} frames/s ({len(done)}/{len(outcomes)} jobs ok)")
    one, two = results["1 pinned"][0], results["2 pinned"][0]
    print(f"SCALING 2 vs 1 pinned worker processes: {one / two:.2f}x (goal >= 1.8x)")
    print(f"2 pinned vs 1 unpinned process: {results['1 unpinned'][0] / two:.2f}x")
    elapsed, done = results["1 pinned"]
    inside = sum(o.result["extract_seconds"] for o in done)
    in_job = sum(o.result["seconds"] - o.result["extract_seconds"] for o in done)
    print(f"  of which inside the job (download, hash, Parquet upload): {1000 * in_job / len(done):.0f} ms per job")
    print(f"OVERHEAD per job (1 pinned process): {1000 * (elapsed - inside) / len(done):.0f} ms "
          f"(wall {elapsed:.2f} s - extraction inside jobs {inside:.2f} s, {len(done)} jobs; goal < 20 ms)")
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
