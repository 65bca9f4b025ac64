#!/usr/bin/env python3
"""What the role check (overlap/claims/roles.py) rejects, on labelled pairs and on a scan's matches, and
on the labelled pairs what the figures check (overlap/claims/figures.py) rejects beside it.

Labelled sets (from ``../shared/data``; the check has no parameter fitted on them, so every set is
held out): PAWS-Wiki dev, MRPC train, STS-B train and dev (same claim: rated 3 or more). For each,
the share of negative and of positive pairs the check rejects, and what that does to the fitted
scores' decisions (``overlap score``'s paraphrase and claim cuts): accuracy and precision before
and after the veto, on the same pairs in the same run. Then the contrast pairs of
``tools/contrast.py`` (each MRPC paraphrase and STS-B pair rated 4 or more beside a copy of it with
one fact edited: named actors swapped, a negation, an opposite word, a changed figure): the share
of edited pairs the check rejects, by kind, and of the true pairs. Then, with ``--scan DIR`` (a finished
``overlap scan`` run with ``--no-role-check``), every paraphrase match of that scan the check would
reject, printed in full to be read by hand. CPU seconds of the parser are given for each.

    python bench/roles.py
    overlap scan ../shared/data/bbc_news/bbc_news.jsonl.gz -o /tmp/bbc --no-role-check -q
    python bench/roles.py --scan /tmp/bbc --json roles.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # measure this checkout
sys.path.insert(0, str(ROOT / "tools"))
from train_pair_model import held_out_contrasts, read_mrpc, read_paws, read_stsb  # noqa: E402  (no torch at import)

DATA = ROOT.parent / "shared" / "data"


def decisions(pairs: list[tuple[str, str]], claim: bool) -> np.ndarray:
    """The fitted scores' yes/no on each pair (embedding path if installed): paraphrase, or same claim."""
    from overlap.claims.scorer import load_claim_scorer, load_scorer

    scorer = load_claim_scorer() if claim else load_scorer()
    return np.array([r.score >= scorer.threshold for r in scorer.score_pairs(pairs)])


def rates(name: str, rows: list[tuple[str, str, int]], claim: bool) -> dict:
    from overlap.claims.figures import figure_conflict
    from overlap.claims.roles import load_role_parser

    parser = load_role_parser()
    pairs = [(a, b) for a, b, _ in rows]
    y = np.array([label for _, _, label in rows], dtype=bool)
    t0 = time.process_time()
    conflicts = parser.conflicts(pairs)
    cpu = time.process_time() - t0
    texts = len({t for p in pairs for t in p})
    veto = np.array([c is not None for c in conflicts])
    figures = np.array([figure_conflict(a, b) is not None for a, b in pairs], dtype=bool)
    said = decisions(pairs, claim)
    after = said & ~veto
    both = after & ~figures

    def quality(hit: np.ndarray) -> dict:
        return {"accuracy": round(float((hit == y).mean()), 4),
                "precision": round(float((hit & y).sum() / max(1, hit.sum())), 4),
                "recall": round(float((hit & y).sum() / max(1, y.sum())), 4)}

    out = {"pairs": len(rows), "negatives": int((~y).sum()), "positives": int(y.sum()),
           "rejected_negatives": int((veto & ~y).sum()), "rejected_positives": int((veto & y).sum()),
           "relation": "claim" if claim else "paraphrase",
           "fitted": quality(said), "fitted_with_role_check": quality(after),
           "figures_rejected_negatives": int((figures & ~y).sum()), "figures_rejected_positives": int((figures & y).sum()),
           "fitted_with_figures_and_role_check": quality(both),
           "texts_parsed": texts, "parse_cpu_s": round(cpu, 2)}
    print(f"{name}: rejects {out['rejected_negatives']}/{out['negatives']} negatives "
          f"({out['rejected_negatives'] / max(1, out['negatives']):.3f}), {out['rejected_positives']}/{out['positives']} "
          f"positives; fitted {out['relation']} accuracy {out['fitted']['accuracy']} -> "
          f"{out['fitted_with_role_check']['accuracy']}, precision {out['fitted']['precision']} -> "
          f"{out['fitted_with_role_check']['precision']}; {texts} texts parsed in {cpu:.1f} CPU s")
    print(f"   figures reject {out['figures_rejected_negatives']} negatives, {out['figures_rejected_positives']} positives; "
          f"with both checks accuracy {out['fitted_with_figures_and_role_check']['accuracy']}, precision "
          f"{out['fitted_with_figures_and_role_check']['precision']}, recall {out['fitted_with_figures_and_role_check']['recall']} "
          f"(role check alone: recall {out['fitted_with_role_check']['recall']})")
    for (a, b), c, label in zip(pairs, conflicts, y):
        if c is not None and label:
            print(f"   rejected positive ({c}):\n     {a}\n     {b}")
    return out


def contrast(paws, mrpc, stsb) -> dict:
    """What the check rejects of the contrast pairs (one fact edited) and of their true pairs."""
    from overlap.claims.roles import load_role_parser

    rows = held_out_contrasts(paws, mrpc, stsb, mrpc, stsb)  # (a, b, edited b, kind)
    parser = load_role_parser()
    true = parser.conflicts([(a, b) for a, b, _, _ in rows])
    edited = parser.conflicts([(a, e) for a, _, e, _ in rows])
    out: dict = {"pairs": len(rows), "true_rejected": sum(c is not None for c in true), "edited_rejected": {}}
    for kind in sorted({k for *_, k in rows}):
        hits = [c is not None for c, (*_, k) in zip(edited, rows) if k == kind]
        out["edited_rejected"][kind] = {"n": len(hits), "rejected": sum(hits), "share": round(sum(hits) / len(hits), 3)}
    print(f"contrast pairs ({len(rows)}): true pairs rejected {out['true_rejected']}; edited pairs rejected: "
          + ", ".join(f"{k} {v['rejected']}/{v['n']} ({v['share']:.3f})" for k, v in out["edited_rejected"].items()))
    from overlap.claims.figures import figure_conflict

    out["figures_true_rejected"] = sum(figure_conflict(a, b) is not None for a, b, _, _ in rows)
    out["figures_edited_rejected"] = {kind: sum(figure_conflict(a, e) is not None for a, _, e, k in rows if k == kind)
                                      for kind in out["edited_rejected"]}
    print(f"   figures: true pairs rejected {out['figures_true_rejected']}; edited pairs rejected: "
          + ", ".join(f"{k} {n}" for k, n in out["figures_edited_rejected"].items()))
    return out


def scan(folder: Path) -> dict:
    from overlap.claims.roles import load_role_parser

    matches = [json.loads(line) for line in (folder / "matches.jsonl").open(encoding="utf-8")]
    matches = [m for m in matches if m["kind"] == "paraphrase"]
    pairs = [(m["a"]["text"], m["b"]["text"]) for m in matches]
    t0 = time.process_time()
    conflicts = load_role_parser().conflicts(pairs)
    cpu = time.process_time() - t0
    rejected = []
    for m, (a, b), c in zip(matches, pairs, conflicts):
        if c is not None:
            rejected.append({"a": m["a"]["doc"], "b": m["b"]["doc"], "relation": m["details"]["relation"],
                             "score": m["score"], "conflict": str(c), "a_text": a, "b_text": b})
            print(f"rejected {m['details']['relation']} {m['score']} ({c}):\n   {m['a']['doc']}: {a}\n   {m['b']['doc']}: {b}")
    print(f"{folder}: {len(rejected)} of {len(matches)} paraphrase matches rejected; "
          f"{len({t for p in pairs for t in p})} texts parsed in {cpu:.1f} CPU s (parser load included)")
    return {"matches": len(matches), "rejected": rejected, "parse_cpu_s": round(cpu, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--scan", type=Path, action="append", default=[], help="a scan folder made with --no-role-check")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from overlap.claims.roles import load_role_parser, role_check_status

    if load_role_parser() is None:
        sys.exit(f"role check {role_check_status()}")
    out: dict = {"parser": role_check_status(), "scans": {}}
    for folder in args.scan:  # first: the parser's load is then counted in the scan's CPU, as a scan pays it
        out["scans"][str(folder)] = scan(folder)
    paws = read_paws(args.data / "paws_wiki" / "dev.tsv")
    mrpc = read_mrpc(args.data / "mrpc" / "msr_paraphrase_train.txt")
    stsb = {name: read_stsb(args.data / "stsbenchmark" / f"sts-{name}.csv") for name in ("train", "dev")}
    for name, rows, claim in (
        ("PAWS-Wiki dev", paws, False),
        ("MRPC train", mrpc, False),
        ("STS-B train", [(a, b, int(s >= 3.0)) for a, b, s in stsb["train"]], True),
        ("STS-B dev", [(a, b, int(s >= 3.0)) for a, b, s in stsb["dev"]], True),
    ):
        out[name] = rates(name, rows, claim)
    out["contrast"] = contrast(paws, mrpc, stsb["train"])
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
