"""Rep counting against the counts by eye in tests/rep_truth.py, per class.

Reads every video's rows from the store (as `fittrack run` left them),
counts the reps of its labelled exercise and compares, with the recounted
truth and with the first counts (see tests/rep_truth.py). Bar (issue #9):
within +-1 on >= 90 % of the exercise videos and exact on >= 70 %.

Usage: python benchmarks/rep_accuracy.py [--store URL] [-v]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store URL (default from settings)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per video")
    args = parser.parse_args()
    from fittrack.movement.reps import count_video_reps
    from fittrack.pose.collect import load_rows
    from fittrack.settings import get_settings
    from fittrack.storage.store import open_store
    from tests.rep_truth import REP_TRUTH

    rows = load_rows(open_store(get_settings(), args.store))
    found = set(rows["video_id"]) & set(REP_TRUTH) if len(rows) else set()
    if not found:
        print("skipped: no rows of the shared exercise videos in the store; run `fittrack run` first")
        return 0
    per_class: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for video_id in sorted(found, key=lambda v: REP_TRUTH[v].name):
        truth = REP_TRUTH[video_id]
        exercise = truth.name.split("/")[0]
        counted = count_video_reps(rows[rows["video_id"] == video_id], exercise).count
        first = truth.reps if truth.first_reps is None else truth.first_reps
        per_class[exercise].append((counted, truth.reps, first))
        if args.verbose:
            mark = "=" if counted == truth.reps else ("~" if abs(counted - truth.reps) <= 1 else "X")
            print(f"{mark} {truth.name:48s} counted {counted:2d}  truth {truth.reps:2d}"
                  f"{'' if truth.first_reps is None else f' (first count {truth.first_reps})'}"
                  f"{'' if truth.sure else '  (unsure)'}")
    for title, column in (("recounted truth", 1), ("first counts", 2)):
        print(f"\nagainst the {title}:")
        print("| class | videos | exact | within +-1 |")
        print("|---|---|---|---|")
        total = exact = near = 0
        for exercise, triples in sorted(per_class.items()):
            e = sum(t[0] == t[column] for t in triples)
            n = sum(abs(t[0] - t[column]) <= 1 for t in triples)
            print(f"| {exercise} | {len(triples)} | {e} | {n} |")
            total, exact, near = total + len(triples), exact + e, near + n
        print(f"| **all** | {total} | **{exact} ({100 * exact / total:.1f}%)** | "
              f"**{near} ({100 * near / total:.1f}%)** |")
        print(f"BAR ({title}) exact >= 70%: {'met' if exact >= 0.7 * total else 'NOT met'}; "
              f"within +-1 >= 90%: {'met' if near >= 0.9 * total else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
