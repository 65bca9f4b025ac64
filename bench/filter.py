"""Benchmark of ``overlap filter`` against the plain datasketch loop, and at a million documents.

What it measures, each as a whole process (start-up, JSON in and out included):

1. Reuters-21578 bodies through ``overlap filter`` with the SQLite index and
   with a Redis index (a private ``redis-server`` started here): documents
   per second and peak memory (max RSS);
2. in the same run, the plain datasketch way over the same documents: one
   ``MinHash`` per document, ``update()`` per word 5-gram, ``MinHashLSH``
   query then insert; the ratio of (1) to it is the headline figure;
3. with ``--race 2,4``: several ``overlap filter`` workers started together
   on one Redis index, each on the same texts under its own ids (a twin of
   every document per worker): how many twins more than one worker keeps
   (must be 0), with the default batching and with ``--batch-size 1
   --commit-every 1``;
4. with ``--million N``: N documents made at run time by splicing real
   Reuters sentences (never stored), streamed into ``overlap filter`` through
   a pipe: throughput and memory per slice of the stream (is memory flat,
   is the rate within 2x of the Reuters rate?) and the index size per
   million documents.

Usage (from the project root)::

    python bench/filter.py                      # Reuters: SQLite, Redis, plain datasketch
    python bench/filter.py --million 1000000    # plus the generated million (long: run with nohup)
    python bench/filter.py --skip-reuters --race 2,4   # twins let through by racing workers

Machines are shared and noisy: compare the ratio, not the absolute rates.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_REL = Path("shared", "data", "reuters21578", "reuters21578_docs.jsonl.gz")
# ../shared/data from the project root (also from a worktree a level deeper)
DEFAULT_DATA = next((p / _REL for p in ROOT.parents if (p / _REL).exists()), ROOT.parent / _REL)

PLAIN = r'''
import gzip, json, re, sys
from datasketch import MinHash, MinHashLSH
WORD = re.compile(r"\w+")
lsh = MinHashLSH(threshold=0.8, num_perm=128)
kept = 0
out = sys.stdout
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as f:
    for line in f:
        rec = json.loads(line)
        body = rec.get("body")
        if not body:
            continue
        words = WORD.findall(body.lower())
        m = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            m.update(" ".join(words[i:i + 5]).encode("utf-8"))
        if not lsh.query(m):
            lsh.insert(str(rec["newid"]), m)
            out.write(json.dumps(rec) + "\n")
            kept += 1
print(kept, file=sys.stderr)
'''


def run_measured(cmd: list[str], stdin=None, stdout=None, env=None) -> tuple[float, int, int, str]:
    """Run a process; return (wall seconds, exit code, peak RSS in MiB, stderr); CPU seconds in LAST_CPU."""
    err = tempfile.TemporaryFile()
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=stdout or subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    p.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    return wall, p.returncode, usage.ru_maxrss // 1024, err.read().decode(errors="replace")


LAST_CPU = [0.0]


def overlap_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "overlap", "filter", *args]


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server in a temporary folder (the bench's, stopped at the end)."""

    def __init__(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise SystemExit("redis-server not installed (apt-get install redis-server); use --no-redis")
        self.dir = tempfile.mkdtemp(prefix="bench-redis-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir, "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        self.client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                self.client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)

    def cpu_seconds(self) -> float:
        info = self.client.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def used_mib(self) -> float:
        return int(self.client.info("memory")["used_memory"]) / 2**20

    def stop(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def count_bodies(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return sum(1 for line in f if json.loads(line).get("body"))


def reuters(args: argparse.Namespace, work: Path) -> dict[str, float]:
    n = count_bodies(args.data)
    fields = ["--id-field", "newid", "--text-field", "body", "-q"]
    rows = []
    figures: dict[str, float] = {}
    for rep in range(args.repeat):
        wall, code, rss, err = run_measured([sys.executable, "-c", PLAIN, str(args.data)], env=env())
        assert code == 0, err
        rows.append(("plain datasketch loop", n, wall, rss, int(err.split()[-1]), "", LAST_CPU[0]))
        db = work / f"reuters-{rep}.db"
        wall, code, rss, err = run_measured(overlap_cmd("--index", str(db), *fields, str(args.data)), env=env())
        assert code == 0, err
        kept = count_kept(db)
        size = sum(p.stat().st_size for p in work.glob(f"reuters-{rep}.db*") if not p.name.endswith("-lock"))
        rows.append(("overlap filter, SQLite", n, wall, rss, kept, f"index {size / 2**20:.1f} MiB", LAST_CPU[0]))
        wall2, code, rss2, err = run_measured(overlap_cmd("--index", str(db), *fields, str(args.data)), env=env())
        assert code == 0, err
        rows.append(("  same input again (all known)", n, wall2, rss2, 0, "", LAST_CPU[0]))
        if not args.no_redis:
            server = RedisServer()
            try:
                url = f"redis://127.0.0.1:{server.port}/0?prefix=bench"
                wall, code, rss, err = run_measured(overlap_cmd("--index", url, *fields, str(args.data)), env=env())
                assert code == 0, err
                cpu = LAST_CPU[0] + server.cpu_seconds()
                rows.append(("overlap filter, Redis", n, wall, rss, None,
                             f"redis-server {server.used_mib():.0f} MiB, its CPU counted", cpu))
            finally:
                server.stop()
    print(f"\nReuters-21578 bodies: {args.data} ({n} documents), threshold 0.8, 128 permutations, word 5-grams")
    print(f"{'method':34} {'docs/s':>8} {'wall s':>8} {'docs/cpu-s':>10} {'peak RSS':>9} {'kept':>6}  note")
    for name, docs, wall, rss, kept, note, cpu in rows:
        print(f"{name:34} {docs / wall:8.0f} {wall:8.2f} {docs / cpu:10.0f} {rss:6d} MiB "
              f"{'' if kept is None else kept:>6}  {note}")
    rate: dict[str, list[float]] = {}
    cpu_rate: dict[str, list[float]] = {}
    for name, docs, wall, *_, cpu in rows:
        rate.setdefault(name, []).append(docs / wall)
        cpu_rate.setdefault(name, []).append(docs / cpu)
    med = {k: sorted(v)[len(v) // 2] for k, v in rate.items()}
    cmed = {k: sorted(v)[len(v) // 2] for k, v in cpu_rate.items()}
    plain, cplain = med["plain datasketch loop"], cmed["plain datasketch loop"]
    figures["plain"] = plain
    figures["sqlite"] = med["overlap filter, SQLite"]
    figures["sqlite_cpu"] = cmed["overlap filter, SQLite"]
    print(f"\nratio SQLite filter / plain datasketch: {figures['sqlite'] / plain:.1f}x wall, "
          f"{figures['sqlite_cpu'] / cplain:.1f}x CPU time (target >= 5x)")
    if "overlap filter, Redis" in med:
        figures["redis"] = med["overlap filter, Redis"]
        print(f"ratio Redis filter  / plain datasketch: {figures['redis'] / plain:.1f}x wall, "
              f"{cmed['overlap filter, Redis'] / cplain:.1f}x CPU time (client + redis-server)")
    return figures


def count_kept(db: Path) -> int:
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM docs").fetchone()[0]
    finally:
        con.close()


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")


def sentences_and_lengths(path: Path) -> tuple[list[str], list[int]]:
    """Real Reuters sentences, and the sentence count of each real body (to match lengths)."""
    sents: list[str] = []
    lengths: list[int] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            body = json.loads(line).get("body")
            if not body:
                continue
            parts = [" ".join(s.split()) for s in _SENTENCE.split(body) if len(s.split()) >= 4]
            if parts:
                sents.extend(parts)
                lengths.append(len(parts))
    return sents, lengths


def generate(sents: list[str], lengths: list[int], n: int, seed: int = 1987):
    """n spliced documents as JSONL lines: new combinations of real sentences, with ~5% reprints."""
    rng = random.Random(seed)
    recent: list[list[str]] = []
    for i in range(n):
        if recent and rng.random() < 0.05:  # a reprint of a recent document, lightly edited
            parts = list(rng.choice(recent))
            parts[rng.randrange(len(parts))] = rng.choice(sents)
        else:
            parts = [rng.choice(sents) for _ in range(rng.choice(lengths))]
            if len(recent) < 5000:
                recent.append(parts)
            else:
                recent[rng.randrange(5000)] = parts
        yield (json.dumps({"id": f"g{i}", "text": " ".join(parts)}) + "\n").encode("utf-8")


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def million(args: argparse.Namespace, work: Path, reuters_rate: float | None, reuters_cpu_rate: float | None) -> None:
    sents, lengths = sentences_and_lengths(args.data)
    n = args.million
    db = work / "million.db"
    print(f"\nGenerated stream: {n} documents spliced from {len(sents)} real Reuters sentences "
          f"(sentence counts drawn from the real bodies), ~5% lightly edited reprints; SQLite index {db}")
    cmd = overlap_cmd("--index", str(db), "-q")
    err = open(work / "million.err", "wb")
    out = open(os.devnull, "wb")
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=err, env=env(), cwd=ROOT)
    slice_size = max(1, n // 20)
    print(f"{'documents':>10} {'slice docs/s':>12} {'docs/cpu-s':>10} {'RSS MiB':>8} {'index MiB':>10}", flush=True)
    t0 = last = time.perf_counter()
    last_cpu = 0.0
    peak = 0.0
    assert p.stdin is not None
    for i, line in enumerate(generate(sents, lengths, n), 1):
        p.stdin.write(line)
        if i % slice_size == 0:
            now = time.perf_counter()
            rss = rss_mib(p.pid)
            peak = max(peak, rss)
            cpu = cpu_seconds(p.pid)
            size = sum(q.stat().st_size for q in work.glob("million.db*") if not q.name.endswith("-lock"))
            print(f"{i:10d} {slice_size / (now - last):12.0f} {slice_size / max(cpu - last_cpu, 1e-9):10.0f} "
                  f"{rss:8.0f} {size / 2**20:10.0f}", flush=True)
            last, last_cpu = now, cpu
    p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err.close()
    out.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"overlap filter failed ({code}): {(work / 'million.err').read_text()[-2000:]}")
    size = sum(q.stat().st_size for q in work.glob("million.db*") if not q.name.endswith("-lock"))
    kept = count_kept(db)
    rate = n / wall
    cpu = usage.ru_utime + usage.ru_stime
    print(f"total: {n} documents in {wall:.0f} s = {rate:.0f} docs/s ({n / cpu:.0f} docs per CPU second); "
          f"kept {kept}; peak RSS {usage.ru_maxrss / 1024:.0f} MiB")
    print(f"index file: {size / 2**20:.0f} MiB = {size / 2**20 / n * 1e6:.0f} MiB per million documents "
          f"({size / max(kept, 1):.0f} bytes per indexed document)")
    if reuters_rate and reuters_cpu_rate:
        print(f"rate vs the Reuters SQLite rate in this run: {rate / reuters_rate:.2f} wall, "
              f"{n / cpu / reuters_cpu_rate:.2f} CPU time (target >= 0.5)")


def race(args: argparse.Namespace, work: Path) -> None:
    """Workers started together on one Redis index, each with a twin of every text: twins kept twice."""
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(5000)]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(60, 200))) for _ in range(args.race_docs)]
    print(f"\nRacing workers: {args.race_docs} distinct random-word texts, each worker gets all of them "
          "under its own ids; 'twins through' = copies kept beyond the first, summed over texts (target 0)")
    print(f"{'workers':>7} {'options':32} {'kept':>6} {'twins through':>13} {'wall s':>7}")
    for workers in [int(w) for w in args.race.split(",")]:
        for opts in ([], ["--batch-size", "1", "--commit-every", "1"]):
            server = RedisServer()
            try:
                url = f"redis://127.0.0.1:{server.port}/0?prefix=race"
                files = []
                for w in range(workers):
                    path = work / f"race-{w}.jsonl"
                    with open(path, "w", encoding="utf-8") as f:
                        for i, t in enumerate(texts):
                            f.write(json.dumps({"id": f"{w}-{i}", "text": t}) + "\n")
                    files.append(path)
                t0 = time.perf_counter()
                procs = [subprocess.Popen(overlap_cmd("--index", url, "-q", *opts, str(path)), stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, env=env(), cwd=ROOT) for path in files]
                outs = [p.communicate() for p in procs]
                wall = time.perf_counter() - t0
                for p, (_, err) in zip(procs, outs):
                    assert p.returncode == 0, err.decode(errors="replace")
                kept = Counter(json.loads(line)["id"].split("-", 1)[1] for out, _ in outs for line in out.splitlines())
                through = sum(c - 1 for c in kept.values())
                print(f"{workers:7d} {' '.join(opts) or '(defaults)':32} {sum(kept.values()):6d} {through:13d} {wall:7.1f}",
                      flush=True)
            finally:
                server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="reuters21578_docs.jsonl.gz")
    ap.add_argument("--repeat", type=int, default=1, help="repeat the Reuters runs (medians reported)")
    ap.add_argument("--no-redis", action="store_true", help="skip the Redis run")
    ap.add_argument("--million", type=int, default=0, help="also stream this many generated documents")
    ap.add_argument("--race", default="", help="worker counts to race on one Redis index, e.g. 2,4")
    ap.add_argument("--race-docs", type=int, default=3000, help="texts per racing worker")
    ap.add_argument("--skip-reuters", action="store_true", help="only the generated stream")
    ap.add_argument("--work", type=Path, default=None, help="folder for the index files (default: a temp folder)")
    args = ap.parse_args()
    if not args.data.exists():
        raise SystemExit(f"{args.data}: not found (give --data)")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-filter-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; work folder {work}")
    figures = {} if args.skip_reuters else reuters(args, work)
    if args.race:
        race(args, work)
    if args.million:
        million(args, work, figures.get("sqlite"), figures.get("sqlite_cpu"))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
