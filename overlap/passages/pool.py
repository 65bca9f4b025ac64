"""Worker processes that map a function over items and give results back in input order.

Aligning passages is CPU-bound Python and numpy, so it scales over
processes, not threads. Two things every caller would otherwise get wrong
live here once: how the processes are started, and how a stream of any
length is fed to them without holding it all in memory.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.pool import Pool
from typing import Any, Callable, Iterable, Iterator, TypeVar

__all__ = ["worker_pool", "batched"]

T = TypeVar("T")


def worker_pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> Pool:
    """A pool of ``workers`` processes, each set up once by ``initializer(*initargs)``.

    Never started by "fork": a process that already runs threads
    (onnxruntime's pool, a BLAS pool) forks children that can wait forever
    on a lock some other thread held at the fork. A fork server starts
    workers from a clean single-threaded process ("spawn" where there is none).
    Use it as a context manager, which stops the workers on the way out.
    """
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ctx.Pool(workers, initializer=initializer, initargs=initargs)


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """Consecutive lists of ``n`` items (the last may be shorter), so a stream reaches a pool in bounded pieces.

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch
