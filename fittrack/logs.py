"""Logging set-up shared by the command line and the services."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_HANDLER_NAME = "fittrack-stderr"


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (pytest and tqdm swap it), never a closed old one."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _OneLineRetries(logging.Filter):
    """Celery's result backend logs every retry with a full traceback; a command shows the sentence only
    (the error that ends the retries is told once, in our own words)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


RETRY_LOGGERS = ("celery.backends.base",)


def configure_logging(level: str = "INFO") -> None:
    """Logs to stderr with times; stdout stays free for results (`--json`).

    Adds one handler once and leaves any others (pytest's, Celery's) alone.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    for name in RETRY_LOGGERS:
        if not any(isinstance(f, _OneLineRetries) for f in logging.getLogger(name).filters):
            logging.getLogger(name).addFilter(_OneLineRetries())
    if any(handler.get_name() == _HANDLER_NAME for handler in root.handlers):
        return
    handler = _CurrentStderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root.addHandler(handler)


@contextmanager
def frame_progress(name: str, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A progress bar of analysed frames on stderr, as the (done, total) callback `extract_video` takes:
    a long video's minutes of pose estimation are not a silent wait."""
    from tqdm import tqdm

    with tqdm(desc=name, unit="frame", file=sys.stderr, disable=quiet) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield progress
