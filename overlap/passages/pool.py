"""Worker processes that map a function over items and give results back in input order.

Aligning passages is CPU-bound Python and numpy, so it scales over
processes, not threads. Two things every caller would otherwise get wrong
live here once: how the processes are started (here), and how a stream of any
length is fed to them without holding it all in memory (:func:`overlap.batches.batched`).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.pool import Pool
from typing import Any, Callable

__all__ = ["worker_pool"]


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
