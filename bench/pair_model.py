"""The pair model against today's scorer and the raw MiniLM cosine, on the same held-out pairs.

    python bench/pair_model.py CV_DIR [--json OUT]

``CV_DIR`` holds what ``tools/train_pair_model.py cv`` wrote: ``cv-fold{k}-pred.jsonl``, every
held-out pair of fold k (PAWS-Wiki dev and MRPC train pairs never seen in that fold's training,
and all of STS-B dev, which no fold trains on) with the pair model's two outputs. This script puts
beside them, on exactly those pairs, the scorers overlap shipped before the pair model (the
lexical and the embedding logistic scores, paraphrase and claim) and the raw cosine of the
embedding model, and prints one table:

* PAWS-Wiki dev (same words, different meaning): ROC AUC, accuracy at each scorer's own cut,
  and the accuracy of always answering "no";
* MRPC train: accuracy, F1 and ROC AUC of the paraphrase output;
* STS-B dev: Spearman of the claim output against people's 0-5 ratings (the pair model: mean and
  spread over the five fold models, each of which never saw STS-B dev).

The old scorers were fitted on all of MRPC train and STS-B train, so on MRPC they are scored
in-sample (their figures are flattered, the pair model's are not).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC by ranks (ties share their mean rank)."""
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sp = p[order]
    i = 0
    while i < len(sp):
        j = i
        while j + 1 < len(sp) and sp[j + 1] == sp[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    def rank(v: np.ndarray) -> np.ndarray:
        order = np.argsort(v, kind="mergesort")
        r = np.empty(len(v))
        sv = v[order]
        i = 0
        while i < len(sv):
            j = i
            while j + 1 < len(sv) and sv[j + 1] == sv[i]:
                j += 1
            r[order[i : j + 1]] = (i + j) / 2
            i = j + 1
        return r

    return float(np.corrcoef(rank(a), rank(b))[0, 1])


def binary(p: np.ndarray, y: np.ndarray, cut: float) -> dict:
    hit = p >= cut
    tp = (hit & (y == 1)).sum()
    return {"auc": round(auc(p, y), 3), "acc": round(float((hit == (y == 1)).mean()), 3),
            "f1": round(float(2 * tp / max(1, hit.sum() + (y == 1).sum())), 3), "cut": round(cut, 3)}


def old_scores(pairs: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Today's scorers and the raw cosine on ``pairs`` (embedding ones only if the model is installed)."""
    from overlap.claims.score import load_claim_scorer, load_scorer
    from overlap.claims.embed import load_embedder

    out: dict[str, np.ndarray] = {}
    for name, scorer in (("lexical", load_scorer(lexical_only=True)), ("lexical claim", load_claim_scorer(lexical_only=True))):
        out[name] = np.array([r.score for r in scorer.score_pairs(pairs)])
    embedder = load_embedder()
    if embedder is not None:
        for name, scorer in (("embedding", load_scorer()), ("embedding claim", load_claim_scorer())):
            out[name] = np.array([r.score for r in scorer.score_pairs(pairs)])
        va = embedder.encode([a for a, _ in pairs])
        vb = embedder.encode([b for _, b in pairs])
        out["raw cosine"] = np.clip((va * vb).sum(axis=1), 0.0, 1.0)
    return out


def cuts() -> dict[str, float]:
    from overlap.claims.score import load_claim_scorer, load_scorer

    c = {"lexical": load_scorer(lexical_only=True).threshold, "lexical claim": load_claim_scorer(lexical_only=True).threshold}
    try:
        c["embedding"] = load_scorer().threshold
        c["embedding claim"] = load_claim_scorer().threshold
    except Exception:  # noqa: BLE001 - no embedding model: those rows are absent anyway
        pass
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cv_dir", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--cosine-cut", type=float, default=None,
                    help="cut for the raw cosine's accuracy (default: the best cut on MRPC, flattering it)")
    args = ap.parse_args()
    files = sorted(args.cv_dir.glob("cv-fold*-pred.jsonl"))
    if not files:
        sys.exit(f"{args.cv_dir}: no cv-fold*-pred.jsonl")
    held: dict[str, list[dict]] = {"paws": [], "mrpc": []}
    stsb: list[list[dict]] = []
    for f in files:
        rows = [json.loads(line) for line in f.open(encoding="utf-8")]
        for name in held:
            held[name] += [r for r in rows if r["set"] == name]
        stsb.append([r for r in rows if r["set"] == "stsb_dev"])
    table: dict[str, dict] = {"folds": len(files)}
    own = cuts()
    for name, rows in held.items():
        y = np.array([r["label"] for r in rows])
        old = old_scores([(r["a"], r["b"]) for r in rows])
        res = {"n": len(rows), "pair model": binary(np.array([r["paraphrase"] for r in rows]), y, 0.5)}
        for k, v in old.items():
            if k == "raw cosine":
                cut = args.cosine_cut if args.cosine_cut is not None else max(np.unique(v), key=lambda c: ((v >= c) == (y == 1)).mean())
            else:
                cut = own[k]
            res[k] = binary(v, y, float(cut))
        res["always no"] = round(float((y == 0).mean()), 3)
        table[name] = res
    s = np.array([r["label"] for r in stsb[0]])
    per_fold = [spearman(np.array([r["claim"] for r in rows]), s) for rows in stsb]
    old = old_scores([(r["a"], r["b"]) for r in stsb[0]])
    table["stsb_dev"] = {"n": len(s), "pair model": {"mean": round(float(np.mean(per_fold)), 3),
                                                      "min": round(min(per_fold), 3), "max": round(max(per_fold), 3)}}
    table["stsb_dev"].update({k: round(spearman(v, s), 3) for k, v in old.items()})
    text = json.dumps(table, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
