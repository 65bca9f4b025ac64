"""Engines: where the scan's pure stage functions run (this process, all cores, a Dask cluster).

The driver (:mod:`overlap.pipeline.driver`) expresses every costly stage as
one primitive, :meth:`Engine.map`: a pure function over batches, with the
settings every batch shares, results given back in input order. The other
shapes of work are built from it where the data lives:

* *group by key* (the LSH band shuffle): a map over band partitions of the
  bucket keys (:meth:`overlap.minhash.lsh.CandidateIndex.pairs`), each band
  grouped where it runs, the pairs merged on the driver;
* *join pairs with the data they need*: the driver reads the shingle sets or
  prepared texts of a batch of candidate pairs from its spill file and maps
  over the joined batches;
* *collect*: the verified links and matches come back to the driver, which
  clusters them and writes the outputs.

Because results come back in input order and the stages are pure, a scan
writes the same bytes on every engine (``tests/test_engine.py``).

* :class:`InProcess`: today's one-process scan, the default;
* :class:`overlap.engine.cluster.DaskEngine`: a Dask ``distributed`` client,
  on a :class:`~distributed.LocalCluster` of worker processes
  (``workers=N``) or on a running scheduler (``scheduler="tcp://host:8786"``).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

__all__ = ["Engine", "InProcess", "Auto", "AUTO_MIN_DOCUMENTS", "open_engine", "resolve_workers"]

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs pure batch functions; the driver owns order, progress and where data waits."""

    #: Processes that run tasks (1 for :class:`InProcess`); a hint for how finely to cut work.
    workers: int

    def map(self, fn: Callable[..., R], items: Iterable[T], *shared: Any) -> Iterator[R]:
        """``fn(item, *shared)`` for every item, yielded in the order of ``items``.

        ``items`` may be a lazy stream: only a bounded number of items is in
        flight at once, so a long input never sits in memory whole. ``shared``
        (settings, a boilerplate set) is sent to each worker once per call.
        Stopping the iteration early cancels what is still in flight.
        """
        ...

    def close(self) -> None:
        """Stop what this engine started (a local cluster's processes); a no-op for the others."""
        ...


class InProcess:
    """Runs each batch in this process, when the driver asks for it: the scan as it always ran.

    >>> list(InProcess().map(divmod, [7, 9], 4))
    [(1, 3), (2, 1)]
    """

    workers = 1

    def map(self, fn: Callable[..., R], items: Iterable[T], *shared: Any) -> Iterator[R]:
        for item in items:
            yield fn(item, *shared)

    def close(self) -> None:
        pass

    def __enter__(self) -> "InProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: ``workers="auto"`` starts a local cluster only for a scan of at least this many documents, on a machine of at
#: least two cores: below, starting the cluster and sending the texts are a large share of the scan. A guess, not
#: yet measured (README, "Every core, or a Dask cluster": on BBC News' 2,225 articles two workers gave 1.00-1.58x).
AUTO_MIN_DOCUMENTS = 5_000


class Auto:
    """``workers="auto"``: this process until the scan knows its corpus is large, then one worker per core.

    A scan's documents are a stream, so their number is known only once
    they are read; reading is a small share of a scan's cost. The driver
    calls :meth:`grow` after the read stage, and every later stage runs on
    the local cluster started then (if any); every engine gives the same
    result, so the switch changes nothing but speed.

    >>> engine = Auto()
    >>> engine.grow(10)  # a small corpus stays in this process
    >>> type(engine.inner).__name__, list(engine.map(abs, [-1]))
    ('InProcess', [1])
    """

    def __init__(self, timeout: float = 10.0) -> None:
        self.inner: Engine = InProcess()
        self.timeout = timeout

    @property
    def workers(self) -> int:
        return self.inner.workers

    def grow(self, documents: int) -> None:
        """Start the local cluster if ``documents`` reach :data:`AUTO_MIN_DOCUMENTS` and there are cores for it."""
        cores = resolve_workers("auto")
        if isinstance(self.inner, InProcess) and documents >= AUTO_MIN_DOCUMENTS and cores >= 2:
            from .cluster import DaskEngine

            self.inner = DaskEngine.local(cores, timeout=self.timeout)

    def map(self, fn: Callable[..., R], items: Iterable[T], *shared: Any) -> Iterator[R]:
        return self.inner.map(fn, items, *shared)

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> "Auto":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def open_engine(workers: int | str | None = None, scheduler: str | None = None, *,
                timeout: float = 10.0, fingerprint: Callable[[], dict[str, str]] | None = None) -> "Engine":
    """The engine for a choice of ``workers`` (a local cluster) or ``scheduler`` (a running one), else in-process.

    ``workers=N`` starts a Dask ``LocalCluster`` of N single-threaded
    worker processes, stopped by the engine's ``close()``; ``"auto"`` is
    :class:`Auto` (one worker per core, for a large corpus only); ``scheduler="tcp://host:8786"`` connects to a
    running cluster (whose workers must have overlap installed). Needs the
    ``dask`` extra. ``timeout`` bounds connecting and waiting for a first
    worker, so an unreachable scheduler is an error, never a hang.
    ``fingerprint`` (a module-level function, e.g.
    :func:`overlap.pipeline.driver.fingerprint`) is run in this process and
    on every worker of a running cluster: a worker that answers otherwise
    (another overlap, another model) or cannot run it is refused.

    Raises:
        OverlapError: Dask is not installed, the scheduler cannot be reached
            or has no workers, its workers differ from this process, or the
            cluster cannot start.
        ValueError: both ``workers`` and ``scheduler`` given.

    >>> with open_engine() as engine:
    ...     list(engine.map(abs, [-1, 2]))
    [1, 2]
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give workers (a local cluster) or scheduler (a running one), not both")
    if workers is None and scheduler is None:
        return InProcess()
    from .cluster import DaskEngine

    if scheduler is not None:
        return DaskEngine.connect(scheduler, timeout=timeout, fingerprint=fingerprint)
    if workers == "auto":
        return Auto(timeout)
    return DaskEngine.local(resolve_workers(workers), timeout=timeout)  # type: ignore[arg-type]
