"""`fittrack webapp`: runs the Streamlit page with the settings' upload limit."""

from __future__ import annotations

import argparse
import os
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
            "--client.showErrorDetails=false"]  # errors go to the log, never to the page


def _cmd_webapp(args: argparse.Namespace) -> int:
    os.execv(sys.executable, webapp_command(args.port, args.address))


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("webapp", help="start the Streamlit webapp (jobs go to the workers)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="address to listen on (default all)")
    parser.set_defaults(handler=_cmd_webapp)
