"""The code base type-checks (with the pydantic plugin) and lints clean, so neither drifts between reviews."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


def test_mypy_finds_no_type_errors(tmp_path):
    checked = _run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"),
                   "fittrack", "producer", "trainer", "workers", "webapp")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_ruff_finds_no_lint(tmp_path):
    checked = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert checked.returncode == 0, checked.stdout + checked.stderr
