"""The `.model` file: the fitted forest plus what is needed to trust it.

It is a joblib pickle, so loading runs code from the file: load only models
you trained yourself, from your own store. `load_model` checks the kind,
format and feature versions and, when given one, the sha256 recorded at
training time, and says clearly what is wrong otherwise.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import joblib

from fittrack.errors import ModelFileError, NoModelError
from fittrack.pose.angles import ANGLES_VERSION
from fittrack.recognition.decision import OperatingPoint
from fittrack.recognition.features import FEATURES_VERSION, WindowSpec
from fittrack.recognition.other_modes import OtherModesForest
from fittrack.storage.files import write_bytes_atomically

MODEL_KIND = "fittrack-exercise-model"
MODEL_FORMAT = 3  # 2: video probabilities are the median of the windows' (was the mean); 3: `other` in modes
_RETRAIN = "retrain it with `fittrack train`"

MOVED_MODULES = {
    # Where the classes a .model pickles lived before the core was split into sub-packages
    # (fittrack 283d135 and earlier). Such files hold the same classes at their old paths,
    # so they load unchanged; any other missing fittrack path is refused as older.
    "fittrack.model_file": "fittrack.recognition.model_file",
    "fittrack.decision": "fittrack.recognition.decision",
    "fittrack.features": "fittrack.recognition.features",
    "fittrack.other_modes": "fittrack.recognition.other_modes",
}
_ALIAS_LOCK = threading.Lock()


@dataclass
class ExerciseModel:
    forest: OtherModesForest
    point: OperatingPoint
    classes: list[str]
    feature_names: list[str]
    window: WindowSpec
    angles_version: int = ANGLES_VERSION
    features_version: int = FEATURES_VERSION
    library_versions: dict[str, str] = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    kind: str = MODEL_KIND
    format: int = MODEL_FORMAT


def library_versions() -> dict[str, str]:
    import mediapipe
    import numpy
    import pandas
    import sklearn

    import fittrack

    return {"fittrack": fittrack.__version__, "scikit-learn": sklearn.__version__, "numpy": numpy.__version__,
            "pandas": pandas.__version__, "mediapipe": mediapipe.__version__}


def model_to_bytes(model: ExerciseModel) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def model_from_bytes(data: bytes, source: str, expected_sha256: str | None = None) -> ExerciseModel:
    if expected_sha256 and sha256_of(data) != expected_sha256:
        raise ModelFileError(source, "does not match the sha256 recorded when it was trained",
                             "it was changed or replaced; retrain or restore it")
    try:
        with _old_class_paths():
            model = joblib.load(io.BytesIO(data))
    except (ModuleNotFoundError, AttributeError) as error:
        if not _names_fittrack(error):
            raise ModelFileError(source, f"is not a readable model file ({type(error).__name__})",
                                 _RETRAIN) from None
        raise ModelFileError(source, "was trained by an older fittrack whose classes this one no longer has",
                             "run `fittrack train`") from None
    except Exception as error:  # noqa: BLE001 -- a corrupt pickle can raise almost anything
        raise ModelFileError(source, f"is not a readable model file ({type(error).__name__})", _RETRAIN) from None
    if not isinstance(model, ExerciseModel) or getattr(model, "kind", None) != MODEL_KIND:
        raise ModelFileError(source, "is not a fittrack exercise model", "pass a .model written by fittrack train")
    if model.format != MODEL_FORMAT or model.features_version != FEATURES_VERSION \
            or model.angles_version != ANGLES_VERSION:
        raise ModelFileError(
            source,
            f"was trained with angles v{model.angles_version} / features v{model.features_version} / "
            f"format {model.format}, this fittrack uses angles v{ANGLES_VERSION} / features "
            f"v{FEATURES_VERSION} / format {MODEL_FORMAT}", _RETRAIN)
    return model


@contextmanager
def _old_class_paths() -> Iterator[None]:
    """Lets the unpickler find a class at its pre-split module path, for the length of one load.

    pickle imports a class's module by name and then reads it from
    `sys.modules`, so naming the new module under the old name is all it
    takes; the names are removed again so no code can import the old paths.
    """
    with _ALIAS_LOCK:
        added = [old for old in MOVED_MODULES if old not in sys.modules]
        for old in added:
            sys.modules[old] = importlib.import_module(MOVED_MODULES[old])
        try:
            yield
        finally:
            for old in added:
                sys.modules.pop(old, None)


def _names_fittrack(error: ModuleNotFoundError | AttributeError) -> bool:
    """True when the missing module or class is one of fittrack's own (not, say, a newer sklearn's)."""
    if isinstance(error, ModuleNotFoundError):
        return (error.name or "").split(".")[0] == "fittrack"
    return "fittrack" in str(error)


def save_model(model: ExerciseModel, path: Path) -> str:
    """Writes the file and returns its sha256."""
    data = model_to_bytes(model)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(path, data)
    return sha256_of(data)


def load_model(path: Path, expected_sha256: str | None = None) -> ExerciseModel:
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(str(path), "not found", "train one with `fittrack train` or pass --model")
    return model_from_bytes(path.read_bytes(), str(path), expected_sha256)


def model_from_store(store, key: str) -> tuple[ExerciseModel, str]:
    """The trained model at `key` of the user's own store, checked against its recorded sha256.

    Returns the model and its sha256. The file is a pickle: it is only ever
    loaded from the configured store, and only if its hash matches the one the
    trainer recorded next to it.
    """
    info = store.head(key)
    if info is None:
        raise NoModelError(f"{store.url}/{key}", "no model has been trained yet",
                           "run `fittrack train` (or `fittrack train --submit`) first")
    expected = info.metadata.get("sha256")
    if not expected:
        raise ModelFileError(f"{store.url}/{key}", "has no sha256 recorded by the trainer",
                             "retrain it with `fittrack train` so it can be verified")
    return model_from_bytes(store.get_bytes(key), f"{store.url}/{key}", expected), expected
