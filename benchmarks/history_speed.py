"""The history with 2,000 stored workouts of 5 sets each, on SQLite and on PostgreSQL (issue #30).

Measured in one run: one workout's write (its sets, reps, form cues and
rests in one transaction), the page's data (the four queries and the weekly,
best-set and form-trend tables), the page itself rendered by Streamlit's
AppTest, and `fittrack history` as a whole command. Each figure is printed
against its target as a ratio (below 1 meets it).

    .venv/bin/python benchmarks/history_speed.py [--workouts 2000] [--postgres ADMIN_URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE_TARGET_S = 0.5
WRITE_TARGET_S = 0.020
SETS, REPS_PER_SET = 5, 8


def workouts(count: int):
    """`count` workouts over a year, five sets each, two form cues per rep (seeded: the same every run)."""
    from tests.history.factories import facts, squat_session

    rng = random.Random(0)
    start = datetime(2025, 11, 24, 7, tzinfo=UTC)  # a year of workouts up to this issue
    for i in range(count):
        label = rng.choice(["squat", "push_up", "deadlift", "pull_up", "hammer_curl"])
        prediction = squat_session(sets=SETS, reps=REPS_PER_SET, faults_per_set=rng.randint(0, 3), label=label)
        when = start + timedelta(hours=i * 365 * 24 / count)
        yield facts(uuid.uuid4().hex, when, prediction, name=f"{label} {when:%Y-%m-%d}.mp4")


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def page_data(url: str) -> None:
    from fittrack.history.reports import load_history

    history = load_history(url)
    history.weekly(), history.best_sets(), history.cue_trend()


def page_render(url: str) -> float:
    """Seconds for Streamlit to run the whole History page script once (AppTest, this process)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from fittrack.settings import get_settings

    os.environ["FITTRACK_DATABASE_URL"] = url
    get_settings.cache_clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "webapp" / "app.py"), default_timeout=60).run()
    at.switch_page("history.py")
    seconds = timed(at.run)
    assert not at.exception and at.metric[0].value == str(ARGS.workouts), at.exception
    return seconds


def command_seconds(url: str) -> float:
    env = os.environ | {"FITTRACK_DATABASE_URL": url}
    return timed(lambda: subprocess.run([sys.executable, "-m", "fittrack", "history"], env=env, check=True,
                                        stdout=subprocess.DEVNULL, cwd=ROOT))


def measure(name: str, url: str) -> None:
    from fittrack.history.database import upgrade_schema
    from fittrack.history.workouts import record_workout

    upgrade_schema(url)
    writes = [timed(lambda f=f: record_workout(url, f)) for f in workouts(ARGS.workouts)]
    writes.sort()
    median_write, p95_write = statistics.median(writes), writes[int(0.95 * len(writes))]
    page_data(url)  # the first read warms the pool
    data = statistics.median(timed(lambda: page_data(url)) for _ in range(5))
    render = statistics.median(page_render(url) for _ in range(3))
    command = statistics.median(command_seconds(url) for _ in range(3))
    print(f"\n{name}: {ARGS.workouts} workouts x {SETS} sets x {REPS_PER_SET} reps, 2 form cues per rep")
    print(f"  one workout written        median {median_write * 1000:6.1f} ms  p95 {p95_write * 1000:6.1f} ms"
          f"   target {WRITE_TARGET_S * 1000:.0f} ms: {median_write / WRITE_TARGET_S:.2f}x")
    print(f"  page data ready            median {data:6.3f} s"
          f"                 target {PAGE_TARGET_S} s: {data / PAGE_TARGET_S:.2f}x")
    print(f"  History page script run    median {render:6.3f} s   (AppTest: queries, tables, 3 charts)")
    print(f"  `fittrack history` command median {command:6.3f} s   (whole process: interpreter start, imports)")


def postgres_database(admin_url: str):
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"fittrack_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    from sqlalchemy import text

    from fittrack.history.database import engine_for

    with tempfile.TemporaryDirectory(prefix="fittrack-history-bench-") as folder:
        measure("SQLite (embedded)", f"sqlite:///{folder}/history.sqlite")
    admin, name, url = postgres_database(ARGS.postgres)
    try:
        measure("PostgreSQL (127.0.0.1)", url)
    finally:
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workouts", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="an admin URL; the benchmark creates and drops a database of its own")
    ARGS = parser.parse_args()
    main()
