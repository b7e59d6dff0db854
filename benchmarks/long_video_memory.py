"""Peak memory of a worker analysing a 10-minute 1080p upload (pose, prediction, annotated video).

Builds the video from a shared clip (scaled to 1920x1080 and looped to
`--minutes`), stores it as an upload in a local store, and runs the webapp's
analysis job (`fittrack.jobs.analysis.run_analysis`, as the worker's task does) in
a fresh process, which reports its peak RSS (`ru_maxrss`). Frames are
streamed: the video is decoded for the pose, and decoded again for the
annotated video when its analysed frames would not fit FITTRACK_RENDER_MEMORY_MB.
The goal is a peak under 600 MB.

Usage: python benchmarks/long_video_memory.py [--minutes 10] [--clip squat/kaggle_squat_18.mp4]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "videos"
GOAL_MB = 600

_JOB = """
import json, resource, sys, time
from pathlib import Path
from fittrack.jobs.analysis import run_analysis
from fittrack.errors import NoModelError
from fittrack.pose.estimator import PoseEstimator
from fittrack.settings import Settings
from fittrack.storage.store import LocalStore

store, settings = LocalStore(Path(sys.argv[1])), Settings(home=Path(sys.argv[2]))
started = time.monotonic()
with PoseEstimator.from_settings(settings) as estimator:
    result = run_analysis(store, "uploads/" + "ab" * 16 + "/video", "ab" * 16, estimator, settings,
                          NoModelError("none", "no model: pose, angles and the annotated video only"))
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.monotonic() - started, "frames": result.frames,
                  "stage_seconds": result.stage_seconds}))
"""


def build_video(clip: Path, output: Path, minutes: float, size: tuple[int, int] = (1920, 1080),
                fps: float = 30.0) -> int:
    import cv2

    writer = cv2.VideoWriter(str(output), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    total, written = int(minutes * 60 * fps), 0
    while written < total:
        capture = cv2.VideoCapture(str(clip))
        while written < total:
            ok, frame = capture.read()
            if not ok:
                break
            writer.write(cv2.resize(frame, size))
            written += 1
        capture.release()
    writer.release()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clip", default="squat/kaggle_squat_18.mp4")
    args = parser.parse_args()
    clip = DATA / args.clip
    if not clip.exists():
        print(f"skipped: {clip} not found (the shared video set is not on this machine)")
        return 0
    with tempfile.TemporaryDirectory(prefix="fittrack-long-") as folder:
        upload = Path(folder) / "store" / "uploads" / ("ab" * 16) / "video"
        upload.parent.mkdir(parents=True)
        started = time.monotonic()
        frames = build_video(clip, upload.with_suffix(".mp4"), args.minutes)  # OpenCV picks the format by suffix
        upload.with_suffix(".mp4").rename(upload)
        print(f"built {frames} frames of 1920x1080 ({upload.stat().st_size / 2**20:.0f} MB) in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        done = subprocess.run([sys.executable, "-c", _JOB, str(Path(folder) / "store"), str(Path(folder) / "home")],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr[-3000:])
            return 1
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"analysis of {measured['frames']} analysed frames in {measured['seconds']:.0f} s "
              f"(stages {measured['stage_seconds']}): peak RSS {measured['peak_rss_mb']:.0f} MB, "
              f"{measured['peak_rss_mb'] / GOAL_MB:.2f} of the {GOAL_MB} MB goal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
