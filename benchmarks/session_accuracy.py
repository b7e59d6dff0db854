"""Workout sessions made of real clips: are the sets, their boundaries and their reps found?

Each session is 2-5 exercise clips of different classes from the shared
videos, with 3-20 s of no person or of an `other` clip between some of them,
built from the clips' extracted rows (timestamps shifted; a gap without a
person is rows with no pose), from a fixed seed, so the truth of every
boundary is known. Sessions of one fold are built only from that fold's
held-out clips, and the model that segments them was trained on the other
folds (the grouped folds of the evaluation: no person or camera on both
sides). Reports: sets found with the right exercise, boundary error (median,
90th percentile), sets missed / split / merged, and reps per set within +-1
of the count by eye (tests/rep_truth.py) where there is one.

Usage: python benchmarks/session_accuracy.py [--store URL] [--sessions-per-fold 5] [--folds 10] [--seed 0]
       [--slots centre|cover] [--switch-penalty 6] [--no-short-sets]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class TrueSet:
    label: str
    start_s: float
    end_s: float
    reps: int | None  # by eye, where the clip has a count


def build_session(clips: list[pd.DataFrame], fillers: list[pd.DataFrame], rng: np.random.Generator,
                  rep_truth: dict[str, int]) -> tuple[pd.DataFrame, list[TrueSet]]:
    """Concatenates clips' rows with random gaps between them; returns the rows and the true sets."""
    parts, truth, offset_ms = [], [], 0
    for i, clip in enumerate(clips):
        if i and rng.random() < 0.7:  # a rest or another movement between two sets
            gap_ms = int(rng.uniform(3, 20) * 1000)
            if fillers and rng.random() < 0.5:
                filler = fillers[int(rng.integers(len(fillers)))]
                filler = filler[filler["timestamp_ms"] - filler["timestamp_ms"].min() < gap_ms]
                parts.append(_shifted(filler, offset_ms, "other"))
                gap_ms = int(filler["timestamp_ms"].max() - filler["timestamp_ms"].min()) + 67
            else:
                parts.append(_no_person(clip, offset_ms, gap_ms))
            offset_ms += gap_ms
        length_ms = int(clip["timestamp_ms"].max() - clip["timestamp_ms"].min()) + 67
        parts.append(_shifted(clip, offset_ms, clip["label"].iloc[0]))
        truth.append(TrueSet(clip["label"].iloc[0], offset_ms / 1000, (offset_ms + length_ms) / 1000,
                             rep_truth.get(str(clip["video_id"].iloc[0]))))
        offset_ms += length_ms
    rows = pd.concat(parts, ignore_index=True)
    rows["video_id"] = "session"
    rows["frame_index"] = np.arange(len(rows))
    return rows, truth


def _shifted(rows: pd.DataFrame, offset_ms: int, label: str) -> pd.DataFrame:
    rows = rows.copy()
    rows["timestamp_ms"] = rows["timestamp_ms"] - rows["timestamp_ms"].min() + offset_ms
    rows["label"] = label
    return rows


def _no_person(template: pd.DataFrame, offset_ms: int, gap_ms: int, fps: float = 15.0) -> pd.DataFrame:
    times = np.arange(0, gap_ms, 1000 / fps).astype(np.int64) + offset_ms
    rows = pd.DataFrame(np.nan, index=range(len(times)), columns=template.columns)
    rows["timestamp_ms"], rows["detected"], rows["label"] = times, False, "rest"
    for column in ("source", "video_id"):
        rows[column] = "gap"
    return rows


def score(truth: list[TrueSet], segments) -> dict:
    """Per true set: found with its exercise (the predicted set overlapping it most covers half of it and
    has its label), split (two or more predicted sets each cover a quarter of it), merged (its predicted
    set also covers half of another true set); boundary errors of the found ones; reps. Per predicted set:
    false when less than half of it lies in true sets (a set made of rest or other movement), wrong when it
    names another exercise than the true set it lies in most, extra when that true set already has a predicted
    set (a piece of one set shown as a second set)."""
    sets = [s for s in segments if s.is_set]

    def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
        return max(0.0, min(a1, b1) - max(a0, b0))

    found, split, merged, boundaries, reps_ok, reps_total = 0, 0, 0, [], 0, 0
    for true in truth:
        length = true.end_s - true.start_s
        covering = sorted(sets, key=lambda s: -overlap(s.start_s, s.end_s, true.start_s, true.end_s))
        if sum(overlap(s.start_s, s.end_s, true.start_s, true.end_s) > 0.25 * length for s in sets) >= 2:
            split += 1
        if not covering or overlap(covering[0].start_s, covering[0].end_s, true.start_s, true.end_s) < 0.5 * length:
            continue
        best = covering[0]
        others = [t for t in truth if t is not true]
        if any(overlap(best.start_s, best.end_s, t.start_s, t.end_s) > 0.5 * (t.end_s - t.start_s) for t in others):
            merged += 1
        if best.label != true.label:
            continue
        found += 1
        boundaries += [abs(best.start_s - true.start_s), abs(best.end_s - true.end_s)]
        if true.reps is not None:
            reps_total += 1
            reps_ok += abs(best.reps - true.reps) <= 1
    false_sets, wrong_sets, extra_sets, matched = 0, 0, 0, set()
    for predicted in sets:
        inside = [(overlap(predicted.start_s, predicted.end_s, t.start_s, t.end_s), i) for i, t in enumerate(truth)]
        index = max(inside)[1]
        if sum(o for o, _ in inside) < 0.5 * (predicted.end_s - predicted.start_s):
            false_sets += 1
        elif truth[index].label != predicted.label:
            wrong_sets += 1
        elif index in matched:
            extra_sets += 1
        matched.add(index)
    return {"sets": len(truth), "found": found, "split": split, "merged": merged, "boundaries": boundaries,
            "reps_ok": reps_ok, "reps_total": reps_total, "predicted": len(sets), "false_sets": false_sets,
            "wrong_sets": wrong_sets, "extra_sets": extra_sets}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store")
    parser.add_argument("--sessions-per-fold", type=int, default=5)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slots", choices=["centre", "cover"], default="centre",
                        help="how a step gets its probabilities (fittrack.movement.sessions.SLOT_MODE)")
    parser.add_argument("--switch-penalty", type=float, default=None,
                        help="log-probability a change of state costs (fittrack.movement.sessions.SWITCH_PENALTY)")
    parser.add_argument("--no-short-sets", action="store_true",
                        help="without fittrack.movement.sessions' rescue of short sets (SHORT_SETS)")
    args = parser.parse_args()
    import fittrack.movement.sessions

    fittrack.movement.sessions.SHORT_SETS = not args.no_short_sets
    if args.switch_penalty is not None:
        fittrack.movement.sessions.SWITCH_PENALTY = args.switch_penalty
    fittrack.movement.sessions.SLOT_MODE = args.slots
    from sklearn.model_selection import StratifiedGroupKFold

    from benchmarks.stored_rows import stored_rows
    from fittrack.labels import EXERCISES, OTHER
    from fittrack.movement.sessions import segment_rows
    from fittrack.recognition.features import video_windows, window_feature_names
    from fittrack.recognition.model_file import ExerciseModel
    from fittrack.recognition.training import TrainParams, item_groups, train, with_targets
    from tests.rep_truth import REP_TRUTH

    stored = stored_rows(args.store)
    if stored is None:
        return 0
    rows, groups, kinds = stored
    rows = with_targets(rows)
    labels = rows.groupby("video_id")["label"].first()
    video_groups = item_groups(labels.reset_index(), groups)
    rep_truth = {sha: truth.reps for sha, truth in REP_TRUTH.items()}
    params = TrainParams(trees=150, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    totals: dict = {"sets": 0, "found": 0, "split": 0, "merged": 0, "boundaries": [], "reps_ok": 0, "reps_total": 0,
                    "predicted": 0, "false_sets": 0, "wrong_sets": 0, "extra_sets": 0}
    splitter = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    sessions = 0
    for fold, (train_idx, test_idx) in enumerate(splitter.split(labels, labels, video_groups)):
        train_ids, test_ids = set(labels.index[train_idx]), labels.index[test_idx]
        forest, point, _ = train(rows[rows["video_id"].isin(train_ids)], params, None, groups, kinds)
        model = ExerciseModel(forest=forest, point=point, classes=list(forest.classes_),
                              feature_names=window_feature_names(), window=params.window)
        by_class = {c: [v for v in test_ids if labels[v] == c] for c in EXERCISES}
        fillers = [rows[rows["video_id"] == v] for v in test_ids if labels[v] == OTHER]
        for _ in range(args.sessions_per_fold):
            classes = [c for c in EXERCISES if by_class[c]]
            if len(classes) < 2:
                break
            chosen = rng.choice(classes, size=int(rng.integers(2, min(5, len(classes)) + 1)), replace=False)
            clips = [rows[rows["video_id"] == rng.choice(by_class[c])] for c in chosen]
            session, truth = build_session(clips, fillers, rng, rep_truth)
            windows = video_windows(session, model.window)
            proba = pd.DataFrame(model.forest.predict_proba(windows[model.feature_names]), columns=model.classes)
            result = score(truth, segment_rows(model, session, windows, proba))
            for key, value in result.items():
                totals[key] = totals[key] + value
            sessions += 1
        print(f"fold {fold}: {sessions} sessions so far, {totals['found']}/{totals['sets']} sets found", flush=True)
    errors = np.array(totals["boundaries"]) if totals["boundaries"] else np.array([np.nan])
    print(f"{sessions} sessions, {totals['sets']} true sets")
    print(f"sets found with the right exercise: {totals['found']}/{totals['sets']} "
          f"({totals['found'] / totals['sets']:.3f}; bar 0.90)")
    print(f"boundary error of found sets: median {np.median(errors):.2f} s, 90th percentile "
          f"{np.percentile(errors, 90):.2f} s, within 1.5 s {np.mean(errors <= 1.5):.3f} (bar: 0.80, median <= 1.0)")
    print(f"split {totals['split']}, merged {totals['merged']} "
          f"({(totals['split'] + totals['merged']) / totals['sets']:.3f} of sets; bar <= 0.10)")
    print(f"predicted sets: {totals['predicted']}; in rest or other movement {totals['false_sets']}, naming "
          f"another exercise than the set they lie in {totals['wrong_sets']}, a second piece of one set "
          f"{totals['extra_sets']}")
    if totals["reps_total"]:
        print(f"reps within +-1 of the count by eye: {totals['reps_ok']}/{totals['reps_total']} "
              f"({totals['reps_ok'] / totals['reps_total']:.3f}; bar 0.85)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
