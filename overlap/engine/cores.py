"""How many cores a scan may use: the one answer every engine asks (:func:`resolve_workers`)."""

from __future__ import annotations

import os

__all__ = ["resolve_workers"]


def resolve_workers(workers: int | str) -> int:
    """``"auto"`` -> the cores this process may use; a positive number as it is.

    >>> resolve_workers(3), resolve_workers("auto") >= 1
    (3, True)
    """
    if workers == "auto":
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            return os.cpu_count() or 1
    n = int(workers)
    if n < 1:
        raise ValueError(f"workers must be at least 1 or 'auto', got {workers!r}")
    return n
