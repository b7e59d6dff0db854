"""Signed-in browsers: a random token per sign-in, kept by the browser, known to the database only as a hash.

A session ends at sign-out, when it expires (`FITTRACK_SESSION_HOURS`), or
when its user is removed; each page run checks it again, so a signed-out or
expired browser cannot even poll a job.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from fittrack.history.database import session
from fittrack.history.schema import SignInSession, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(url: str, user_id: str, hours: float) -> str:
    """A new session for `user_id`; returns the token the browser keeps (the database keeps its hash)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with session(url) as db:
        db.execute(delete(SignInSession).where(SignInSession.expires_at < now))  # tidy as we go
        db.add(SignInSession(token_sha256=_digest(token), user_id=user_id, created_at=now,
                             expires_at=now + timedelta(hours=hours)))
    return token


def session_user(url: str, token: str | None) -> User | None:
    """The user a live session belongs to; None for no token, an unknown one or an expired one."""
    if not isinstance(token, str) or not token or len(token) > 128:
        return None
    with session(url) as db:
        row = db.execute(select(User, SignInSession.expires_at).join(SignInSession, SignInSession.user_id == User.id)
                         .where(SignInSession.token_sha256 == _digest(token))).first()
    if row is None:
        return None
    user, expires_at = row
    expires_at = expires_at.replace(tzinfo=UTC) if expires_at.tzinfo is None else expires_at
    return user if expires_at > datetime.now(UTC) else None


def end_session(url: str, token: str | None) -> None:
    if token:
        with session(url) as db:
            db.execute(delete(SignInSession).where(SignInSession.token_sha256 == _digest(token)))
