#!/usr/bin/env python3
"""The driver's resident memory, stage by stage, during one ``overlap scan``.

Runs the CLI in this process (``overlap scan ARGS``, e.g. ``--workers 2``:
the workers are other processes, so what is measured is the driver alone)
and samples ``/proc/self/status`` every 50 ms: ``VmRSS`` (resident), and
its parts ``RssAnon`` (the process's own memory) and ``RssFile`` (pages of
mapped files: the modules' libraries, and the scan's spilled arrays while
they are read, which the system may drop). Each sample is filed under the
stage the driver is in (its timers and progress stages, the claims tier's
steps, and ``write_scan``); a line per stage: resident size when it began, and
the peaks of the three.

    python bench/driver_memory.py scan corpus.jsonl.gz -o /tmp/out --workers 2 -q
    PYTHONPATH=../before python bench/driver_memory.py scan ...   # another checkout's code

Linux only (``/proc``). Generated corpora of any size: ``bench/corpus.py``.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from overlap.claims import find
from overlap.pipeline import driver
from overlap.report import folder

_STEPS = ("_statements", "_candidates", "content_candidates", "filter_pairs", "statement_pairs", "part_pairs",
          "_score", "decide", "claim_clusters")
stage = ["start"]
peaks: dict[str, list[float]] = {}  # stage -> [resident at start, peak resident, peak anonymous, peak file]
done = threading.Event()


def _status() -> dict[str, float]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    return out


def _sample() -> None:
    while not done.is_set():
        s, now = _status(), stage[0]
        p = peaks.setdefault(now, [s["VmRSS"], 0.0, 0.0, 0.0])
        p[1], p[2], p[3] = max(p[1], s["VmRSS"]), max(p[2], s["RssAnon"]), max(p[3], s["RssFile"])
        time.sleep(0.05)


def _follow() -> None:
    """Name the stage the driver is in: wrap its timers, its progress, the claims tier's steps, the writer."""
    timed = driver._Scan._timed

    @contextmanager
    def named(self, name: str, timings: dict | None = None) -> Iterator[None]:
        stage[0] = name
        with timed(self, name, timings):
            yield

    init = driver._Scan.__init__

    def with_progress(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        notify = self.notify

        def noted(name: str, done_: int, total: int | None) -> None:
            stage[0] = name
            notify(name, done_, total)

        self.notify = noted

    def step(name: str):
        fn = getattr(find, name)

        def run(*args, **kwargs):
            stage[0] = f"claims {name.strip('_')}"
            return fn(*args, **kwargs)

        return run

    driver._Scan._timed = named
    driver._Scan.__init__ = with_progress
    for name in _STEPS:
        setattr(find, name, step(name))
    write = folder.write_scan

    def write_scan(*args, **kwargs):
        stage[0] = "write_scan"
        return write(*args, **kwargs)

    folder.write_scan = write_scan


def main(argv: list[str]) -> int:
    from overlap.cli import main as cli

    _follow()
    threading.Thread(target=_sample, daemon=True).start()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        cli(argv, standalone_mode=False)
    finally:
        stage[0] = "end"
        time.sleep(0.2)
        done.set()
        print(f"wall {time.perf_counter() - wall:.1f} s, driver CPU {time.process_time() - cpu:.1f} s")
        print(f"{'stage':32s} {'MiB at start':>12s} {'peak':>8s} {'anon peak':>10s} {'file peak':>10s}")
        for name, (start, peak, anon, mapped) in peaks.items():
            print(f"{name:32s} {start:12.0f} {peak:8.0f} {anon:10.0f} {mapped:10.0f}")
        print(f"{'the whole scan':32s} {'':12s} {max(p[1] for p in peaks.values()):8.0f} "
              f"{max(p[2] for p in peaks.values()):10.0f} {max(p[3] for p in peaks.values()):10.0f}")
    return 0


if __name__ == "__main__":  # the workers' processes import this module again: they must not scan
    sys.exit(main(sys.argv[1:]))
