"""Logging set-up shared by the command line and the services."""

from __future__ import annotations

import logging
import sys

_HANDLER_NAME = "fittrack-stderr"


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (pytest and tqdm swap it), never a closed old one."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: str = "INFO") -> None:
    """Logs to stderr with times; stdout stays free for results (`--json`).

    Adds one handler once and leaves any others (pytest's, Celery's) alone.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    if any(handler.get_name() == _HANDLER_NAME for handler in root.handlers):
        return
    handler = _CurrentStderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root.addHandler(handler)
