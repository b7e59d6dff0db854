"""The correction loop (issue #29): how many corrections does it take to fix a kind of video the model misses?

Why: a person can correct an answer on the result page, and `fittrack
train` takes each correction as a training video in a group of its own
(fittrack.jobs.user_labels). Whether a few corrections from one person and
camera teach the model that person's other videos is what this measures.

How: each origin group of at least 5 videos (the largest first, at most
`--max-groups`) is held out in turn, as grouped folds do. Its videos are
put in a fixed order (a random permutation seeded by `--seed` and the
group's name), the last ones are scored for every k, and the first k
(k = 0, 1, 2, 4) are fed back: added to the training rows with their true
label, each under a video id and a group of its own (`upload-<id>`,
`upload:<id>`), as `labelled_rows` does; a fed-back negative has no kind,
as a person's "none of these" has none. Then the model is trained as
`fittrack.recognition.training.train` does (the operating point by grouped
cross-validation on the training videos, then the final forest), on window
features computed once for all videos (a video's windows do not depend on
the other videos; computing them again would add 5 s to each of the
trainings), and each scored video is decided as `predict_rows` does: its
windows' probabilities, their median (`aggregate_windows`), the model's
point (`decide`); a video with no window is `other`. Printed per k, pooled
over the groups: exercise videos right and negatives rejected among the
scored videos, and how many scored videos wrong at k=0 are right at k
(fixed) and right at k=0 wrong at k (broken); then per group. Fewer trees
than `fittrack train` by default (100 final, 40 per threshold fold, 3
threshold folds), so that the 4 trainings of each of the 24 groups of
the shared set take about 20 minutes on 2 shared cores (40-70 s a group;
`--max-groups` to cap them).
Needs extracted rows with groups in a store.

Usage: python benchmarks/correction_loop.py [--store URL] [--seed 0] [--max-groups 0] [--ks 0 1 2 4]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MIN_GROUP_VIDEOS = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store URL (default from settings)")
    parser.add_argument("--seed", type=int, default=0, help="the forests' seed and the order of each group's videos")
    parser.add_argument("--max-groups", type=int, default=0,
                        help="the largest groups of >= 5 videos, at most (0 = all)")
    parser.add_argument("--ks", type=int, nargs="+", default=[0, 1, 2, 4], help="corrections fed back")
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--cv-trees", type=int, default=40)
    parser.add_argument("--threshold-folds", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*sklearn.utils.parallel.delayed.*")
    from benchmarks.stored_rows import stored_rows
    from fittrack.labels import OTHER
    from fittrack.recognition import training
    from fittrack.recognition.decision import aggregate_windows, decide
    from fittrack.recognition.features import window_feature_names, window_features
    from fittrack.recognition.groups import upload_group

    stored = stored_rows(args.store)
    if stored is None:
        return 0
    rows, groups, kinds = stored
    ks = sorted(set(args.ks))
    if ks[0] != 0:
        ks = [0, *ks]
    params = training.TrainParams(trees=args.trees, cv_trees=args.cv_trees, threshold_folds=args.threshold_folds,
                                  seed=args.seed)
    windows = window_features(training.with_targets(rows), params.window)
    names = window_feature_names()
    truth = training.with_targets(rows).groupby("video_id")["label"].first()
    group_of = groups.reindex(truth.index)
    sizes = group_of.value_counts()
    eligible = sorted(sizes[sizes >= max(MIN_GROUP_VIDEOS, ks[-1] + 1)].index, key=lambda g: (-sizes[g], g))
    chosen = eligible[:args.max_groups] if args.max_groups > 0 else eligible
    print(f"{len(eligible)} groups of >= {max(MIN_GROUP_VIDEOS, ks[-1] + 1)} videos, the largest {len(chosen)} "
          f"held out in turn; k = {ks}; TrainParams(trees={params.trees}, cv_trees={params.cv_trees}, "
          f"threshold_folds={params.threshold_folds}, seed={params.seed})", flush=True)

    decided: dict[int, dict[str, str]] = {k: {} for k in ks}  # k -> scored video -> answer
    scored_group: dict[str, str] = {}
    started = time.monotonic()
    for group in chosen:
        members = sorted(group_of.index[group_of == group])
        order = list(np.random.default_rng([args.seed, zlib.crc32(group.encode())]).permutation(members))
        scored = order[ks[-1]:]
        scored_group.update(dict.fromkeys(scored, group))
        base = windows[~windows["video_id"].isin(members)]
        points = []
        for k in ks:
            fed = order[:k]
            fed_windows = windows[windows["video_id"].isin(fed)].copy()
            fed_windows["video_id"] = "upload-" + fed_windows["video_id"].astype(str)
            train_windows = pd.concat([base, fed_windows], ignore_index=True)
            train_groups = pd.concat([groups.drop(members, errors="ignore"),
                                      pd.Series({f"upload-{v}": upload_group(v) for v in fed},
                                                dtype=object)])
            # training.train without recomputing the windows: the point, then the final forest.
            point = training.choose_operating_point(train_windows, params, train_groups, kinds)
            forest = params.forest(params.trees, len(train_windows)).fit(
                train_windows[names], train_windows["label"], train_windows["video_id"])
            points.append(f"{point.threshold:.2f}/{point.other_ratio:g}")
            for video in scored:
                video_windows = windows[windows["video_id"] == video]
                if video_windows.empty:
                    decided[k][video] = OTHER
                    continue
                proba = pd.DataFrame(forest.predict_proba(video_windows[names]), columns=list(forest.classes_))
                decided[k][video] = decide(aggregate_windows(proba).to_frame().T, point).iloc[0]
        said = " | ".join(f"k={k}: {_right(truth, decided[k], scored)}/{len(scored)}" for k in ks)
        print(f"{group} ({len(members)} videos, {len(scored)} scored: "
              f"{int((truth[scored] != OTHER).sum())} exercise; fed back in order: "
              f"{', '.join(truth[order[:ks[-1]]])}): right {said}; points {', '.join(points)}; "
              f"{time.monotonic() - started:.0f} s", flush=True)

    scored_all = pd.Index(list(scored_group))
    right0 = pd.Series(decided[0])[scored_all] == truth[scored_all]
    is_exercise = truth[scored_all] != OTHER
    print(f"\n{len(chosen)} groups held out, {len(scored_all)} scored videos ({int(is_exercise.sum())} exercise, "
          f"{int((~is_exercise).sum())} negatives), the same for every k; {time.monotonic() - started:.0f} s")
    print("| corrections fed back (k) | exercise videos right | negatives rejected | "
          "wrong at k=0, right at k (fixed) | right at k=0, wrong at k (broken) |")
    print("|---|---|---|---|---|")
    for k in ks:
        answer = pd.Series(decided[k])[scored_all]
        right = answer == truth[scored_all]
        exercise_right, negatives_right = int(right[is_exercise].sum()), int(right[~is_exercise].sum())
        fixed, broken = int((right & ~right0).sum()), int((~right & right0).sum())
        print(f"| {k} | {exercise_right}/{int(is_exercise.sum())} ({exercise_right / max(1, is_exercise.sum()):.3f}) "
              f"| {negatives_right}/{int((~is_exercise).sum())} "
              f"({negatives_right / max(1, (~is_exercise).sum()):.3f}) "
              f"| {fixed} of {int((~right0).sum())} | {broken} of {int(right0.sum())} |")
    print("\nper group: scored videos right at each k (exercise right + negatives rejected)")
    print("| group | videos | scored (exercise/negatives) | " + " | ".join(f"k={k}" for k in ks) + " |")
    print("|---|---|---|" + "---|" * len(ks))
    for group in chosen:
        scored = [v for v, g in scored_group.items() if g == group]
        exercise = int((truth[scored] != OTHER).sum())
        cells = []
        for k in ks:
            right = pd.Series(decided[k])[scored] == truth[scored]
            ex_right = int(right[truth[scored] != OTHER].sum())
            cells.append(f"{ex_right} + {int(right.sum()) - ex_right}")
        print(f"| {group.removeprefix('repo:')} | {int(sizes[group])} | {exercise}/{len(scored) - exercise} | "
              + " | ".join(cells) + " |")
    print("\nthe scored videos wrong at k=0, answered at each k")
    sources = rows.groupby("video_id")["source"].first()
    for video in scored_all[~right0.to_numpy()]:
        print(f"    {scored_group[video].removeprefix('repo:')} {Path(str(sources[video])).name} ({truth[video]}"
              f"{', ' + str(kinds[video]) if video in kinds.index else ''}): "
              + ", ".join(f"k={k} {decided[k][video]}" for k in ks))
    return 0


def _right(truth: pd.Series, decided: dict[str, str], videos: list[str]) -> int:
    return int(sum(decided[v] == truth[v] for v in videos))


if __name__ == "__main__":
    sys.exit(main())
