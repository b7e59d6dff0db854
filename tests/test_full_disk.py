"""A full disk, on a real (small) file system: each command ends with one line and leaves nothing half-written.

Needs to mount a 4 MB tmpfs (root on Linux); skips with the reason elsewhere.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fittrack.pose.table import to_parquet_bytes
from fittrack.storage.keys import rows_key
from fittrack.storage.store import LocalStore

from .conftest import shared_video
from .services import ROOT
from .synthetic import synthetic_rows

NO_SPACE = "no space left on the device"


@pytest.fixture
def full_disk(tmp_path):
    """A 4 MB tmpfs, then filled to the last byte by a filler file."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8); the full-disk behaviour is not tested here")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> None:
    """Writes a filler file until the file system refuses even one more byte."""
    handle = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (1 << 16, 1 << 12, 1):
            try:
                while os.write(handle, b"\0" * chunk):
                    pass
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
    finally:
        os.close(handle)


def fittrack(*args: str, env: dict[str, str], timeout_s: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fittrack", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout_s, check=False)


def one_clear_line(done: subprocess.CompletedProcess, path: str) -> None:
    assert done.returncode != 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert NO_SPACE in done.stderr and path in done.stderr, done.stderr[-3000:]


def left_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != "filler")


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITTRACK_")}
    env.update({"FITTRACK_HOME": str(tmp_path / "home"), **settings})
    return env


@pytest.mark.parametrize("name", ["rows.parquet", "rows.csv"])
def test_extract_to_a_full_disk_says_so_and_leaves_no_file(full_disk, tmp_path, name):
    fill(full_disk)
    done = fittrack("extract", str(shared_video("squat/kaggle_squat_18.mp4")), "-o", str(full_disk / name), "-q",
                    env=_env(tmp_path, FITTRACK_SAMPLE_FPS="5"))
    one_clear_line(done, name)
    assert left_files(full_disk) == []


def test_upload_to_a_full_store_says_so_and_leaves_neither_object_nor_metadata(full_disk, tmp_path):
    dataset = tmp_path / "data" / "squat"
    dataset.mkdir(parents=True)
    shutil.copy(shared_video("squat/kaggle_squat_18.mp4"), dataset / "a.mp4")
    fill(full_disk)
    done = fittrack("upload", str(tmp_path / "data"), "-q",
                    env=_env(tmp_path, FITTRACK_STORE_URL=str(full_disk / "store")))
    one_clear_line(done, "videos/squat/a.mp4")
    assert left_files(full_disk) == []


def test_export_and_train_to_a_full_disk_say_so_and_leave_no_file(full_disk, tmp_path):
    store = LocalStore(tmp_path / "store")
    rows = synthetic_rows(videos_per_class=3)
    for video_id, video_rows in rows.groupby("video_id"):
        store.put_bytes(rows_key(str(video_id)), to_parquet_bytes(video_rows.reset_index(drop=True)))
    env = _env(tmp_path, FITTRACK_STORE_URL=str(tmp_path / "store"))
    fill(full_disk)
    one_clear_line(fittrack("export", str(full_disk / "rows.csv"), "--all-columns", "-q", env=env), "rows.csv")
    one_clear_line(fittrack("train", "--no-eval", "-o", str(full_disk / "out" / "exercise.model"), env=env),
                   "exercise.model")
    assert left_files(full_disk) == []


def test_enqueue_with_a_full_result_database_gives_up_with_one_line(full_disk, tmp_path):
    """The embedded mode's sqlite results and broker folder live in FITTRACK_HOME, here the full disk."""
    dataset = tmp_path / "data" / "squat"
    dataset.mkdir(parents=True)
    shutil.copy(shared_video("squat/kaggle_squat_18.mp4"), dataset / "a.mp4")
    env = _env(tmp_path, FITTRACK_HOME=str(full_disk / "home"), FITTRACK_STORE_URL=str(tmp_path / "store"))
    assert fittrack("upload", str(tmp_path / "data"), "-q", env=env).returncode == 0
    fill(full_disk)
    started = time.monotonic()
    done = fittrack("enqueue", "--no-wait", env=env, timeout_s=300)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "full" in done.stderr and "FITTRACK_HOME" in done.stderr, done.stderr[-3000:]
    assert len(done.stderr.splitlines()) < 20, "one clear line, not a retry loop of tracebacks"
    assert time.monotonic() - started < 240
