"""Upload-to-playable time of the webapp path against bare extraction of the same clip.

In one run: a 10 s 1080p clip is cut from a shared video; bare extraction
(`extract_video` in this process, the worker's settings) is timed; then the
same bytes go through what the webapp does (store the upload, mark the job
queued, send it) to one real worker process, and the clock stops when the
job has succeeded and the annotated mp4 can be read back from the store.
The worker is warmed up with one job first (pose model loaded). Goal: ratio
<= 1.3.

Usage: python benchmarks/webapp_latency.py [--broker redis://127.0.0.1:6379/14] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"skipped: {SOURCE} not found (the shared data set lives in ../shared/data)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="fittrack-bench-"))
    os.environ.update({"FITTRACK_HOME": str(work / "home"), "FITTRACK_BROKER_URL": args.broker,
                       "FITTRACK_RESULT_BACKEND": args.broker})
    from fittrack.extract import extract_video
    from fittrack.pose import PoseEstimator
    from fittrack.settings import get_settings
    from fittrack.store import open_store
    from fittrack.uploads import result_keys
    from fittrack.video import probe
    from webapp.backend import Backend
    from workers.app import create_app

    settings = get_settings()
    clip = cut_clip(SOURCE, args.seconds, work / "clip.mp4")
    info = probe(clip)
    print(f"clip: {info.width}x{info.height}, {info.duration_s:.1f} s; sample_fps={settings.sample_fps}; "
          f"mode={'embedded' if settings.is_embedded else args.broker}")
    with PoseEstimator.from_settings(settings) as estimator:
        start = time.perf_counter()
        extract_video(clip, estimator, sample_fps=settings.sample_fps,
                      visibility_threshold=settings.visibility_threshold)
        bare = time.perf_counter() - start
    print(f"bare extraction: {bare:.2f} s")

    store = open_store(settings)
    api = Backend(settings, store, create_app(settings))
    worker = subprocess.Popen([sys.executable, "-m", "fittrack", "worker", "--concurrency", "1"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def through_webapp(data: bytes, timeout_s: float = 600) -> float:
            start = time.perf_counter()
            job_id = api.submit("clip.mp4", data)
            while time.perf_counter() - start < timeout_s:
                status = api.status(job_id)
                if status.state == "failed":
                    raise RuntimeError(status.message)
                if status.state == "done":
                    api.read(result_keys(job_id.removeprefix("analyse-"))["video"])
                    return time.perf_counter() - start
                time.sleep(0.05)
            raise TimeoutError("the job did not finish")

        warm = through_webapp((ROOT.parent / "shared/data/videos/squat/kaggle_squat_18.mp4").read_bytes())
        print(f"warm-up job: {warm:.2f} s")
        webapp = through_webapp(clip.read_bytes())
    finally:
        worker.terminate()
        worker.wait(30)
    print(f"upload -> playable annotated video: {webapp:.2f} s")
    print(f"RATIO upload-to-playable / bare extraction = {webapp / bare:.2f} (goal <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
