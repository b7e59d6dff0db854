"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile).

A memory-hard hash makes a stolen database expensive to guess through.
`verify` spends the same work on a name that has no account (against a
hash of a random password), so the time of an answer does not tell whether
an account exists.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from fittrack.errors import BadInputError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # hashing is deliberately slow; an unbounded password would be a way to tie up the page

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    """A password too short or too long is refused in one line that never repeats it."""
    if len(password) < MIN_LENGTH:
        raise BadInputError("the password", f"is shorter than {MIN_LENGTH} characters", "choose a longer one")
    if len(password) > MAX_LENGTH:
        raise BadInputError("the password", f"is longer than {MAX_LENGTH} characters", "choose a shorter one")


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash (no such user) the same work is done and False returned."""
    candidate = password[:MAX_LENGTH]
    try:
        matched = _hasher.verify(password_hash or _decoy_hash(), candidate)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None
