"""Worker processes started beside a command on this machine (`fittrack run`, `fittrack webapp`).

In the embedded mode nothing else runs the jobs, so the command that needs
them starts a worker and stops it when it ends; on a cluster the workers
already run and answer a ping, and none is started.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import Celery

from fittrack.settings import get_settings
from workers.cli import worker_command

log = logging.getLogger(__name__)


def a_worker_answers(app: Celery, timeout_s: float = 1.0) -> bool:
    """Whether any worker connected to this broker replies to a ping within `timeout_s`."""
    try:
        return bool(app.control.ping(timeout=timeout_s))
    except Exception as error:  # noqa: BLE001 -- an unreachable broker: no worker can answer either
        log.debug("ping failed: %s", error)
        return False


@contextmanager
def local_workers(count: int, log_file: Path) -> Iterator[Callable[[], bool] | None]:
    """Starts `count` worker processes for the duration of the block, then stops them warmly.

    Yields a check that they are still running (None when none are started).
    """
    if count <= 0:
        yield None
        return
    env = dict(os.environ, FITTRACK_HOME=str(get_settings().home.resolve()))
    # The only worker on this machine: one process per core, each on its own
    # core, is 1.8x one process on 2 cores (docs/benchmarks.md).
    env.setdefault("FITTRACK_WORKER_PIN_CPUS", "1" if count <= len(os.sched_getaffinity(0)) else "0")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as output:
        process = subprocess.Popen(worker_command(concurrency=count, name=f"run{os.getpid()}@%h"),
                                   env=env, stdout=output, stderr=subprocess.STDOUT)
    log.info("started %d worker processes (log: %s)", count, log_file)
    try:
        yield lambda: process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
