"""The angle-row table: one row per analysed frame of one video.

Rows keep the raw landmarks (image and world, plus visibility) next to the
angles, so features and angle definitions can change later without running
pose estimation again. Parquet is the native format; CSV is what the
original design exchanged, and both read back to the same columns.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fittrack.errors import BadInputError
from fittrack.pose.angles import ANGLE_NAMES, ANGLES_VERSION
from fittrack.pose.landmarks import LANDMARK_NAMES, NUM_LANDMARKS, PoseSequence
from fittrack.storage.files import write_atomically, write_bytes_atomically

ID_COLUMNS = (
    "video_id", "source", "label", "angles_version", "frame_index", "timestamp_ms",
    "detected", "frame_width", "frame_height",
)  # fmt: skip
ANGLE_COLUMNS = ANGLE_NAMES
VISIBILITY_COLUMNS = tuple(f"vis_{name}" for name in LANDMARK_NAMES)
IMAGE_COLUMNS = tuple(f"img_{name}_{axis}" for name in LANDMARK_NAMES for axis in "xyz")
WORLD_COLUMNS = tuple(f"world_{name}_{axis}" for name in LANDMARK_NAMES for axis in "xyz")
ALL_COLUMNS = ID_COLUMNS + ANGLE_COLUMNS + VISIBILITY_COLUMNS + IMAGE_COLUMNS + WORLD_COLUMNS


STRING_COLUMNS = ("video_id", "source", "label")

Columns = dict[str, np.ndarray]
"""A table as one numpy array per column (strings as object arrays): what Parquet is written from."""


def rows_from_columns(columns: Columns) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(values, dtype="string") if name in STRING_COLUMNS else values
                         for name, values in columns.items()}, columns=list(columns))


def build_columns(
    *,
    video_id: str,
    source: str,
    label: str | None,
    frame_indices: Sequence[int],
    timestamps_ms: Sequence[int],
    poses: PoseSequence,
    angles: dict[str, np.ndarray],
    width: int,
    height: int,
) -> Columns:
    """Assembles the table for one video from its stacked poses and their angles."""
    count = len(poses)
    columns: Columns = {
        "video_id": np.full(count, video_id, dtype=object),
        "source": np.full(count, source, dtype=object),
        "label": np.full(count, label, dtype=object),
        "angles_version": np.full(count, ANGLES_VERSION, dtype=np.int16),
        "frame_index": np.asarray(frame_indices, dtype=np.int32),
        "timestamp_ms": np.asarray(timestamps_ms, dtype=np.int64),
        "detected": poses.detected,
        "frame_width": np.full(count, width, dtype=np.int32),
        "frame_height": np.full(count, height, dtype=np.int32),
    }
    for name in ANGLE_COLUMNS:
        columns[name] = np.asarray(angles[name], dtype=np.float32)
    columns.update(zip(VISIBILITY_COLUMNS, poses.visibility.astype(np.float32).T, strict=True))
    columns.update(zip(IMAGE_COLUMNS, poses.image.reshape(count, -1).astype(np.float32).T, strict=True))
    columns.update(zip(WORLD_COLUMNS, poses.world.reshape(count, -1).astype(np.float32).T, strict=True))
    return {name: columns[name] for name in ALL_COLUMNS}


def landmark_arrays(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image, world, visibility) arrays of shape (frames, 33, 3|3|-) from a table."""
    count = len(rows)
    image = rows[list(IMAGE_COLUMNS)].to_numpy(np.float64).reshape(count, NUM_LANDMARKS, 3)
    world = rows[list(WORLD_COLUMNS)].to_numpy(np.float64).reshape(count, NUM_LANDMARKS, 3)
    visibility = rows[list(VISIBILITY_COLUMNS)].to_numpy(np.float64)
    return image, world, visibility


def to_parquet_bytes(rows: pd.DataFrame) -> bytes:
    """One video's rows as Parquet (see `columns_to_parquet_bytes`)."""
    return columns_to_parquet_bytes({
        name: column.to_numpy(dtype=object, na_value=None) if name in STRING_COLUMNS else column.to_numpy()
        for name, column in rows.items()})


def columns_to_parquet_bytes(columns: Columns) -> bytes:
    """Parquet straight from numpy columns, without pandas.

    The table is wide (263 columns for a few dozen to a few hundred rows), so
    per-column costs dominate: going through pandas took 4 ms of a job's
    8.5 ms here, Arrow from numpy takes 0.6 ms. Statistics and dictionary
    pages are not written: nothing filters on them (every read takes whole
    videos) and float landmarks do not repeat (docs/benchmarks.md).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: pa.array(values, pa.string()) if values.dtype == object else values
                      for name, values in columns.items()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy", write_statistics=False, use_dictionary=False)
    return buffer.getvalue()


def from_parquet_bytes(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(data))


def write_rows(rows: pd.DataFrame, path: str | Path) -> Path:
    """Writes Parquet or CSV by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise BadInputError(str(path), f"unknown output format '{suffix}'", "use .parquet or .csv")
    if suffix == ".parquet":
        return write_bytes_atomically(path, to_parquet_bytes(rows))
    return write_atomically(path, lambda out: rows.to_csv(out, index=False))


def read_rows(path: str | Path) -> pd.DataFrame:
    """Reads a table written by `write_rows`, with the same dtypes from either format."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        rows = pd.read_csv(path, dtype={"video_id": "string", "source": "string", "label": "string"})
        return rows.astype({"detected": bool})
    return pd.read_parquet(path)
