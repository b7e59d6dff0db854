"""Training time on 1 million synthetic angle rows, using all cores.

The rows look like the extractor's (15 fps, one label per video, every angle
and the landmarks that position features need), with each class moving
different joints at its own pace, so the forest has real structure to learn.
Timed: window features, choosing the operating point (grouped CV) and
fitting the final forest, i.e. `fittrack train --no-eval`. Goal: < 60 s on
the 2 cores here.

Usage: python benchmarks/train_speed.py [--rows 1000000] [--videos 500] [--other-modes N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fittrack.labels import EXERCISES, OTHER
from fittrack.pose.angles import ANGLE_NAMES
from fittrack.pose.landmarks import LANDMARK_NAMES

FPS = 15.0


def synthetic_rows(total_rows: int, videos: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    classes = [*EXERCISES, OTHER]
    per_video = total_rows // videos
    t = np.arange(per_video) / FPS
    tables = []
    for v in range(videos):
        label = classes[v % len(classes)]
        k = classes.index(label)
        data = {name: (150 + rng.normal(0, 4, per_video)).astype(np.float32) for name in ANGLE_NAMES}
        moving = ANGLE_NAMES[(3 * k) % len(ANGLE_NAMES)]
        data[moving] = (110 + 45 * np.sin(2 * np.pi * (0.3 + 0.1 * k) * t + v)).astype(np.float32)
        for name in LANDMARK_NAMES:
            data[f"img_{name}_y"] = (0.5 + 0.1 * rng.standard_normal(per_video)).astype(np.float32)
            data[f"vis_{name}"] = np.full(per_video, 0.9, np.float32)
        table = pd.DataFrame(data)
        table["video_id"] = f"v{v:05d}"
        table["label"] = label
        table["timestamp_ms"] = (t * 1000).astype(np.int64)
        table["detected"] = True
        table["frame_width"], table["frame_height"] = 1280, 720
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--videos", type=int, default=500)
    parser.add_argument("--other-modes", type=int, help="modes `other` is learnt as (default: TrainParams')")
    args = parser.parse_args()
    from fittrack.recognition.features import window_feature_names, window_features
    from fittrack.recognition.training import TrainParams, choose_operating_point, with_targets

    rows = with_targets(synthetic_rows(args.rows, args.videos))
    print(f"rows: {len(rows):,} of {args.videos} videos; cores: {len(os.sched_getaffinity(0))}")
    params = TrainParams() if args.other_modes is None else TrainParams(other_modes=args.other_modes)
    start = time.perf_counter()
    windows = window_features(rows, params.window)
    features_s = time.perf_counter() - start
    print(f"window features: {features_s:.1f} s ({len(windows):,} windows)")
    point = choose_operating_point(windows, params)
    choose_s = time.perf_counter() - start - features_s
    print(f"operating point (grouped CV): {choose_s:.1f} s -> {point}")
    params.forest(params.trees, len(windows)).fit(windows[window_feature_names()], windows["label"], windows["video_id"])
    total = time.perf_counter() - start
    print(f"final forest: {total - features_s - choose_s:.1f} s")
    print(f"TOTAL training on {len(rows):,} rows: {total:.1f} s (goal < 60 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
