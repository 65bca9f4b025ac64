#!/usr/bin/env python3
"""``overlap scan`` in one process against a local Dask cluster of 1 and 2 workers, in the same run.

Each mode is the real CLI in a fresh process (``--workers N`` starts its own
``LocalCluster``, so cluster start-up is part of the time). Measured per
mode: wall time; CPU time of the driver and its workers together (the
children's rusage, which includes the worker processes the driver waited
for); peak RSS of the driver alone, of the largest worker, and of all of
them at once (sampled every 0.1 s with psutil). The runs' output folders are
compared: every mode must write the same bytes.

    python bench/engines.py --data ../shared/data/bbc_news/bbc_news.jsonl.gz
    python bench/engines.py --data ../shared/data/bbc_news/bbc_news.jsonl.gz -- --no-paraphrase
    python bench/engines.py --data ../shared/data/reuters21578/reuters21578_docs.jsonl.gz \\
                            --id-field newid --text-field body
    python bench/engines.py --data ... --against ../main   # another checkout's modes interleaved (before/after)

On a shared machine the load moves during a run: ``--against`` alternates
the two checkouts mode by mode, so each pair of figures saw the same load,
and each line says the load average when it ended.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _tree_rss(proc: psutil.Process) -> tuple[int, int, int]:
    """(driver RSS, largest child RSS, total RSS) of a process and its descendants, in bytes."""
    try:
        driver = proc.memory_info().rss
        children = proc.children(recursive=True)
    except psutil.Error:
        return 0, 0, 0
    sizes = []
    for child in children:
        try:
            sizes.append(child.memory_info().rss)
        except psutil.Error:
            pass
    return driver, max(sizes, default=0), driver + sum(sizes)


def run(args: list[str], out: Path, root: Path = ROOT) -> dict[str, float]:
    """One scan of the checkout at ``root``: wall s, CPU s (driver + workers), peak MiB (driver, largest worker, all)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(root)}  # measure that checkout...
    if "--workers" not in args:  # ...in one process: ``overlap scan`` now starts a cluster for a large corpus by default
        env["OVERLAP_WORKERS"] = "0"
    t0 = time.perf_counter()
    # ...from its own folder: ``python -m`` puts the working directory before PYTHONPATH, so run from another
    # checkout it would import that one (an --against run then measured this checkout twice)
    proc = subprocess.Popen([sys.executable, "-m", "overlap", "scan", *args, "-o", str(out), "-q"], env=env, cwd=root)
    ps = psutil.Process(proc.pid)
    peak = [0, 0, 0]
    while proc.poll() is None:
        peak = [max(p, q) for p, q in zip(peak, _tree_rss(ps))]
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"scan failed (exit {proc.returncode}): {' '.join(args)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    mib = 1024 * 1024
    return {"wall": wall, "cpu": cpu, "driver_mib": peak[0] / mib, "worker_mib": peak[1] / mib,
            "total_mib": peak[2] / mib}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a JSONL(.gz) corpus")
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--modes", default="in-process,1,2", help="comma-separated: in-process and worker counts")
    ap.add_argument("--repeat", type=int, default=1, help="runs per mode (medians reported); modes alternate")
    ap.add_argument("--against", type=Path, help="another checkout (e.g. main) whose modes run interleaved with these")
    ap.add_argument("scan_args", nargs="*", help="extra scan options after --, e.g. -- --no-paraphrase")
    ns = ap.parse_args()
    base = [str(Path(ns.data).resolve()), "--id-field", ns.id_field, "--text-field", ns.text_field, *ns.scan_args]
    plain = [m.strip() for m in ns.modes.split(",") if m.strip()]
    roots = {m: ROOT for m in plain}
    modes = plain
    if ns.against is not None:
        roots = {**{f"before {m}": ns.against.resolve() for m in plain}, **roots}
        modes = [name for m in plain for name in (f"before {m}", m)]
    results: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    outputs: dict[str, dict[str, bytes]] = {}
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(ns.repeat):
            for mode in modes:
                workers = mode.split()[-1]
                extra = [] if workers == "in-process" else ["--workers", workers]
                out = Path(tmp) / f"{mode.replace(' ', '-')}-{k}"
                r = run(base + extra, out, roots[mode])
                results[mode].append(r)
                outputs.setdefault(mode, _files(out))
                print(f"  {mode:>17} run {k + 1}: wall {r['wall']:.1f}s cpu {r['cpu']:.1f}s "
                      f"peak driver {r['driver_mib']:.0f} MiB, worker {r['worker_mib']:.0f} MiB, "
                      f"all {r['total_mib']:.0f} MiB (load {os.getloadavg()[0]:.1f})", flush=True)
    first = outputs[modes[0]]
    same = all(o == first for o in outputs.values())
    print(f"\n{'mode':>17} {'wall s':>8} {'cpu s':>8} {'speed-up':>9} {'driver MiB':>11} {'worker MiB':>11} {'all MiB':>8}")
    for mode in modes:  # speed-up against the same checkout's first mode
        ref = statistics.median(r["wall"] for r in results[modes[0] if mode.startswith("before") else plain[0]])
        med = {key: statistics.median(r[key] for r in results[mode]) for key in results[mode][0]}
        print(f"{mode:>17} {med['wall']:8.1f} {med['cpu']:8.1f} {ref / med['wall']:8.2f}x {med['driver_mib']:11.0f} "
              f"{med['worker_mib']:11.0f} {med['total_mib']:8.0f}")
    print(f"\nsame files in every mode: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
