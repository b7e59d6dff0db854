"""Worker-side subcommands: `fittrack worker` and `fittrack flower` (both exec Celery)."""

from __future__ import annotations

import argparse
import os
import sys

from fittrack.errors import FittrackError
from fittrack.settings import get_settings


def worker_command(concurrency: int | None = None, name: str | None = None) -> list[str]:
    settings = get_settings()
    command = [sys.executable, "-m", "celery", "-A", "workers.app", "worker",
               f"--loglevel={settings.log_level}", "--pool=prefork"]
    if concurrency:
        command.append(f"--concurrency={concurrency}")
    if name:
        command.append(f"--hostname={name}")
    return command


def flower_command(port: int | None = None) -> list[str]:
    """Flower with basic auth when a user is set; a user without a password is refused, not run open."""
    settings = get_settings()
    if settings.flower_user and not settings.flower_password:
        raise FittrackError("FITTRACK_FLOWER_USER is set but FITTRACK_FLOWER_PASSWORD is empty: Flower would "
                            "run without authentication. Set the password (or unset the user on a laptop)")
    command = [sys.executable, "-m", "celery", "-A", "workers.app", "flower",
               f"--port={port or settings.flower_port}", "--address=0.0.0.0"]
    if settings.flower_user and settings.flower_password:
        command.append(f"--basic-auth={settings.flower_user}:{settings.flower_password}")
    return command


def _cmd_worker(args: argparse.Namespace) -> int:
    os.execv(sys.executable, worker_command(args.concurrency, args.name))


def _cmd_flower(args: argparse.Namespace) -> int:
    os.execv(sys.executable, flower_command(args.port))


def add_commands(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser("worker", help="start a Celery worker (extraction, training, webapp jobs)")
    worker.add_argument("-c", "--concurrency", type=int, help="processes (default: one per core)")
    worker.add_argument("-n", "--name", help="worker name, e.g. worker1@%%h")
    worker.set_defaults(handler=_cmd_worker)
    flower = commands.add_parser("flower", help="start Flower, the Celery monitor (basic auth from settings)")
    flower.add_argument("--port", type=int, help="port (default FITTRACK_FLOWER_PORT, 5555)")
    flower.set_defaults(handler=_cmd_flower)
