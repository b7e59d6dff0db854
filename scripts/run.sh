#!/usr/bin/env bash
# The main command of the README: installs fittrack, then runs the whole
# pipeline (embedded mode unless FITTRACK_* settings say otherwise).
# Usage: bash scripts/run.sh DATASET_DIR [more `fittrack run` options]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bash scripts/run.sh DATASET_DIR (a folder with one sub-folder of videos per class)" >&2; exit 2; }
dataset=$(cd "$1" && pwd) || { echo "dataset folder not found: $1" >&2; exit 2; }
shift
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/fittrack run "$dataset" "$@"
