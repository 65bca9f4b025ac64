#!/usr/bin/env python3
"""How overlap's cost grows with the corpus: CPU, wall and peak memory at 2k to 128k articles.

For each size, a corpus from :mod:`corpus` (Markov-chain Reuters text with
planted near-duplicates and shared paragraphs; made once and kept in
``--work``), then three runs, each a fresh process measured by the kernel
(``os.wait4``: user+sys CPU seconds, peak RSS) and a wall clock:

- ``dup``: the duplicate tier, ``overlap scan --no-passages --no-paraphrase``;
- ``default``: the default scan (passages and the paraphrase tier);
- ``filter``: ``overlap filter`` into a fresh SQLite index.

It prints a table with the planted-pair recall of each scan (near-duplicates
found as ``duplicate`` matches; shared paragraphs found as ``reuse`` matches,
or by any match between the pair), the fitted exponent of CPU seconds against
size between consecutive sizes and overall (least squares in log-log over the
sizes from 8k up), and writes everything as JSON (``--json``).

    python bench/scaling.py --sizes 2k,8k,32k --json scaling.json
    python bench/scaling.py --sizes 128k --runs default --work /tmp/scaling
    python bench/scaling.py --sizes 20k,80k --runs default --workers 2 --json scaling-dask.json

CPU seconds, not wall, are the figure to compare: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402  (bench/corpus.py, beside this file)
import engines  # noqa: E402  (bench/engines.py: one scan with its workers, memory per process)

RUNS = {
    "dup": ["scan", "--no-passages", "--no-paraphrase"],
    "default": ["scan"],
    "filter": ["filter"],
}


def size_arg(text: str) -> list[int]:
    """``2k,8k,32000`` -> ``[2000, 8000, 32000]``."""
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        out.append(int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    return out


def measured(cmd: list[str], stdout=None) -> dict:
    """Run ``cmd`` in a fresh process: wall seconds, CPU seconds (user+sys) and peak RSS of that process."""
    # measure this checkout, in one process: ``overlap scan`` would start a local cluster for a large corpus
    # by default (``--workers`` runs go through bench/engines.py)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OVERLAP_WORKERS="0")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        raise SystemExit(f"scaling.py: {' '.join(cmd)} exited {proc.returncode}:\n{stderr.decode()[-2000:]}")
    return {"wall": round(wall, 2), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mib": round(usage.ru_maxrss / 1024, 1), "load": round(os.getloadavg()[0], 2)}


def matched_pairs(folder: Path) -> dict[str, set[tuple[str, str]]]:
    """Document pairs of each match kind in a scan folder's ``matches.jsonl`` (and ``any``)."""
    pairs: dict[str, set[tuple[str, str]]] = {"any": set()}
    with open(folder / "matches.jsonl", encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            a, b = m["a"]["doc"], m["b"]["doc"]
            pair = (min(a, b), max(a, b))
            pairs.setdefault(m["kind"], set()).add(pair)
            pairs["any"].add(pair)
    return pairs


def recall(folder: Path, truth: dict) -> dict[str, float]:
    """Share of the planted pairs the scan found: by the kind meant, and by any match."""
    found = matched_pairs(folder)
    out = {}
    for name, kind in (("near_duplicates", "duplicate"), ("shared_paragraphs", "reuse")):
        planted = {tuple(p) for p in truth[name]}
        if not planted:
            continue
        out[name] = round(len(planted & found.get(kind, set())) / len(planted), 4)
        out[name + "_any"] = round(len(planted & found["any"]) / len(planted), 4)
    return out


def one_run(run: str, path: Path, work: Path, truth: dict, workers: str | None = None) -> dict:
    """One measured run of ``run`` over the corpus at ``path`` (a scan with ``--workers`` if given)."""
    base = [sys.executable, "-m", "overlap"]
    if run == "filter":
        index = work / f"{path.name}.filter.sqlite"
        for leftover in work.glob(index.name + "*"):
            leftover.unlink()
        out = measured(base + ["filter", "--index", str(index), str(path)])
        index.unlink()
        return out
    folder = work / (f"{path.name}.{run}" + (f".w{workers}" if workers else ""))
    shutil.rmtree(folder, ignore_errors=True)
    args = RUNS[run] + [str(path), "-q", "--timings", "--graph-format", "none"]
    if workers:  # a driver and its Dask workers: memory sampled per process (bench/engines.py)
        r = engines.run(args[1:] + ["--workers", workers], folder)
        out = {"wall": round(r["wall"], 2), "cpu": round(r["cpu"], 2), "peak_mib": round(r["driver_mib"], 1),
               "worker_peak_mib": round(r["worker_mib"], 1), "all_peak_mib": round(r["total_mib"], 1),
               "load": round(os.getloadavg()[0], 2)}
    else:
        out = measured(base + args + ["-o", str(folder)])
    summary = json.loads((folder / "summary.json").read_text())
    out["recall"] = recall(folder, truth)
    out["counts"] = summary.get("counts", {})
    out["timings"] = summary.get("timings_seconds", {})
    return out


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares exponent k of ``y ~ N^k`` over ``(N, y)`` points (None under two points)."""
    pts = [(math.log(n), math.log(y)) for n, y in points if y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / den, 3) if den else None


def exponents(results: dict[str, dict[int, dict]]) -> dict[str, dict[str, float | None]]:
    """CPU-s exponents per run: between consecutive sizes, and overall from 8k up."""
    out: dict[str, dict[str, float | None]] = {}
    for run, by_size in results.items():
        sizes = sorted(by_size)
        ex: dict[str, float | None] = {}
        for a, b in zip(sizes, sizes[1:]):
            ex[f"{a}-{b}"] = slope([(a, by_size[a]["cpu"]), (b, by_size[b]["cpu"])])
        big = [n for n in sizes if n >= 8000]
        if len(big) >= 2:
            ex[f"{big[0]}-{big[-1]} fit"] = slope([(n, by_size[n]["cpu"]) for n in big])
        out[run] = ex
    return out


def table(results: dict[str, dict[int, dict]], ex: dict) -> str:
    lines = [f"{'run':<8} {'articles':>9} {'CPU s':>9} {'wall s':>8} {'peak MiB':>9} {'load':>5}  recall (near-dup / shared paragraph / either kind)"]
    for run, by_size in results.items():
        for n in sorted(by_size):
            r = by_size[n]
            rc = r.get("recall", {})
            rec = (f"{rc['near_duplicates']:.3f} / {rc['shared_paragraphs']:.3f} / "
                   f"{rc['near_duplicates_any']:.3f}, {rc['shared_paragraphs_any']:.3f}") if rc else ""
            lines.append(f"{run:<8} {n:>9,} {r['cpu']:>9.1f} {r['wall']:>8.1f} {r['peak_mib']:>9.0f} {r['load']:>5.1f}  {rec}")
        lines.append(f"{'':<8} exponents of CPU s: " + ", ".join(f"{k}: {v}" for k, v in ex.get(run, {}).items()))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=size_arg, default=size_arg("2k,8k,32k,128k"), help="e.g. 2k,8k,32k,128k")
    ap.add_argument("--runs", default="dup,default,filter", help="any of dup, default, filter")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/overlap-scaling"), help="corpora and outputs (corpora kept)")
    ap.add_argument("--reuters", type=Path, default=corpus.DEFAULT_REUTERS)
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--workers", help="scans on a local Dask cluster of this many workers (peak memory of the driver "
                                      "and of the largest worker then sampled apart)")
    args = ap.parse_args()
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    unknown = set(runs) - set(RUNS)
    if unknown:
        ap.error(f"unknown run(s) {', '.join(sorted(unknown))}: expected any of {', '.join(RUNS)}")
    if not args.reuters.exists():
        ap.error(f"{args.reuters}: no such file (give --reuters)")
    args.work = args.work.resolve()  # the scans with --workers run from the checkout's folder (bench/engines.py)
    args.work.mkdir(parents=True, exist_ok=True)
    chain = None
    results: dict[str, dict[int, dict]] = {r: {} for r in runs}
    for n in args.sizes:
        path = args.work / f"gen{n}_s{args.seed}.jsonl.gz"
        if not path.exists() or not corpus.truth_path(path).exists():
            chain = chain or corpus.Chain(args.reuters)
            corpus.write(chain, n, args.seed, path)
        truth = json.loads(corpus.truth_path(path).read_text())
        for run in runs:
            results[run][n] = one_run(run, path, args.work, truth, args.workers if run != "filter" else None)
            r = results[run][n]
            print(f"{run} {n}: CPU {r['cpu']} s, wall {r['wall']} s, peak {r['peak_mib']} MiB "
                  f"(largest worker {r.get('worker_peak_mib', '-')} MiB), load {r['load']}, "
                  f"recall {r.get('recall', {})}", file=sys.stderr, flush=True)
    ex = exponents(results)
    print(table(results, ex))
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "results": {r: {str(n): v for n, v in s.items()}
                                                                        for r, s in results.items()},
                                         "exponents": ex, "python": sys.version.split()[0]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
