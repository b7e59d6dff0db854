"""`fittrack train`: rows from the store -> evaluation -> model file and report.

All file and store I/O of training is here; the learning itself is in
`fittrack.training`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fittrack.collect import load_rows
from fittrack.errors import FittrackError
from fittrack.features import window_feature_names
from fittrack.groups import video_groups
from fittrack.model_file import ExerciseModel, library_versions, model_to_bytes, sha256_of
from fittrack.settings import Settings, get_settings
from fittrack.store import Store
from fittrack.training import TrainParams, evaluate, point_of, train, training_summary
from trainer.report import headline, write_report

log = logging.getLogger(__name__)


def train_from_store(store: Store, output: Path, settings: Settings | None = None,
                     params: TrainParams | None = None, evaluate_first: bool = True) -> dict:
    """Trains on every video's rows; writes the model locally and to the store, plus the report."""
    settings = settings or get_settings()
    params = params or TrainParams()
    rows = load_rows(store, show_progress=True)
    if rows.empty:
        raise FittrackError(f"no angle rows in {store.url}: run `fittrack enqueue` (or `fittrack run`) first")
    log.info("training on %d rows of %d videos", len(rows), rows["video_id"].nunique())
    groups = video_groups(store, rows)
    metrics = evaluate(rows, params, groups) if evaluate_first else {}
    model, point, windows = train(rows, params, point_of(metrics) if metrics else None, groups)
    summary = training_summary(windows) | {"window_ms": params.window.length_ms, "store": store.url,
                                           "videos_with_origin_group": groups.attrs["from_manifest"]}
    exercise_model = ExerciseModel(
        forest=model, point=point, classes=list(model.classes_), feature_names=window_feature_names(),
        window=params.window, library_versions=library_versions(), training=summary, metrics=metrics,
    )
    data = model_to_bytes(exercise_model)
    digest = sha256_of(data)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    store.put_bytes(settings.model_key, data, metadata={"sha256": digest})
    log.info("model written to %s and %s/%s (sha256 %s)", output, store.url, settings.model_key, digest)
    if metrics:
        report = write_report(metrics, summary | {"model_sha256": digest}, output.parent)
        print(headline(metrics, summary))
        print(f"report: {report}")
    return {"model": str(output), "sha256": digest, "metrics": metrics, "training": summary}
