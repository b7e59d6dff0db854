"""Errors a user can act on: each names the file, the problem and what to do."""

from __future__ import annotations


class FittrackError(Exception):
    """Base class: a failure explained to the user, never a bare traceback."""


class BadInputError(FittrackError):
    """The input itself is wrong; retrying the same bytes will fail again."""

    def __init__(self, source: str, problem: str, hint: str = "") -> None:
        # args are exactly the constructor's, so Celery's result backend can
        # rebuild the error (it calls cls(*args)) on the producer's side.
        super().__init__(source, problem, hint)
        self.source = source
        self.problem = problem
        self.hint = hint

    def __str__(self) -> str:
        message = f"{self.source}: {self.problem}"
        return f"{message} ({self.hint})" if self.hint else message


class VideoError(BadInputError):
    """A file that cannot be decoded as a video."""


class NoPersonError(BadInputError):
    """A readable video in which the pose model never finds a person."""


class ModelFileError(BadInputError):
    """A `.model` file that is missing, corrupt, of another kind or incompatible."""


class PoseModelError(FittrackError):
    """The bundled pose model is missing or not the file we shipped."""


class StoreError(FittrackError):
    """A store operation failed; permanent unless it is a TransientStoreError."""


class TransientStoreError(StoreError):
    """The store could not be reached or timed out; worth retrying with backoff."""


class StoreKeyMissing(BadInputError):
    """A key the caller expected is not in the store."""


class NoModelError(ModelFileError):
    """No model has been trained into the store yet."""


class DatabaseError(FittrackError):
    """The history database refused or cannot hold what was asked (a schema newer than this code, say)."""


class DatabaseUnavailable(DatabaseError):
    """The history database did not answer; worth retrying with backoff, like an unreachable store."""
