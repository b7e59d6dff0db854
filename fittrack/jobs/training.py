"""What one training job does, without Celery: rows from the store -> evaluation -> model in the store.

The worker's training task and `fittrack train` both call `train_from_store`;
writing a local copy and the human-readable report is the trainer's
(`trainer/train.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from fittrack.errors import FittrackError
from fittrack.jobs.user_labels import labelled_rows
from fittrack.pose.collect import load_rows
from fittrack.recognition.evaluation import Evaluation
from fittrack.recognition.features import window_feature_names
from fittrack.recognition.groups import video_origins
from fittrack.recognition.model_file import ExerciseModel, library_versions, model_to_bytes, sha256_of
from fittrack.recognition.training import TrainParams, evaluate, point_of, train, training_summary
from fittrack.settings import Settings
from fittrack.storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainedModel:
    """A training run's outcome: where the model is, its hash, the evaluation and what it was trained on.

    It crosses Celery as JSON (`to_dict`), where the evaluation is under
    "metrics" as in report.json, and `{}` when there was none.
    """

    model_key: str
    sha256: str
    evaluation: Evaluation | None  # None when trained without an evaluation (`train --no-eval`)
    training: dict  # videos and windows per class, window length, store, python
    model_bytes: bytes = field(default=b"", repr=False, compare=False)
    model: ExerciseModel | None = field(default=None, repr=False, compare=False)  # in this process only

    def to_dict(self) -> dict:
        metrics = self.evaluation.to_dict() if self.evaluation is not None else {}
        return {"model_key": self.model_key, "sha256": self.sha256, "metrics": metrics,
                "training": self.training}

    @classmethod
    def from_dict(cls, data: dict) -> TrainedModel:
        metrics = data.get("metrics")
        return cls(model_key=str(data["model_key"]), sha256=str(data["sha256"]),
                   evaluation=Evaluation.from_dict(metrics) if metrics else None,
                   training=dict(data.get("training") or {}))


def train_from_store(store: Store, settings: Settings, params: TrainParams | None = None,
                     evaluate_first: bool = True, user_labels: bool = True) -> TrainedModel:
    """Trains on every video's rows in the store and writes the model back to it (settings.model_key).

    With `user_labels`, uploads people confirmed or corrected train beside
    the dataset, each in a group of its own (fittrack.jobs.user_labels).
    """
    params = params or TrainParams()
    rows = load_rows(store, show_progress=True)
    if rows.empty:
        raise FittrackError(f"no angle rows in {store.url}: run `fittrack enqueue` (or `fittrack run`) first")
    groups, kinds = video_origins(store, rows)
    from_people = 0
    if user_labels:
        labelled, labelled_groups = labelled_rows(store)
        if len(labelled):
            rows = pd.concat([rows, labelled[rows.columns.intersection(labelled.columns)]], ignore_index=True)
            groups = _with_attrs(pd.concat([groups, labelled_groups]), groups.attrs)
            from_people = int(labelled["video_id"].nunique())
    log.info("training on %d rows of %d videos (%d from people's labels)", len(rows), rows["video_id"].nunique(),
             from_people)
    evaluation = evaluate(rows, params, groups, kinds) if evaluate_first else None
    point = point_of(evaluation) if evaluation is not None else None
    model, point, windows = train(rows, params, point, groups, kinds)
    summary = training_summary(windows) | {"window_ms": params.window.length_ms, "store": store.url,
                                           "videos_with_origin_group": groups.attrs["from_manifest"],
                                           "videos_from_user_labels": from_people}
    exercise_model = ExerciseModel(
        forest=model, point=point, classes=list(model.classes_), feature_names=window_feature_names(),
        window=params.window, library_versions=library_versions(), training=summary,
        # A plain dict, so the pickle names no class of fittrack.recognition.evaluation.
        metrics=evaluation.to_dict() if evaluation is not None else {},
    )
    data = model_to_bytes(exercise_model)
    digest = sha256_of(data)
    store.put_bytes(settings.model_key, data, metadata={"sha256": digest})
    log.info("model written to %s/%s (sha256 %s)", store.url, settings.model_key, digest)
    return TrainedModel(settings.model_key, digest, evaluation, summary, data, exercise_model)


def _with_attrs(series: pd.Series, attrs: dict) -> pd.Series:
    series.attrs.update(attrs)
    return series
