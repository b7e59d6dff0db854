"""Which door: the rules that turn a video away as "not one of these", compared on the same probabilities.

For each forest seed this computes the window forest's out-of-fold video
probabilities once (10 folds grouped by origin, as `fittrack train`
evaluates), then decides every held-out fold with each rule's operating
point chosen on the other folds only (nested, as `evaluate` does), and
prints per rule and seed: exercise videos right, look-alike negatives
(`exercise` kind) and `not_exercise` negatives accepted, recall per class;
then the means over seeds. The rules differ only in the floors and the
grid of points searched (fittrack.recognition.training). Needs extracted
rows with kinds in a store (`fittrack upload` of a dataset with
manifest.json, then extraction).

Usage: python benchmarks/door_variants.py [--store URL] [--seeds 0 1 2 3 4]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RATIOS_TO_2 = (0.75, 1.0, 1.25, 1.5, 2.0)  # the grid before 2026-12-04
RATIOS_TO_6 = (0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store URL (default from settings)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*sklearn.utils.parallel.delayed.*")
    from benchmarks.stored_rows import stored_rows
    from fittrack.labels import EXERCISES, OTHER
    from fittrack.recognition import training
    from fittrack.recognition.decision import decide
    from fittrack.recognition.features import window_feature_names, window_features

    stored = stored_rows(args.store)
    if stored is None:
        return 0
    rows, groups, kinds = stored
    rows = training.with_targets(rows)
    truth = rows.groupby("video_id")["label"].first()
    kind_of = kinds.reindex(truth.index).fillna("")
    original_ratios = training.OTHER_RATIOS
    rules: dict[str, tuple[tuple[float, ...], bool]] = {  # the ratios searched, and whether kinds are used
        "one floor: 85% of all negatives, ratios to 2 (before 2026-12-04)": (RATIOS_TO_2, False),
        "two floors (<= 1 not_exercise, >= 75% look-alikes), ratios to 2": (RATIOS_TO_2, True),
        "two floors, ratios to 6 (the default since 2026-12-04)": (RATIOS_TO_6, True),
    }
    results: dict[str, list[dict]] = {name: [] for name in rules}
    windows = window_features(rows, training.TrainParams().window)
    for seed in args.seeds:
        params = training.TrainParams(seed=seed, eval_folds=10)
        splitter = training.evaluation_splitter(params, groups.nunique())
        _, probabilities, fold_of = training._out_of_fold(
            windows, window_feature_names(), splitter,
            lambda params=params: params.forest(params.trees, len(windows)), training.item_groups(windows, groups))
        probabilities = probabilities.reindex(truth.index, fill_value=0.0)
        fold_of = fold_of.reindex(truth.index, fill_value=-1)
        for name, (ratios, by_kind) in rules.items():
            training.OTHER_RATIOS = ratios  # best_point reads the grid at call time
            with_kinds = kinds if by_kind else None
            decided = pd.concat([
                decide(probabilities[fold_of == fold],
                       training.best_point(truth[fold_of != fold], probabilities[fold_of != fold], with_kinds)
                       if fold != -1 else training.OperatingPoint())
                for fold in sorted(set(fold_of))])[truth.index]
            results[name].append(_figures(truth, decided, kind_of, EXERCISES, OTHER))
            figures = results[name][-1]
            print(f"seed {seed} | {name} | right {figures['right']}/{figures['exercise']} | look-alikes accepted "
                  f"{figures['lookalikes_accepted']}/{figures['lookalikes']} | not_exercise accepted "
                  f"{figures['not_exercise_accepted']}/{figures['not_exercise']} | recall "
                  + ", ".join(f"{c} {figures[c]:.2f}" for c in EXERCISES), flush=True)
        training.OTHER_RATIOS = original_ratios
    print("\nmean over seeds", args.seeds)
    print("| rule | exercise videos right | look-alikes rejected | not_exercise accepted | "
          + " | ".join(EXERCISES) + " |")
    print("|---|---|---|---|" + "---|" * len(EXERCISES))
    for name, runs in results.items():
        mean = {key: sum(run[key] for run in runs) / len(runs) for key in runs[0]}
        print(f"| {name} | {mean['right'] / mean['exercise']:.3f} | "
              f"{1 - mean['lookalikes_accepted'] / mean['lookalikes']:.3f} | "
              f"{mean['not_exercise_accepted']:.1f} of {mean['not_exercise']:.0f} | "
              + " | ".join(f"{mean[c]:.2f}" for c in EXERCISES) + " |")
    return 0


def _figures(truth, decided, kind_of, exercises, other) -> dict:
    is_exercise = truth != other
    figures = {"exercise": int(is_exercise.sum()), "right": int((decided[is_exercise] == truth[is_exercise]).sum())}
    for kind, key in (("not_exercise", "not_exercise"), ("exercise", "lookalikes")):
        these = (truth == other) & (kind_of == kind)
        figures[key] = int(these.sum())
        figures[f"{key}_accepted"] = int((decided[these] != other).sum())
    for c in exercises:
        mask = truth == c
        figures[c] = float((decided[mask] == c).mean()) if mask.any() else float("nan")
    return figures


if __name__ == "__main__":
    sys.exit(main())
