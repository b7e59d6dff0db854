"""The `.model` file: the fitted forest plus what is needed to trust it.

It is a joblib pickle, so loading runs code from the file: load only models
you trained yourself, from your own store. `load_model` checks the kind,
format and feature versions and, when given one, the sha256 recorded at
training time, and says clearly what is wrong otherwise.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import joblib

from fittrack.angles import ANGLES_VERSION
from fittrack.decision import OperatingPoint
from fittrack.errors import ModelFileError, NoModelError
from fittrack.features import FEATURES_VERSION, WindowSpec
from fittrack.files import write_bytes_atomically
from fittrack.other_modes import OtherModesForest

MODEL_KIND = "fittrack-exercise-model"
MODEL_FORMAT = 3  # 2: video probabilities are the median of the windows' (was the mean); 3: `other` in modes
_RETRAIN = "retrain it with `fittrack train`"


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
        model = joblib.load(io.BytesIO(data))
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
