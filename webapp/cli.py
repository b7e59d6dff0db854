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
    refusal = why_not_start()
    if refusal:
        log.error("%s", refusal)
        return 2
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


def why_not_start() -> str:
    """A deployment that requires sign-in does not start with no account to sign in with."""
    from fittrack.accounts.users import any_user
    from fittrack.history.database import upgrade_schema
    from webapp.accounts import sign_in_required

    settings = get_settings()
    url = settings.resolved_database_url()
    upgrade_schema(url)
    if sign_in_required(settings) and not any_user(url):
        return ("the page requires sign-in and has no account yet: add the first with `fittrack user add NAME` "
                "(in compose: `docker compose run --rm webapp fittrack user add NAME`), or set "
                "FITTRACK_SINGLE_USER=1 for a page without sign-in that anyone who reaches it may use")
    return ""


def _password(args: argparse.Namespace, prompt: str) -> str:
    """From standard input with --password-stdin (scripts), else asked twice without echo."""
    import getpass

    from fittrack.errors import BadInputError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass("Again: ") != first:
        raise BadInputError("the password", "was not typed the same twice", "run the command again")
    return first


def _cmd_user(args: argparse.Namespace) -> int:
    from fittrack.accounts.users import add_user, change_password, user_names
    from fittrack.history.database import upgrade_schema
    from fittrack.jobs.accounts import remove_user
    from fittrack.storage.store import open_store

    settings = get_settings()
    url = settings.resolved_database_url()
    upgrade_schema(url)
    if args.action == "list":
        print("\n".join(user_names(url)) or "no accounts")  # the command's output, not a log line
    elif args.action == "add":
        account = add_user(url, args.name, _password(args, f"Password for {args.name}"))
        log.info("added the account %s", account.name)
    elif args.action == "passwd":
        change_password(url, args.name, _password(args, f"New password for {args.name}"))
        log.info("changed the password of %s", args.name)
    elif args.action == "remove":
        if not args.yes:
            log.error("removing %s deletes their uploads, results, labels and workouts: add --yes", args.name)
            return 2
        removed = remove_user(url, open_store(settings), args.name)
        log.info("removed %s and their %d uploads", args.name, removed)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("webapp", help="start the Streamlit webapp (jobs go to the workers)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="address to listen on (default all)")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start a local worker in the embedded mode (one runs elsewhere)")
    parser.set_defaults(handler=_cmd_webapp)
    user = commands.add_parser("user", help="the page's accounts: add, passwd, remove, list")
    user.add_argument("action", choices=["add", "passwd", "remove", "list"],
                      help="remove deletes the person's uploads, results, labels and workouts too")
    user.add_argument("name", nargs="?", default="", help="the username")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user.add_argument("--yes", action="store_true", help="confirm `remove`")
    user.set_defaults(handler=_cmd_user)
