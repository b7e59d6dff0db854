"""How much do the accuracy figures depend on the forest's random seed?

The seed is fixed so that a re-run gives the same numbers, but it is not a
property of the method: this runs the evaluation of `fittrack train` once
per seed, with folds grouped by each video's origin (the dataset manifest's
`repo`: one person and camera never on both sides) and each held-out fold
decided with the operating point chosen on the other folds only, and prints
the per-video figures, so that docs/accuracy.md can give a range rather
than the luckiest seed. `--folds 0` (the default) is leave-one-group-out,
the slow full figure; `fittrack run` reports `--folds 10`. Needs extracted
rows in a store (e.g. after `fittrack run DATASET --no-train`).

Usage: python benchmarks/accuracy_seeds.py [--store URL] [--seeds 0 1 2 3 4] [--folds 0] [--missed]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store URL (default from settings)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--folds", type=int, default=0, help="grouped folds; 0 = leave one group out")
    parser.add_argument("--missed", action="store_true", help="list each seed's missed videos")
    parser.add_argument("--single-floor", action="store_true",
                        help="ignore the negatives' kinds: the one floor of before 2026-12-04 (>= 85%% rejected)")
    args = parser.parse_args()
    from benchmarks.stored_rows import stored_rows
    from fittrack.labels import EXERCISES, OTHER, exercise_or_other
    from fittrack.recognition.training import TrainParams, evaluate, missed_videos

    stored = stored_rows(args.store)
    if stored is None:
        return 0
    rows, groups, kinds = stored
    if args.single_floor:
        kinds = None
    labels = rows.groupby("video_id")["label"].first().fillna(OTHER).map(exercise_or_other)
    exercise, negatives = int((labels != OTHER).sum()), int((labels == OTHER).sum())
    right, rejected, recalls, by_kind = [], [], {c: [] for c in EXERCISES}, {}
    for seed in args.seeds:
        started = time.monotonic()
        # The frame baseline is not what this measures: a small one keeps the run short.
        evaluation = evaluate(rows, TrainParams(seed=seed, baseline_trees=5, eval_folds=args.folds), groups, kinds)
        rates, chosen = evaluation.window.rates, evaluation.operating_point
        right.append(rates.exercise_videos_correct)
        rejected.append(math.nan if rates.negatives_rejected is None else rates.negatives_rejected)
        per_class = evaluation.window.per_video.per_class
        recall = ", ".join(f"{c} {per_class[c].recall:.2f}" for c in EXERCISES if c in per_class)
        for c in EXERCISES:
            if c in per_class:
                recalls[c].append(per_class[c].recall)
        kinds_said = ", ".join(f"{kind} accepted {n.accepted}/{n.videos}"
                               for kind, n in evaluation.window.negatives_by_kind.items())
        for kind, n in evaluation.window.negatives_by_kind.items():
            by_kind.setdefault(kind, []).append((n.accepted, n.videos))
        print(f"seed {seed} ({evaluation.split}): exercise videos right {round(right[-1] * exercise)}/{exercise}, "
              f"negatives rejected {round(rejected[-1] * negatives)}/{negatives}, "
              f"point {chosen.point.threshold:.2f} / {chosen.point.other_ratio:.2f} "
              f"({chosen.folds_with_this_point} of {chosen.folds} folds chose it); "
              f"recall {recall}; {kinds_said}; {time.monotonic() - started:.0f} s", flush=True)
        if args.missed:
            for video in missed_videos(evaluation).values():
                print(f"    {video.source} -> {video.predicted} {video.kind}")
    print(f"mean over {len(args.seeds)} seeds: exercise videos right {sum(right) / len(right):.3f}, "
          f"negatives rejected {sum(rejected) / len(rejected):.3f}; recall "
          + ", ".join(f"{c} {sum(r) / len(r):.2f}" for c, r in recalls.items() if r)
          + "".join(f"; {kind} accepted {sum(a for a, _ in n) / len(n):.1f} of {n[0][1]}"
                    for kind, n in by_kind.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
