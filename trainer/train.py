"""`fittrack train` on this machine: the training job, then a local copy of the model and the report."""

from __future__ import annotations

import logging
from pathlib import Path

from fittrack.jobs.training import TrainedModel, train_from_store
from fittrack.recognition.training import TrainParams
from fittrack.settings import Settings, get_settings
from fittrack.storage.files import write_bytes_atomically
from fittrack.storage.store import Store
from trainer.report import headline, write_report

log = logging.getLogger(__name__)


def train_and_report(store: Store, output: Path, settings: Settings | None = None,
                     params: TrainParams | None = None, evaluate_first: bool = True,
                     user_labels: bool = True) -> TrainedModel:
    """Trains from the store; writes the model to `output` and the report beside it."""
    settings = settings or get_settings()
    trained = train_from_store(store, settings, params, evaluate_first, user_labels)
    write_bytes_atomically(output, trained.model_bytes)
    log.info("model also written to %s", output)
    if trained.evaluation is not None:
        report = write_report(trained.evaluation, trained.training | {"model_sha256": trained.sha256},
                              output.parent)
        print(headline(trained.evaluation, trained.training))
        print(f"report: {report}")
    return trained
