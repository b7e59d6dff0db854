"""The `fittrack` command: one entry point, a subcommand per step.

The core knows no service: each service package declares its subcommands as
an entry point in the `fittrack.commands` group (pyproject.toml), and this
module adds whatever is installed. Services import their heavy parts inside
their handlers, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from fittrack.errors import FittrackError
from fittrack.logs import configure_logging
from fittrack.settings import get_settings
from fittrack.storage.files import disk_error

log = logging.getLogger("fittrack")

EXIT_BAD_INPUT = 2  # the input, or the place given for an output (a full disk too), cannot be used
EXIT_NO_PERSON = 3


def _cmd_extract(args: argparse.Namespace) -> int:
    from fittrack.errors import NoPersonError
    from fittrack.labels import normalise_label
    from fittrack.logs import frame_progress
    from fittrack.pose.estimator import PoseEstimator
    from fittrack.pose.extract import extract_video
    from fittrack.pose.table import write_rows

    settings = get_settings()
    output = Path(args.output or Path(args.video).with_suffix(".parquet").name)
    sample_fps = settings.sample_fps if args.sample_fps is None else args.sample_fps
    with PoseEstimator.from_settings(settings) as estimator, frame_progress(Path(args.video).name,
                                                                           args.quiet) as progress:
        extraction = extract_video(
            args.video,
            estimator,
            label=normalise_label(args.label) if args.label else None,
            sample_fps=sample_fps,
            visibility_threshold=settings.visibility_threshold,
            on_progress=progress,
        )
    write_rows(extraction.rows, output)
    rows = extraction.rows
    log.info("wrote %d rows (%d with a person) to %s", len(rows), extraction.detected_frames, output)
    try:
        extraction.require_person()
    except NoPersonError as error:
        log.error("%s", error)
        return EXIT_NO_PERSON
    return 0


def _add_extract(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("extract", help="pose landmarks and joint angles of one video")
    parser.add_argument("video", help="video file (mp4, mov, avi, mkv, webm)")
    parser.add_argument("-o", "--output", help="rows.parquet or rows.csv (default: VIDEO_NAME.parquet)")
    parser.add_argument("--label", help="exercise shown in the video, stored with the rows")
    parser.add_argument("--sample-fps", type=float, default=None,
                        help="analyse at most N frames per second (0 = every frame; default from settings)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_cmd_extract)


def _cmd_db(args: argparse.Namespace) -> int:
    from fittrack.history.database import shown, upgrade_schema

    url = get_settings().resolved_database_url()
    revision = upgrade_schema(url)
    log.info("history database %s is at schema %s", shown(url), revision)
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    from fittrack.history.export import history_lines, sets_table
    from fittrack.history.reports import EVERYONE, load_history

    url = get_settings().resolved_database_url()
    owner: str | None = EVERYONE
    if args.user:
        from fittrack.accounts.users import find_user
        from fittrack.errors import BadInputError

        account = find_user(url, args.user)
        if account is None:
            raise BadInputError(args.user, "has no account", "see the names with `fittrack user list`")
        owner = account.id
    history = load_history(url, args.timezone, owner)
    if args.csv:
        sets_table(history).to_csv(args.csv, index=False)
        log.info("wrote %d workouts (%d sets) to %s", len(history.workouts), len(history.sets), args.csv)
        return 0
    print("\n".join(history_lines(history)))  # the command's output itself, not a log line
    return 0


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"{name!r} is not a time zone (use a name like Europe/Berlin)") from None
    return name


def _add_history(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("db", help="the history database: `fittrack db upgrade` brings its schema up to date")
    parser.add_argument("action", choices=["upgrade"], help="upgrade: apply the migrations this fittrack has")
    parser.set_defaults(handler=_cmd_db)
    parser = commands.add_parser("history", help="every analysed workout with its sets, and the weekly totals")
    parser.add_argument("--csv", metavar="FILE", help="write one row per set to FILE instead")
    parser.add_argument("--user", metavar="NAME", help="only this account's workouts (default: everyone's)")
    parser.add_argument("--timezone", default="UTC", type=_timezone,
                        help="show times and weeks in this zone, e.g. Europe/Berlin (default UTC)")
    parser.set_defaults(handler=_cmd_history)


COMMAND_GROUP = "fittrack.commands"


def installed_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """The `add_commands` of every installed service, in the order pyproject.toml declares them."""
    from importlib.metadata import entry_points

    return [entry.load() for entry in entry_points(group=COMMAND_GROUP)]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fittrack", description="Recognise gym exercises from video.")
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default from settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_extract(commands)
    _add_history(commands)
    for add in installed_commands():
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level or get_settings().log_level)
    try:
        return int(args.handler(args) or 0)
    except FittrackError as error:
        log.error("%s", error)
        return EXIT_BAD_INPUT
    except OSError as error:  # a disk or system failure no step above put in its own words
        log.error("%s", disk_error(error.filename or "a file", error))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        log.warning("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
