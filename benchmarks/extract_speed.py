"""Bare PoseLandmarker inference against the full `extract` path, on one core.

Both sides see the same frames of the same video in one run: the bare side
gets them already decoded and converted to RGB in memory, then only calls
the landmarker; the full side runs `extract_video` from the file (decode,
colour conversion, pose, angles, table). The ratio is full throughput over
bare throughput; the goal is >= 0.90.

Usage: python benchmarks/extract_speed.py [VIDEO ...] [--cores 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

DEFAULT_VIDEOS = [
    "squat/kaggle_squat_12.mp4",
    "push_up/kaggle_push-up_1.mp4",
    "deadlift/nmn_deadlift.mp4",
]
DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "videos"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("videos", nargs="*", help="video files (default: three shared videos)")
    parser.add_argument("--cores", type=int, default=1, help="CPU cores to pin this process to")
    args = parser.parse_args()
    if args.cores:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])

    from fittrack.pose.estimator import PoseEstimator
    from fittrack.pose.extract import extract_video
    from fittrack.pose.video import VideoReader

    videos = [Path(v) for v in args.videos] or [DATA / v for v in DEFAULT_VIDEOS]
    missing = [v for v in videos if not v.exists()]
    if missing:
        print(f"skipped: videos not found: {missing} (the shared data set lives in ../shared/data)")
        return 0
    print(f"cores: {len(os.sched_getaffinity(0))}")
    total_bare = total_full = 0.0
    total_frames = 0
    with PoseEstimator() as estimator:
        for video in videos:
            frames = list(VideoReader(video))
            estimator.reset()
            start = time.perf_counter()
            for frame in frames:
                estimator.detect(frame.rgb, frame.timestamp_ms)
            bare = time.perf_counter() - start
            del frames
            start = time.perf_counter()
            rows = extract_video(video, estimator).rows
            full = time.perf_counter() - start
            n = len(rows)
            print(f"{video.name:28s} frames={n:4d} bare={1000 * bare / n:6.1f} ms/frame "
                  f"full={1000 * full / n:6.1f} ms/frame ratio={bare / full:.2f}")
            total_bare += bare
            total_full += full
            total_frames += n
    print(f"TOTAL frames={total_frames} bare={total_frames / total_bare:.1f} fps "
          f"full={total_frames / total_full:.1f} fps ratio(full/bare throughput)={total_bare / total_full:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
