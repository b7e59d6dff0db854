"""Accounts on SQLite and the real PostgreSQL: hashes, one answer for every failed sign-in, the rate limit,
sessions that end."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from fittrack.accounts.sessions import end_session, session_user, start_session
from fittrack.accounts.users import (
    MAX_FAILURES,
    TOO_MANY,
    WRONG,
    SignInRefused,
    add_user,
    change_password,
    delete_user,
    sign_in,
)
from fittrack.errors import BadInputError
from fittrack.history.database import session
from fittrack.history.schema import SignInSession, User

PASSWORD = "correct horse battery"


def refusal(url: str, name: str, password: str, client: str = "10.0.0.1") -> str:
    with pytest.raises(SignInRefused) as refused:
        sign_in(url, name, password, client)
    return str(refused.value)


def test_only_an_argon2id_hash_is_stored(database_url):
    add_user(database_url, "ana", PASSWORD)
    with session(database_url) as db:
        stored = db.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_names_are_unique_whatever_their_case_and_checked(database_url):
    add_user(database_url, "Ana", PASSWORD)
    with pytest.raises(BadInputError, match="already has an account"):
        add_user(database_url, "ana", PASSWORD)
    with pytest.raises(BadInputError, match="is not a username"):
        add_user(database_url, "../ana", PASSWORD)
    with pytest.raises(BadInputError, match="shorter than 8") as short:
        add_user(database_url, "bo", "seven77")
    assert "seven77" not in str(short.value), "a refused password is never repeated"


def test_a_wrong_password_and_an_unknown_name_get_one_answer_after_the_same_work(database_url):
    add_user(database_url, "ana", PASSWORD)
    assert sign_in(database_url, "ANA", PASSWORD, "10.0.0.1").name == "ana"

    def seconds(name: str) -> float:
        started = time.perf_counter()
        assert refusal(database_url, name, "not her password", client=name) == WRONG
        return time.perf_counter() - started

    wrong = statistics.median(seconds("ana") for _ in range(3))
    unknown = statistics.median(seconds("nobody") for _ in range(3))
    # Without the decoy hash an unknown name would answer some 50 times faster than a wrong password.
    assert unknown > 0.4 * wrong, (unknown, wrong)


def test_the_sixth_quick_failure_is_refused_even_with_the_right_password(database_url):
    add_user(database_url, "ana", PASSWORD)
    for _ in range(MAX_FAILURES):
        assert refusal(database_url, "ana", "guess", client="10.0.0.2") == WRONG
    assert refusal(database_url, "ana", PASSWORD, client="10.0.0.3") == TOO_MANY, "per name, from any client"


def test_one_client_guessing_many_names_is_refused_too(database_url):
    add_user(database_url, "ana", PASSWORD)
    for i in range(MAX_FAILURES):
        refusal(database_url, f"name{i}", "guess", client="10.9.9.9")
    assert refusal(database_url, "ana", PASSWORD, client="10.9.9.9") == TOO_MANY
    assert sign_in(database_url, "ana", PASSWORD, "10.0.0.4").name == "ana", "another client still signs in"


def test_sessions_end_at_sign_out_expiry_password_change_and_removal(database_url):
    ana = add_user(database_url, "ana", PASSWORD)
    token = start_session(database_url, ana.id, hours=1)
    assert session_user(database_url, token).name == "ana"
    with session(database_url) as db:
        assert token not in {row.token_sha256 for row in db.scalars(select(SignInSession))}, "only its hash"
    end_session(database_url, token)
    assert session_user(database_url, token) is None
    assert session_user(database_url, start_session(database_url, ana.id, hours=-1)) is None, "expired"
    assert session_user(database_url, "made-up") is None and session_user(database_url, None) is None
    before = start_session(database_url, ana.id, hours=1)
    change_password(database_url, "ana", "a new long password")
    assert session_user(database_url, before) is None, "a new password signs every browser out"
    assert sign_in(database_url, "ana", "a new long password", "10.0.0.5").id == ana.id
    live = start_session(database_url, ana.id, hours=1)
    delete_user(database_url, ana.id)
    assert session_user(database_url, live) is None
