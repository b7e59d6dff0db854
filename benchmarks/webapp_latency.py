"""Upload-to-playable time of the webapp path against bare extraction of the same clip.

In one run: a 10 s 1080p clip is cut from a shared video; bare extraction
(`extract_video` in this process, the worker's settings) is timed; then the
same bytes go through what the webapp does (store the upload, mark the job
queued, send it) to one real worker process, and the clock stops when the
job has succeeded and the annotated mp4 can be read back from the store.
The store holds a model of the default size (300 trees, trained on synthetic
rows: its answers mean nothing, its prediction cost is real), so the job
predicts and counts reps as it would for a user. The worker is warmed up
with one job first (pose and exercise models loaded). Bare
extraction and the webapp path alternate for `--rounds` rounds (the machine's
speed drifts by tens of percent over a minute here); the ratio reported is
the median of the per-round ratios. Goal: ratio <= 1.3.

Usage: python benchmarks/webapp_latency.py [--broker redis://127.0.0.1:6379/14] [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SOURCE = ROOT.parent / "shared" / "data" / "videos" / "deadlift" / "ffreaks_deadlift.mp4"


def cut_clip(source: Path, seconds: float, output: Path) -> Path:
    """The first `seconds` of `source`, re-encoded at its own size (H.264)."""
    import av

    with av.open(str(source)) as inp, av.open(str(output), "w") as out:
        video = inp.streams.video[0]
        stream = out.add_stream("libx264", rate=video.average_rate)
        stream.width, stream.height, stream.pix_fmt = video.width, video.height, "yuv420p"
        for frame in inp.decode(video=0):
            if frame.time > seconds:
                break
            for packet in stream.encode(frame.reformat(format="yuv420p")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", default="", help="broker and result backend URL (default: embedded)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} not found (the shared data set lives in ../shared/data)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="fittrack-bench-"))
    os.environ.update({"FITTRACK_HOME": str(work / "home"), "FITTRACK_BROKER_URL": args.broker,
                       "FITTRACK_RESULT_BACKEND": args.broker})
    from fittrack.pose.estimator import PoseEstimator
    from fittrack.pose.extract import extract_video
    from fittrack.pose.video import probe
    from fittrack.recognition.training import TrainParams
    from fittrack.settings import get_settings
    from fittrack.storage.keys import ResultKeys
    from fittrack.storage.store import open_store
    from tests.synthetic import store_synthetic_model
    from webapp.backend import Backend
    from workers.app import create_app
    from workers.jobs import upload_of_job

    settings = get_settings()
    clip = cut_clip(SOURCE, args.seconds, work / "clip.mp4")
    info = probe(clip)
    print(f"clip: {info.width}x{info.height}, {info.duration_s:.1f} s; sample_fps={settings.sample_fps}; "
          f"mode={'embedded' if settings.is_embedded else args.broker}")
    estimator = PoseEstimator.from_settings(settings)

    def bare_extraction() -> float:
        start = time.perf_counter()
        extract_video(clip, estimator, sample_fps=settings.sample_fps,
                      visibility_threshold=settings.visibility_threshold)
        return time.perf_counter() - start

    store = open_store(settings)
    store_synthetic_model(store, settings.model_key, TrainParams())
    api = Backend(settings, store, create_app(settings))
    worker = subprocess.Popen([sys.executable, "-m", "fittrack", "worker", "--concurrency", "1"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def through_webapp(data: bytes, timeout_s: float = 600) -> tuple[float, float, dict]:
            """Seconds from submit to the mp4 read back, and the seconds the job itself reported."""
            start = time.perf_counter()
            job_id = api.submit("clip.mp4", data)
            while time.perf_counter() - start < timeout_s:
                status = api.status(job_id)
                if status.state == "failed":
                    raise RuntimeError(status.message)
                if status.state == "done":
                    keys = ResultKeys.of(upload_of_job(job_id) or "")
                    api.read(keys.video)
                    elapsed = time.perf_counter() - start
                    result = json.loads(api.read(keys.result))
                    return elapsed, result["seconds"], result["stage_seconds"]
                time.sleep(0.1)
            raise TimeoutError("the job did not finish")

        warm, _, _ = through_webapp((ROOT.parent / "shared/data/videos/squat/kaggle_squat_18.mp4").read_bytes())
        print(f"warm-up job: {warm:.2f} s")
        ratios = []
        for round_number in range(1, args.rounds + 1):
            bare = bare_extraction()
            webapp, in_job, stages = through_webapp(clip.read_bytes())
            ratios.append(webapp / bare)
            print(f"round {round_number}: bare extraction {bare:.2f} s, upload -> playable annotated video "
                  f"{webapp:.2f} s, ratio {webapp / bare:.2f}; inside the job {in_job:.2f} s: "
                  + ", ".join(f"{name} {seconds:.2f}" for name, seconds in stages.items()))
    finally:
        worker.terminate()
        worker.wait(30)
        estimator.close()
    print(f"RATIO upload-to-playable / bare extraction = {statistics.median(ratios):.2f} "
          f"(median of {len(ratios)}; goal <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
