"""Exercise class names, normalised in one place.

Folder names in the Kaggle layout vary ("hammer curl", "Hammer Curl",
"hammer_curl", "push-up", "push up"); they all map to one snake_case id.
"""

from __future__ import annotations

import re

EXERCISES: tuple[str, ...] = ("deadlift", "hammer_curl", "pull_up", "push_up", "squat")
OTHER = "other"
"""Label of videos that show none of the five exercises ("not one of these")."""


_ALIASES = {
    "pullup": "pull_up", "pullups": "pull_up", "pull_ups": "pull_up",
    "pushup": "push_up", "pushups": "push_up", "push_ups": "push_up",
    "squats": "squat", "deadlifts": "deadlift", "hammer_curls": "hammer_curl",
}  # fmt: skip


def normalise_label(name: str) -> str:
    """'Hammer Curl', 'hammer-curl' and 'hammer_curl' all become 'hammer_curl'.

    Example:
        >>> normalise_label(" Push-Up ")
        'push_up'
    """
    label = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not label:
        raise ValueError(f"empty class name: {name!r}")
    return _ALIASES.get(label, label)


def exercise_or_other(label: str) -> str:
    """Training target: one of EXERCISES, or OTHER for any other movement.

    The Kaggle set has 22 classes; the 17 that are not ours become negatives.
    """
    label = normalise_label(label)
    return label if label in EXERCISES else OTHER


def display_name(label: str) -> str:
    """'hammer_curl' -> 'hammer curl', and 'other' -> 'not one of these'."""
    return "not one of these" if label == OTHER else label.replace("_", " ")
