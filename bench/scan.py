#!/usr/bin/env python3
"""Benchmark and quality check of ``overlap scan`` on real corpora.

Speed: the duplicate tier of ``overlap scan`` (the real CLI, end to end:
read, scan, write the report) against its peers on the same articles in the
same run, each in a fresh process, interleaved so that load changes hit all
alike. For each: CPU seconds (user + system of the process and every process
it started, from ``wait4``), wall seconds and peak RSS (the largest single
process), medians over ``--repeat`` runs. The peers, all with word 5-grams of
lower-cased ``\\w+`` words, 128 permutations, LSH bands of 32 x 4 rows
(datasketch's choice at threshold 0.4, overlap's default) and exact
verification of each candidate pair at Jaccard 0.5 (overlap's default):

- ``plain``: datasketch, one ``MinHash()`` per document, ``update()`` per
  shingle, ``MinHashLSH`` insert then query;
- ``update_batch``: the same with ``MinHash.update_batch`` per document;
- ``rensa``: rensa's full-set ``RMinHash`` (``from_token_sets`` over the whole
  corpus, Rust) and its ``RMinHashLSH`` (``insert_many``, ``query_all``);
- ``text-dedup``: text-dedup's MinHash pipeline (Hugging Face ``datasets``,
  polars clustering, its own false-positive check), as its CLI runs it, with
  its default one worker process per core.

rensa and text-dedup run in their own virtual environment
(``--peers-python``, see ``bench/requirements-peers.txt``), never in
overlap's; without it they are left out and the report says so.

Quality: on BBC News, whether every group of byte-identical articles ends up
in one cluster, and the share of pairs inside clusters whose word-5-gram
Jaccard (plain lower-cased ``\\w+`` words, independent of overlap's own
normalisation) is below 0.5. On Reuters-21578, the same for its groups of
identical bodies, plus what the scan finds.

    python -m venv /work/venv-peers   # Python >= 3.12 for text-dedup 0.4.1
    /work/venv-peers/bin/pip install -r bench/requirements-peers.txt
    python bench/scan.py --reuters ../shared/data/reuters21578/reuters21578_docs.jsonl.gz \\
                         --bbc ../shared/data/bbc_news/bbc_news.jsonl.gz --repeat 3 \\
                         --peers-python /work/venv-peers/bin/python
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import re
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
DUPLICATE_TIER = ("--no-passages", "--no-paraphrase")


def _read(path: str, id_field: str, text_field: str) -> list[tuple[str, str]]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            text = rec.get(text_field)
            if text:
                out.append((str(rec[id_field]), text))
    return out


# ---------------------------------------------------------------- child modes


SHINGLE, NUM_PERM, BANDS, ROWS, LSH_THRESHOLD, THRESHOLD, MIN_WORDS, SEED = 5, 128, 32, 4, 0.4, 0.5, 10, 1


def _shingles(text: str) -> list[str]:
    """A peer's shingles: word 5-grams of lower-cased ``\\w+`` words, none for texts under MIN_WORDS words."""
    words = WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return []
    return [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


def _verified(docs: list[tuple[str, str]], candidates: set[tuple[int, int]]) -> dict:
    """Exact Jaccard of each candidate pair (its shingle sets rebuilt): the pairs at THRESHOLD or above."""
    sets: dict[int, set[str]] = {}
    verified = []
    for a, b in candidates:
        for i in (a, b):
            if i not in sets:
                sets[i] = set(_shingles(docs[i][1]))
        x, y = sets[a], sets[b]
        if len(x & y) >= THRESHOLD * len(x | y):
            verified.append((a, b))
    return {"candidate_pairs": len(candidates), "verified_pairs": len(verified),
            "documents_in_pairs": len({i for pair in verified for i in pair})}


def _datasketch(path: str, id_field: str, text_field: str, batch: bool) -> dict:
    """The plain datasketch way, end to end from the same file: ``update()`` per shingle, or ``update_batch``."""
    from datasketch import MinHash, MinHashLSH

    docs = _read(path, id_field, text_field)
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    sketches = []
    for k, (_, text) in enumerate(docs):
        shingles = _shingles(text)
        if not shingles:
            continue
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        if batch:
            m.update_batch([s.encode("utf-8") for s in shingles])
        else:
            for s in shingles:
                m.update(s.encode("utf-8"))
        lsh.insert(k, m)
        sketches.append((k, m))
    candidates = {(min(k, o), max(k, o)) for k, m in sketches for o in lsh.query(m) if o != k}
    return {"documents": len(docs), "signed": len(sketches), **_verified(docs, candidates)}


def child_rensa(path: str, id_field: str, text_field: str) -> dict:
    """rensa's full-set R-MinHash (Rust, one call for the corpus) and its LSH, from the same file."""
    import rensa
    from rensa import RMinHash, RMinHashLSH

    docs = _read(path, id_field, text_field)
    token_sets = [_shingles(text) for _, text in docs]
    keep = [k for k, tokens in enumerate(token_sets) if tokens]
    sketches = RMinHash.from_token_sets([token_sets[k] for k in keep], num_perm=NUM_PERM, seed=SEED)
    lsh = RMinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, num_bands=BANDS)
    lsh.insert_many(sketches)
    candidates = {(min(keep[i], keep[o]), max(keep[i], keep[o]))
                  for i, found in enumerate(lsh.query_all(sketches)) for o in found if o != i}
    return {"documents": len(docs), "signed": len(keep), "version": getattr(rensa, "__version__", "0.5.0"),
            **_verified(docs, candidates)}


def child_textdedup(bodies: str, workdir: str, procs: str) -> dict:
    """text-dedup's MinHash pipeline as its CLI runs it (``python -m text_dedup.minhash`` with a config file)."""
    os.environ["HF_DATASETS_CACHE"] = os.path.join(workdir, "cache")  # fresh: no cached map() results
    os.environ["HF_HUB_OFFLINE"] = "1"
    import pickle

    from text_dedup.config.base import load_config_from_toml
    from text_dedup.minhash import main as minhash_main

    config = Path(workdir, "config.toml")
    config.write_text(f"""
[input]
input_type = "local_files"
file_type = "json"
[input.read_arguments]
path = "json"
data_files = {json.dumps(bodies)}
split = "train"
[algorithm]
algorithm_name = "minhash"
text_column = "body"
num_perm = {NUM_PERM}
ngram_size = {SHINGLE}
threshold = {THRESHOLD}
bands = {BANDS}
rows = {ROWS}
min_length = {MIN_WORDS}
seed = {SEED}
num_proc = {int(procs)}
check_false_positive = true
[output]
output_dir = {json.dumps(os.path.join(workdir, "out"))}
save_clusters = true
clean_cache = true
[debug]
logging_level = 40
""")
    minhash_main(load_config_from_toml(config))
    with open(os.path.join(workdir, "out", "clusters.pickle"), "rb") as f:
        clusters = pickle.load(f)
    return {"documents": sum(1 for _ in open(bodies, encoding="utf-8")), "documents_in_pairs": len(clusters)}


def child_overlap(path: str, id_field: str, text_field: str, out: str, checkout: str, *extra: str) -> dict:
    """``overlap scan`` through its CLI entry point, in this process, from the checkout ``checkout``."""
    os.environ["OVERLAP_WORKERS"] = "0"  # one process (the CLI's default starts a cluster for a large corpus)
    sys.path.insert(0, checkout)
    from overlap.cli import main

    try:
        main.main(
            ["scan", path, "--id-field", id_field, "--text-field", text_field, "-o", out, "-q", "--timings", *extra],
            standalone_mode=False,
        )
    except SystemExit as exc:  # pragma: no cover - a failed run
        if exc.code:
            raise
    summary = json.loads(Path(out, "summary.json").read_text())
    skipped = summary.get("skipped_by_reason", {})
    return {
        # articles with a body, as the peers count them (empty records are read and skipped)
        "documents": summary["counts"]["documents_read"] - skipped.get("empty", 0),
        "documents_in_pairs": summary["counts"].get("documents_in_clusters"),
        "timings": summary.get("timings_seconds", {}),
        "counts": summary["counts"],
    }


def _child(args: list[str], python: str | None = None) -> dict:
    """Run one mode in a fresh process; its result with CPU seconds, wall seconds and peak RSS added.

    CPU is user + system of the process and of every process it started and
    waited for (``wait4``), so worker pools count; peak RSS is the largest
    single process of them.
    """
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([python or sys.executable, __file__, "--child", *args], stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            sys.exit(f"child {args[0]} failed:\n{err.read()[-4000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result.update(cpu_seconds=usage.ru_utime + usage.ru_stime, wall_seconds=wall, peak_mib=usage.ru_maxrss / 1024)
    return result


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
        modes = {"plain": lambda *a: _datasketch(*a, batch=False), "update_batch": lambda *a: _datasketch(*a, batch=True),
                 "rensa": child_rensa, "text-dedup": child_textdedup, "overlap": child_overlap}
        result = modes[mode](*rest)
        print(json.dumps(result))
        return

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reuters", default=str(HERE.parent.parent / "shared/data/reuters21578/reuters21578_docs.jsonl.gz"))
    ap.add_argument("--bbc", default=str(HERE.parent.parent / "shared/data/bbc_news/bbc_news.jsonl.gz"))
    ap.add_argument("--repeat", type=int, default=3, help="runs of each method (medians reported)")
    ap.add_argument("--peers-python", default=None,
                    help="Python of the virtual environment holding rensa and text-dedup (bench/requirements-peers.txt)")
    ap.add_argument("--methods", default="overlap,plain,update_batch,rensa,text-dedup",
                    help="comma-separated methods to time (rensa and text-dedup need --peers-python)")
    ap.add_argument("--baseline", action="append", default=[], metavar="CHECKOUT",
                    help="also time overlap from this checkout (e.g. ../main), interleaved with this one (repeatable)")
    ap.add_argument("--text-dedup-procs", type=int, default=1,
                    help="text-dedup's num_proc (its default is one per core; 1 costs it the least CPU)")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-quality", action="store_true", help="speed only: no BBC run, no cluster checks")
    ap.add_argument("--full-reuters", action="store_true", help="also time one Reuters scan with every tier")
    ap.add_argument("--tier-options", default=" ".join(DUPLICATE_TIER),
                    help="scan options for the comparison with the peers, which find near-duplicate "
                         "documents only (default: the duplicate tier alone)")
    args = ap.parse_args()
    report: dict = {"machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()}}
    here = str(HERE.parent)

    with tempfile.TemporaryDirectory() as tmp:
        reuters_out = os.path.join(tmp, "reuters")
        tier = args.tier_options.split()
        if not args.skip_speed:
            bodies = os.path.join(tmp, "bodies.jsonl")  # text-dedup reads plain JSON lines holding a body
            with open(bodies, "w", encoding="utf-8") as f:
                for doc_id, text in _read(args.reuters, "newid", "body"):
                    f.write(json.dumps({"id": doc_id, "body": text}) + "\n")
            commands: dict[str, tuple[list[str], str | None]] = {}
            for method in args.methods.split(","):
                if method == "overlap":
                    commands["overlap"] = (["overlap", args.reuters, "newid", "body", reuters_out, here, *tier], None)
                elif method in ("plain", "update_batch"):
                    commands[method] = ([method, args.reuters, "newid", "body"], None)
                elif not args.peers_python:
                    report.setdefault("left_out", []).append(f"{method}: no --peers-python")
                elif method == "rensa":
                    commands[method] = (["rensa", args.reuters, "newid", "body"], args.peers_python)
                elif method == "text-dedup":
                    commands[method] = (["text-dedup", bodies, "", str(args.text_dedup_procs)], args.peers_python)
                else:
                    sys.exit(f"unknown method {method!r}")
            for k, checkout in enumerate(args.baseline):
                out = os.path.join(tmp, f"baseline{k}")
                commands[f"overlap@{checkout}"] = (["overlap", args.reuters, "newid", "body", out,
                                                    str(Path(checkout).resolve()), *tier], None)
            runs: dict[str, list[dict]] = {m: [] for m in commands}
            for _ in range(args.repeat):  # interleaved, so load changes hit every method alike
                for method, (argv, python) in commands.items():
                    if method == "text-dedup":
                        work = tempfile.mkdtemp(dir=tmp)
                        argv = [*argv[:2], work, *argv[3:]]
                    runs[method].append(_child(argv, python))
            speed: dict = {}
            for method, rs in runs.items():
                cpu = statistics.median(r["cpu_seconds"] for r in rs)
                wall = statistics.median(r["wall_seconds"] for r in rs)
                speed[method] = {
                    "documents": rs[0]["documents"],
                    "cpu_seconds_median": round(cpu, 2),
                    "cpu_seconds_all": [round(r["cpu_seconds"], 2) for r in rs],
                    "wall_seconds_median": round(wall, 2),
                    "wall_seconds_all": [round(r["wall_seconds"], 2) for r in rs],
                    "peak_mib": round(max(r["peak_mib"] for r in rs)),
                    **{k: rs[0][k] for k in ("signed", "candidate_pairs", "verified_pairs", "documents_in_pairs") if k in rs[0]},
                }
            if "overlap" in runs:
                speed["overlap"]["stage_seconds_last_run"] = runs["overlap"][-1]["timings"]
                base = speed["overlap"]
                speed["ratios"] = {
                    f"{m}_over_overlap": {"cpu": round(v["cpu_seconds_median"] / base["cpu_seconds_median"], 2),
                                          "wall": round(v["wall_seconds_median"] / base["wall_seconds_median"], 2),
                                          "peak_memory": round(v["peak_mib"] / base["peak_mib"], 2)}
                    for m, v in speed.items() if m not in ("overlap", "ratios")
                }
            report["reuters_speed"] = speed
        if args.skip_quality:
            report["machine"]["load_after"] = os.getloadavg()
            print(json.dumps(report, indent=2))
            return
        if args.skip_speed or "overlap" not in args.methods.split(","):
            _child(["overlap", args.reuters, "newid", "body", reuters_out, here, *tier])
        report["reuters_quality"] = quality(args.reuters, "newid", "body", reuters_out, "reuters21578")
        report["reuters_counts"] = json.loads(Path(reuters_out, "summary.json").read_text())["counts"]
        bbc_out = os.path.join(tmp, "bbc")
        bbc = _child(["overlap", args.bbc, "id", "text", bbc_out, here])  # every tier
        report["bbc_quality"] = quality(args.bbc, "id", "text", bbc_out, "bbc_news")
        report["bbc_all_tiers"] = {k: round(bbc[k], 2) for k in ("cpu_seconds", "wall_seconds", "peak_mib")}
        report["bbc_stage_seconds"] = bbc["timings"]
        if args.full_reuters:
            full = _child(["overlap", args.reuters, "newid", "body", os.path.join(tmp, "full"), here])
            report["reuters_all_tiers"] = {**{k: round(full[k], 2) for k in ("cpu_seconds", "wall_seconds", "peak_mib")},
                                           "stage_seconds": full["timings"], "counts": full["counts"]}
    report["machine"]["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
