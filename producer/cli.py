"""Producer subcommands: upload, enqueue, export and the all-in-one `run`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from fittrack.settings import get_settings

log = logging.getLogger("fittrack.producer")


def _store(args: argparse.Namespace):
    from fittrack.storage.store import S3Store, open_store

    settings = get_settings()
    url = args.store
    if getattr(args, "bucket", None):
        url = f"s3://{args.bucket}/{(args.prefix or '').strip('/')}"
    store = open_store(settings, url)
    if isinstance(store, S3Store) and getattr(args, "create_bucket", False):
        store.ensure_bucket()
    return store


def _cmd_upload(args: argparse.Namespace) -> int:
    from producer.upload import upload_dataset

    report = upload_dataset(Path(args.dataset), _store(args), show_progress=not args.quiet)
    print(f"upload: {report.summary()}")
    return 0


def _cmd_enqueue(args: argparse.Namespace) -> int:
    from producer.enqueue import describe_outcomes, enqueue_videos, follow_jobs
    from workers.app import SENDER_BACKEND_RETRIES, create_app

    app = create_app(get_settings(), SENDER_BACKEND_RETRIES)
    report = enqueue_videos(app, _store(args), force=args.force, retry_failed=args.retry_failed)
    print(f"enqueue: {report.summary()}")
    if args.no_wait or not report.job_ids:
        return 0
    outcomes = follow_jobs(app, report.job_ids, show_progress=not args.quiet)
    print(describe_outcomes(outcomes))
    return 1 if any(o.state == "FAILURE" for o in outcomes) else 0


def _cmd_export(args: argparse.Namespace) -> int:
    from fittrack.pose.collect import EXPORT_COLUMNS, load_rows
    from fittrack.pose.table import write_rows

    if args.sessions:
        from fittrack.jobs.session_logs import session_table

        segments = session_table(_store(args))
        write_rows(segments, args.output)
        print(f"export: {len(segments)} segments of {segments['video_id'].nunique()} videos -> {args.output}")
        return 0
    rows = load_rows(_store(args), None if args.all_columns else EXPORT_COLUMNS, show_progress=not args.quiet)
    write_rows(rows, args.output)
    print(f"export: {len(rows)} rows of {rows['video_id'].nunique()} videos -> {args.output}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from producer.pipeline import run_pipeline

    return run_pipeline(Path(args.dataset), Path(args.out), workers=args.workers, train=not args.no_train)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="store URL (default FITTRACK_STORE_URL, else .fittrack/store)")
    parser.add_argument("--bucket", help="S3 bucket (shorthand for --store s3://BUCKET/PREFIX)")
    parser.add_argument("--prefix", default="", help="key prefix inside the bucket")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def add_commands(commands: argparse._SubParsersAction) -> None:
    upload = commands.add_parser("upload", help="upload a dataset folder (one folder per class) to the store")
    upload.add_argument("dataset", help="folder with one sub-folder of videos per class")
    upload.add_argument("--create-bucket", action="store_true", help="create the S3 bucket if it is missing")
    _store_options(upload)
    upload.set_defaults(handler=_cmd_upload)

    enqueue = commands.add_parser("enqueue", help="send one extraction job per stored video and follow them")
    enqueue.add_argument("--force", action="store_true", help="redo videos that already have rows")
    enqueue.add_argument("--retry-failed", action="store_true", help="send again the videos whose job failed")
    enqueue.add_argument("--no-wait", action="store_true", help="only send the jobs")
    _store_options(enqueue)
    enqueue.set_defaults(handler=_cmd_enqueue)

    export = commands.add_parser("export", help="all angle rows in the store as one CSV or Parquet file")
    export.add_argument("output", help="rows.csv or rows.parquet")
    export.add_argument("--all-columns", action="store_true", help="include landmarks and visibility")
    export.add_argument("--sessions", action="store_true",
                        help="the session logs (sets, other movement, rest; `fittrack segment`) instead of the rows")
    _store_options(export)
    export.set_defaults(handler=_cmd_export)

    run = commands.add_parser("run", help="the whole pipeline on a dataset folder: upload, extract, export, train")
    run.add_argument("dataset", help="folder with one sub-folder of videos per class (Kaggle layout)")
    run.add_argument("--out", default="out", help="folder for angles.csv, the model and its report")
    run.add_argument("--workers", type=int, default=None,
                     help="worker processes to start here (default: one per core; 0 = use running workers)")
    run.add_argument("--no-train", action="store_true", help="stop after extraction and export")
    run.set_defaults(handler=_cmd_run)
