"""World or image landmarks for the joint angles? Measured, not assumed.

Recomputes every angle from the stored landmarks both ways and runs the same
evaluation of the window model on each (folds grouped by origin, same
operating-point rule, same seeds). Needs extracted rows in a store (e.g. after `fittrack run`).

Usage: python benchmarks/angle_source.py [--store URL]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store URL (default from settings)")
    args = parser.parse_args()
    from benchmarks.stored_rows import stored_rows
    from fittrack.pose.extract import recompute_angles
    from fittrack.recognition.training import TrainParams, evaluate

    stored = stored_rows(args.store)
    if stored is None:
        return 0
    rows, groups, kinds = stored
    for source in ("world", "image"):
        variant = rows.copy()
        angles = recompute_angles(variant, source=source)
        variant[angles.columns] = angles
        evaluation = evaluate(variant, TrainParams(baseline_trees=20), groups, kinds)
        op, point = evaluation.window.rates, evaluation.operating_point.point
        rejected = math.nan if op.negatives_rejected is None else op.negatives_rejected
        print(f"{source:5s} landmarks: per-video accuracy {evaluation.window.per_video.accuracy:.3f}, "
              f"exercise videos right {op.exercise_videos_correct:.3f}, negatives rejected {rejected:.3f} "
              f"(threshold {point.threshold:.2f}, ratio {point.other_ratio:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
