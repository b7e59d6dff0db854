#!/usr/bin/env bash
# Rebuilds fittrack/models/pose_landmarker_full.task from the mediapipe 0.10.21
# wheel on PyPI (Apache-2.0), offline apart from the package registry.
# The bundle is committed; run this only to check or renew it, then update
# POSE_MODEL_SHA256 in fittrack/pose/estimator.py if the hash changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../fittrack/models/pose_landmarker_full.task}
venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --no-deps mediapipe==0.10.21
"$venv/bin/pip" install -q 'numpy<2' 'protobuf<5' flatbuffers absl-py attrs matplotlib 'opencv-python-headless==4.10.*'
"$venv/bin/python" "$here/_write_pose_bundle.py" "$out"
sha256sum "$out"
