"""Keeps the embedded mode's broker folder from growing: queues nobody reads any more are unbound.

Kombu's filesystem transport keeps, per exchange, a table of the queues bound
to it (`control/<exchange>.exchange`), and a fanout message is written once
per bound queue. A queue is never unbound when its reader goes away: Flower's
event queue after Flower exits, a stopped worker's pidbox queue, the reply
queue of every `ping`. Each then gathers a file for every worker heartbeat or
broadcast, forever (measured: docs/reliability.md). A live reader takes its
messages within a polling interval (0.1 s), so a queue whose oldest waiting
message is minutes old has none: the worker removes such a queue from the
fanout tables and deletes its files, every minute.

Seen on 2026-12-02 (kombu 5.x): a reply table left as `[[...]] [...]]`, a
shorter table written over a longer one without truncating, after which
every `inspect` call fails with "Extra data". The table's first JSON value
is the one kombu meant; pruning rewrites the table with it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
from collections import defaultdict
from pathlib import Path

log = logging.getLogger(__name__)

FANOUT_EXCHANGES = ("celeryev", "celery.pidbox", "reply.celery.pidbox")  # never the task queues' own
PRUNE_EVERY_S = 60.0


def waiting_messages(queue_folder: Path) -> dict[str, list[Path]]:
    """Message files per queue name (kombu names them <ms>_<uuid>.<queue>.msg)."""
    messages: dict[str, list[Path]] = defaultdict(list)
    for path in queue_folder.glob("*.msg"):
        messages[path.name.partition(".")[2].removesuffix(".msg")].append(path)
    return messages


def prune_abandoned_queues(broker_folder: Path, older_than_s: float, now: float | None = None) -> list[str]:
    """Unbinds the fanout queues whose oldest message waited over `older_than_s`; returns their names."""
    now = time.time() if now is None else now
    messages = waiting_messages(broker_folder / "queue")

    def abandoned(queue: str) -> bool:
        ages = [now - path.stat().st_mtime for path in messages.get(queue, []) if path.exists()]
        return bool(ages) and max(ages) > older_than_s

    removed: list[str] = []
    for exchange in FANOUT_EXCHANGES:
        table_file = broker_folder / "control" / f"{exchange}.exchange"
        if not table_file.exists():
            continue
        with table_file.open("rb+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # kombu locks the same way while it binds
            try:
                text = handle.read().decode() or "[]"
                table, end = json.JSONDecoder().raw_decode(text)
                keep = [entry for entry in table if not abandoned(entry[2])]
                if len(keep) != len(table) or text[end:].strip():  # also a table with a stale tail (see below)
                    handle.seek(0)
                    handle.write(json.dumps(keep).encode())
                    handle.truncate()
                    removed += [entry[2] for entry in table if entry not in keep]
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    for queue in removed:
        for path in messages.get(queue, []):
            path.unlink(missing_ok=True)
    if removed:
        log.info("unbound %d queues nobody reads (%s)", len(removed), ", ".join(sorted(removed))[:300])
    return removed


def start_pruning(broker_folder: Path, older_than_s: float) -> threading.Thread:
    """A daemon thread that prunes the folder every PRUNE_EVERY_S for as long as the process runs."""

    def loop() -> None:
        while True:
            try:
                prune_abandoned_queues(broker_folder, older_than_s)
            except (OSError, ValueError) as error:  # a file gone mid-scan, a table being written: next time
                log.warning("pruning %s failed: %s", broker_folder, error)
            time.sleep(PRUNE_EVERY_S)

    thread = threading.Thread(target=loop, name="embedded-broker-pruning", daemon=True)
    thread.start()
    return thread
