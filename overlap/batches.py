"""A stream cut into bounded lists: how every stage and worker pool is fed.

Stages take plain batches (documents, pairs, prepared texts), and a stream of
any length must reach them, or a pool of worker processes, in pieces of
bounded size without ever being held whole. The scan's stages, the passage
pool and the pre-ingest filter all cut their streams here, so there is one
answer to "what is a batch".
"""

from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator, Sequence, TypeVar

__all__ = ["batched", "Lazy"]

T = TypeVar("T")


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """Consecutive lists of ``n`` items (the last may be shorter), read lazily from ``items``.

    Nothing is read before a batch is asked for, so a producer that waits for
    answers (the filter with ``batch_size=1``) is answered item by item.

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    >>> list(batched([], 3))
    []
    """
    if n < 1:
        raise ValueError("a batch holds at least one item")
    stream = iter(items)
    return iter(lambda: list(islice(stream, n)), [])


class Lazy(Sequence[T]):
    """A read-only sequence whose items are made when asked for, not held: a corpus's documents read
    back from a spill file, its statements from columns.

    Subclasses give ``__len__`` and ``_at(i)`` for ``0 <= i < len``; here
    indices are checked (negative ones count from the end) and a slice is a list.
    """

    def _at(self, i: int) -> T:
        raise NotImplementedError

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self._at(k) for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self._at(int(i) % n)
