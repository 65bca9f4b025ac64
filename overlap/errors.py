"""Errors a user can cause, kept apart from bugs.

``OverlapError`` and its children are for data and environment problems: the
CLI prints them as one line and exits non-zero, never with a traceback.
Misuse of the Python API (wrong types, impossible arguments) raises plain
``ValueError``/``TypeError`` instead, because that is a programming error.
"""

from __future__ import annotations


class OverlapError(Exception):
    """Base class for problems with the user's data or environment.

    >>> from overlap import read_documents
    >>> try:
    ...     list(read_documents(["no-such-file.jsonl"]))
    ... except OverlapError as exc:
    ...     print(exc)
    no-such-file.jsonl: cannot read: No such file or directory
    """


class InputError(OverlapError):
    """A problem in an input file, located by path and (1-based) line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # survive pickling across worker processes
        return (type(self), (self.path, self.line, self.message))


class ConfigError(OverlapError):
    """Parameters that cannot work together, or a bad configuration file."""


class IndexStateError(OverlapError):
    """A persistent index that cannot be used as asked (other settings, corrupt, unreachable)."""
