"""The history database on SQLite and on the real PostgreSQL: schema, one workout per job, corrections, delete,
and what the history page reads."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from fittrack.errors import DatabaseError, DatabaseUnavailable
from fittrack.history.database import engine_for, head_revision, session, upgrade_schema
from fittrack.history.export import history_lines, sets_table
from fittrack.history.reports import load_history
from fittrack.history.schema import Rep, RepCue, Rest, Workout, WorkoutSet
from fittrack.history.workouts import delete_workout, record_workout, replace_answer, set_recorded_at

from ..services import ROOT
from .factories import NAMED_BY_PERSON, facts, squat_session

MONDAY = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
NEXT_WEEK = datetime(2026, 12, 8, 7, 30, tzinfo=UTC)


def counts(url: str) -> dict[str, int]:
    with session(url) as db:
        return {table.__tablename__: db.scalar(select(func.count()).select_from(table))
                for table in (Workout, WorkoutSet, Rep, RepCue, Rest)}


def test_a_workout_is_written_with_its_sets_reps_cues_and_rests(database_url):
    record_workout(database_url, facts("u1", MONDAY, squat_session(sets=2, reps=3)))
    assert counts(database_url) == {"workouts": 1, "sets": 2, "reps": 6, "rep_cues": 12, "rests": 2}
    with session(database_url) as db:
        workout = db.scalar(select(Workout))
        assert (workout.exercise, workout.upload_id, workout.name) == ("squat", "u1", "u1.mp4")
        assert [(s.position, s.exercise, s.reps, s.start_s) for s in workout.sets] == [(1, "squat", 3, 0.0),
                                                                                     (2, "squat", 3, 20.0)]
        assert [len(s.rep_rows) for s in workout.sets] == [3, 3], "each rep in the set its middle falls in"


def test_the_same_job_twice_leaves_one_workout(database_url):
    first = record_workout(database_url, facts("u1", MONDAY))
    second = record_workout(database_url, facts("u1", MONDAY))
    assert first == second
    assert counts(database_url)["workouts"] == 1 and counts(database_url)["sets"] == 2


def test_a_correction_replaces_the_sets_and_keeps_an_edited_date(database_url):
    record_workout(database_url, facts("u1", MONDAY))
    set_recorded_at(database_url, "u1", NEXT_WEEK)
    replace_answer(database_url, facts("u1", MONDAY, squat_session(sets=1, reps=5, named_by=NAMED_BY_PERSON,
                                                                   label="push_up")))
    history = load_history(database_url)
    assert history.workouts["recorded_at"].tolist() == [NEXT_WEEK]
    assert history.workouts["recorded_from"].tolist() == ["person"]
    assert history.sets[["exercise", "reps", "named_by"]].values.tolist() == [["push_up", 5, "person"]]
    assert counts(database_url) == {"workouts": 1, "sets": 1, "reps": 5, "rep_cues": 10, "rests": 1}


def test_deleting_a_workout_leaves_no_row_of_it(database_url):
    record_workout(database_url, facts("u1", MONDAY))
    record_workout(database_url, facts("u2", MONDAY))
    assert delete_workout(database_url, "u1") is True
    assert delete_workout(database_url, "u1") is False
    assert counts(database_url) == {"workouts": 1, "sets": 2, "reps": 6, "rep_cues": 12, "rests": 2}
    delete_workout(database_url, "u2")
    assert set(counts(database_url).values()) == {0}


def test_weekly_totals_best_sets_and_form_trend(database_url):
    record_workout(database_url, facts("mon", MONDAY, squat_session(sets=2, reps=4, faults_per_set=2)))
    record_workout(database_url, facts("tue", datetime(2026, 12, 1, 6, tzinfo=UTC), squat_session(sets=1, reps=3,
                                                                                     faults_per_set=0)))
    record_workout(database_url, facts("next", NEXT_WEEK, squat_session(sets=1, reps=6, faults_per_set=1)))
    history = load_history(database_url)
    assert history.workouts["upload_id"].tolist() == ["next", "tue", "mon"], "newest first"
    weekly = history.weekly().sort_values("week")
    assert weekly["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-30", "2026-12-07"]
    assert weekly[["sets", "reps"]].values.tolist() == [[3, 11], [1, 6]]
    best = history.best_sets()
    assert best[["exercise", "reps", "name"]].values.tolist() == [["squat", 6, "next.mp4"]]
    depth = history.cue_trend().query("cue == 'depth'").sort_values("week")
    assert depth["judged"].tolist() == [11, 6]
    assert depth["faults"].tolist() == [4, 1]
    assert "knees_in" not in set(history.cue_trend()["cue"]), "a cue never judged has no share"


def test_weeks_follow_the_persons_time_zone(database_url):
    late_sunday = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # already Monday 00:30 in Berlin
    record_workout(database_url, facts("late", late_sunday))
    in_utc, in_berlin = load_history(database_url), load_history(database_url, "Europe/Berlin")
    assert in_utc.weekly()["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-30"]
    assert in_berlin.weekly()["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-12-07"]
    assert f"{in_berlin.workouts['recorded_at'][0]:%Y-%m-%d %H:%M %Z}" == "2026-12-07 00:30 CET"


def test_history_export_has_one_row_per_set_and_the_lines_say_each_workout(database_url, tmp_path):
    record_workout(database_url, facts("u1", MONDAY))
    record_workout(database_url, replace(facts("u2", NEXT_WEEK), prediction=None, name="walk.mp4"))
    table = sets_table(load_history(database_url))
    assert table["workout"].tolist() == ["walk.mp4", "u1.mp4", "u1.mp4"]
    assert table["set"].isna().tolist() == [True, False, False]
    lines = history_lines(load_history(database_url))
    assert lines[0].startswith("2026-12-08 07:30 UTC  walk.mp4") and "0 sets" in lines[0]
    assert any("set 2: squat" in line and "3 reps" in line for line in lines)


def test_fittrack_history_prints_and_exports(database_url, tmp_path):
    record_workout(database_url, facts("u1", MONDAY))
    env = {"FITTRACK_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-m", "fittrack", "history"], env=env, capture_output=True, text=True,
                           check=True, timeout=120)
    assert "u1.mp4" in shown.stdout and "Per week (from Monday):" in shown.stdout
    assert "2026-11-30 18:00 UTC" in shown.stdout
    zoned = subprocess.run([sys.executable, "-m", "fittrack", "history", "--timezone", "Asia/Tokyo"], env=env,
                           capture_output=True, text=True, check=True, timeout=120)
    assert "2026-12-01 03:00 JST" in zoned.stdout
    refused = subprocess.run([sys.executable, "-m", "fittrack", "history", "--timezone", "Mars/Olympus"], env=env,
                             capture_output=True, text=True, check=False, timeout=120)
    assert refused.returncode == 2 and "'Mars/Olympus' is not a time zone" in refused.stderr
    subprocess.run([sys.executable, "-m", "fittrack", "history", "--csv", str(tmp_path / "h.csv")], env=env,
                   check=True, timeout=120, capture_output=True)
    assert (tmp_path / "h.csv").read_text().splitlines()[0].startswith("recorded_at,workout,upload_id,set")


def test_migrating_twice_is_a_no_op_and_processes_starting_together_agree(database_url):
    code = ("import sys; from fittrack.history.database import upgrade_schema; "
            "print(upgrade_schema(sys.argv[1]))")
    starts = [subprocess.Popen([sys.executable, "-c", code, database_url], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(3)]
    done = [process.communicate(timeout=120) for process in starts]
    assert [process.returncode for process in starts] == [0, 0, 0], [err[-500:] for _, err in done]
    assert {out.strip() for out, _ in done} == {head_revision()}
    record_workout(database_url, facts("u1", MONDAY))
    assert upgrade_schema(database_url) == head_revision()
    assert counts(database_url)["workouts"] == 1, "a second migration keeps what is there"


def test_a_database_newer_than_the_code_is_refused_in_one_line(database_url):
    upgrade_schema(database_url)
    with engine_for(database_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    with pytest.raises(DatabaseError) as refused:
        upgrade_schema(database_url)
    message = str(refused.value)
    assert "0099_from_the_future" in message and "newer than this fittrack knows" in message
    assert "\n" not in message


def test_an_unreachable_database_is_one_line_naming_it_without_its_password():
    url = "postgresql+psycopg://fit:s3cret-pw@127.0.0.1:1/history"
    with pytest.raises(DatabaseUnavailable) as failed:
        record_workout(url, facts("u1", MONDAY))
    message = str(failed.value)
    assert "127.0.0.1:1/history" in message and "s3cret-pw" not in message and "\n" not in message
