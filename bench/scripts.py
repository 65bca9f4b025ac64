#!/usr/bin/env python3
"""Duplicate and passage recall per script, on generated edited copies.

For each script (Chinese, Japanese, Thai, Urdu, Russian, English) articles
are generated from words and characters listed in ``tests/_multiscript.py``
(nothing is downloaded), and ``overlap.scan`` runs on them with the
paraphrase tier off:

* **duplicates**: ``--pairs`` articles of 9 sentences (about 22 clauses in
  Chinese) each with a copy carrying 3 small edits (a word replaced, inserted
  or dropped), and as many one-paragraph articles (3 sentences) each with a
  copy carrying 1 edit, among
  as many unrelated articles. Recall is the share of (article, copy) pairs
  that the scan reports as ``duplicate`` matches; *false* counts duplicate
  matches between articles that share nothing; *skipped* counts documents
  the scan set aside (too short); *counts ok* says whether documents read =
  scanned + skipped (a byte-identical pair of one-line items is among them).
* **passages**: ``--pairs`` pairs of unrelated articles that share one
  passage of 5 sentences (one word edited in the copy) at different places.
  A passage is found when a ``reuse`` match joins the two documents and its
  span on each side covers the true passage with an intersection over union
  of at least 0.8 (offsets into the original texts, as always); *exact*
  counts the passages found with exactly the true offsets on both sides;
  *false* counts reuse matches between documents that share nothing.

    python bench/scripts.py                 # the table
    python bench/scripts.py --json out.json # and the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # measure this checkout, whatever else is installed
sys.path.insert(1, str(HERE.parent / "tests"))

from _multiscript import SCRIPTS, Script, article, passage_pair, sentences, small_edits  # noqa: E402

from overlap.model import Document  # noqa: E402
from overlap.params import Params  # noqa: E402
from overlap.pipeline import scan  # noqa: E402


def _duplicates(script: Script, pairs: int, seed: int) -> dict[str, float]:
    rng = random.Random(f"dup-{script.name}-{seed}")
    docs: list[Document] = []
    truth: set[tuple[str, str]] = set()
    for kind, n_sent, n_edits in (("long", 9, 3), ("short", 3, 1)):
        for i in range(pairs):
            sents = sentences(script, rng, n_sent)
            a, b = f"{kind}{i:03d}a", f"{kind}{i:03d}b"
            docs.append(Document(a, article(script, sents, 4 if kind == "long" else n_sent)))
            docs.append(Document(b, article(script, small_edits(script, rng, sents, n_edits), 4 if kind == "long" else n_sent)))
            truth.add((a, b))
    for i in range(2 * pairs):
        docs.append(Document(f"other{i:03d}", article(script, sentences(script, rng, rng.choice((3, 9))))))
    # a byte-identical pair too short to compare otherwise (a one-line item run twice): read must
    # equal scanned + skipped, whatever happens to it
    line = " ".join(script.function_words[:3])
    docs += [Document("line-a", line), Document("line-b", line)]
    truth.add(("line-a", "line-b"))
    params = Params().with_(paraphrase={"enabled": False}, passages={"enabled": False})
    t0 = time.perf_counter()
    with scan(docs, params) as result:
        elapsed = time.perf_counter() - t0
        found = {tuple(sorted((m.a.doc, m.b.doc))) for m in result.matches if m.kind == "duplicate"}
        skipped = len(result.skipped)
        counts = result.counts
    out = {}
    for kind in ("long", "short"):
        want = {p for p in truth if p[0].startswith(kind)}
        out[f"dup_{kind}"] = len(want & found) / len(want)
    out["dup_false"] = len(found - truth)
    out["dup_skipped"] = skipped
    out["counts_add_up"] = counts["documents_read"] == counts["documents_scanned"] + counts["documents_skipped"]
    out["dup_seconds"] = round(elapsed, 2)
    return out


def _iou(found: tuple[int, int], true: tuple[int, int]) -> float:
    inter = max(0, min(found[1], true[1]) - max(found[0], true[0]))
    union = max(found[1], true[1]) - min(found[0], true[0])
    return inter / union if union else 0.0


def _passages(script: Script, pairs: int, seed: int) -> dict[str, float]:
    rng = random.Random(f"pass-{script.name}-{seed}")
    docs: list[Document] = []
    truth: dict[tuple[str, str], tuple[tuple[int, int], tuple[int, int]]] = {}
    for i in range(pairs):
        a_text, b_text, a_span, b_span = passage_pair(script, rng)
        a, b = f"p{i:03d}a", f"p{i:03d}b"
        docs += [Document(a, a_text), Document(b, b_text)]
        truth[(a, b)] = (a_span, b_span)
    params = Params().with_(paraphrase={"enabled": False})
    t0 = time.perf_counter()
    with scan(docs, params) as result:
        elapsed = time.perf_counter() - t0
        reuse = [m for m in result.matches if m.kind in ("reuse", "duplicate")]
    found = exact = false = 0
    for pair, (ta, tb) in truth.items():
        hits = [m for m in reuse if (m.a.doc, m.b.doc) == pair]
        good = [
            m for m in hits
            if _iou((m.a.span.start, m.a.span.end), ta) >= 0.8 and _iou((m.b.span.start, m.b.span.end), tb) >= 0.8
        ]
        found += bool(good)
        exact += any((m.a.span.start, m.a.span.end) == ta and (m.b.span.start, m.b.span.end) == tb for m in good)
    false = sum(1 for m in reuse if (m.a.doc, m.b.doc) not in truth)
    return {"passage": found / pairs, "passage_exact": exact / pairs, "passage_false": false, "passage_seconds": round(elapsed, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=20, help="pairs per script and kind (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scripts", default=",".join(SCRIPTS), help="comma-separated subset")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    rows = {}
    header = f"{'script':<9} {'dup long':>8} {'dup short':>9} {'false':>5} {'skipped':>7} {'counts ok':>9} {'passage':>7} {'exact':>5} {'false':>5}"
    print(header)
    for name in args.scripts.split(","):
        script = SCRIPTS[name]
        row = {**_duplicates(script, args.pairs, args.seed), **_passages(script, args.pairs, args.seed)}
        rows[name] = row
        print(
            f"{name:<9} {row['dup_long']:>8.0%} {row['dup_short']:>9.0%} {row['dup_false']:>5} {row['dup_skipped']:>7} "
            f"{'yes' if row['counts_add_up'] else 'NO':>9} {row['passage']:>7.0%} {row['passage_exact']:>5.0%} {row['passage_false']:>5}",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
