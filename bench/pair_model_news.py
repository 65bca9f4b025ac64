"""The pair model on news: the claims tier on BBC News with the fitted scores and with the pair model.

    python bench/pair_model_news.py [--docs N] [--sample K] [--seed S] [--dump FILE] [--against FILE]

Runs :func:`overlap.claims.find.find_claims` twice on the same articles (``pair_model`` off, then
on), prints each run's CPU and wall seconds and counts, then ``K`` random matches the pair model
dropped and ``K`` it added, with both statements, for a person to read. ``--dump`` writes the
pair model's matches as JSON lines; ``--against`` reads such a file in place of the run without
the model, so a new model is read against the one it replaces (the dump made by the old one's
checkout) on the same articles, match by match. There are no labels for
news claims: this is how the README's "about half of each were right" was judged (first 800
articles, K=10, seed 1). CPU seconds are the process's, so they hold on a busy machine better
than wall time does; the embedding and pair models use onnxruntime's default threads.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BBC = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.is_dir()),
           ROOT.parent / "shared" / "data") / "bbc_news" / "bbc_news.jsonl.gz"


def main() -> None:
    from overlap.claims.find import find_claims
    from overlap.model import Document
    from overlap.params import ParaphraseParams

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=0, help="first N articles only (default: all 2,225)")
    ap.add_argument("--sample", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dump", type=Path, help="write the pair model's matches here (JSON lines)")
    ap.add_argument("--against", type=Path, help="compare with this dump instead of a run without the model")
    args = ap.parse_args()
    with gzip.open(BBC, "rt", encoding="utf-8") as f:
        docs = [Document(str(r["id"]), r["text"]) for r in map(json.loads, f)]
    docs = docs[: args.docs] if args.docs else docs
    text = {d.id: d.text for d in docs}
    found = {}
    if args.against:
        with args.against.open(encoding="utf-8") as f:
            found[False] = {tuple(r["key"]): r for r in map(json.loads, f)}
        print(f"against {args.against}: {len(found[False])} matches")
    for on in ((True,) if args.against else (False, True)):
        c0, w0 = time.process_time(), time.perf_counter()
        result, counts = find_claims(docs, ParaphraseParams(pair_model=on))
        print(f"pair model {'on ' if on else 'off'}: cpu {time.process_time() - c0:.1f} s, wall {time.perf_counter() - w0:.1f} s,",
              {k: counts[k] for k in ("candidates", "pair_model_scored", "below_pair_floor", "verbatim_skipped", "matches",
                                      "same_statement", "same_claim")}, flush=True)
        found[on] = {(m.a.doc, m.a.span.start, m.b.doc, m.b.span.start): _row(m, text) for m in result.matches}
    if args.dump:
        args.dump.write_text("".join(json.dumps({"key": k, **r}) + "\n" for k, r in found[True].items()), encoding="utf-8")
    rng = random.Random(args.seed)
    for name, keys in (("dropped", [k for k in found[False] if k not in found[True]]),
                       ("added", [k for k in found[True] if k not in found[False]])):
        print(f"\n{len(keys)} matches {name}; a sample:")
        for k in rng.sample(keys, min(args.sample, len(keys))):
            r = found[False].get(k) or found[True][k]
            print(f"- {r['relation']} {r['score']:.2f}\n    {r['a']}\n    {r['b']}")


def _row(m, text: dict) -> dict:
    """What a reader needs of one match: its relation and score and both statements' text."""
    return {"relation": m.details.get("relation"), "score": m.score,
            "a": text[m.a.doc][m.a.span.start : m.a.span.end], "b": text[m.b.doc][m.b.span.start : m.b.span.end]}


if __name__ == "__main__":
    main()
