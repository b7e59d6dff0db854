#!/usr/bin/env bash
# Creates .venv (if needed) and installs fittrack with the locked versions.
# Usage: bash scripts/install.sh [extra]   e.g. "test" for the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-}
python3 -c 'import sys; assert sys.version_info >= (3, 11), "fittrack needs Python 3.11 or newer"'
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
spec="."
[ -n "$extra" ] && spec=".[$extra]"
.venv/bin/python -m pip install -q -c constraints.txt -e "$spec"
