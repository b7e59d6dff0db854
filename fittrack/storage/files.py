"""Local files written whole or not at all, and disk errors told in one sentence.

A full disk or a killed process must never leave half a Parquet file or a
0-byte CSV where a reader expects a complete one: every local output is
written to a temporary file beside its target and renamed over it (atomic on
POSIX), and the temporary file is removed when anything fails.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from fittrack.errors import FittrackError

TEMPORARY_PREFIX = ".tmp-"


class DiskError(FittrackError):
    """A local file could not be written or read: no space, no permission, a read-only disk."""


_HINTS = {
    errno.ENOSPC: "free some space on that disk, or write somewhere else (-o, --out, FITTRACK_HOME)",
    errno.EDQUOT: "free some space within your quota, or write somewhere else",
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "the disk is read-only: write somewhere else",
}


def disk_error(path: str | Path, error: OSError) -> DiskError:
    """One line that names the path, says what went wrong and what to do."""
    what = "no space left on the device" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    hint = _HINTS.get(error.errno or 0, "check the path and the disk")
    return DiskError(f"{error.filename or path}: cannot be written: {what} ({hint})")


def write_atomically(target: str | Path, write: Callable[[BinaryIO], object]) -> Path:
    """Calls `write(handle)` on a temporary file beside `target`, then renames it to `target`."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX, suffix=".part")
    except OSError as error:
        raise disk_error(target, error) from None
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise disk_error(target, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_bytes_atomically(target: str | Path, data: bytes) -> Path:
    return write_atomically(target, lambda out: out.write(data))
