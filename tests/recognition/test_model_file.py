"""The `.model` file: what it refuses, and that a file written before the core's sub-packages still loads."""

from __future__ import annotations

import zlib
from pathlib import Path

import joblib
import pytest

from fittrack.errors import ModelFileError
from fittrack.movement.predict import predict_rows
from fittrack.recognition.decision import OperatingPoint
from fittrack.recognition.model_file import ExerciseModel, load_model, model_from_bytes, model_to_bytes
from fittrack.recognition.other_modes import OtherModesForest

from ..synthetic import FAST, synthetic_rows

# Written by the code of 283d135, the last commit before the split (2 trees on synthetic rows, 3 kB):
# it pickles ExerciseModel, OperatingPoint, WindowSpec and OtherModesForest at their old module paths.
OLD_MODEL = Path(__file__).parents[1] / "data" / "model_283d135.model"


def test_bad_model_files_get_specific_errors(tmp_path):
    corrupt = tmp_path / "corrupt.model"
    corrupt.write_bytes(b"\x80\x04 this is not a pickle")
    with pytest.raises(ModelFileError, match="not a readable model file"):
        load_model(corrupt)

    joblib.dump({"some": "dict"}, tmp_path / "dict.model")
    with pytest.raises(ModelFileError, match="not a fittrack exercise model"):
        load_model(tmp_path / "dict.model")
    old = ExerciseModel(forest=None, point=OperatingPoint(), classes=[], feature_names=[], window=FAST.window,
                        features_version=0)
    with pytest.raises(ModelFileError, match="features v0"):
        model_from_bytes(model_to_bytes(old), "old.model")
    mean_era = ExerciseModel(forest=None, point=OperatingPoint(), classes=[], feature_names=[], window=FAST.window,
                             format=1)
    with pytest.raises(ModelFileError, match="format 1"):
        model_from_bytes(model_to_bytes(mean_era), "mean-era.model")
    with pytest.raises(ModelFileError, match="sha256"):
        model_from_bytes(model_to_bytes(old), "old.model", expected_sha256="0" * 64)
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "missing.model")


def test_a_model_written_before_the_split_loads_and_predicts():
    model = load_model(OLD_MODEL)
    assert type(model) is ExerciseModel and isinstance(model.forest, OtherModesForest)
    assert isinstance(model.point, OperatingPoint)
    assert "283d135" in model.training["made_by"]
    prediction = predict_rows(model, synthetic_rows(videos_per_class=1).query("label == 'squat'"))
    assert prediction.label in model.classes and sum(prediction.probabilities.values()) == pytest.approx(1.0)


def test_the_old_paths_are_aliased_only_while_a_model_loads():
    import sys

    load_model(OLD_MODEL)
    assert "fittrack.other_modes" not in sys.modules and "fittrack.model_file" not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        __import__("fittrack.decision")


def test_a_model_naming_a_class_path_no_fittrack_has_is_refused_with_one_line(tmp_path):
    """A module path that is neither current nor a known old one: the file is older than the aliases."""
    pickled = zlib.decompress(OLD_MODEL.read_bytes())
    assert b"fittrack.other_modes" in pickled
    gone = tmp_path / "gone.model"
    gone.write_bytes(zlib.compress(pickled.replace(b"fittrack.other_modes", b"fittrack.othermodes_")))
    with pytest.raises(ModelFileError) as refused:
        load_model(gone)
    message = str(refused.value)
    assert "\n" not in message
    assert message == (f"{gone}: was trained by an older fittrack whose classes this one no longer has "
                       "(run `fittrack train`)")


def test_a_model_written_now_pickles_the_new_paths_only(tmp_path):
    model = ExerciseModel(forest=None, point=OperatingPoint(), classes=[], feature_names=[], window=FAST.window)
    pickled = zlib.decompress(model_to_bytes(model))
    assert b"fittrack.recognition.model_file" in pickled and b"fittrack.model_file" not in pickled
