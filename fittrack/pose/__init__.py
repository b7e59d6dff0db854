"""From a video file to per-frame rows: decoding, MediaPipe landmarks, joint angles, the row table.

Also the annotated video (skeleton and angles drawn on the frames) and reading
every video's rows back from the store. `estimator` is the one module that
imports mediapipe; `landmarks.PoseSequence` is the one shape its output takes.

May import: `fittrack.storage` and the top-level modules (settings, errors, labels, logs).
Never: `recognition`, `movement`, `jobs`.
"""
