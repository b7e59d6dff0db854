"""Frame sheets for labelling form cues by eye: three large frames of every counted rep.

For each stored exercise video (rows as `fittrack run` left them) the rep
counter's spans are drawn as one strip per rep: the frame nearest the rest
end of the movement, one halfway, and the working end (the bottom of a squat
or push-up, the top of a pull-up or curl, the lockout of a deadlift), each
cropped to the person and captioned with the video, rep number and times.
No cue value is drawn: the labels (benchmarks/form_labels.csv) must be made
before the cues are measured against them, by looking at these sheets.

The sheets are written outside the project (they are frames of the shared
videos, which must never be committed).

A look-alike of another class (a barbell cheat curl, filed under `other`)
can be drawn with the rep counter of the exercise it imitates, `--as
hammer_curl --class other --only prakhar_cheat_curl`, so that a fault the
exercise videos never show (a body swing) gets labelled reps too.

Usage: python benchmarks/form_sheets.py OUT_DIR [--store URL] [--videos DIR] [--class squat ...]
       [--only STEM ...] [--as EXERCISE] [--frames 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TILE_HEIGHT = 300
REPS_PER_SHEET = 6
PAD = 0.15  # of the person's box, around it


def _frame_at(capture: cv2.VideoCapture, time_s: float) -> np.ndarray | None:
    capture.set(cv2.CAP_PROP_POS_MSEC, time_s * 1000.0)
    ok, frame = capture.read()
    return frame if ok else None


def _person_box(row: pd.Series, width: int, height: int) -> tuple[int, int, int, int]:
    """Pixel box around the visible image landmarks of one row (the whole frame if none is seen)."""
    from fittrack.pose.landmarks import LANDMARK_NAMES

    xs = [row[f"img_{n}_x"] for n in LANDMARK_NAMES if row[f"vis_{n}"] >= 0.5]
    ys = [row[f"img_{n}_y"] for n in LANDMARK_NAMES if row[f"vis_{n}"] >= 0.5]
    if len(xs) < 4:
        return 0, 0, width, height
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    px, py = (x1 - x0) * PAD + 0.03, (y1 - y0) * PAD + 0.03
    return (max(0, int((x0 - px) * width)), max(0, int((y0 - py) * height)),
            min(width, int((x1 + px) * width)), min(height, int((y1 + py) * height)))


def _tile(frame: np.ndarray | None, row: pd.Series, caption: str) -> np.ndarray:
    if frame is None:
        tile = np.zeros((TILE_HEIGHT, TILE_HEIGHT, 3), np.uint8)
    else:
        x0, y0, x1, y1 = _person_box(row, frame.shape[1], frame.shape[0])
        crop = frame[y0:y1, x0:x1]
        scale = TILE_HEIGHT / crop.shape[0]
        tile = cv2.resize(crop, (max(1, int(crop.shape[1] * scale)), TILE_HEIGHT))
        tile = tile[:, : int(TILE_HEIGHT * 1.4)]  # very wide crops (push-ups) are cut, not shrunk
    banner = np.full((24, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(banner, caption, (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([banner, tile])


def _rep_moments(rows: pd.DataFrame, exercise: str, span: tuple[float, float], count: int = 3) -> list[float]:
    """Times of the rest end, the working end and `count - 2` evenly between them, of one rep (by the
    smoothed movement angle)."""
    from fittrack.movement.reps import MOVEMENTS, fill_and_smooth, movement_signal

    movement = MOVEMENTS[exercise]
    times = rows["timestamp_ms"].to_numpy(np.float64) / 1000.0
    if movement.angle == "elbow_per_arm":
        raw = np.fmin(rows["left_elbow"].to_numpy(np.float64), rows["right_elbow"].to_numpy(np.float64))
    else:
        raw = movement_signal(rows, movement)
    signal = fill_and_smooth(times, raw)
    inside = np.flatnonzero((times >= span[0] - 0.4) & (times <= span[1] + 0.4))
    if not len(inside) or not np.isfinite(signal[inside]).any():
        return list(np.linspace(span[0], span[1], count))
    values = signal[inside]
    work = inside[np.nanargmin(values) if movement.work_is_low else np.nanargmax(values)]
    before = inside[inside <= work]
    rest = before[np.nanargmax(signal[before]) if movement.work_is_low else np.nanargmin(signal[before])]
    return [float(t) for t in np.linspace(times[rest], times[work], count)]


def _strip(capture: cv2.VideoCapture, rows: pd.DataFrame, name: str, number: int, exercise: str,
           span: tuple[float, float], count: int = 3) -> np.ndarray:
    times = rows["timestamp_ms"].to_numpy(np.float64) / 1000.0
    tiles = []
    names = ["rest", *(["half"] if count == 3 else [f"{k}/{count - 1}" for k in range(1, count - 1)]), "work"]
    for moment, what in zip(_rep_moments(rows, exercise, span, count), names, strict=True):
        row = rows.iloc[int(np.argmin(np.abs(times - moment)))]
        caption = f"{name} r{number} {span[0]:.1f}-{span[1]:.1f}s {what} {moment:.1f}s" if what == "rest" else \
            f"{what} {moment:.1f}s"
        tiles.append(_tile(_frame_at(capture, moment), row, caption))
    return np.hstack(tiles)


def _sheets(strips: list[np.ndarray]) -> list[np.ndarray]:
    width = max(strip.shape[1] for strip in strips)
    padded = [np.pad(s, ((0, 6), (0, width - s.shape[1]), (0, 0)), constant_values=128) for s in strips]
    return [np.vstack(padded[i: i + REPS_PER_SHEET]) for i in range(0, len(padded), REPS_PER_SHEET)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--store", help="store URL (default from settings)")
    parser.add_argument("--videos", type=Path, default=ROOT.parent / "shared" / "data" / "videos")
    parser.add_argument("--class", dest="classes", nargs="*", default=None)
    parser.add_argument("--only", nargs="*", default=None, help="video file stems to draw (default: all)")
    parser.add_argument("--as", dest="as_exercise", default=None, help="count reps as this exercise")
    parser.add_argument("--frames", type=int, default=3,
                        help="frames per rep, rest end to working end (5 shows the first third of a pull)")
    args = parser.parse_args()
    from fittrack.labels import EXERCISES
    from fittrack.movement.reps import count_video_reps
    from fittrack.pose.collect import load_rows
    from fittrack.settings import get_settings
    from fittrack.storage.store import open_store

    rows = load_rows(open_store(get_settings(), args.store))
    if not len(rows):
        print("skipped: no rows in the store; run `fittrack run` on the shared videos first")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    index = []
    for label in args.classes or EXERCISES:
        exercise = args.as_exercise or label
        for source, video_rows in sorted(rows[rows["label"] == label].groupby("source")):
            video_rows = video_rows.sort_values("timestamp_ms").reset_index(drop=True)
            path = args.videos / Path(str(source)).relative_to(Path(str(source)).parents[1])
            if args.only and path.stem not in args.only:
                continue
            name = f"{path.parent.name}/{path.name}"
            capture = cv2.VideoCapture(str(path))
            reps = count_video_reps(video_rows, exercise).reps
            strips = [_strip(capture, video_rows, path.stem, n, exercise, span, args.frames)
                      for n, span in enumerate(reps, 1)]
            capture.release()
            index += [(name, str(video_rows["video_id"].iloc[0]), n, *span) for n, span in enumerate(reps, 1)]
            for k, sheet in enumerate(_sheets(strips) if strips else []):
                cv2.imwrite(str(args.out / f"{exercise}__{path.stem}__{k}.png"), sheet)
    pd.DataFrame(index, columns=["video", "sha256", "rep", "start_s", "end_s"]).round(2).to_csv(
        args.out / "reps.csv", index=False)
    print(f"{len(index)} reps drawn in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
