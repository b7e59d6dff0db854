"""`fittrack webapp`: runs the Streamlit page, and in the embedded mode a worker beside it.

A newcomer who trained with the README's command and opens the page gets
results: in the embedded mode, unless a worker already answers or
`--no-worker` is given, a local worker runs for as long as the page does.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from fittrack.settings import get_settings

APP_SCRIPT = Path(__file__).with_name("app.py")


def webapp_command(port: int = 8501, address: str = "0.0.0.0") -> list[str]:
    settings = get_settings()
    return [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
            f"--server.port={port}", f"--server.address={address}", "--server.headless=true",
            f"--server.maxUploadSize={settings.upload_limit_mb}", "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none", "--client.toolbarMode=minimal",
            "--client.showErrorDetails=none"]  # no trace reaches the browser ("false" still sends one)


log = logging.getLogger(__name__)


def needs_local_worker(no_worker: bool) -> bool:
    """Embedded mode, not opted out, and no worker already answering on this broker."""
    settings = get_settings()
    if no_worker or not settings.is_embedded:
        return False
    from workers.app import create_app
    from workers.local import a_worker_answers

    return not a_worker_answers(create_app(settings))


def _cmd_webapp(args: argparse.Namespace) -> int:
    command = webapp_command(args.port, args.address)
    if not needs_local_worker(args.no_worker):
        os.execv(sys.executable, command)
    from workers.local import local_workers

    settings = get_settings()
    with local_workers(os.cpu_count() or 1, settings.home / "webapp-worker.log"):
        log.info("a local worker runs the page's jobs (log: %s); stopped with the page",
                 settings.home / "webapp-worker.log")
        page = subprocess.Popen(command)
        # A SIGTERM (a service manager, a test) stops the page; the worker is then stopped on the way out.
        signal.signal(signal.SIGTERM, lambda *_: page.terminate())
        try:
            return page.wait()
        except KeyboardInterrupt:
            page.terminate()
            page.wait()
            return 130


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("webapp", help="start the Streamlit webapp (jobs go to the workers)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="address to listen on (default all)")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start a local worker in the embedded mode (one runs elsewhere)")
    parser.set_defaults(handler=_cmd_webapp)
