"""Do per-repetition cycle descriptors rank and decide videos better than the window forest alone? (issue #28)

Per forest seed, on the same 10 grouped folds as `fittrack train`'s
evaluation (StratifiedGroupKFold by origin group, `evaluation_splitter`),
out-of-fold per-video probabilities of:

  window    the window forest, exactly as `training.evaluate` (300 trees, median of windows)
  cycle     a forest on one cycle descriptor per video (fittrack.recognition.cycles), same forest settings
  average   the mean of the two
  control   the mean of the window forest and a per-video forest on each video's median window features:
            the same averaging of a per-video forest, without the cycle descriptors (is it the
            descriptors that help, or any second forest on whole videos?)
  features  the window forest with its video's cycle descriptor appended to every window (--features)

Each variant is judged like `evaluate`: every held-out fold decided with
the operating point `best_point` chooses on the other folds' probabilities
only. Printed per seed and as the mean: exercise videos right, negatives
rejected, `not_exercise` negatives accepted, and the ranking AUC of
"exercise vs other" with score 1 - P(other) (the exercise probabilities'
sum: 0 for a video with no window, which the rule rejects).

Usage: FITTRACK_HOME=... python benchmarks/cycle_descriptors.py [--store URL] [--seeds 0 1 2 3 4] [--folds 10]
       [--cycle-trees 300] [--features]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VARIANTS = ("window", "cycle", "average", "control", "features")


class FoldsOf:
    """A splitter that repeats given folds (video_id -> fold) on any table with a video_id column."""

    def __init__(self, fold_of: pd.Series) -> None:
        self.fold_of = fold_of

    def split(self, table: pd.DataFrame, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        folds = table["video_id"].map(self.fold_of).to_numpy()
        for fold in sorted(set(self.fold_of)):
            yield np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)


def nested_decisions(truth: pd.Series, probabilities: pd.DataFrame, fold_of: pd.Series,
                     kinds: pd.Series | None) -> pd.Series:
    """Each held-out fold decided at the point chosen on the other folds (as `training.evaluate`)."""
    from fittrack.recognition.decision import OperatingPoint, decide
    from fittrack.recognition.training import best_point

    probabilities = probabilities.reindex(truth.index, fill_value=0.0).fillna(0.0)
    fold_of = fold_of.reindex(truth.index, fill_value=-1)
    points = {fold: best_point(truth[fold_of != fold], probabilities[fold_of != fold], kinds)
              for fold in sorted(set(fold_of) - {-1})}
    return pd.concat([decide(probabilities[fold_of == fold], points.get(fold, OperatingPoint()))
                      for fold in sorted(set(fold_of))])[truth.index]


def exercise_score(truth: pd.Series, probabilities: pd.DataFrame) -> pd.Series:
    """1 - P(other) as the exercise probabilities' sum (0 for a video without probabilities)."""
    from fittrack.labels import EXERCISES

    return probabilities.reindex(index=truth.index, columns=list(EXERCISES), fill_value=0.0).fillna(0.0).sum(axis=1)


def _cell(values: list, form: str) -> str:
    """Per-seed values, then their mean, as two table cells."""
    per_seed = " ".join(format(v, form) for v in values)
    return f"{per_seed} | {float(np.mean(values)):{'.3f' if form == '.3f' else '.1f'}}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store URL (default from settings)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--folds", type=int, default=10, help="grouped folds (as `fittrack train`)")
    parser.add_argument("--cycle-trees", type=int, default=300,
                        help="trees of the per-video forests (cycle and control)")
    parser.add_argument("--features", action="store_true",
                        help="also the window forest with the descriptors as features (doubles the run time)")
    args = parser.parse_args()
    # The windows table is built column by column (as in `evaluate`); not defragmented with .copy() here, which
    # changes its memory layout and with it the k-means of `other`'s modes, and so a video or two of the figures.
    warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
    from sklearn.metrics import roc_auc_score

    from benchmarks.stored_rows import stored_rows
    from fittrack.labels import OTHER
    from fittrack.recognition.cycles import descriptor_names, video_descriptors
    from fittrack.recognition.features import window_feature_names, window_features
    from fittrack.recognition.training import (
        TrainParams,
        _negative_kinds,
        _out_of_fold,
        evaluation_splitter,
        grouping_summary,
        item_groups,
        with_targets,
    )

    stored = stored_rows(args.store)
    if stored is None:
        return 0
    rows, groups, kinds = stored
    started = time.monotonic()
    rows = with_targets(rows)
    windows = window_features(rows)
    truth = rows.groupby("video_id")["label"].first()
    kind_of = _negative_kinds(truth, kinds)
    not_exercise = pd.Series(False, index=truth.index)
    if kind_of is not None:
        not_exercise[kind_of.index[kind_of == "not_exercise"]] = True
    descriptors = video_descriptors(rows)
    cycle_names = descriptor_names()
    cycle_table = descriptors.loc[sorted(windows["video_id"].unique())].rename_axis("video_id").reset_index()
    cycle_table.insert(1, "label", truth[cycle_table["video_id"]].to_numpy())
    median_table = windows.groupby("video_id")[window_feature_names()].median().reset_index()
    median_table.insert(1, "label", truth[median_table["video_id"]].to_numpy())
    with_cycles = windows.join(descriptors, on="video_id") if args.features else windows
    print(f"{len(windows)} windows, {len(cycle_table)} videos with a window; "
          f"features and descriptors in {time.monotonic() - started:.0f} s", flush=True)
    grouping = grouping_summary(truth, groups)
    window_names = window_feature_names()
    variants = [v for v in VARIANTS if v != "features" or args.features]
    results: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    exercise, negatives = int((truth != OTHER).sum()), int((truth == OTHER).sum())

    for seed in args.seeds:
        seed_started = time.monotonic()
        params = TrainParams(eval_folds=args.folds, seed=seed)
        splitter = evaluation_splitter(params, grouping.groups)
        _, window_p, fold_of = _out_of_fold(windows, window_names, splitter,
                                            lambda params=params: params.forest(params.trees, len(windows)),
                                            item_groups(windows, groups))
        same_folds = FoldsOf(fold_of)
        _, cycle_p, _ = _out_of_fold(cycle_table, cycle_names, same_folds,
                                     lambda params=params: params.forest(args.cycle_trees, len(cycle_table)),
                                     item_groups(cycle_table, groups))
        _, median_p, _ = _out_of_fold(median_table, window_names, same_folds,
                                      lambda params=params: params.forest(args.cycle_trees, len(median_table)),
                                      item_groups(median_table, groups))
        columns = sorted(set(window_p.columns) | set(cycle_p.columns) | set(median_p.columns))
        window_p = window_p.reindex(columns=columns, fill_value=0.0)
        cycle_p = cycle_p.reindex(index=window_p.index, columns=columns, fill_value=0.0)
        median_p = median_p.reindex(index=window_p.index, columns=columns, fill_value=0.0)
        probabilities = {"window": window_p, "cycle": cycle_p, "average": (window_p + cycle_p) / 2,
                         "control": (window_p + median_p) / 2}
        if args.features:
            _, probabilities["features"], _ = _out_of_fold(
                with_cycles, window_names + cycle_names, same_folds,
                lambda params=params: params.forest(params.trees, len(with_cycles)),
                item_groups(with_cycles, groups))
        said = []
        for variant in variants:
            decided = nested_decisions(truth, probabilities[variant], fold_of, kinds)
            is_exercise = truth != OTHER
            outcome = {
                "auc": float(roc_auc_score(is_exercise, exercise_score(truth, probabilities[variant]))),
                "right": int((decided[is_exercise] == truth[is_exercise]).sum()),
                "rejected": int((decided[~is_exercise] == OTHER).sum()),
                "not_exercise_accepted": int((decided[not_exercise] != OTHER).sum()),
            }
            results[variant].append(outcome)
            said.append(f"{variant} AUC {outcome['auc']:.3f} right {outcome['right']} "
                        f"rejected {outcome['rejected']} not_exercise accepted {outcome['not_exercise_accepted']}")
        print(f"seed {seed}: " + "; ".join(said) + f" ({time.monotonic() - seed_started:.0f} s)", flush=True)

    print(f"\n{len(args.seeds)} seeds ({', '.join(map(str, args.seeds))}), {args.folds}-fold grouped by origin, "
          f"window forest {TrainParams().trees} trees, cycle forest {args.cycle_trees} trees; "
          f"{exercise} exercise videos, {negatives} negatives ({int(not_exercise.sum())} not_exercise); "
          f"{time.monotonic() - started:.0f} s in all\n")
    print("| variant | AUC exercise vs other, per seed | mean AUC | exercise right (of "
          f"{exercise}), per seed | mean | negatives rejected (of {negatives}), per seed | mean "
          f"| not_exercise accepted (of {int(not_exercise.sum())}), per seed | mean |")
    print("|---|---|---|---|---|---|---|---|---|")
    for variant in variants:
        cells = [_cell([seed[key] for seed in results[variant]], form)
                 for key, form in (("auc", ".3f"), ("right", "d"), ("rejected", "d"), ("not_exercise_accepted", "d"))]
        print(f"| {variant} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
