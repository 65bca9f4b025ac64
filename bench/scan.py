#!/usr/bin/env python3
"""Benchmark and quality check of ``overlap scan`` on real corpora.

Speed: ``overlap scan`` (the real CLI, end to end: read, scan, write the
report) against the plain datasketch way on the same articles in the same
run (read the same JSONL, one ``MinHash()`` per document, ``update()`` per
word 5-gram, ``MinHashLSH`` insert then query). Each run is a fresh process,
so its peak RSS is its own. Reports documents per second, peak memory and
the ratio; medians over ``--repeat`` runs.

Quality: on BBC News, whether every group of byte-identical articles ends up
in one cluster, and the share of pairs inside clusters whose word-5-gram
Jaccard (plain lower-cased ``\\w+`` words, independent of overlap's own
normalisation) is below 0.5. On Reuters-21578, the same for its groups of
identical bodies, plus what the scan finds.

    python bench/scan.py --reuters ../shared/data/reuters21578/reuters21578_docs.jsonl.gz \\
                         --bbc ../shared/data/bbc_news/bbc_news.jsonl.gz --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # measure this checkout, whatever else is installed
WORD = re.compile(r"\w+")


def _read(path: str, id_field: str, text_field: str) -> list[tuple[str, str]]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            text = rec.get(text_field)
            if text:
                out.append((str(rec[id_field]), text))
    return out


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- child modes


def child_plain(path: str, id_field: str, text_field: str, threshold: float) -> dict:
    """The plain datasketch way, end to end from the same file."""
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    docs = _read(path, id_field, text_field)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    sketches = {}
    for doc_id, text in docs:
        words = WORD.findall(text.lower())
        m = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            m.update(" ".join(words[i : i + 5]).encode("utf-8"))
        lsh.insert(doc_id, m)
        sketches[doc_id] = m
    pairs = set()
    for doc_id, m in sketches.items():
        for other in lsh.query(m):
            if other != doc_id:
                pairs.add((min(doc_id, other), max(doc_id, other)))
    seconds = time.perf_counter() - t0
    return {"documents": len(docs), "seconds": seconds, "peak_mib": _peak_mib(), "candidate_pairs": len(pairs)}


def child_overlap(path: str, id_field: str, text_field: str, out: str) -> dict:
    """``overlap scan`` through its CLI entry point, in this process."""
    from overlap.cli import main

    t0 = time.perf_counter()
    try:
        main.main(
            ["scan", path, "--id-field", id_field, "--text-field", text_field, "-o", out, "-q", "--timings"],
            standalone_mode=False,
        )
    except SystemExit as exc:  # pragma: no cover - a failed run
        if exc.code:
            raise
    seconds = time.perf_counter() - t0
    summary = json.loads(Path(out, "summary.json").read_text())
    skipped = summary.get("skipped_by_reason", {})
    return {
        # articles with a body, as the plain way counts them (empty records are read and skipped)
        "documents": summary["counts"]["documents_read"] - skipped.get("empty", 0),
        "seconds": seconds,
        "peak_mib": _peak_mib(),
        "timings": summary.get("timings_seconds", {}),
        "counts": summary["counts"],
    }


def _child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"child {args[0]} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- quality


def _jaccard5(a: str, b: str) -> float:
    def grams(text: str) -> set[tuple[str, ...]]:
        w = WORD.findall(text.lower())
        return {tuple(w[i : i + 5]) for i in range(max(1, len(w) - 4))}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y) if x or y else 1.0


def quality(path: str, id_field: str, text_field: str, out: str, name: str) -> dict:
    docs = dict(_read(path, id_field, text_field))
    clusters = json.loads(Path(out, "clusters.json").read_text())["clusters"]
    cluster_of = {m: c["id"] for c in clusters for m in c["members"]}
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id, text in docs.items():
        groups[text].append(doc_id)
    identical = [g for g in groups.values() if len(g) > 1]
    whole = sum(1 for g in identical if len({cluster_of.get(d) for d in g}) == 1 and cluster_of.get(g[0]) is not None)
    pairs = low = 0
    for c in clusters:
        for a, b in itertools.combinations(c["members"], 2):
            pairs += 1
            low += _jaccard5(docs[a], docs[b]) < 0.5
    sizes = sorted((len(c["members"]) for c in clusters), reverse=True)
    return {
        "corpus": name,
        "identical_groups": len(identical),
        "identical_groups_in_one_cluster": whole,
        "clusters": len(clusters),
        "documents_in_clusters": len(cluster_of),
        "largest_clusters": sizes[:5],
        "pairs_in_clusters": pairs,
        "pairs_below_0.5": low,
        "share_below_0.5": round(low / pairs, 4) if pairs else 0.0,
    }


# ---------------------------------------------------------------- main


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, *rest = sys.argv[2:]
        if mode == "plain":
            result = child_plain(rest[0], rest[1], rest[2], float(rest[3]))
        else:
            result = child_overlap(*rest)
        print(json.dumps(result))
        return

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reuters", default=str(HERE.parent.parent / "shared/data/reuters21578/reuters21578_docs.jsonl.gz"))
    ap.add_argument("--bbc", default=str(HERE.parent.parent / "shared/data/bbc_news/bbc_news.jsonl.gz"))
    ap.add_argument("--repeat", type=int, default=3, help="runs of each method (medians reported)")
    ap.add_argument("--plain-threshold", type=float, default=0.4, help="LSH threshold of the plain way (overlap's default LSH threshold)")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    report: dict = {"machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()}}

    with tempfile.TemporaryDirectory() as tmp:
        reuters_out = os.path.join(tmp, "reuters")
        if not args.skip_speed:
            runs: dict[str, list[dict]] = {"overlap": [], "plain": []}
            for _ in range(args.repeat):  # interleaved, so load changes hit both alike
                runs["overlap"].append(_child(["overlap", args.reuters, "newid", "body", reuters_out]))
                runs["plain"].append(_child(["plain", args.reuters, "newid", "body", str(args.plain_threshold)]))
            speed = {}
            for method, rs in runs.items():
                secs = statistics.median(r["seconds"] for r in rs)
                speed[method] = {
                    "documents": rs[0]["documents"],
                    "seconds_median": round(secs, 2),
                    "seconds_all": [round(r["seconds"], 2) for r in rs],
                    "docs_per_second": round(rs[0]["documents"] / secs),
                    "peak_mib": round(max(r["peak_mib"] for r in rs)),
                }
            speed["overlap"]["stage_seconds_last_run"] = runs["overlap"][-1]["timings"]
            speed["plain"]["candidate_pairs"] = runs["plain"][0]["candidate_pairs"]
            speed["ratio_docs_per_second"] = round(speed["overlap"]["docs_per_second"] / speed["plain"]["docs_per_second"], 2)
            speed["ratio_peak_memory"] = round(speed["overlap"]["peak_mib"] / speed["plain"]["peak_mib"], 2)
            report["reuters_speed"] = speed
        else:
            _child(["overlap", args.reuters, "newid", "body", reuters_out])
        report["reuters_quality"] = quality(args.reuters, "newid", "body", reuters_out, "reuters21578")
        report["reuters_counts"] = json.loads(Path(reuters_out, "summary.json").read_text())["counts"]
        bbc_out = os.path.join(tmp, "bbc")
        bbc = _child(["overlap", args.bbc, "id", "text", bbc_out])
        report["bbc_quality"] = quality(args.bbc, "id", "text", bbc_out, "bbc_news")
        report["bbc_seconds"] = round(bbc["seconds"], 2)
    report["machine"]["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
