"""A 20-minute 720p workout session, analysed as an upload: time, peak memory and the session log it gives.

The session is a real video file, not rows: the exercise clips of one of
3 folds grouped by origin (seed 0; a third of the people and cameras, so
that 20 minutes need few repeats) played one after another as sets, in a
new shuffled order each time all have been used, with 20-60 s of rest
between sets (the shared no-person clip, looped) and, before some sets, a
held-out `other` clip as other movement.
Every clip is letterboxed to 1280x720 and resampled to 30 frames/s, so the
truth of every set's start and end is known to a frame. The model is
trained on the other two folds only (150 trees), saved, and the webapp's
analysis job (`fittrack.jobs.analysis.run_analysis`, as a worker runs it) runs in
a fresh process that reports its peak RSS. The session log is scored as in
session_accuracy.py: sets found with the right exercise, boundary errors,
split/merged, reps within +-1 of the count by eye.

Usage: python benchmarks/long_session.py [--minutes 20] [--fold 0] [--folds 3] [--seed 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "videos"
SIZE, FPS = (1280, 720), 30.0
REST_CLIP = "other/no_person_seascape.mp4"
UPLOAD_ID = "cd" * 16

_JOB = """
import json, resource, sys, time
from pathlib import Path
from fittrack.jobs.analysis import run_analysis
from fittrack.recognition.model_file import load_model, sha256_of
from fittrack.pose.estimator import PoseEstimator
from fittrack.settings import Settings
from fittrack.storage.store import LocalStore

store, settings = LocalStore(Path(sys.argv[1])), Settings(home=Path(sys.argv[2]), max_video_seconds=3600)
model_path = Path(sys.argv[3])
model = (load_model(model_path), sha256_of(model_path.read_bytes()))
last = {}
def progress(stage, done, total):
    if done == total or done - last.get(stage, 0) >= total // 10:
        last[stage] = done
        print(f"{stage}: {done}/{total}", file=sys.stderr, flush=True)
started = time.monotonic()
with PoseEstimator.from_settings(settings) as estimator:
    result = run_analysis(store, "uploads/" + sys.argv[4] + "/video", sys.argv[4], estimator, settings, model,
                          on_progress=progress)
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.monotonic() - started, "result": result.to_dict()}))
"""


def letterboxed(frame: np.ndarray) -> np.ndarray:
    import cv2

    height, width = frame.shape[:2]
    scale = min(SIZE[0] / width, SIZE[1] / height)
    inner = cv2.resize(frame, (max(1, int(width * scale)), max(1, int(height * scale))))
    canvas = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    top, left = (SIZE[1] - inner.shape[0]) // 2, (SIZE[0] - inner.shape[1]) // 2
    canvas[top: top + inner.shape[0], left: left + inner.shape[1]] = inner
    return canvas


def resampled(clip: Path):
    """The frames of one pass over `clip`, letterboxed and resampled to FPS (frames repeated or skipped)."""
    import cv2

    capture = cv2.VideoCapture(str(clip))
    clip_fps = capture.get(cv2.CAP_PROP_FPS) or FPS
    index, frame, out = -1, None, 0
    try:
        while True:
            target = int(out / FPS * clip_fps)
            while index < target:
                ok, next_frame = capture.read()
                if not ok:
                    return
                index, frame = index + 1, next_frame
            yield letterboxed(frame)
            out += 1
    finally:
        capture.release()


def write_clip(writer, clip: Path, seconds: float | None = None) -> int:
    """Writes `clip` once, or looped for `seconds`; returns the frames written."""
    total, written = None if seconds is None else round(seconds * FPS), 0
    while total is None or written < total:
        before = written
        for frame in resampled(clip):
            if total is not None and written >= total:
                break
            writer.write(frame)
            written += 1
        if total is None or written == before:
            break
    return written


def clip_path(source: str) -> Path:
    """The shared file of a stored video's source key (videos/<class>/<file>)."""
    return DATA / Path(source).relative_to(Path(source).parents[1])


def held_out_split(rows, groups, fold: int, folds: int, seed: int):
    """(training video ids, held-out exercise video ids, held-out `other` ids) of one grouped fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    from fittrack.labels import OTHER
    from fittrack.recognition.training import item_groups

    labels = rows.groupby("video_id")["label"].first()
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    train_idx, test_idx = list(splitter.split(labels, labels, item_groups(labels.reset_index(), groups)))[fold]
    held = labels.iloc[test_idx]
    return set(labels.index[train_idx]), list(held[held != OTHER].index), list(held[held == OTHER].index)


def build_session(writer, plan, rng: np.random.Generator, minutes: float, rep_truth: dict):
    """Writes sets, rests and other movement until `minutes`; returns the true sets (TrueSet)."""
    from benchmarks.session_accuracy import TrueSet

    exercises, others = plan
    truth, written, order = [], 0, []
    while written < minutes * 60 * FPS:
        if not order:
            order = list(rng.permutation(len(exercises)))
        video_id, label, source = exercises[order.pop()]
        if truth:
            written += write_clip(writer, DATA / REST_CLIP, float(rng.uniform(20, 60)))
            if others and rng.random() < 0.3:
                written += write_clip(writer, clip_path(others[int(rng.integers(len(others)))][2]))
        start = written
        written += write_clip(writer, clip_path(source))
        truth.append(TrueSet(label, start / FPS, written / FPS, rep_truth.get(video_id)))
        print(f"  set {len(truth)}: {label} {start / FPS:.1f}-{written / FPS:.1f} s ({Path(source).name})",
              flush=True)
    return truth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--folds", type=int, default=3, help="grouped folds; one is held out for the session")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep the session video and the analysis outputs here")
    args = parser.parse_args()
    if not (DATA / REST_CLIP).exists():
        print(f"skipped: {DATA} has no {REST_CLIP} (the shared video set is not on this machine)")
        return 0
    import cv2

    from benchmarks.session_accuracy import score
    from benchmarks.stored_rows import stored_rows
    from fittrack.movement.sessions import Segment
    from fittrack.recognition.features import window_feature_names
    from fittrack.recognition.model_file import ExerciseModel, save_model
    from fittrack.recognition.training import TrainParams, train, with_targets
    from tests.rep_truth import REP_TRUTH

    stored = stored_rows(None)
    if stored is None:
        return 0
    rows, groups, kinds = stored
    rows = with_targets(rows)
    train_ids, exercise_ids, other_ids = held_out_split(rows, groups, args.fold, args.folds, args.seed)
    sources = rows.groupby("video_id")[["label", "source"]].first()
    plan = ([(v, *sources.loc[v]) for v in exercise_ids], [(v, *sources.loc[v]) for v in other_ids])
    params = TrainParams(trees=150, seed=args.seed)
    started = time.monotonic()
    forest, point, _ = train(rows[rows["video_id"].isin(train_ids)], params, None, groups, kinds)
    model = ExerciseModel(forest=forest, point=point, classes=list(forest.classes_),
                          feature_names=window_feature_names(), window=params.window)
    print(f"model trained on {len(train_ids)} videos of the other folds in {time.monotonic() - started:.0f} s; "
          f"fold {args.fold} holds out {len(exercise_ids)} exercise and {len(other_ids)} other clips")
    with tempfile.TemporaryDirectory(prefix="fittrack-session-") as scratch:
        folder = args.keep or Path(scratch)
        upload = folder / "store" / "uploads" / UPLOAD_ID / "video"
        upload.parent.mkdir(parents=True, exist_ok=True)
        save_model(model, folder / "held-out.model")
        started = time.monotonic()
        writer = cv2.VideoWriter(str(upload.with_suffix(".mp4")), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
        truth = build_session(writer, plan, np.random.default_rng(args.seed), args.minutes,
                              {sha: t.reps for sha, t in REP_TRUTH.items()})
        writer.release()
        upload.with_suffix(".mp4").rename(upload)
        print(f"built a {truth[-1].end_s / 60:.1f}-minute {SIZE[0]}x{SIZE[1]} session with {len(truth)} sets "
              f"({upload.stat().st_size / 2**20:.0f} MB) in {time.monotonic() - started:.0f} s", flush=True)
        done = subprocess.run([sys.executable, "-c", _JOB, str(folder / "store"), str(folder / "home"),
                               str(folder / "held-out.model"), UPLOAD_ID],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            print("the analysis failed (its log is above)")
            return 1
        measured = json.loads(done.stdout.strip().splitlines()[-1])
    result = measured["result"]
    segments = [Segment.from_dict(d) for d in result["prediction"]["segments"]]
    scored = score(truth, segments)
    errors = np.array(scored["boundaries"]) if scored["boundaries"] else np.array([np.nan])
    print(f"analysis of {result['frames']} analysed frames ({result['duration_s']:.0f} s of video) in "
          f"{measured['seconds']:.0f} s, stages {result['stage_seconds']}: peak RSS {measured['peak_rss_mb']:.0f} MB")
    print(f"session log: {sum(s.is_set for s in segments)} sets found for {len(truth)} true sets; "
          f"right exercise {scored['found']}/{scored['sets']}; boundary error median {np.median(errors):.2f} s, "
          f"within 1.5 s {np.mean(errors <= 1.5):.2f}; split {scored['split']}, merged {scored['merged']}; "
          f"sets in rest or other {scored['false_sets']}, naming another exercise {scored['wrong_sets']}, "
          f"second pieces {scored['extra_sets']}; "
          f"reps within +-1 {scored['reps_ok']}/{scored['reps_total']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
