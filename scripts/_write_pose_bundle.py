"""Writes MediaPipe's pose models into a PoseLandmarker `.task` bundle.

Runs inside the throwaway venv that `build_pose_model.sh` makes, because the
metadata writers only import from mediapipe 0.10.21 (numpy<2, protobuf<5).
The current mediapipe wheel ships no model and nothing may be downloaded at run
time, so the two Apache-2.0 `.tflite` files inside the 0.10.21 wheel are given
the TFLite metadata that PoseLandmarker reads (input normalisation and one
feature output per output tensor) and zipped under the names it expects.

Usage: python _write_pose_bundle.py OUTPUT.task
"""

from __future__ import annotations

import pathlib
import sys

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import (
    metadata_writer,
    model_asset_bundle_utils,
    writer_utils,
)

MODULES = pathlib.Path(mediapipe.__file__).parent / "modules"

# (source tflite, name inside the bundle, normalisation mean, std).
# The detector takes pixels in [-1, 1]; the landmark model takes [0, 1].
MODELS = [
    ("pose_detection/pose_detection.tflite", "pose_detector.tflite", 127.5, 127.5),
    ("pose_landmark/pose_landmark_full.tflite", "pose_landmarks_detector.tflite", 0.0, 255.0),
]


def with_metadata(source: pathlib.Path, mean: float, std: float) -> bytes:
    model = bytearray(source.read_bytes())
    writer = metadata_writer.MetadataWriter.create(model)
    writer.add_general_info(source.stem, "MediaPipe pose model (Apache-2.0)")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in writer_utils.get_output_tensor_names(model):
        writer.add_feature_output()
    model_with_metadata, _ = writer.populate()
    return bytes(model_with_metadata)


def main(output: str) -> None:
    bundle = {name: with_metadata(MODULES / src, mean, std) for src, name, mean, std in MODELS}
    model_asset_bundle_utils.create_model_asset_bundle(bundle, output)


if __name__ == "__main__":
    main(sys.argv[1])
