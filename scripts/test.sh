#!/usr/bin/env bash
# The test command of the README: installs everything, then runs pytest.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k angles`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
bash scripts/install_system.sh
exec .venv/bin/python -m pytest "$@"
