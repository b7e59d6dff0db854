"""Errors a user can act on: each names the file, the problem and what to do."""

from __future__ import annotations


class FittrackError(Exception):
    """Base class: a failure explained to the user, never a bare traceback."""


class BadInputError(FittrackError):
    """The input itself is wrong; retrying the same bytes will fail again."""

    def __init__(self, source: str, problem: str, hint: str = "") -> None:
        self.source = source
        self.problem = problem
        self.hint = hint
        message = f"{source}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    def __reduce__(self):  # keeps the fields when Celery pickles the error
        return (type(self), (self.source, self.problem, self.hint))


class VideoError(BadInputError):
    """A file that cannot be decoded as a video."""


class NoPersonError(BadInputError):
    """A readable video in which the pose model never finds a person."""


class ModelFileError(BadInputError):
    """A `.model` file that is missing, corrupt, of another kind or incompatible."""


class PoseModelError(FittrackError):
    """The bundled pose model is missing or not the file we shipped."""


class StoreError(FittrackError):
    """A store operation that failed for a reason other than bad input."""


class StoreKeyMissing(StoreError, BadInputError):
    """A key the caller expected is not in the store."""
