"""The Dask engine on a real ``LocalCluster`` (2 worker processes, one per module): the same bytes as the
in-process scan, a worker killed mid-scan, bad scheduler addresses, and Ctrl-C leaving no process behind."""

from __future__ import annotations

import gc
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import psutil
import pytest
from _textgen import sentences
from click.testing import CliRunner

from overlap import write_scan
from overlap.claims import embed, pair_model
from overlap.cli import main
import overlap.engine as engine_module
from overlap.engine import InProcess, open_engine, resolve_workers
from overlap.engine import cluster as cluster_module
from overlap.engine.cluster import DaskEngine
from overlap.errors import OverlapError
from overlap.model import Document
from overlap.passages import corpus
from overlap.pipeline import driver, scan
from test_stages import every_stage_corpus

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes, started once for the module and stopped after it."""
    with DaskEngine.local(2) as engine:
        yield engine


@pytest.fixture(scope="module")
def in_process(tmp_path_factory) -> dict[str, bytes]:
    """The in-process scan's files of :func:`every_stage_corpus`, the answer every engine must give."""
    return _files(every_stage_corpus(), tmp_path_factory.mktemp("here"))


def _files(docs: list[Document], out: Path, **options) -> dict[str, bytes]:
    with scan(docs, **options) as result:
        write_scan(result, out)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """One document or pair a task: many tasks in flight, finishing in any order."""
    for name, value in (("_BATCH", 1), ("_VERIFY_BATCH", 1), ("_BATCH_CHARS", 100)):
        monkeypatch.setattr(driver, name, value)
    monkeypatch.setattr(corpus, "_PREPARE_BATCH", 2)
    monkeypatch.setattr(corpus, "ALIGN_BATCH", 1)
    monkeypatch.setattr(pair_model, "_PAIRS_PER_TASK", 1)


def test_a_dask_scan_writes_the_same_bytes_as_the_in_process_scan(cluster, in_process, tmp_path, monkeypatch) -> None:
    """...and reports progress per stage as batches come back, counting up to each stage's total (the
    passages and paraphrase tiers run side by side on a cluster, so their events interleave)."""
    _small_batches(monkeypatch)
    if (model := pair_model.load_pair_model()) is not None:
        model._memo.clear()  # the in-process scan's pairs: read again, on the workers
    events: list[tuple[str, int, int | None]] = []
    assert _files(every_stage_corpus(), tmp_path / "dask", engine=cluster,
                  progress=lambda *event: events.append(event)) == in_process
    stages = list(dict.fromkeys(stage for stage, _, _ in events))
    assert stages[:2] == ["read", "signatures"] and {"passages", "paraphrase signals"} <= set(stages)
    for stage in stages:
        mine = [(done, total) for s, done, total in events if s == stage]
        assert [d for d, _ in mine] == sorted(d for d, _ in mine) and mine[-1][0] == mine[-1][1], stage
        assert len(mine) > 2 or stage.startswith("paraphrase"), stage  # one event a batch, not one at the end
    if pair_model.load_pair_model() is not None and embed.load_embedder() is not None:
        # the pair model's check read its pairs on the workers, task by task, and changed no byte
        assert len([e for e in events if e[0] == "paraphrase pair model"]) > 2


def test_scan_on_a_running_scheduler_from_the_command_line_and_the_environment(cluster, tmp_path) -> None:
    """The seeds (every tier, the embedding model on the workers): ``--scheduler`` and
    ``DASK_SCHEDULER_ADDRESS`` give the in-process scan's files, byte for byte."""
    runner = CliRunner()
    outputs = {}
    for name, args, env in (("here", [], {}), ("option", ["--scheduler", cluster.address], {}),
                            ("env", [], {"DASK_SCHEDULER_ADDRESS": cluster.address})):
        result = runner.invoke(main, ["scan", str(ROOT / "seeds"), "-o", str(tmp_path / name), "-q", *args], env=env)
        assert result.exit_code == 0, result.output
        outputs[name] = {p.name: p.read_bytes() for p in sorted((tmp_path / name).iterdir())}
    assert outputs["option"] == outputs["here"] and outputs["env"] == outputs["here"]
    assert json.loads(outputs["here"]["summary.json"])["counts"]["paraphrase_matches"] == 18
    # the workers embedded the statements, each loading the model once for both scans
    loads = cluster.client.run(lambda: embed._embedder_at.cache_info().misses)
    assert set(loads.values()) <= {0, 1} and sum(loads.values()) >= 1, loads


def test_workers_on_the_command_line_beat_a_scheduler_from_the_environment(tmp_path) -> None:
    result = CliRunner().invoke(main, ["scan", str(ROOT / "seeds"), "-o", str(tmp_path), "-q", "--workers", "1",
                                       "--no-paraphrase"], env={"DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:1"})
    assert result.exit_code == 0, result.output


def _no_local_cluster(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the local clusters a scan would start, starting none."""
    started: list[int] = []

    def local(cls, workers, **kw):
        started.append(workers)
        raise OverlapError(f"cannot start a local Dask cluster of {workers} workers: no sockets here")

    monkeypatch.setattr(DaskEngine, "local", classmethod(local))
    return started


def test_a_scheduler_beats_overlap_workers_from_the_environment(cluster, tmp_path, monkeypatch) -> None:
    """``OVERLAP_WORKERS`` is a standing default; ``--scheduler`` (or ``DASK_SCHEDULER_ADDRESS``) is this
    run's choice. (``--workers 1`` from the command line beats the scheduler: the test above.)"""
    started = _no_local_cluster(monkeypatch)
    for env, args in (({"OVERLAP_WORKERS": "3"}, ["--scheduler", cluster.address]),
                      ({"OVERLAP_WORKERS": "3", "DASK_SCHEDULER_ADDRESS": cluster.address}, [])):
        result = CliRunner().invoke(main, ["scan", str(ROOT / "seeds"), "-o", str(tmp_path), "-q", "--no-passages",
                                           "--no-paraphrase", *args], env=env)
        assert result.exit_code == 0, result.output
    assert started == []


def test_the_command_line_uses_every_core_by_default_for_a_large_corpus(tmp_path, monkeypatch) -> None:
    """Without ``--workers`` a large corpus runs on a local cluster of one worker per core (a laptop's user
    should not need to know the option), a small one in this process; ``--workers 0`` and
    ``OVERLAP_WORKERS=0`` keep it here; the files are the same."""
    started = []
    real_local = DaskEngine.local.__func__
    engines = []

    def local(cls, workers, **kw):
        started.append(workers)
        engines.append(real_local(cls, workers, **kw))
        return engines[-1]

    monkeypatch.setattr(DaskEngine, "local", classmethod(local))
    runner = CliRunner()
    seeds = ["scan", str(ROOT / "seeds"), "-q", "--no-paraphrase", "-o"]
    assert runner.invoke(main, [*seeds, str(tmp_path / "small")]).exit_code == 0
    assert started == []  # the seeds are far under AUTO_MIN_CHARS
    monkeypatch.setattr(engine_module, "AUTO_MIN_CHARS", 500)
    for name, args, env in (("zero", ["--workers", "0"], {}), ("env", [], {"OVERLAP_WORKERS": "0"})):
        assert runner.invoke(main, [*seeds, str(tmp_path / name), *args], env=env).exit_code == 0
    assert started == []
    result = runner.invoke(main, [*seeds, str(tmp_path / "large")])
    assert result.exit_code == 0, result.output
    cores = resolve_workers("auto")
    assert started == ([cores] if cores >= 2 else [])
    assert all(e.client.status == "closed" for e in engines)  # stopped with the scan
    files = {name: {p.name: p.read_bytes() for p in sorted((tmp_path / name).iterdir())}
             for name in ("small", "zero", "env", "large")}
    assert files["large"] == files["zero"] == files["env"] == files["small"]


def test_a_default_cluster_that_cannot_start_is_one_warning_and_the_scan_runs_here(tmp_path, monkeypatch) -> None:
    """The default is not the user's request: a cluster that cannot start (no sockets, a sandbox) is one
    warning line and the scan goes on in this process; without the dask extra it stays here silently.
    An explicit ``--workers auto`` that cannot start fails as before."""
    started = _no_local_cluster(monkeypatch)
    monkeypatch.setattr(engine_module, "AUTO_MIN_CHARS", 500)
    args = ["scan", str(ROOT / "seeds"), "--no-paraphrase", "--no-passages", "-o"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    if resolve_workers("auto") >= 2:
        assert started and [line for line in result.stderr.splitlines() if "warning" in line] == [
            f"overlap: warning: cannot start a local Dask cluster of {started[0]} workers: no sockets here; the scan "
            "runs in this process instead (--workers 0 runs it there without trying)"]
        explicit = CliRunner().invoke(main, [*args, str(tmp_path / "b"), "--workers", "auto"])
        assert explicit.exit_code == 1 and "no sockets here" in explicit.stderr
        assert "Traceback" not in explicit.output
    started.clear()
    monkeypatch.setattr(engine_module, "dask_installed", lambda: False)
    result = CliRunner().invoke(main, [*args, str(tmp_path / "c")])
    assert result.exit_code == 0 and started == [] and "warning" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers starts a local cluster and --scheduler"),
    (["--workers", "-1"], "-1 is not in the range 0<=x<=1024"),
    (["--workers", "many"], "'many' is not a number of workers or 'auto'"),
])
def test_engine_options_are_checked_as_usage(args, message, tmp_path) -> None:
    result = CliRunner().invoke(main, ["scan", str(ROOT / "seeds"), "-o", str(tmp_path), *args])
    assert result.exit_code == 2 and message in result.stderr


def _garbage_server() -> tuple[str, threading.Thread]:
    """A TCP server that answers every connection with bytes that are not Dask's handshake."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        conn, _ = server.accept()
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 4)
        conn.close()
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}", thread


def test_a_bad_scheduler_address_is_one_line_and_exit_1(tmp_path) -> None:
    address, thread = _garbage_server()
    for given, message in (("tcp://host", "not a Dask scheduler address: 'tcp://host' (expected e.g. tcp://host:8786)"),
                           (address, f"no Dask scheduler at {address}: the server there answered something else")):
        started = time.monotonic()
        result = CliRunner().invoke(main, ["scan", str(ROOT / "seeds"), "-o", str(tmp_path / "out"), "-q",
                                           "--scheduler", given])
        assert result.exit_code == 1 and result.stderr.startswith(f"overlap: error: {message}"), result.stderr
        assert result.stderr.count("\n") == 1 and time.monotonic() - started < 20
        assert not (tmp_path / "out").exists()
    thread.join(5)


def test_an_unreachable_scheduler_fails_within_the_timeout() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(OverlapError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "):
        open_engine(scheduler=f"tcp://127.0.0.1:{port}", timeout=1)
    assert time.monotonic() - started < 15


def test_an_engine_is_given_or_chosen_not_both(cluster) -> None:
    with pytest.raises(ValueError, match="not both"):
        scan([], engine=InProcess(), workers=2)
    with pytest.raises(ValueError, match="not both"):
        open_engine(workers=2, scheduler=cluster.address)


def test_a_task_that_keeps_killing_its_worker_stops_with_one_line(cluster, monkeypatch) -> None:
    monkeypatch.setattr(cluster.cluster.scheduler, "allowed_failures", 0)  # no retry: one death is enough
    with pytest.raises(OverlapError, match=r"^Dask workers kept dying while running _exit \(out of memory or killed\)"):
        list(cluster.map(os._exit, [3]))
    cluster.client.wait_for_workers(2, timeout=60)


def test_a_worker_killed_mid_scan_is_replaced_and_the_scan_completes(cluster, in_process, tmp_path,
                                                                     monkeypatch) -> None:
    """Dask reruns what the dead worker held (the scheduler holds every batch); the files are the same."""
    docs = every_stage_corpus()
    _small_batches(monkeypatch)
    cluster.client.wait_for_workers(2, timeout=60)
    victim = next(iter(cluster.client.run(os.getpid).values()))
    killed = []

    def kill_once(stage: str, done: int, total: int | None) -> None:
        if stage == "signatures" and not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(stage)

    with scan(docs, engine=cluster, progress=kill_once) as result:
        write_scan(result, tmp_path / "dask")
    assert killed
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / "dask").iterdir())} == in_process
    cluster.client.wait_for_workers(2, timeout=60)


_UNPICKLED_HERE: list[int] = []


def _unpickled(n: int) -> "_Counted":
    _UNPICKLED_HERE.append(os.getpid())
    return _Counted(n)


class _Counted:
    """A batch item that notes every process that unpickles it."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __reduce__(self):
        return _unpickled, (self.n,)


def test_a_batch_is_pickled_once_on_the_driver_and_unpickled_only_on_a_worker(cluster) -> None:
    """A local cluster's scheduler runs in the driver's process: given the batches' objects it unpickled
    every batch and pickled it again for the worker (on Reuters-21578 most of the driver's extra CPU)."""
    _UNPICKLED_HERE.clear()
    assert list(cluster.map(len, ([_Counted(i) for i in range(50)] for _ in range(8)))) == [50] * 8
    assert _UNPICKLED_HERE == []


class _SwallowsCtrlC:
    """A finaliser that is running when Ctrl-C arrives: Python prints "Exception ignored" for the
    KeyboardInterrupt raised inside it and carries on (a Dask ``Future.__del__`` in the real case)."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowed interrupt, on purpose
def test_a_ctrl_c_swallowed_by_a_finaliser_still_stops_the_map(cluster) -> None:
    """Regression: a scan given Ctrl-C while a Future's finaliser ran went on to the end and exited 0."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, however pytest runs
    try:
        engine = DaskEngine(cluster.client)  # this cluster's client, left open by close()

        def items():
            for k in range(40):
                if k == 5:
                    _SwallowsCtrlC()  # made and finalised at once: the interrupt raised inside it is lost
                yield k

        with pytest.raises(KeyboardInterrupt):
            list(engine.map(abs, items()))
        engine.close()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # its handler taken back
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_driver_keeps_nothing_of_a_batch_whose_result_it_took(cluster) -> None:
    """Dask's log of each connection's last 1,000 messages kept every batch under 1 MB the scheduler had
    sent, in the driver's process: on Reuters-21578 the driver's peak memory doubled."""
    batches = [f"{k:06d}" * 40_000 for k in range(30)]  # 240 kB each, 7 MB in all
    list(cluster.map(len, batches[:2]))  # connections and caches warm
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        assert list(cluster.map(len, iter(batches))) == [240_000] * 30
        time.sleep(1)  # the futures' release reaches the scheduler
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 2_000_000, f"the driver still holds {kept / 1e6:.1f} MB after the batches' results came back"


def test_the_passage_texts_are_prepared_in_one_map_per_pass(monkeypatch) -> None:
    """A map a batch of 256 documents kept one worker busy at a time while the driver waited on it."""
    calls: list[str] = []

    class Counting(InProcess):
        def map(self, fn, items, *shared):
            calls.append(fn.__name__)
            return super().map(fn, items, *shared)

    monkeypatch.setattr(corpus, "_PREPARE_BATCH", 2)
    docs = every_stage_corpus()[:9]
    found = list(corpus.reuse_batches(len(docs), lambda i: docs[i].text, lambda i: docs[i].id, engine=Counting()))
    assert calls.count("prepare_batch") == 1  # under 100 documents the common words are not counted: one pass
    assert found == list(corpus.reuse_batches(len(docs), lambda i: docs[i].text, lambda i: docs[i].id))


def test_a_running_cluster_whose_workers_differ_from_this_process_is_refused_with_one_line(cluster) -> None:
    """Driver and workers must run the same overlap and models: compared at connect, before any task."""
    here = os.getpid()
    by_process = lambda: {"overlap": "0.1.0", "embedding model": "here" if os.getpid() == here else "none there"}
    with pytest.raises(OverlapError, match=rf"^the Dask worker tcp://\S+ at {cluster.address} has embedding model "
                                           r"'none there', this process 'here': driver and workers must run the same"):
        DaskEngine.connect(cluster.address, fingerprint=by_process)

    def fails_there() -> dict[str, str]:
        if os.getpid() != here:
            raise ModuleNotFoundError("No module named 'overlap'")
        return {}

    with pytest.raises(OverlapError, match=rf"^the Dask workers at {cluster.address} cannot run this overlap "
                                           r"\(is it installed there\?\): No module named 'overlap'"):
        DaskEngine.connect(cluster.address, fingerprint=fails_there)
    with DaskEngine.connect(cluster.address, fingerprint=driver.fingerprint) as same:  # the real one: same install
        assert list(same.map(abs, [-3])) == [3]


def test_a_running_cluster_whose_workers_all_leave_stops_the_scan_with_one_line(monkeypatch) -> None:
    """Dask would wait for a worker forever: the driver gives up after ``no_workers_deadline`` seconds."""
    from distributed import LocalCluster

    monkeypatch.setattr(cluster_module, "_POLL", 0.2)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as running:
        engine = DaskEngine.connect(running.scheduler_address)
        engine.no_workers_deadline = 1.0
        with engine:
            assert list(engine.map(abs, [-1])) == [1]
            running.scale(0)
            deadline = time.monotonic() + 30
            while engine.client.nthreads() and time.monotonic() < deadline:
                time.sleep(0.1)
            started = time.monotonic()
            with pytest.raises(OverlapError, match=rf"^the Dask cluster at {running.scheduler_address} has had no "
                                                   r"workers for 1s while running abs; the scan stopped$"):
                list(engine.map(abs, [-2, -3]))
            assert time.monotonic() - started < 10


def test_workers_auto_starts_a_cluster_only_for_a_large_corpus(in_process, tmp_path, monkeypatch) -> None:
    """``--workers auto``: the documents are read in this process, then a cluster of one worker per core
    starts if their texts are long (the threshold, in characters, lowered here), for the same files."""
    started = []
    real_local = DaskEngine.local.__func__

    def local(cls, workers, **kw):
        started.append(workers)
        return real_local(cls, workers, **kw)

    monkeypatch.setattr(DaskEngine, "local", classmethod(local))
    assert _files(every_stage_corpus(), tmp_path / "small", workers="auto") == in_process
    assert started == []  # fewer than AUTO_MIN_CHARS: no cluster
    monkeypatch.setattr(engine_module, "AUTO_MIN_CHARS", 500)
    assert _files(every_stage_corpus(), tmp_path / "large", workers="auto") == in_process
    assert started == ([resolve_workers("auto")] if resolve_workers("auto") >= 2 else [])


def _ignoring_sigint(proc: psutil.Process) -> list[psutil.Process]:
    """Children of ``proc`` that ignore SIGINT (bit 1 of SigIgn in /proc/PID/status)."""
    found = []
    try:
        children = proc.children(recursive=True)
    except psutil.NoSuchProcess:  # one ended while being listed
        return []
    for child in children:
        try:
            status = Path(f"/proc/{child.pid}/status").read_text()
        except OSError:
            continue
        ignored = next(int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigIgn:"))
        if ignored & (1 << (signal.SIGINT - 1)) and "multiprocessing.spawn" in " ".join(child.cmdline()):
            found.append(child)
    return found


def _as_from_a_terminal() -> None:
    """SIGINT at its default in the scan, as a shell in a terminal starts it.

    A shell without job control starts a background command (``pytest &``,
    as CI runners and ``nohup`` scripts do) with SIGINT ignored, children
    inherit that, and Python then never raises KeyboardInterrupt: the scan
    rightly runs on, and this test failed on such runs (exit 0, not 130).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_the_scan_and_its_cluster_leaving_no_process(tmp_path) -> None:
    """SIGINT to the process group, as a terminal's Ctrl-C sends it: exit 130, every child gone."""
    docs = every_stage_corpus()
    src = tmp_path / "docs.jsonl"
    rng = random.Random(7)
    with src.open("w") as f:
        for d in docs:
            f.write(json.dumps({"id": d.id, "text": d.text}) + "\n")
        for k in range(10_000):  # unrelated articles: a scan that runs on for a while and grows only with their number
            f.write(json.dumps({"id": f"filler-{k}", "text": " ".join(sentences(rng, 12))}) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "overlap", "scan", str(src), "-o", str(tmp_path / "out"), "-q",
                             "--workers", "2"], stderr=subprocess.PIPE, env=env, start_new_session=True,
                            preexec_fn=_as_from_a_terminal)
    me = psutil.Process(proc.pid)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None and len(_ignoring_sigint(me)) < 2:
        time.sleep(0.2)  # the two workers have started and ignore SIGINT: the driver alone handles it
    time.sleep(2)  # past the cluster's start (SIGINT is held back while it starts)
    children = me.children(recursive=True)
    assert proc.poll() is None and len(_ignoring_sigint(me)) == 2, "the scan ended before its workers started"
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    # 130, or ended by SIGINT itself after its one line: a shell reports both as 130. The second was seen
    # once in four fresh-clone CI runs on 2026-12-03 (not reproduced in 19 runs here, alone, loaded, or
    # with its module; its cause not found): the line, the children gone and no output are what a user sees.
    assert proc.returncode in (130, -signal.SIGINT), stderr
    assert stderr.decode() == "overlap: interrupted\n"  # no worker's traceback
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    assert not (tmp_path / "out").exists()


class _Elsewhere(InProcess):
    """Runs each task here but says its tasks leave the driver a core (``driver_core``), and notes the thread
    that asked."""

    driver_core = True

    def __init__(self, fail_in: str | None = None) -> None:
        self.threads: dict[str, set[str]] = {}
        self.fail_in = fail_in

    def map(self, fn, items, *shared):
        self.threads.setdefault(fn.__name__, set()).add(threading.current_thread().name)
        if fn.__name__ == self.fail_in:
            raise OverlapError(f"the workers kept dying while running {fn.__name__}")
        return super().map(fn, items, *shared)


def test_on_an_engine_that_leaves_the_driver_a_core_the_two_tiers_run_side_by_side_and_write_the_same_bytes(in_process, tmp_path) -> None:
    """The paraphrase tier runs in a thread of the driver while the passages tier runs in its main thread;
    matches, counts and the summary come out in the order of the one-process scan."""
    engine = _Elsewhere()
    assert _files(every_stage_corpus(), tmp_path / "beside", engine=engine) == in_process
    assert engine.threads["statement_batch"] == {"overlap-paraphrase"}
    assert engine.threads["align_pairs"] == {threading.main_thread().name}


def test_a_tier_beside_that_fails_stops_the_scan_with_its_error_and_no_traceback(tmp_path, capsys) -> None:
    """Its error reaches the main thread (as a cluster's one line would), and the thread prints nothing."""
    engine = _Elsewhere(fail_in="statement_batch")
    with pytest.raises(OverlapError, match="kept dying while running statement_batch"):
        with scan(every_stage_corpus(), engine=engine):
            pass
    assert "Traceback" not in capsys.readouterr().err
    assert not any(t.name == "overlap-paraphrase" for t in threading.enumerate())


def test_a_tier_beside_stops_at_its_next_result_once_the_scan_has_failed() -> None:
    """When the main thread's tier fails, the tier beside it (here a map of 50 slow tasks) stops at its
    next result, and leaving the engine's map cancels what was in flight: a scan that failed on an
    engine its caller keeps open leaves nothing running there."""
    closed = threading.Event()

    class Slow(_Elsewhere):
        def map(self, fn, items, *shared):
            try:
                for item in items:
                    time.sleep(0.05)
                    yield fn(item, *shared)
            finally:
                closed.set()  # what DaskEngine.map does here: cancel the futures still in flight

    done: list[int] = []

    def tier(engine) -> driver._Tier:
        for n in engine.map(abs, range(50)):
            done.append(n)
        return driver._Tier()

    beside = driver._Beside(tier, Slow())
    time.sleep(0.3)
    beside.cancel()
    time.sleep(0.3)
    assert closed.is_set() and not beside._thread.is_alive()
    assert 2 <= len(done) < 15, len(done)
    with pytest.raises(driver._Cancelled):
        beside.result()


def test_the_tiers_run_side_by_side_only_where_the_driver_has_a_core_of_its_own(cluster) -> None:
    """A running cluster's workers are taken to be elsewhere; a local cluster leaves the driver a core only
    with fewer workers than cores (a worker on every core: the tiers run one after the other)."""
    assert cluster.driver_core == (2 < resolve_workers("auto"))
    with DaskEngine.connect(cluster.address) as elsewhere:
        assert elsewhere.driver_core
    assert not InProcess().driver_core and not engine_module.Auto().driver_core
