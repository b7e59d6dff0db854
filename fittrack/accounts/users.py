"""Accounts and signing in: add, change a password, remove, and the sign-in check with its rate limit.

A wrong password and a name without an account get the same answer after
the same work (fittrack.accounts.passwords.verify). After MAX_FAILURES
failed sign-ins within WINDOW for one name, or from one client, further
attempts are refused until the window has passed, whatever the password.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from fittrack.accounts.passwords import hash_password, verify
from fittrack.errors import BadInputError, FittrackError
from fittrack.history.database import session
from fittrack.history.schema import SignInFailure, SignInSession, User

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # the sixth quick failure is refused
WINDOW = timedelta(minutes=1)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
WRONG = "Wrong username or password."
TOO_MANY = "Too many failed sign-ins: wait a minute, then try again."


class SignInRefused(FittrackError):
    """A sign-in that did not succeed; its message is all a person (or a guesser) learns."""


@dataclass(frozen=True)
class Account:
    id: str
    name: str


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise BadInputError(repr(name)[:80], "is not a username fittrack accepts",
                            "use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit")
    return name


def add_user(url: str, name: str, password: str) -> Account:
    check_name(name)
    hashed = hash_password(password)
    try:
        with session(url) as db:
            if db.scalar(select(User.id).where(func.lower(User.name) == name.lower())) is not None:
                raise BadInputError(name, "already has an account", "choose another name, or `fittrack user passwd`")
            user = User(id=uuid.uuid4().hex, name=name, password_hash=hashed, created_at=datetime.now(UTC))
            db.add(user)
            return Account(user.id, user.name)
    except IntegrityError:
        raise BadInputError(name, "already has an account", "choose another name") from None


def find_user(url: str, name: str) -> Account | None:
    with session(url) as db:
        user = db.scalar(select(User).where(func.lower(User.name) == name.lower()))
        return Account(user.id, user.name) if user else None


def any_user(url: str) -> bool:
    with session(url) as db:
        return db.scalar(select(User.id).limit(1)) is not None


def change_password(url: str, name: str, password: str) -> None:
    hashed = hash_password(password)
    with session(url) as db:
        user = db.scalar(select(User).where(func.lower(User.name) == name.lower()))
        if user is None:
            raise BadInputError(name, "has no account", "see the names with `fittrack user list`")
        user.password_hash = hashed
        db.execute(delete(SignInSession).where(SignInSession.user_id == user.id))  # a new password signs all out


def delete_user(url: str, user_id: str) -> None:
    """The account row; its sessions and workouts go with it (ON DELETE CASCADE). The store is the caller's."""
    with session(url) as db:
        user = db.get(User, user_id)
        if user is not None:
            db.delete(user)


def user_names(url: str) -> list[str]:
    with session(url) as db:
        return list(db.scalars(select(User.name).order_by(User.name)))


def sign_in(url: str, name: str, password: str, client: str) -> Account:
    """The account for a right name and password; SignInRefused (one message for every wrong case) otherwise."""
    key, client = name.strip().lower()[:64], (client or "unknown")[:64]
    now = datetime.now(UTC)
    with session(url) as db:
        db.execute(delete(SignInFailure).where(SignInFailure.at < now - WINDOW))
        by_name = db.scalar(select(func.count()).select_from(SignInFailure).where(
            SignInFailure.at >= now - WINDOW, SignInFailure.name == key))
        by_client = db.scalar(select(func.count()).select_from(SignInFailure).where(
            SignInFailure.at >= now - WINDOW, SignInFailure.client == client))
        user = db.scalar(select(User).where(func.lower(User.name) == key))
    if max(by_name or 0, by_client or 0) >= MAX_FAILURES:
        log.warning("sign-in refused: too many failures for this name or client")
        raise SignInRefused(TOO_MANY)
    if verify(user.password_hash if user else None, password) and user is not None:
        return Account(user.id, user.name)
    with session(url) as db:
        db.add(SignInFailure(name=key, client=client, at=now))
    log.info("failed sign-in (%s)", "known name" if user else "unknown name")
    raise SignInRefused(WRONG)
