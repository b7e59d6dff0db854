"""`fittrack user ...` and the page's refusal to start without an account, as an operator runs them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from fittrack.accounts.users import find_user, sign_in
from fittrack.history.reports import load_history
from fittrack.history.workouts import record_workout
from fittrack.jobs.uploads import store_upload
from fittrack.storage.store import LocalStore

from .history.factories import facts
from .services import ROOT, service_env


def fittrack(home, *args: str, stdin: str = "", **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fittrack", *args], input=stdin, text=True, capture_output=True,
                          env=service_env(settings, home), cwd=ROOT, timeout=120, check=False)


def test_the_page_does_not_start_without_an_account_when_sign_in_is_required(tmp_path):
    refused = fittrack(tmp_path, "webapp", "--no-worker", "--port", "1", FITTRACK_SINGLE_USER="0")
    assert refused.returncode == 2
    assert "has no account yet: add the first with `fittrack user add NAME`" in refused.stderr
    assert "FITTRACK_SINGLE_USER=1" in refused.stderr


def test_add_list_passwd_and_remove_with_everything_of_that_person(tmp_path):
    home, url = tmp_path, f"sqlite:///{tmp_path / 'fittrack.sqlite'}"
    assert fittrack(home, "user", "add", "ana", "--password-stdin", stdin="first-password\n").returncode == 0
    assert fittrack(home, "user", "add", "bo", "--password-stdin", stdin="bo-password-1\n").returncode == 0
    again = fittrack(home, "user", "add", "ANA", "--password-stdin", stdin="other-password\n")
    assert again.returncode == 2 and "already has an account" in again.stderr
    short = fittrack(home, "user", "add", "cy", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "shorter than 8" in short.stderr and "short\n" not in short.stderr
    assert fittrack(home, "user", "list").stdout.split() == ["ana", "bo"]
    assert fittrack(home, "user", "passwd", "ana", "--password-stdin", stdin="second-password\n").returncode == 0
    assert sign_in(url, "ana", "second-password", "cli-test").name == "ana"

    store = LocalStore(home / "store")
    ana, bo = find_user(url, "ana"), find_user(url, "bo")
    mine, _ = store_upload(store, "ana.mp4", b"\x00\x00\x00\x18ftypmp42", None, ana.id)
    theirs, _ = store_upload(store, "bo.mp4", b"\x00\x00\x00\x18ftypmp42", None, bo.id)
    ana_facts, bo_facts = facts(mine, datetime(2026, 12, 1, tzinfo=UTC), owner_id=ana.id, name="ana.mp4"), \
        facts(theirs, datetime(2026, 12, 2, tzinfo=UTC), owner_id=bo.id, name="bo.mp4")
    store.put_bytes(f"results/{mine}/result.json", b"{}")
    store.put_bytes(f"labels/{mine}/video.json", b'{"person_said": "push_up"}')  # what she said of it
    record_workout(url, ana_facts)
    record_workout(url, bo_facts)

    assert "ana.mp4" not in fittrack(home, "history", "--user", "bo").stdout
    assert "bo.mp4" in fittrack(home, "history", "--user", "bo").stdout
    unconfirmed = fittrack(home, "user", "remove", "ana")
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr and find_user(url, "ana")
    assert fittrack(home, "user", "remove", "ana", "--yes").returncode == 0
    assert find_user(url, "ana") is None
    assert [key for key in store.list() if mine in key] == []
    assert load_history(url).workouts["upload_id"].tolist() == [theirs], "bo's workout stays"
    assert store.exists(f"uploads/{theirs}/video")
