"""PAN 2013 text-alignment benchmark for ``overlap compare --pairs``.

Runs the real CLI (a subprocess) over the PAN13 training corpus, reads its
JSON lines, and computes the PAN measures per section and overall:
character-level macro precision and recall, granularity and plagdet
(Potthast, Stein, Barron-Cedeno, Rosso: "An Evaluation Framework for
Plagiarism Detection", COLING 2010). The same run measures the plain
rapidfuzz way (each suspicious sentence ``fuzz.partial_ratio_alignment``-ed
against the source, hits merged when adjacent) for speed and quality.

    python bench/pan13.py --data ../shared/data/pan13-train --workers 2

The measures, as defined in the paper and the PAN organisers' evaluation
script: a case s and a detection r are pairs of character ranges (in the
suspicious and the source document); r *detects* s when the ranges overlap
in both documents. With S the cases and R the detections of a section,

    rec(S, R)  = 1/|S| * sum_s |chars of s covered by detections of s| / |s|
    prec(S, R) = 1/|R| * sum_r |chars of r covered by cases r detects| / |r|
    gran(S, R) = 1/|S_R| * sum_{s in S_R} |R_s|   (S_R: detected cases)
    plagdet    = F1(prec, rec) / log2(1 + gran)

where |x| counts characters in both documents (suspicious + source). As in
the organisers' script, an empty S with an empty R scores 1, and an empty S
or R alone scores 0. Pairs of 05-summary-obfuscation without any case are
unannotated (see the data README): their detections are not counted.
``--selftest`` checks the implementation on hand-computed examples.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, NamedTuple

SECTIONS = (
    "01-no-plagiarism",
    "02-no-obfuscation",
    "03-random-obfuscation",
    "04-translation-obfuscation",
    "05-summary-obfuscation",
)
TARGETS = {
    "02-no-obfuscation": 0.90,
    "03-random-obfuscation": 0.85,
    "04-translation-obfuscation": 0.80,
    "05-summary-obfuscation": 0.40,
    "overall": 0.85,
}


class Ann(NamedTuple):
    """A case or a detection: ranges in the suspicious (this) and source documents."""

    pair: tuple[str, str]
    this_start: int
    this_end: int
    src_start: int
    src_end: int

    @property
    def size(self) -> int:
        return (self.this_end - self.this_start) + (self.src_end - self.src_start)


def detects(s: Ann, r: Ann) -> bool:
    """Whether r overlaps s in both documents (the organisers' ``is_overlapping``)."""
    return (
        s.pair == r.pair
        and r.this_start < s.this_end
        and s.this_start < r.this_end
        and r.src_start < s.src_end
        and s.src_start < r.src_end
    )


def _covered(lo: int, hi: int, ranges: Iterable[tuple[int, int]]) -> int:
    """Characters of [lo, hi) covered by the union of ``ranges``."""
    clipped = sorted((max(a, lo), min(b, hi)) for a, b in ranges if a < hi and lo < b)
    total, cur_a, cur_b = 0, None, None
    for a, b in clipped:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total


def _recall_of(x: Ann, others: list[Ann]) -> float:
    hits = [y for y in others if detects(x, y)]
    if not hits:
        return 0.0
    this = _covered(x.this_start, x.this_end, [(y.this_start, y.this_end) for y in hits])
    src = _covered(x.src_start, x.src_end, [(y.src_start, y.src_end) for y in hits])
    return (this + src) / x.size


def measures(cases: list[Ann], detections: list[Ann]) -> dict[str, float]:
    """Macro precision, recall, granularity and plagdet of detections against cases."""
    by_pair_c: dict[tuple[str, str], list[Ann]] = defaultdict(list)
    by_pair_d: dict[tuple[str, str], list[Ann]] = defaultdict(list)
    for c in cases:
        by_pair_c[c.pair].append(c)
    for d in detections:
        by_pair_d[d.pair].append(d)
    if not cases and not detections:
        rec = prec = 1.0
    elif not cases or not detections:
        rec = prec = 0.0
    else:
        rec = sum(_recall_of(c, by_pair_d.get(c.pair, [])) for c in cases) / len(cases)
        prec = sum(_recall_of(d, by_pair_c.get(d.pair, [])) for d in detections) / len(detections)
    per_case = [sum(1 for d in by_pair_d.get(c.pair, []) if detects(c, d)) for c in cases]
    detected = [n for n in per_case if n > 0]
    gran = sum(detected) / len(detected) if detected else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0
    plagdet = f1 / math.log2(1 + gran) if gran >= 1 else 0.0
    return {"precision": prec, "recall": rec, "granularity": gran, "plagdet": plagdet,
            "cases": len(cases), "detections": len(detections)}


def selftest() -> None:
    """Hand-computed examples (the formulas above worked out by hand)."""
    p = ("s", "t")
    case = Ann(p, 100, 200, 1000, 1100)
    assert measures([case], [case])["plagdet"] == 1.0
    # two halves: perfect precision and recall, granularity 2 -> 1 / log2(3)
    halves = [Ann(p, 100, 150, 1000, 1050), Ann(p, 150, 200, 1050, 1100)]
    m = measures([case], halves)
    assert (m["precision"], m["recall"], m["granularity"]) == (1.0, 1.0, 2.0)
    assert abs(m["plagdet"] - 1 / math.log2(3)) < 1e-12
    # half of the case found: recall 0.5, precision 1
    m = measures([case], [Ann(p, 100, 150, 1000, 1050)])
    assert (m["precision"], m["recall"]) == (1.0, 0.5)
    # detection twice as long on the suspicious side: precision (100 + 100) / (200 + 100)
    m = measures([case], [Ann(p, 100, 300, 1000, 1100)])
    assert abs(m["precision"] - 2 / 3) < 1e-12 and m["recall"] == 1.0
    # overlap on one side only does not detect; a wrong pair does not either
    m = measures([case], [Ann(p, 100, 200, 2000, 2100), Ann(("s", "u"), 100, 200, 1000, 1100)])
    assert (m["precision"], m["recall"], m["granularity"]) == (0.0, 0.0, 1.0)
    # a false detection elsewhere halves macro precision
    m = measures([case], [case, Ann(p, 500, 600, 3000, 3100)])
    assert m["precision"] == 0.5 and m["recall"] == 1.0
    assert measures([], [])["plagdet"] == 1.0 and measures([], [case])["plagdet"] == 0.0
    print("selftest ok")


def load_truth(data: Path) -> tuple[list[tuple[str, str, str]], dict[tuple[str, str], list[Ann]]]:
    """Pairs as ``(section, susp, src)`` and the cases of each pair."""
    pairs, cases = [], {}
    with open(data / "ground_truth_cases.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            key = (rec["susp"], rec["src"])
            pairs.append((rec["section"], *key))
            cases[key] = [
                Ann(key, c["this_offset"], c["this_offset"] + c["this_length"],
                    c["source_offset"], c["source_offset"] + c["source_length"])
                for c in rec["cases"]
            ]
    return pairs, cases


def evaluate(pairs, cases, detections: dict[tuple[str, str], list[Ann]]) -> dict[str, dict[str, float]]:
    """Measures per section and overall (unannotated summary pairs left out)."""
    out = {}
    all_c: list[Ann] = []
    all_d: list[Ann] = []
    for section in SECTIONS:
        sc: list[Ann] = []
        sd: list[Ann] = []
        for sec, susp, src in pairs:
            if sec != section:
                continue
            key = (susp, src)
            if section == "05-summary-obfuscation" and not cases[key]:
                continue  # unannotated, not a negative
            sc.extend(cases[key])
            sd.extend(detections.get(key, []))
        out[section] = measures(sc, sd)
        all_c.extend(sc)
        all_d.extend(sd)
    out["overall"] = measures(all_c, all_d)
    return out


ROOT = Path(__file__).resolve().parent.parent


def overlap_command() -> tuple[list[str], dict[str, str]]:
    """The ``overlap`` CLI of *this* checkout (not whatever is installed), and its environment."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return [sys.executable, "-c", "import sys; from overlap.cli import main; sys.exit(main())"], env


def run_overlap(data: Path, pairs, workers: int) -> tuple[dict[tuple[str, str], list[Ann]], float]:
    """Run ``overlap compare --pairs`` over the pairs; detections per pair and seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        pairs_file = Path(tmp) / "pairs.txt"
        pairs_file.write_text("".join(f"susp/{s} src/{t}\n" for _, s, t in pairs), encoding="utf-8")
        cmd, env = overlap_command()
        cmd = cmd + ["compare", "--pairs", str(pairs_file), "--root", str(data), "--workers", str(workers)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"overlap compare failed with exit code {proc.returncode}")
    dets: dict[tuple[str, str], list[Ann]] = defaultdict(list)
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        key = (rec["a"]["doc"].split("/", 1)[1], rec["b"]["doc"].split("/", 1)[1])
        dets[key].append(Ann(key, rec["a"]["start"], rec["a"]["end"], rec["b"]["start"], rec["b"]["end"]))
    return dets, seconds


def _plain_pair(args: tuple[str, str, str]) -> list[tuple[int, int, int, int]]:
    """The plain rapidfuzz way: each sentence of a aligned in b, adjacent hits merged."""
    from rapidfuzz import fuzz

    from overlap.text.segment import sentences

    path_a, path_b, cutoff = args
    a = Path(path_a).read_text(encoding="utf-8")
    b = Path(path_b).read_text(encoding="utf-8")
    hits: list[list[int]] = []
    for s in sentences(a):
        if s.end - s.start < 20:
            continue
        r = fuzz.partial_ratio_alignment(a[s.start : s.end], b, score_cutoff=float(cutoff))
        if r is None:
            continue
        if hits and s.start - hits[-1][1] <= 5 and -5 <= r.dest_start - hits[-1][3] <= 200:
            hits[-1][1], hits[-1][3] = s.end, max(hits[-1][3], r.dest_end)
        else:
            hits.append([s.start, s.end, r.dest_start, r.dest_end])
    return [(x[0], x[1], x[2], x[3]) for x in hits if x[1] - x[0] >= 150]


def run_plain(data: Path, pairs, workers: int) -> tuple[dict[tuple[str, str], list[Ann]], float]:
    jobs = [(str(data / "susp" / s), str(data / "src" / t), "85") for _, s, t in pairs]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_plain_pair, jobs, chunksize=16))
    seconds = time.perf_counter() - start
    dets = {}
    for (_, s, t), found in zip(pairs, results):
        dets[(s, t)] = [Ann((s, t), *x) for x in found]
    return dets, seconds


def _table(title: str, results: dict[str, dict[str, float]]) -> str:
    lines = [title, f"{'section':30} {'plagdet':>8} {'prec':>7} {'rec':>7} {'gran':>7} {'cases':>6} {'dets':>6} {'target':>7}"]
    for name, m in results.items():
        target = TARGETS.get(name)
        lines.append(
            f"{name:30} {m['plagdet']:8.4f} {m['precision']:7.4f} {m['recall']:7.4f} {m['granularity']:7.4f} "
            f"{m['cases']:6d} {m['detections']:6d} {('>= %.2f' % target) if target else '':>7}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=here.parent / "shared" / "data" / "pan13-train",
                        help="PAN13 training corpus (default: ../shared/data/pan13-train next to the project)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="at most this many pairs per section (0: all)")
    parser.add_argument("--plain-limit", type=int, default=0, help="pairs per section for the plain rapidfuzz way (0: same as overlap)")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain rapidfuzz way")
    parser.add_argument("--selftest", action="store_true", help="check the measures on hand-computed examples and exit")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    selftest()
    if args.selftest:
        return 0
    if not (args.data / "ground_truth_cases.jsonl").is_file():
        parser.error(f"no PAN13 corpus at {args.data} (expected ground_truth_cases.jsonl there); use --data")
    pairs, cases = load_truth(args.data)
    if args.limit:
        pairs = _limit(pairs, args.limit)
    print(f"PAN13 training corpus at {args.data}: {len(pairs)} pairs, workers={args.workers}")
    dets, seconds = run_overlap(args.data, pairs, args.workers)
    ours = evaluate(pairs, cases, dets)
    print(_table(f"overlap compare --pairs: {seconds:.1f} s, {len(pairs) / seconds:.1f} pairs/s", ours))
    report = {"pairs": len(pairs), "overlap": {"seconds": seconds, "pairs_per_second": len(pairs) / seconds, "measures": ours}}
    if not args.no_plain:
        plain_pairs = _limit(pairs, args.plain_limit) if args.plain_limit else pairs
        pdets, pseconds = run_plain(args.data, plain_pairs, args.workers)
        plain = evaluate(plain_pairs, cases, pdets)
        print(_table(
            f"plain rapidfuzz (sentence partial_ratio_alignment >= 85), {len(plain_pairs)} pairs: "
            f"{pseconds:.1f} s, {len(plain_pairs) / pseconds:.1f} pairs/s", plain))
        ratio = (len(pairs) / seconds) / (len(plain_pairs) / pseconds)
        print(f"speed ratio overlap / plain rapidfuzz: {ratio:.2f}x; "
              f"overall plagdet {ours['overall']['plagdet']:.4f} vs {plain['overall']['plagdet']:.4f}")
        report["plain"] = {"pairs": len(plain_pairs), "seconds": pseconds, "pairs_per_second": len(plain_pairs) / pseconds, "measures": plain}
        report["speed_ratio"] = ratio
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


def _limit(pairs, n: int):
    seen: dict[str, int] = defaultdict(int)
    out = []
    for p in pairs:
        if seen[p[0]] < n:
            seen[p[0]] += 1
            out.append(p)
    return out


if __name__ == "__main__":
    sys.exit(main())
