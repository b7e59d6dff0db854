"""A dataset folder in the Kaggle workoutfitness-video layout: one folder per class.

    DATASET/
      hammer curl/   video1.mp4 ...
      squat/         ...
      other/         ...   (anything else: "not one of these")

Each video becomes the store key videos/<class>/<file>, with the class name
normalised and the file name reduced to safe characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fittrack.errors import BadInputError
from fittrack.labels import normalise_label
from fittrack.storage.keys import dataset_video_key

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".avi", ".webm", ".mkv", ".m4v"})


@dataclass(frozen=True)
class DatasetVideo:
    path: Path
    label: str
    key: str


def scan_dataset(root: Path) -> list[DatasetVideo]:
    """Every video one level below a class folder, sorted; other files are ignored."""
    root = Path(root)
    if not root.is_dir():
        raise BadInputError(str(root), "is not a folder", "pass the dataset folder with one sub-folder per class")
    videos = [
        DatasetVideo(path=path, label=normalise_label(folder.name), key=dataset_video_key(folder.name, path.name))
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES
    ]
    if not videos:
        raise BadInputError(
            str(root), "contains no videos in class folders",
            "lay it out as DATASET/<class>/<video>.mp4, like the Kaggle workoutfitness-video set",
        )
    return videos
