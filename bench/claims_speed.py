#!/usr/bin/env python3
"""What the paraphrase tier costs: ``overlap scan`` with and without it, on the same corpus in one run.

For each corpus, ten scans, each in a fresh process and in it alone (``OVERLAP_WORKERS=0``; so peak RSS is its
own): passages on and off (``--no-passages``) x paraphrase tier off (``--no-paraphrase``), lexical
(``OVERLAP_NO_EMBEDDINGS=1``: a plain install), the fitted embedding scores alone (``--no-pair-check``: the
tier before the pair model), the default (the fitted scores, checked by the pair model) and the pair model
judging (``--pair-model``). Prints wall and CPU seconds, peak RSS, the tier's own
seconds, statements, candidates, embedded statements, matches, statements
per second of the tier, and the ratio of each scan's CPU time to the same
scan without the tier. Compare ratios within one run: the machine is shared.

    python bench/claims_speed.py                      # Reuters-21578 and BBC News
    python bench/claims_speed.py --corpus bbc --no-embed
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # measure this checkout, whatever else is installed
DATA = next((p for p in (HERE.parent.parent / "shared" / "data", HERE.parent.parent.parent / "shared" / "data") if p.is_dir()),
            HERE.parent.parent / "shared" / "data")  # beside the checkout, or beside a worktree folder
CORPORA = {
    "reuters": (DATA / "reuters21578" / "reuters21578_docs.jsonl.gz", "newid", "body"),
    "bbc": (DATA / "bbc_news" / "bbc_news.jsonl.gz", "id", "text"),
}


def child(path: str, id_field: str, text_field: str, out: str, *extra: str) -> dict:
    """One ``overlap scan`` through its CLI entry point, in this process."""
    os.environ["OVERLAP_WORKERS"] = "0"  # and in this process only (the CLI's default starts a cluster for a large corpus)
    from overlap.cli import main

    t0 = time.perf_counter()
    try:
        main.main(["scan", path, "--id-field", id_field, "--text-field", text_field, "-o", out, "-q", "--timings",
                   "--paraphrase-max-docs", "0", *extra], standalone_mode=False)
    except SystemExit as exc:  # pragma: no cover - a failed run
        if exc.code:
            raise
    usage = resource.getrusage(resource.RUSAGE_SELF)
    summary = json.loads(Path(out, "summary.json").read_text())
    return {
        "wall": time.perf_counter() - t0,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
        "timings": summary.get("timings_seconds", {}),
        "counts": summary["counts"],
        "paraphrase": summary.get("paraphrase", {}),
    }


def run(corpus: str, out: str, extra: list[str], lexical: bool) -> dict:
    path, id_field, text_field = CORPORA[corpus]
    env = dict(os.environ)
    if lexical:
        env["OVERLAP_NO_EMBEDDINGS"] = "1"
    proc = subprocess.run([sys.executable, __file__, "--child", str(path), id_field, text_field, out, *extra],
                          capture_output=True, text=True, env=env)
    if proc.returncode:
        sys.exit(f"scan {corpus} {extra} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:])))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=sorted(CORPORA), action="append", help="default: reuters and bbc")
    ap.add_argument("--no-embed", action="store_true", help="skip the embedding-model scans")
    ap.add_argument("--no-passages-only", action="store_true", help="only the --no-passages scans")
    ap.add_argument("--passages-only", action="store_true", help="only the scans with passages (the default scan)")
    args = ap.parse_args()
    print(f"cores {os.cpu_count()}, load {os.getloadavg()[0]:.2f} at start")
    header = (f"{'corpus':<8} {'passages':<8} {'tier':<9} {'wall s':>7} {'cpu s':>7} {'RSS MiB':>7} {'tier s':>7} "
              f"{'stmts':>7} {'cands':>7} {'embedded':>8} {'pairs':>7} {'matches':>7} {'stmt/s':>7} {'cpu ratio':>9}")
    print(header)
    for corpus in args.corpus or ["reuters", "bbc"]:
        for passages in ([False] if args.no_passages_only else [True] if args.passages_only else [True, False]):
            base = [] if passages else ["--no-passages"]
            tiers = [("off", ["--no-paraphrase"], True), ("lexical", [], True)]
            if not args.no_embed:
                tiers.append(("embed", ["--no-pair-check"], False))
                tiers.append(("checked", [], False))
                tiers.append(("pair", ["--pair-model"], False))
            off_cpu = None
            for name, extra, lexical in tiers:
                with tempfile.TemporaryDirectory() as tmp:
                    r = run(corpus, tmp, base + extra, lexical)
                c, t = r["counts"], r["timings"]
                if off_cpu is None:
                    off_cpu = r["cpu"]
                tier_s = t.get("paraphrase", 0.0)
                stmts = c.get("paraphrase_statements", 0)
                print(f"{corpus:<8} {'on' if passages else 'off':<8} {name:<9} {r['wall']:>7.1f} {r['cpu']:>7.1f} "
                      f"{r['peak_mib']:>7.0f} {tier_s:>7.1f} {stmts:>7} {c.get('paraphrase_candidates', 0):>7} "
                      f"{c.get('paraphrase_embedded', 0):>8} {c.get('paraphrase_pair_model_scored', 0):>7} "
                      f"{c.get('paraphrase_matches', 0):>7} "
                      f"{(stmts / tier_s if tier_s else 0):>7.0f} {r['cpu'] / off_cpu:>9.2f}", flush=True)
    print(f"load {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
