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

import importlib.util
import logging
from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

from ..errors import OverlapError
from .cores import resolve_workers

__all__ = ["Engine", "InProcess", "Auto", "AUTO_MIN_CHARS", "open_engine", "resolve_workers", "dask_installed"]

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs pure batch functions; the driver owns order, progress and where data waits."""

    #: Processes that run tasks (1 for :class:`InProcess`); a hint for how finely to cut work.
    workers: int
    #: Whether this process (the driver) has a core the engine's tasks do not use: then its own work
    #: (between and around a stage's tasks) can overlap them, and independent stages run side by side.
    driver_core: bool

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
    driver_core = False  # the tasks run on the driver's own core

    def map(self, fn: Callable[..., R], items: Iterable[T], *shared: Any) -> Iterator[R]:
        for item in items:
            yield fn(item, *shared)

    def close(self) -> None:
        pass

    def __enter__(self) -> "InProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: ``workers="auto"`` starts a local cluster only for a corpus of at least this many characters of text, on a
#: machine of at least two cores: below, starting the cluster and sending the texts cost more than the second
#: core gives. Characters, not documents, because a scan's cost follows its text (BBC News' 2,225 long articles
#: cost what 5,000 short ones do). Measured, ``bench/engines.py --modes in-process,2``, one run each, 2 cores,
#: 2026-12-03 (wall of two workers against one process): generated Reuters-like corpora of 1.66 M characters
#: (2,000 articles) 0.88x, 4.24 M (5,000) 1.01x, 8.67 M (10,000) 1.20x; BBC News 4.96 M 1.18x; Reuters-21578
#: 15.9 M 1.40x (``/usr/bin/time``, same day). So from 4 M on two workers were never slower, and the gain grows
#: with the corpus (for 25-58% more CPU in all: each worker loads its own models, and batches travel).
AUTO_MIN_CHARS = 4_000_000


class Auto:
    """``workers="auto"``: this process until the scan knows its corpus is large, then one worker per core.

    A scan's documents are a stream, so their size is known only once
    they are read; reading is a small share of a scan's cost. The driver
    calls :meth:`grow` after the read stage, and every later stage runs on
    the local cluster started then (if any); every engine gives the same
    result, so the switch changes nothing but speed.

    >>> engine = Auto()
    >>> engine.grow(10_000)  # a small corpus (characters of text) stays in this process
    >>> type(engine.inner).__name__, list(engine.map(abs, [-1]))
    ('InProcess', [1])
    """

    def __init__(self, timeout: float = 10.0, *, optional: bool = False,
                 on_fallback: Callable[[str], None] | None = None) -> None:
        self.inner: Engine = InProcess()
        self.timeout = timeout
        #: ``optional``: the cluster is a default, not the user's request (``overlap scan`` without
        #: ``--workers``): without the ``dask`` extra the scan stays in this process, and a cluster that
        #: cannot start is one warning (``on_fallback``), not the end of the scan.
        self.optional = optional
        self.on_fallback = on_fallback

    @property
    def workers(self) -> int:
        return self.inner.workers

    @property
    def driver_core(self) -> bool:
        return self.inner.driver_core

    def grow(self, chars: int) -> None:
        """Start the local cluster if the corpus's ``chars`` (characters of text) reach :data:`AUTO_MIN_CHARS`
        and there are cores for it."""
        cores = resolve_workers("auto")
        if not (isinstance(self.inner, InProcess) and chars >= AUTO_MIN_CHARS and cores >= 2):
            return
        if self.optional and not dask_installed():
            return
        from .cluster import DaskEngine

        log.info("%s characters of text: a local cluster of %d workers runs the scan's costly stages", f"{chars:,}", cores)
        try:
            self.inner = DaskEngine.local(cores, timeout=self.timeout)
        except OverlapError as exc:
            if not self.optional:
                raise
            if self.on_fallback is not None:
                self.on_fallback(str(exc))

    def map(self, fn: Callable[..., R], items: Iterable[T], *shared: Any) -> Iterator[R]:
        return self.inner.map(fn, items, *shared)

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> "Auto":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dask_installed() -> bool:
    """Whether the ``dask`` extra (``dask`` and ``distributed``) is installed, without importing it."""
    return all(importlib.util.find_spec(name) is not None for name in ("dask", "distributed"))


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
