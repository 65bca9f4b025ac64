"""The Dask engine: the scan's batch functions as tasks of a ``distributed`` cluster.

The only module that imports ``dask``/``distributed`` (an optional extra:
``pip install 'overlap[dask]'``). A local cluster is N single-threaded worker
processes: the stages are CPU-bound Python and numpy that hold the GIL, so
threads would take turns on one core. Each batch is submitted as a task
(the settings it shares with the others sent to every worker once); results are taken back in input order with
a bounded number in flight, so the driver sees exactly what
:class:`~overlap.engine.InProcess` gives, and a stream of any length never
sits whole in the cluster's memory.

A task carries its batch as bytes pickled once on the driver
(:func:`_call`): the scheduler of a local cluster lives in the driver's
process, and given the objects themselves it unpickled every batch and
pickled it again for the worker, three passes over each batch's thousands
of small objects instead of one (on Reuters-21578 most of the driver's
extra CPU). Dask's record of the last 1,000 messages of each connection
(``distributed.admin.low-level-log-length``, for debugging Dask itself) is
turned off while the engine lives: it kept every batch under 1 MB that the
scheduler had sent, so the driver's memory held the corpus's passage
texts a second time.

A worker that dies mid-task is replaced (a local cluster's nanny restarts
it) and Dask reruns its tasks elsewhere; a worker that hangs (no heartbeat
for ``distributed.scheduler.worker-ttl``, 5 minutes by default: a shorter
one, 8 s, dropped busy workers of a machine at load 14) is dropped and its
tasks rerun the same way; a task that kills ``distributed.scheduler.allowed-failures`` + 1
workers (3 retries by default) stops the scan with one line, as does losing
the scheduler, or a cluster left without any worker for
:attr:`DaskEngine.no_workers_deadline` seconds. A task that loops forever
while its worker stays healthy is not told apart from a long one.
Connecting to a running cluster compares the workers' install with this
process's (:meth:`DaskEngine.connect`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable, Iterable, Iterator, TypeVar

from ..errors import OverlapError
from .cores import resolve_workers

try:
    import dask
    from distributed import Client, LocalCluster, WorkerPlugin
    from distributed.client import FutureCancelledError
    from distributed.comm import connect
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.core import CommClosedError
    from distributed.protocol import pickle as dask_pickle
    from distributed.scheduler import KilledWorker
except ImportError:  # pragma: no cover - exercised without the extra
    Client = None  # type: ignore[assignment,misc]
    WorkerPlugin = object  # type: ignore[assignment,misc]

__all__ = ["DaskEngine"]

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
_POLL = 5.0  # seconds between two looks at the cluster while a result is awaited
_NEEDS_EXTRA = "the Dask engine needs dask and distributed: pip install 'overlap[dask]'"
#: Dask's own debugging logs of recent messages, off: they kept the batches the scheduler sent (module docstring).
_QUIET_LOGS = {"distributed.admin.low-level-log-length": 0}


def _require() -> None:
    if Client is None:  # pragma: no cover - exercised without the extra
        raise OverlapError(_NEEDS_EXTRA)


class DaskEngine:
    """:class:`~overlap.engine.Engine` on a Dask ``distributed`` client.

    Make one with :meth:`local` (starts and owns a ``LocalCluster``) or
    :meth:`connect` (a running scheduler, left running); ``DaskEngine(client)``
    wraps a client you made yourself (``close()`` then leaves it open).
    """

    #: seconds a scan waits for a task while the cluster has no worker before it stops with one line
    no_workers_deadline: float = 60.0

    def __init__(self, client: Any, cluster: Any = None, *, owns_client: bool = False, config: Any = None) -> None:
        _require()
        self._config = config  # the dask.config.set this engine made, undone by close()
        self.client = client
        self.cluster = cluster
        self._owns_client = owns_client or cluster is not None
        self.address = client.scheduler.address if client.scheduler is not None else "?"
        self._interrupted = False
        self._sigint = _note_sigint(self)

    @property
    def workers(self) -> int:
        """Worker threads in the cluster now (a cluster may grow or shrink while a scan runs)."""
        return max(1, sum(self.client.nthreads().values()))

    @property
    def driver_core(self) -> bool:
        """A running cluster's workers are taken to be elsewhere; a local one leaves the driver a core
        only with fewer workers than this machine's cores.

        Measured (Reuters-21578, the passage and paraphrase tiers side by side
        against one after the other, README "Every core, or a Dask cluster"):
        one local worker on two cores 102.6 -> 90.7 s; two workers on two
        cores 71.9 -> 70.3 s idle, but 98.9 -> 125.8 s with other work on the
        machine, where the driver's threads then competed for cores it did not have.
        """
        if self.cluster is None:
            return True
        return len(self.client.nthreads()) < resolve_workers("auto")

    @classmethod
    def local(cls, workers: int, *, timeout: float = 10.0) -> "DaskEngine":
        """Start a ``LocalCluster`` of ``workers`` single-threaded processes on this machine."""
        _require()
        # for the engine's life, not only its start: a worker that replaces a dead one opens a new connection
        config = dask.config.set(_QUIET_LOGS)
        blocked = _hold_sigint()
        try:
            try:
                # the workers' own log lines stay quiet: a task's failure reaches the driver as its
                # future's exception (and one line), and at a Ctrl-C a worker whose heartbeat meets
                # the closing scheduler logs an ERROR with a traceback (seen in CI) that means nothing
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL, timeout=timeout)
            except (OSError, TimeoutError, RuntimeError) as exc:
                raise OverlapError(f"cannot start a local Dask cluster of {workers} workers: {_reason(exc)}") from None
            try:
                client = Client(cluster, set_as_default=False, timeout=timeout)
                client.register_plugin(_IgnoreSigint())  # the workers of this machine's terminal, and their restarts
            except BaseException:
                cluster.close()
                raise
            engine = cls(client, cluster, config=config)
        except BaseException:
            config.__exit__(None, None, None)
            raise
        finally:
            interrupted = _release_sigint(blocked)
        if interrupted:
            engine.close()
            raise KeyboardInterrupt
        return engine

    @classmethod
    def connect(cls, address: str, *, timeout: float = 10.0,
                fingerprint: Callable[[], dict[str, str]] | None = None) -> "DaskEngine":
        """Connect to a running scheduler (``tcp://host:8786``) and wait for a first worker.

        With ``fingerprint``, every worker there must answer it as this
        process does (same overlap, libraries and models): a worker of
        another install would give other results, or fail half-way through
        the scan. Workers that join later are not asked.
        """
        _require()
        _check_address(address)
        try:
            asyncio.run(_probe(address, timeout))
        except (OSError, TimeoutError) as exc:
            raise OverlapError(f"cannot reach the Dask scheduler at {address}: {_reason(exc)}") from None
        except Exception as exc:  # something answered, and not as Dask does
            raise OverlapError(f"no Dask scheduler at {address}: the server there answered "
                               f"something else ({type(exc).__name__})") from None
        try:
            with dask.config.set(_QUIET_LOGS):  # this client's own log (the scheduler's is its owner's business)
                client = Client(address, set_as_default=False, timeout=timeout)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise OverlapError(f"cannot reach the Dask scheduler at {address}: {_reason(exc)}") from None
        try:
            client.wait_for_workers(1, timeout=timeout)
            if fingerprint is not None:
                _same_as_here(client, address, fingerprint)
        except (OSError, TimeoutError) as exc:
            client.close()
            raise OverlapError(f"the Dask scheduler at {address} has no workers "
                               f"(none joined in {timeout:g}s): {_reason(exc)}") from None
        except BaseException:
            client.close()
            raise
        return cls(client, owns_client=True)

    def map(self, fn: Callable[..., R], items: Iterable[T], *shared: Any) -> Iterator[R]:
        """``fn(item, *shared)`` on the cluster, yielded in input order (see :meth:`Engine.map`)."""
        client = self.client
        window: deque[Any] = deque()
        in_flight = 2 * self.workers + 2
        settings = dask_pickle.dumps(shared)
        try:
            for item in items:
                window.append(self._submit(fn, item, settings))
                if len(window) >= in_flight:
                    yield self._result(fn, window.popleft())
                    self._check_interrupt()
            while window:
                yield self._result(fn, window.popleft())
                self._check_interrupt()
        finally:
            if window:
                client.cancel(list(window))

    def _submit(self, fn: Callable[..., R], item: Any, settings: bytes) -> Any:
        try:
            # The batch and the settings go in the task itself, not scattered to workers: the
            # scheduler then holds them and can rerun the task when its worker dies (scattered
            # data dies with the workers that hold it). A batch is a few megabytes at most (the
            # driver bounds it); the settings (parameters, the boilerplate set) are small. Both
            # as pickled bytes, which the scheduler passes on as they are (module docstring).
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1GiB"}):
                return self.client.submit(_call, fn, dask_pickle.dumps(item), settings, pure=False,
                                          key=f"{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex}")
        except (OSError, CommClosedError) as exc:
            raise self._lost(exc) from None

    def _result(self, fn: Callable[..., R], future: Any) -> R:
        """The task's result; a cluster left without workers for :attr:`no_workers_deadline` seconds stops the scan.

        Dask waits for workers forever (a task with nowhere to run is not an
        error), so a running cluster whose workers all left would hang the
        scan: while a result is awaited, the driver asks every few seconds
        whether any worker is left.
        """
        alone_since: float | None = None
        while True:
            self._check_interrupt()
            try:
                return self._wait(fn, future)
            except TimeoutError:
                pass
            try:
                workers = len(self.client.nthreads())
            except (OSError, CommClosedError) as exc:
                raise self._lost(exc) from None
            if workers:
                alone_since = None
                continue
            alone_since = alone_since if alone_since is not None else time.monotonic()
            if time.monotonic() - alone_since >= self.no_workers_deadline:
                raise OverlapError(f"the Dask cluster at {self.address} has had no workers for "
                                   f"{self.no_workers_deadline:g}s while running {getattr(fn, '__name__', fn)}; "
                                   f"the scan stopped")

    def _wait(self, fn: Callable[..., R], future: Any) -> R:
        try:
            return future.result(timeout=min(_POLL, self.no_workers_deadline))
        except KilledWorker as exc:
            raise OverlapError(f"Dask workers kept dying while running {getattr(fn, '__name__', fn)} "
                               f"(out of memory or killed); the scan stopped: {_reason(exc)}") from None
        except (FutureCancelledError, CommClosedError) as exc:
            raise self._lost(exc) from None

    def _check_interrupt(self) -> None:
        """Raise the Ctrl-C that arrived, if Python swallowed its KeyboardInterrupt.

        A signal's exception is raised wherever the main thread is; when that
        is a finaliser (a Dask ``Future.__del__`` releasing a result), Python
        prints "Exception ignored" and carries on, and the scan ran to its end
        and exited 0 (seen in the Ctrl-C test). The handler notes every
        SIGINT, and the engine checks between results.
        """
        if self._interrupted:
            raise KeyboardInterrupt

    def _lost(self, exc: BaseException) -> OverlapError:
        return OverlapError(f"lost the Dask scheduler at {self.address}: {_reason(exc)}")

    def close(self) -> None:
        """Close the client and stop the local cluster's processes, if this engine started them."""
        try:
            if self._owns_client:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            if self._sigint is not None:
                signal.signal(signal.SIGINT, self._sigint)
                self._sigint = None
            if self._config is not None:
                self._config.__exit__(None, None, None)
                self._config = None

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _note_sigint(engine: DaskEngine) -> Any:
    """Have SIGINT noted on ``engine`` before it raises KeyboardInterrupt as usual; the handler it
    replaces (restored by :meth:`DaskEngine.close`), or ``None`` where signals cannot be handled here
    (another thread) or someone else handles SIGINT."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        return None

    def noted(signum: int, frame: Any) -> None:
        engine._interrupted = True
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, noted)
    return previous


def _call(fn: Callable[..., R], item: bytes, settings: bytes) -> R:
    """``fn(item, *settings)`` on a worker, from the bytes the driver pickled (:meth:`DaskEngine._submit`)."""
    return fn(dask_pickle.loads(item), *dask_pickle.loads(settings))


def _same_as_here(client: Any, address: str, fingerprint: Callable[[], dict[str, str]]) -> None:
    """Refuse a cluster whose workers answer ``fingerprint`` otherwise than this process, or cannot run it."""
    here = fingerprint()
    try:
        answers = client.run(fingerprint)
    except Exception as exc:  # a worker without overlap cannot even unpickle the function
        raise OverlapError(f"the Dask workers at {address} cannot run this overlap "
                           f"(is it installed there?): {_reason(exc)}") from None
    for worker, theirs in sorted(answers.items()):
        for key in sorted(set(here) | set(theirs)):
            if here.get(key) != theirs.get(key):
                raise OverlapError(f"the Dask worker {worker} at {address} has {key} {theirs.get(key)!r}, this process "
                                   f"{here.get(key)!r}: driver and workers must run the same overlap and models")


def _check_address(address: str) -> None:
    """Refuse what is not a scheduler address before a client is made of it.

    A ``Client`` given a malformed address fails, and its finaliser then
    waits a minute to close a connection that never was, printing a
    traceback on the way out.
    """
    bad = OverlapError(f"not a Dask scheduler address: {address!r} (expected e.g. tcp://host:8786)")
    if not isinstance(address, str) or not address.strip():
        raise bad
    try:
        scheme, location = parse_address(address.strip())
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
        elif scheme != "inproc":
            raise ValueError(scheme)
    except ValueError:
        raise bad from None


class _IgnoreSigint(WorkerPlugin):
    """Workers ignore SIGINT: Ctrl-C in a terminal reaches the whole process group, and only the
    driver should stop on it, closing the cluster, which stops the workers (a worker that took it
    would die with a traceback mid-task, and Dask would start another)."""

    name = "overlap-ignore-sigint"

    def setup(self, worker: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _hold_sigint() -> bool:
    """Hold SIGINT back in this thread while a local cluster starts; whether it was held.

    A Ctrl-C half-way through ``LocalCluster()`` leaves a cluster that cannot
    be closed cleanly (tracebacks at exit). Held, it is taken once the
    cluster is whole (:func:`_release_sigint`), which then closes it. (A
    Ctrl-C sent to the whole process group in those seconds still reaches
    workers that are importing; from their start on they ignore it.)
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        return False
    return signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_sigint(held: bool) -> bool:
    """Let SIGINT through again; whether one arrived while it was held (then taken, not raised)."""
    if not held:
        return False
    pending = signal.SIGINT in signal.sigpending()
    if pending:
        signal.sigwait({signal.SIGINT})
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    return pending


async def _probe(address: str, timeout: float) -> None:
    """Open and close one connection to ``address``, Dask's handshake included.

    Done before a ``Client`` is made: a client whose start failed cannot be
    closed, and its finaliser waits for that, then prints a traceback, as
    the interpreter exits.
    """
    comm = await connect(address, timeout=timeout)
    await comm.close()


def _reason(exc: BaseException) -> str:
    """An exception as one line: its message, or its type's name when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
