"""The Live page's path on one core at 640x480 (issue #32): processed frames/s, per-frame latency, and its
count against `fittrack predict` on the same frames.

Each clip is letterboxed into 640x480 as a camera would send it
(tests/fake_camera.py). Speed: every frame is offered as fast as it can be
processed (pose, angles, the recount every 0.2 s, drawing), pinned to one
core. Counting: the frames at 15 frames/s go through the live path
(`movement.live.LiveSet`) and, written to an mp4, through `fittrack predict
--exercise`; the two counts must be equal.

    .venv/bin/python benchmarks/live_speed.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VIDEOS = Path(os.environ.get("FITTRACK_TEST_VIDEOS", ROOT.parent / "shared" / "data" / "videos"))
CLIPS = [("push_up/kaggle_push-up_26.mp4", "push_up"), ("push_up/kaggle_push-up_36.mp4", "push_up"),
         ("squat/fitbod_air_squats.mp4", "squat"), ("squat/prakhar_bodyweight_squats.mp4", "squat"),
         ("pull_up/apurvo_pullups.mp4", "pull_up"), ("deadlift/nmn_deadlift.mp4", "deadlift")]
MODELS = {"pose_landmarker_full (bundled)": ROOT / "fittrack" / "models" / "pose_landmarker_full.task"}


def speed(model_path: Path, frames) -> tuple[float, float, float]:
    from fittrack.movement.live import LiveSet
    from fittrack.pose.estimator import PoseEstimator

    with PoseEstimator(model_path=model_path) as estimator:
        live = LiveSet(estimator, exercise="squat", sample_fps=0)
        seconds = []
        started = time.perf_counter()
        for i, rgb in enumerate(frames):
            begin = time.perf_counter()
            live.offer(rgb, round(i * 1000 / 30))
            live.draw(rgb)
            seconds.append(time.perf_counter() - begin)
        total = time.perf_counter() - started
    seconds.sort()
    return len(frames) / total, 1000 * statistics.median(seconds), 1000 * seconds[int(0.95 * len(seconds))]


def counts(clip: Path, exercise: str, folder: Path) -> tuple[int, int]:
    from fittrack.movement.live import LiveSet
    from fittrack.pose.estimator import PoseEstimator
    from fittrack.pose.video import VideoReader
    from tests.fake_camera import FPS, camera_frames, write_mp4

    video = write_mp4(camera_frames(clip), folder / "camera.mp4")
    with PoseEstimator() as estimator:  # the very pixels `predict` decodes, offered as a camera's frames
        live = LiveSet(estimator, exercise=exercise, sample_fps=FPS)
        for frame in VideoReader(video, sample_fps=FPS):
            live.offer(frame.rgb, frame.timestamp_ms)
        live_reps = live.finish().reps
    shown = subprocess.run([sys.executable, "-m", "fittrack", "predict", str(video), "--exercise", exercise,
                            "--json"], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    import json

    return live_reps, int(json.loads(shown)["reps"]["count"])


def main() -> None:
    from tests.fake_camera import camera_frames

    if not VIDEOS.exists():
        print(f"skipped: the shared videos are not at {VIDEOS}")
        return
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print("one core, 640x480 frames; every frame offered (sample_fps=0), pose + angles + recount + drawing")
    print("the mediapipe 0.10.21 wheel the bundle comes from holds no lighter pose model "
          "(pose_landmark_full.tflite only), so the bundled full model is the one measured")
    frames = [f for clip, _ in CLIPS[:3] for f in camera_frames(VIDEOS / clip)]
    for name, path in MODELS.items():
        fps, median_ms, p95_ms = speed(path, frames)
        print(f"{name}: {len(frames)} frames, {fps:.1f} frames/s, latency median {median_ms:.1f} ms, "
              f"p95 {p95_ms:.1f} ms (a camera at 15 frames/s needs {1000 / 15:.0f} ms)")
    with tempfile.TemporaryDirectory() as folder:
        same = 0
        for clip, exercise in CLIPS:
            live_reps, predicted = counts(VIDEOS / clip, exercise, Path(folder))
            same += live_reps == predicted
            print(f"  {clip}: live {live_reps}, fittrack predict {predicted}")
    print(f"live count equals fittrack predict on {same} of {len(CLIPS)} clips")


if __name__ == "__main__":
    main()
