"""workers.embedded_broker: fanout queues nobody reads are unbound; live ones and the task queue are not."""

from __future__ import annotations

import json
import os
from pathlib import Path

from workers.embedded_broker import prune_abandoned_queues

NOW = 1_000_000.0


def _broker(tmp_path: Path, tables: dict[str, list[str]], waiting: dict[str, float]) -> Path:
    """A broker folder with these exchange tables and, per queue, one message of the given age."""
    folder = tmp_path / "broker"
    (folder / "control").mkdir(parents=True)
    (folder / "queue").mkdir()
    for exchange, queues in tables.items():
        (folder / "control" / f"{exchange}.exchange").write_text(json.dumps([["", "", q] for q in queues]))
    for i, (queue, age_s) in enumerate(waiting.items()):
        message = folder / "queue" / f"{i}_abc.{queue}.msg"
        message.write_text("{}")
        os.utime(message, (NOW - age_s, NOW - age_s))
    return folder


def test_a_queue_whose_messages_wait_for_minutes_is_unbound_and_its_files_go(tmp_path):
    folder = _broker(tmp_path, {"celeryev": ["celeryev.flower-gone", "celeryev.flower-live"],
                                "celery.pidbox": ["old-worker.celery.pidbox", "live-worker.celery.pidbox"],
                                "celery": ["celery"]},
                     {"celeryev.flower-gone": 600, "celeryev.flower-live": 0.2, "old-worker.celery.pidbox": 300,
                      "celery": 3600})
    removed = prune_abandoned_queues(folder, older_than_s=120, now=NOW)
    assert sorted(removed) == ["celeryev.flower-gone", "old-worker.celery.pidbox"]
    assert [q for _, _, q in json.loads((folder / "control" / "celeryev.exchange").read_text())] == [
        "celeryev.flower-live"]
    assert [q for _, _, q in json.loads((folder / "control" / "celery.pidbox.exchange").read_text())] == [
        "live-worker.celery.pidbox"], "a queue with nothing waiting is read, or idle: kept"
    left = sorted(p.name.partition(".")[2] for p in (folder / "queue").iterdir())
    assert left == ["celery.msg", "celeryev.flower-live.msg"], "a job waiting an hour is never touched"


def test_nothing_to_prune_changes_nothing(tmp_path):
    folder = _broker(tmp_path, {"celeryev": ["celeryev.a"]}, {"celeryev.a": 5})
    before = (folder / "control" / "celeryev.exchange").read_bytes()
    assert prune_abandoned_queues(folder, older_than_s=120, now=NOW) == []
    assert (folder / "control" / "celeryev.exchange").read_bytes() == before


def test_a_table_with_a_stale_tail_is_rewritten_with_its_first_value(tmp_path):
    folder = _broker(tmp_path, {}, {})
    table = folder / "control" / "reply.celery.pidbox.exchange"
    table.write_text('[["a", "", "a.reply.celery.pidbox"]] ["b", "", "b.reply.celery.pidbox"]]')
    assert prune_abandoned_queues(folder, older_than_s=120, now=NOW) == []
    assert json.loads(table.read_text()) == [["a", "", "a.reply.celery.pidbox"]]
