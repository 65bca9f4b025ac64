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
  spread over the five fold models, each of which never saw STS-B dev);
* the pair model's two cuts, chosen on held-out pairs only (:func:`chosen_cuts`);
* the claim combiner (:func:`fit_claim_combiner`): the pair model's claim output alone ranks
  STS-B's graded pairs worse than the raw cosine does, so the shipped claim score joins the two in
  one logistic fitted on held-out STS-B *train* pairs; its weights are printed here and copied into
  ``overlap/claims/pair_model.py`` (``CLAIM_WEIGHTS``, and the veto shift as ``VETO_SHIFT``), and its
  STS-B dev and PAWS figures are a test;
* the held-out contrast pairs (``tools/contrast.py``: a held-out positive pair (a, b) beside (a, b
  with one fact changed: roles swapped, a negation, a word turned to its opposite, a figure)): the
  share where each scorer ranks the true pair above the edited one, per kind of edit, and the
  share of edited pairs each scorer still calls the same claim at its cut; with ``--shipped``, the
  shipped pair model beside them (it saw the unedited pairs in training, never the edits), and the
  shipped model through overlap's runtime on STS-B dev (claim score Spearman, same-claim accuracy,
  precision and recall at the shipped cut);
* with ``--speed N``, pairs a second of the shipped int8 model, on one thread and on every core;
* with ``--check``, the fitted scores deciding as before, with the pair model's veto on top
  (:func:`check_table`);
* with ``--roles``, the pair model's paraphrase output on PAWS and MRPC with the role check's veto
  on top, as a scan applies it (a pair the check rejects scores 0): ROC AUC and accuracy at the
  shipped cut before and after, and the pairs rejected by label (:func:`with_role_check`).

The old scorers were fitted on all of MRPC train and STS-B train, so on MRPC they are scored
in-sample (their figures are flattered, the pair model's are not).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC by ranks (ties share their mean rank)."""
    from scipy.stats import rankdata

    r = rankdata(p)
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).correlation)


def binary(p: np.ndarray, y: np.ndarray, cut: float) -> dict:
    hit = p >= cut
    tp = (hit & (y == 1)).sum()
    return {"auc": round(auc(p, y), 3), "acc": round(float((hit == (y == 1)).mean()), 3),
            "f1": round(float(2 * tp / max(1, hit.sum() + (y == 1).sum())), 3), "cut": round(cut, 3)}


def old_scores(pairs: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Today's scorers and the raw cosine on ``pairs`` (embedding ones only if the model is installed)."""
    from overlap.claims.embed import load_embedder
    from overlap.claims.scorer import load_claim_scorer, load_scorer

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
    from overlap.claims.scorer import load_claim_scorer, load_scorer

    c = {"lexical": load_scorer(lexical_only=True).threshold, "lexical claim": load_claim_scorer(lexical_only=True).threshold}
    try:
        c["embedding"] = load_scorer().threshold
        c["embedding claim"] = load_claim_scorer().threshold
    except Exception:  # noqa: BLE001 - no embedding model: those rows are absent anyway
        pass
    return c


def chosen_cuts(held: dict[str, list[dict]]) -> dict:
    """The pair model's paraphrase cut, chosen on held-out pairs only: the best accuracy on the
    held-out PAWS and MRPC pairs (the claim cut is 0.6 by construction, see :func:`combiner_table`)."""
    def best(p: np.ndarray, y: np.ndarray) -> dict:
        grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
        acc = [((p >= c) == (y == 1)).mean() for c in grid]
        c = float(grid[int(np.argmax(acc))])
        hit = p >= c
        return {"cut": c, "acc": round(float(max(acc)), 3),
                "precision": round(float((hit & (y == 1)).sum() / max(1, hit.sum())), 3),
                "recall": round(float((hit & (y == 1)).sum() / max(1, (y == 1).sum())), 3)}

    rows = held["paws"] + held["mrpc"]
    p, y = np.array([r["paraphrase"] for r in rows]), np.array([r["label"] for r in rows])
    out = {"paraphrase": best(p, y)}
    # the cut's own optimism: choose it on one half of the pairs, score it on the other, both ways
    half = np.random.default_rng(0).permutation(len(rows)) % 2 == 0
    hits = np.zeros(len(rows), dtype=bool)
    for side in (half, ~half):
        hits[~side] = p[~side] >= best(p[side], y[side])["cut"]
    out["paraphrase"]["cross-fitted"] = {"acc": round(float((hits == (y == 1)).mean()), 3),
                                         "precision": round(float((hits & (y == 1)).sum() / max(1, hits.sum())), 3),
                                         "recall": round(float((hits & (y == 1)).sum() / max(1, (y == 1).sum())), 3)}
    return out


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def fit_claim_combiner(claim: np.ndarray, cosine: np.ndarray, rating: np.ndarray, l2: float = 1.0) -> list[float]:
    """Weights ``(w_claim, w_cosine, bias)`` of sigmoid(w_claim * logit(claim) + w_cosine * cosine + bias),
    fitted (Newton, L2 on the two weights) to people's ratings / 5 as soft targets.

    The pair model reads roles and negation but lost some of the graded similarity the sentence
    embedding keeps (STS-B dev Spearman 0.81 against the cosine's 0.87 on fold 0); together they
    rank better than either, and the claim still falls when the pair model says the roles differ.
    """
    x = np.column_stack([logit(claim), cosine, np.ones(len(claim))])
    y = np.asarray(rating, dtype=np.float64) / 5.0
    b = np.zeros(3)
    reg = l2 * np.diag([1.0, 1.0, 0.0])
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ b))
        step = np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x + reg, x.T @ (p - y) + reg @ b)
        b -= step
        if np.abs(step).max() < 1e-10:
            break
    return [round(float(v), 4) for v in b]


def speed(n: int) -> dict:
    """Pairs a second of the shipped pair model (int8 ONNX) on N distinct STS-B dev pairs: in this process on
    one thread, as ``--workers 1`` reads them, and on a local Dask cluster of one single-threaded worker per
    core, as a scan on every core does (the cluster's start is not timed; each run on a fresh model, so no
    pair is remembered from an earlier one)."""
    from overlap.claims.pair_model import PAIR_MODEL_FILE, PairModel, load_pair_model, pair_model_status
    from overlap.engine import resolve_workers
    from overlap.engine.cluster import DaskEngine

    if load_pair_model() is None:
        return {"error": pair_model_status()}
    data = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.is_dir()),
                ROOT.parent / "shared" / "data")  # a checkout beside ../shared, or a worktree one level deeper
    path = data / "stsbenchmark" / "sts-dev.csv"
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        pairs = list(dict.fromkeys((r[5], r[6]) for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)))[:n]
    out: dict = {"pairs": len(pairs), "model": pair_model_status()}
    cores = resolve_workers("auto")
    with DaskEngine.local(cores) as cluster:
        for name, engine in (("one thread", None), (f"{cores} workers", cluster)):
            PairModel(PAIR_MODEL_FILE).score(pairs[:64], engine=engine)  # warm up (and load the workers' copies)
            model = PairModel(PAIR_MODEL_FILE)
            workers_cpu = (lambda: sum(cluster.client.run(time.process_time).values())) if engine else (lambda: 0.0)
            c0, k0, w0 = time.process_time(), workers_cpu(), time.perf_counter()
            model.score(pairs, engine=engine)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0 + workers_cpu() - k0
            out[name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "pairs_per_s_wall": round(len(pairs) / wall, 1),
                         "pairs_per_cpu_s": round(len(pairs) / cpu, 1)}
    return out


def shipped_on_stsb_dev(pairs: list[tuple[str, str]], cosine: np.ndarray, rating: np.ndarray) -> dict:
    """The shipped pair model through overlap's runtime (int8, both orders, shipped weights and cut) on STS-B dev."""
    from overlap.claims.pair_model import PAIR_CLAIM_CUT, claim_scores, load_pair_model, pair_model_status

    model = load_pair_model()
    if model is None:
        return {"error": pair_model_status()}
    p = model.score(pairs)
    c = claim_scores(p[:, 1], cosine)
    hit, same = c >= PAIR_CLAIM_CUT, rating >= 3
    return {"model": pair_model_status(), "spearman": round(spearman(c, rating), 3),
            "probability alone": round(spearman(p[:, 1], rating), 3),
            "accuracy": round(float((hit == same).mean()), 3),
            "precision": round(float((hit & same).sum() / max(1, hit.sum())), 3),
            "recall": round(float((hit & same).sum() / max(1, same.sum())), 3)}


def choose_veto_shift(claim: np.ndarray, cosine: np.ndarray, rating: np.ndarray, weights: list[float]) -> tuple[float, dict]:
    """The veto shift of :func:`overlap.claims.pair_model.claim_scores`, from held-out STS-B train pairs.

    Without a shift the claim probability caps every pair, and where the model half believes a
    graded pair it spoils the cosine's ranking; a large shift leaves only the graded estimate, with
    no veto at all. The smallest half-logit step whose Spearman is within 0.001 of the best keeps the
    most veto for the ranking; STS-B has few role swaps, so it cannot ask for more veto than that.
    """
    from overlap.claims.pair_model import claim_scores

    table = {k: round(spearman(claim_scores(claim, cosine, weights, k), rating), 4) for k in np.arange(0, 4.01, 0.5).tolist()}
    best = max(table.values())
    return next(k for k, v in table.items() if v >= best - 0.001), table


def combiner_table(paws: list[dict], paws_cosine: np.ndarray, stsb: list[list[dict]], stsb_train: list[dict],
                   dev_cosine: np.ndarray, dev_rating: np.ndarray,
                   old_claim: tuple[np.ndarray, float] | None = None) -> dict:
    """Fit the claim combiner on the held-out STS-B train pairs and test it on STS-B dev and PAWS.

    The same-claim cut is 0.6 by construction: the combiner estimates the rating / 5, and STS-B's
    "same claim" is a rating of 3 or more. Precision is given because a reported claim is quoted.
    The logistic alone (fitted to STS-B, which has few role swaps) leans on the cosine and calls 82%
    of PAWS pairs the same claim at 0.50 precision; taking the lower of it and the pair model's claim
    probability keeps the cosine's ranking and the pair model's veto (both shown). The veto is the
    probability raised by a shift in logits, chosen here on the same held-out STS-B train pairs
    (:func:`choose_veto_shift`), never on STS-B dev.
    """
    from overlap.claims.pair_model import claim_scores, graded_claim

    train_cos = old_scores([(r["a"], r["b"]) for r in stsb_train])["raw cosine"]
    train_claim, train_rating = np.array([r["claim"] for r in stsb_train]), np.array([r["label"] for r in stsb_train])
    w = fit_claim_combiner(train_claim, train_cos, train_rating)
    shift, by_shift = choose_veto_shift(train_claim, train_cos, train_rating, w)
    per_fold = [claim_scores(np.array([r["claim"] for r in rows]), dev_cosine, w, shift) for rows in stsb]
    same = dev_rating >= 3
    hit = per_fold[0] >= 0.6
    out = {"weights": w, "veto shift": shift, "held-out STS-B train Spearman by shift": by_shift,
           "fitted_on": f"{len(stsb_train)} held-out STS-B train pairs", "cut": 0.6,
           "stsb_dev": {"spearman": round(float(np.mean([spearman(p, dev_rating) for p in per_fold])), 3),
                        "accuracy": round(float((hit == same).mean()), 3),
                        "precision": round(float((hit & same).sum() / max(1, hit.sum())), 3),
                        "recall": round(float((hit & same).sum() / max(1, same.sum())), 3)}}
    if old_claim is not None:
        hit_old = old_claim[0] >= old_claim[1]
        out["stsb_dev"]["today's embedding claim score, at its cut"] = {
            "cut": round(old_claim[1], 3), "accuracy": round(float((hit_old == same).mean()), 3),
            "precision": round(float((hit_old & same).sum() / max(1, hit_old.sum())), 3),
            "recall": round(float((hit_old & same).sum() / max(1, same.sum())), 3)}
    graded_dev = graded_claim(np.array([r["claim"] for r in stsb[0]]), dev_cosine, w)
    out["stsb_dev"]["logistic alone"] = round(spearman(graded_dev, dev_rating), 3)
    y = np.array([r["label"] for r in paws])
    p = claim_scores(np.array([r["claim"] for r in paws]), paws_cosine, w, shift)
    out["paws"] = {"auc": round(auc(p, y), 3), "said same claim": round(float((p >= 0.6).mean()), 3),
                   "precision": round(float(((p >= 0.6) & (y == 1)).sum() / max(1, (p >= 0.6).sum())), 3),
                   "always yes precision": round(float(y.mean()), 3)}
    return out


def contrast_table(rows: list[dict], weights: list[float] | None, shipped: bool, shift: float = 0.0) -> dict:
    """Ranking of each true held-out pair above its edited copy, overall and per kind of edit."""
    from overlap.claims.pair_model import claim_scores

    true_pairs = [(r["a"], r["b"]) for r in rows]
    edited_pairs = [(r["a"], r["edited"]) for r in rows]
    t_old, e_old = old_scores(true_pairs), old_scores(edited_pairs)
    own = cuts()
    scorers: dict[str, tuple[np.ndarray, np.ndarray, float | None]] = {
        "pair model paraphrase": (np.array([r["paraphrase"] for r in rows]), np.array([r["edited_paraphrase"] for r in rows]), None),
        "pair model claim": (np.array([r["claim"] for r in rows]), np.array([r["edited_claim"] for r in rows]), None)}
    if weights is not None and "raw cosine" in t_old:
        scorers["fitted claim score"] = (claim_scores(scorers["pair model claim"][0], t_old["raw cosine"], weights, shift),
                                         claim_scores(scorers["pair model claim"][1], e_old["raw cosine"], weights, shift), 0.6)
    scorers |= {k: (t_old[k], e_old[k], own.get(k)) for k in t_old}
    if shipped:
        from overlap.claims.pair_model import CLAIM_WEIGHTS, PAIR_CLAIM_CUT, load_pair_model

        model = load_pair_model()
        if model is not None and "raw cosine" in t_old:
            pt, pe = model.score(true_pairs), model.score(edited_pairs)
            scorers["shipped pair model claim score"] = (claim_scores(pt[:, 1], t_old["raw cosine"], CLAIM_WEIGHTS),
                                                         claim_scores(pe[:, 1], e_old["raw cosine"], CLAIM_WEIGHTS), PAIR_CLAIM_CUT)
    kinds = sorted({r["kind"] for r in rows})
    kind = np.array([r["kind"] for r in rows])
    out: dict = {"n": len(rows), "per kind": {k: int((kind == k).sum()) for k in kinds}}
    for name, (t, e, cut) in scorers.items():
        res = {"ranked right": round(float((t > e).mean()), 3)}
        res |= {k: round(float((t[kind == k] > e[kind == k]).mean()), 3) for k in kinds}
        if cut is not None:
            res["edited said same at cut"] = round(float((e >= cut).mean()), 3)
            res["true said same at cut"] = round(float((t >= cut).mean()), 3)
        out[name] = res
    return out


def with_role_check(held: dict[str, list[dict]]) -> dict:
    """The held-out paraphrase output with the role check's veto, beside it without (see the docstring)."""
    from overlap.claims.pair_model import PAIR_CUT
    from overlap.claims.roles import load_role_parser, role_check_status

    parser = load_role_parser()
    if parser is None:
        return {"skipped": role_check_status()}
    out: dict[str, dict] = {}
    for name, rows in held.items():
        y = np.array([r["label"] for r in rows])
        p = np.array([r["paraphrase"] for r in rows])
        c0 = time.process_time()
        vetoed = np.array([c is not None for c in parser.conflicts([(r["a"], r["b"]) for r in rows])])
        out[name] = {"without": binary(p, y, PAIR_CUT), "with": binary(np.where(vetoed, 0.0, p), y, PAIR_CUT),
                     "rejected negatives": int((vetoed & (y == 0)).sum()), "rejected positives": int((vetoed & (y == 1)).sum()),
                     "parse cpu s": round(time.process_time() - c0, 1)}
    return out


def _best_level(ok: np.ndarray, p: np.ndarray, y: np.ndarray, cut: float) -> float:
    """The veto level with the best accuracy of "the fitted scorer accepts and the model's probability reaches it",
    under the fitted ``cut`` (so a vetoed pair, scored the lower of the two, is always rejected)."""
    grid = np.round(np.arange(0.0, cut, 0.01), 2)
    acc = [((ok & (p >= v)) == (y == 1)).mean() for v in grid]
    return float(grid[int(np.argmax(acc))])


def _decided(ok: np.ndarray, y: np.ndarray) -> dict:
    tp = int((ok & (y == 1)).sum())
    return {"accuracy": round(float((ok == (y == 1)).mean()), 3), "precision": round(tp / max(1, int(ok.sum())), 3),
            "recall": round(tp / max(1, int((y == 1).sum())), 3), "said yes": round(float(ok.mean()), 3)}


def check_table(held: dict[str, list[dict]], stsb: list[list[dict]], stsb_train: list[dict]) -> dict:
    """The fitted scores deciding, checked by the pair model (``--check``): a pair the fitted scorer
    accepts is rejected when the model's probability of that relation is under a veto level.

    The levels are chosen on held-out pairs only: the paraphrase level on the held-out PAWS and
    MRPC pairs together, the claim level on the held-out PAWS pairs (a swapped role is another
    claim) and STS-B train pairs (rated 3 or more: the same claim) together, each the best accuracy,
    under the fitted cut, with the claim check sparing the extensions the runtime spares
    (:func:`overlap.claims.pair_model.extends`), and cross-fitted (chosen on one half, scored on the other). STS-B dev, which no fold model saw,
    is the test of the claim level. The fitted scorers were fitted on all of MRPC and STS-B train,
    so their figures there are in-sample; PAWS is held out for them.
    """
    from overlap.claims.pair_model import checked
    from overlap.claims.scorer import load_claim_scorer, load_scorer

    para, claim = load_scorer(), load_claim_scorer()
    out: dict = {"fitted cuts": {"paraphrase": round(para.threshold, 3), "claim": round(claim.threshold, 3)}}

    def fitted(rows: list[dict], scorer) -> np.ndarray:
        return np.array([r.score for r in scorer.score_pairs([(r["a"], r["b"]) for r in rows])])

    def spared(rows: list[dict]) -> np.ndarray:
        """The pairs the claim check leaves alone, as at run time (one statement says the other and more)."""
        from overlap.claims.pair_model import extends
        from overlap.claims.signals import prepare, signals

        sig = [signals(prepare(r["a"], full=True), prepare(r["b"], full=True)) for r in rows]
        return extends(np.array([x["containment"] for x in sig]), np.array([x["coverage"] for x in sig]))

    def level(oks: list[np.ndarray], ps: list[np.ndarray], ys: list[np.ndarray], cut: float) -> tuple[float, dict]:
        ok, p, y = np.concatenate(oks), np.concatenate(ps), np.concatenate(ys)
        v = _best_level(ok, p, y, cut)
        half = np.random.default_rng(0).permutation(len(y)) % 2 == 0
        hits = np.zeros(len(y), dtype=bool)
        for side in (half, ~half):
            hits[~side] = ok[~side] & (p[~side] >= _best_level(ok[side], p[side], y[side], cut))
        return v, _decided(hits, y)

    sets = {}
    for name in ("paws", "mrpc"):
        rows = held[name]
        f = fitted(rows, para)
        sets[name] = (f >= para.threshold, np.array([r["paraphrase"] for r in rows]), np.array([r["label"] for r in rows]), f)
    v, cross = level([sets[k][0] for k in sets], [sets[k][1] for k in sets], [sets[k][2] for k in sets], para.threshold)
    res: dict = {"level": v, "cross-fitted, PAWS and MRPC together": cross}
    for name, (ok, p, y, f) in sets.items():
        res[name] = {"fitted": _decided(ok, y) | {"auc": round(auc(f, y), 3)},
                     "checked": _decided(ok & (p >= v), y) | {"auc": round(auc(checked(f, p, v), y), 3)}}
    out["paraphrase"] = res
    c_sets = {}
    for name, rows, label in (("paws", held["paws"], lambda r: r["label"]), ("stsb_train", stsb_train, lambda r: int(r["label"] >= 3))):
        f = fitted(rows, claim)
        p = np.where(spared(rows), 1.0, np.array([r["claim"] for r in rows]))  # a spared pair is never vetoed
        c_sets[name] = (f >= claim.threshold, p, np.array([label(r) for r in rows]), f)
    vc, cross = level([c_sets[k][0] for k in c_sets], [c_sets[k][1] for k in c_sets], [c_sets[k][2] for k in c_sets], claim.threshold)
    res = {"level": vc, "cross-fitted, PAWS and STS-B train together": cross}
    for name, (ok, p, y, f) in c_sets.items():
        res[name] = {"fitted": _decided(ok, y), "checked": _decided(ok & (p >= vc), y)}
    rating = np.array([r["label"] for r in stsb[0]])
    f = fitted(stsb[0], claim)
    ok, same = f >= claim.threshold, (rating >= 3).astype(int)
    per_fold = []
    spared_dev = spared(stsb[0])
    for rows in stsb:
        p = np.where(spared_dev, 1.0, np.array([r["claim"] for r in rows]))
        per_fold.append((_decided(ok & (p >= vc), same), spearman(checked(f, p, vc), rating)))
    res["stsb_dev"] = {"fitted": _decided(ok, same) | {"spearman": round(spearman(f, rating), 3)},
                       "checked (first fold model)": per_fold[0][0],
                       "checked spearman (mean of fold models)": round(float(np.mean([s for _, s in per_fold])), 3)}
    out["claim"] = res
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cv_dir", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--cosine-cut", type=float, default=None,
                    help="cut for the raw cosine's accuracy (default: the best cut on each set itself, which flatters it)")
    ap.add_argument("--speed", type=int, default=0, metavar="N", help="also time the shipped model on N STS-B dev pairs")
    ap.add_argument("--roles", action="store_true", help="also the paraphrase output with the role check's veto")
    ap.add_argument("--check", action="store_true",
                    help="also the fitted scores deciding with the pair model's veto on top (levels chosen here)")
    ap.add_argument("--shipped", action="store_true",
                    help="also score the contrast pairs and STS-B dev with the shipped pair model")
    args = ap.parse_args()
    files = sorted(args.cv_dir.glob("cv-fold*-pred.jsonl"))
    if not files:
        sys.exit(f"{args.cv_dir}: no cv-fold*-pred.jsonl")
    held: dict[str, list[dict]] = {"paws": [], "mrpc": []}
    stsb: list[list[dict]] = []
    stsb_train: list[dict] = []
    contrast: list[dict] = []
    for f in files:
        rows = [json.loads(line) for line in f.open(encoding="utf-8")]
        stsb_train += [r for r in rows if r["set"] == "stsb_train"]
        contrast += [r for r in rows if r["set"] == "contrast"]
        for name in held:
            held[name] += [r for r in rows if r["set"] == name]
        stsb.append([r for r in rows if r["set"] == "stsb_dev"])
    table: dict[str, dict] = {"folds": len(files)}
    own = cuts()
    cosine: dict[str, np.ndarray | None] = {}
    for name, rows in held.items():
        y = np.array([r["label"] for r in rows])
        old = old_scores([(r["a"], r["b"]) for r in rows])
        cosine[name] = old.get("raw cosine")
        res = {"n": len(rows), "pair model": binary(np.array([r["paraphrase"] for r in rows]), y, 0.5)}
        for k, v in old.items():
            if k == "raw cosine":
                cut = args.cosine_cut if args.cosine_cut is not None else max(np.unique(v), key=lambda c: ((v >= c) == (y == 1)).mean())
            else:
                cut = own[k]
            res[k] = binary(v, y, float(cut))
        res["always no"] = round(float((y == 0).mean()), 3)
        table[name] = res
    table["cuts"] = chosen_cuts(held)
    s = np.array([r["label"] for r in stsb[0]])
    per_fold = [spearman(np.array([r["claim"] for r in rows]), s) for rows in stsb]
    old = old_scores([(r["a"], r["b"]) for r in stsb[0]])
    table["stsb_dev"] = {"n": len(s), "pair model": {"mean": round(float(np.mean(per_fold)), 3),
                                                      "min": round(min(per_fold), 3), "max": round(max(per_fold), 3)}}
    table["stsb_dev"].update({k: round(spearman(v, s), 3) for k, v in old.items()})
    if "raw cosine" in old and stsb_train:
        table["claim combiner"] = combiner_table(held["paws"], cosine["paws"], stsb, stsb_train, old["raw cosine"], s,
                                                 (old["embedding claim"], own["embedding claim"]))
    if contrast:
        w = table["claim combiner"]["weights"] if "claim combiner" in table else None
        shift = table["claim combiner"]["veto shift"] if "claim combiner" in table else 0.0
        table["contrast"] = contrast_table(contrast, w, args.shipped, shift)
    if args.shipped and "raw cosine" in old:
        table["stsb_dev"]["shipped model"] = shipped_on_stsb_dev([(r["a"], r["b"]) for r in stsb[0]], old["raw cosine"], s)
    if args.speed:
        table["speed"] = speed(args.speed)
    if args.roles:
        table["role check"] = with_role_check(held)
    if args.check:
        table["fitted, checked by the pair model"] = check_table(held, stsb, stsb_train)
    text = json.dumps(table, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
