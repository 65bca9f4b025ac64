"""Fit and measure the paraphrase score on MRPC and STS-B.

    python bench/paraphrase.py eval [--mrpc PATH] [--stsb DIR]   # figures, no files written
    python bench/paraphrase.py fit  [--mrpc PATH]                # writes overlap/data/paraphrase-model.json
    python bench/paraphrase.py claim [--stsb DIR] [--write]      # the claim model: STS-B figures (and file)

``eval`` prints, for the lexical and the embedding scorer (when the model is
installed): MRPC train 5-fold CV accuracy, F1 and ROC AUC of exactly what
``overlap score`` computes (signals -> standardise -> logistic regression ->
threshold), where standardisation, weights and threshold are all fitted on the
four training folds only (no leakage); the shipped model's in-sample figures;
an ablation (each signal dropped, and each signal alone); STS-B Spearman of
the score against people's 0-5 ratings; sentences per second; and candidate
recall of the content-word LSH on a pool of all MRPC sentences.

``fit`` fits the same procedure on all of MRPC train and writes the
coefficients, the CV figures and the data file's sha256 to the model file.
Logistic regression is plain L2-regularised Newton-Raphson in numpy, so
neither scikit-learn nor anything else is needed to refit.

``claim`` fits the *claim* model: the same signals and procedure, but
trained on STS-B train with "same claim" meaning a human score of at least
3 ("roughly equivalent, but some important information differs or is
missing"; ``--ramp`` fits soft targets instead, :func:`claim_targets`); 2 is "not equivalent, but share some details" and 1 "same topic",
which is exactly what a claim tracker must keep quiet about. MRPC's binary
labels call "A plus an extra clause" not a paraphrase; news reuse of a
talking point is mostly that. Figures are on STS-B dev, never seen in the
fit (accuracy, F1, AUC at the >= 3 cut, Spearman against the 0-5 scores),
plus how the claim model does on MRPC. ``--write`` stores the models
(``claim_lexical``, ``claim_embedding``) in the model file, leaving the
paraphrase models as they are.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from overlap.claims.scorer import MODEL_FILE, expand, scorer_from_dict  # noqa: E402
from overlap.claims.signals import LEXICAL_SIGNALS, SIGNALS, prepare, signals  # noqa: E402

DATA = ROOT.parent.parent / "shared" / "data"
DEFAULT_MRPC = Path("/work/shared/data/mrpc/msr_paraphrase_train.txt")
DEFAULT_STSB = Path("/work/shared/data/stsbenchmark")
L2 = 3.0  # ridge on the weights of standardised signals and their products
FOLDS = 5
MINED = 1000  # mined near-topic negatives added to the training data (see Negatives)
RANDOM = 500  # random-pair negatives
IDENTICAL = 200  # a sentence paired with itself, labelled paraphrase
SEED = 20240601
CLAIM_STS = 3.0  # STS-B score from which two sentences make the same claim (see the module docstring)
#: Half-width of the ramp of the claim model's soft targets around CLAIM_STS (:func:`claim_targets`).
CLAIM_RAMP = 1.5


def read_mrpc(path: Path) -> tuple[list[tuple[str, str]], np.ndarray]:
    pairs, labels = [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            labels.append(int(row[0]))
            pairs.append((row[3], row[4]))
    return pairs, np.array(labels)


def read_stsb(folder: Path, names=("sts-train.csv", "sts-dev.csv")) -> tuple[list[tuple[str, str]], np.ndarray]:
    pairs, scores = [], []
    for name in names:
        with open(folder / name, encoding="utf-8", newline="") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                scores.append(float(row[4]))
                pairs.append((row[5], row[6]))
    return pairs, np.array(scores)


def cached_vectors(embedder, texts, cache: Path | None):
    """Embeddings of ``texts``, kept in ``cache`` (npz keyed by text and model hash) between runs."""
    if cache is None:
        return embedder.encode(texts)
    from overlap.claims.embed import MODEL_SHA256

    key = hashlib.sha256(("\n".join(texts) + MODEL_SHA256).encode()).hexdigest()[:16]
    f = cache / f"vectors-{key}.npy"
    if f.exists():
        return np.load(f)
    v = embedder.encode(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(f, v)
    return v


def feature_matrix(pairs, embedder=None, cache: Path | None = None):
    """Signals for every pair (columns in SIGNALS order; cosine NaN without a model).

    Returns the matrix, the seconds spent on lexical and embedding work, and
    the two sides' vectors (None without a model).
    """
    t0 = time.perf_counter()
    rows = []
    for a, b in pairs:
        s = signals(prepare(a), prepare(b))
        rows.append([s[n] for n in LEXICAL_SIGNALS])
    t_lex = time.perf_counter() - t0
    x = np.full((len(pairs), len(SIGNALS)), np.nan)
    x[:, : len(LEXICAL_SIGNALS)] = np.array(rows)
    t_emb = 0.0
    va = vb = None
    if embedder is not None:
        t0 = time.perf_counter()
        va = cached_vectors(embedder, [a for a, _ in pairs], cache)
        vb = cached_vectors(embedder, [b for _, b in pairs], cache)
        t_emb = time.perf_counter() - t0
        x[:, -1] = np.clip((va * vb).sum(axis=1), 0.0, 1.0)
    return x, t_lex, t_emb, va, vb


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, n_labelled: int | None = None,
                 binary: np.ndarray | None = None) -> dict:
    """Standardise, expand (signals + pairwise products), then L2 logistic regression by Newton-Raphson.

    The first ``n_labelled`` rows are MRPC pairs, the rest mined negatives; the
    threshold maximises accuracy on the MRPC rows only. ``y`` may be soft
    targets in [0, 1] (the claim model's, :func:`claim_targets`); ``binary``
    then gives the yes/no labels the threshold is chosen on.
    """
    n_labelled = len(y) if n_labelled is None else n_labelled
    binary = y if binary is None else binary
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = expand((x - mean) / scale)
    xa = np.hstack([np.ones((len(z), 1)), z])
    w = np.zeros(xa.shape[1])
    reg = np.full(xa.shape[1], l2)
    reg[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(xa @ w)))
        grad = xa.T @ (p - y) + reg * w
        hess = (xa * (p * (1 - p))[:, None]).T @ xa + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    p = 1.0 / (1.0 + np.exp(-(xa @ w)))
    return {
        "intercept": float(w[0]),
        "weights": [float(v) for v in w[1:]],
        "mean": [float(v) for v in mean],
        "scale": [float(v) for v in scale],
        "threshold": best_threshold(p[:n_labelled], binary[:n_labelled]),
    }


def predict(model: dict, x: np.ndarray) -> np.ndarray:
    """Scores through the very code ``overlap score`` runs (:meth:`Scorer.combine_matrix`)."""
    feats = model.get("features") or [f"f{i}" for i in range(x.shape[1])]
    return scorer_from_dict(dict(model, features=feats), "bench").combine_matrix(x)


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The cut that maximises accuracy on these (training) scores; midpoint between scores."""
    order = np.argsort(p)
    ps, ys = p[order], y[order]
    # predicting positive for indices >= k: correct = negatives below k + positives from k
    neg_below = np.concatenate([[0], np.cumsum(ys == 0)])
    pos_from = np.concatenate([np.cumsum((ys == 1)[::-1])[::-1], [0]])
    correct = neg_below + pos_from
    k = int(np.argmax(correct))
    if k == 0:
        return float(ps[0]) - 1e-9
    if k == len(ps):
        return float(ps[-1]) + 1e-9
    return float((ps[k - 1] + ps[k]) / 2)


def auc(p: np.ndarray, y: np.ndarray) -> float:
    ranks = np.empty(len(p))
    order = np.argsort(p, kind="mergesort")
    sp = p[order]
    r = np.arange(1, len(p) + 1, dtype=float)
    # average ranks over ties
    i = 0
    while i < len(sp):
        j = i
        while j + 1 < len(sp) and sp[j + 1] == sp[i]:
            j += 1
        r[i : j + 1] = (i + j + 2) / 2
        i = j + 1
    ranks[order] = r
    npos = y.sum()
    nneg = len(y) - npos
    return float((ranks[y == 1].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def metrics(p: np.ndarray, pred: np.ndarray, y: np.ndarray) -> dict:
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"accuracy": float((pred == y).mean()), "f1": f1, "auc": auc(p, y)}


def folds(n: int) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    return rng.permutation(n) % FOLDS


def cross_validate(x: np.ndarray, y: np.ndarray, neg: "Negatives | None" = None, cols=None) -> dict:
    """Out-of-fold scores: everything (standardisation, weights, threshold) fitted within folds.

    A mined negative joins a fold's training data only if both of its
    sentences come from that fold's training pairs (no leakage).
    """
    fold = folds(len(y))
    p = np.zeros(len(y))
    pred = np.zeros(len(y), dtype=int)
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        xt, yt = x[train], y[train]
        if neg is not None and len(neg.x):
            ok = (fold[neg.owners[:, 0]] != k) & (fold[neg.owners[:, 1]] != k)
            nx = neg.x[ok] if cols is None else neg.x[ok][:, cols]
            xt = np.vstack([xt, nx])
            yt = np.concatenate([yt, neg.y[ok]])
        model = fit_logistic(xt, yt, n_labelled=int(train.sum()))
        p[test] = predict(model, x[test])
        pred[test] = (p[test] >= model["threshold"]).astype(int)
    return metrics(p, pred, y)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = np.argsort(np.argsort(a, kind="mergesort"), kind="mergesort").astype(float)
    rb = np.argsort(np.argsort(b, kind="mergesort"), kind="mergesort").astype(float)
    # ties: use average ranks via scipy-free approach
    def avg_rank(v):
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
    ra, rb = avg_rank(a), avg_rank(b)
    return float(np.corrcoef(ra, rb)[0, 1])


def columns(names) -> list[int]:
    return [SIGNALS.index(n) for n in names]


class Negatives:
    """Mined negatives: signals of sentence pairs taken from *different* MRPC pairs.

    MRPC's pairs were selected for high lexical overlap, so a model fitted on
    them alone has never seen a pair that merely shares a topic, and (with
    product terms) extrapolates badly there: it scored a same-topic sentence
    0.88 against the Patrushev quote. Each MRPC sentence's nearest sentence
    from another pair (by embedding cosine, or by content-word LSH Jaccard
    without the model) plus random pairs teach it what a corpus looks like.
    A few mined pairs are real paraphrases (MRPC groups stories); that noise
    is small (about 10% of them pass the threshold).
    """

    def __init__(self, pairs, vectors_a=None, vectors_b=None, mined: int = MINED, random_pairs: int = RANDOM):
        n = len(pairs)
        sents = [a for a, _ in pairs] + [b for _, b in pairs]
        owner = np.concatenate([np.arange(n), np.arange(n)])
        prep = [prepare(t) for t in sents]
        rng = np.random.default_rng(SEED)
        nearest: list[tuple[int, int]] = []
        vecs = None
        if vectors_a is not None:
            vecs = np.vstack([vectors_a, vectors_b])
            for start in range(0, 2 * n, 1024):
                sims = vecs[start : start + 1024] @ vecs.T
                for r in range(sims.shape[0]):
                    sims[r, owner == owner[start + r]] = -1.0
                for r, j in enumerate(sims.argmax(axis=1)):
                    nearest.append((start + r, int(j)))
        else:
            from overlap.claims.candidates import content_candidates
            from overlap.params import ParaphraseParams

            best: dict[int, tuple[float, int]] = {}
            for i, j in content_candidates(prep, ParaphraseParams())[0]:
                if owner[i] == owner[j]:
                    continue
                jac = len(prep[i].content & prep[j].content) / max(1, len(prep[i].content | prep[j].content))
                for u, v in ((i, j), (j, i)):
                    if jac > best.get(u, (-1.0, 0))[0]:
                        best[u] = (jac, v)
            nearest = [(u, v) for u, (_, v) in sorted(best.items())]
        nearest = [(i, j) for i, j in nearest if sents[i] != sents[j]]
        chosen = [nearest[k] for k in rng.permutation(len(nearest))[:mined]]
        while len(chosen) < mined + random_pairs:
            i, j = (int(v) for v in rng.integers(0, 2 * n, 2))
            if owner[i] != owner[j]:
                chosen.append((i, j))
        # verbatim repeats are the same statement: a few self-pairs teach the model that (MRPC has none)
        same = [(int(i), int(i)) for i in rng.permutation(2 * n)[:IDENTICAL]]
        labels = [0] * len(chosen) + [1] * len(same)
        chosen += same
        rows = []
        for i, j in chosen:
            sig = signals(prep[i], prep[j])
            cos = float(np.clip(vecs[i] @ vecs[j], 0.0, 1.0)) if vecs is not None else np.nan
            rows.append([sig[f] for f in LEXICAL_SIGNALS] + [cos])
        self.x = np.array(rows)
        self.y = np.array(labels)
        self.owners = np.array([[owner[i], owner[j]] for i, j in chosen])


def plain_speed(pairs) -> float:
    """Sentences/s of the plain rapidfuzz way (one token_sort_ratio per pair), for the ratio."""
    from rapidfuzz import fuzz
    from rapidfuzz.utils import default_process

    t0 = time.perf_counter()
    for a, b in pairs:
        fuzz.token_sort_ratio(a, b, processor=default_process)
    return 2 * len(pairs) / (time.perf_counter() - t0)


def candidate_recall(pairs, y, vectors_a=None, vectors_b=None) -> None:
    """Pool every MRPC sentence; which share of the paraphrase pairs does each candidate stage propose?"""
    from overlap.claims.candidates import content_candidates, neighbour_candidates
    from overlap.text.normalize import normalize_text
    from overlap.params import ParaphraseParams
    from overlap.text.shingle import fold32, shingle_set
    from overlap.minhash.signatures import Signer
    from datasketch import MinHashLSH

    texts: dict[str, int] = {}
    for a, b in pairs:
        texts.setdefault(a, len(texts))
        texts.setdefault(b, len(texts))
    pool = list(texts)
    wanted = {tuple(sorted((texts[a], texts[b]))) for (a, b), label in zip(pairs, y) if label == 1 and a != b}
    prep = [prepare(t) for t in pool]
    n_all = len(pool) * (len(pool) - 1) // 2
    print(f"\ncandidate recall: pool of {len(pool)} distinct MRPC sentences ({n_all:,} possible pairs), "
          f"{len(wanted)} paraphrase pairs to find")

    def report(name, cands, seconds):
        hit = len(wanted & cands)
        print(f"  {name:<52} recall {hit / len(wanted):.3f}  candidates {len(cands):>8,}  {seconds:.1f}s")

    # the plain way: word 3-gram shingles into datasketch LSH at 0.3
    t0 = time.perf_counter()
    signer = Signer(128, 1)
    sets = [fold32(shingle_set(normalize_text(t), 3)) for t in pool]
    sigs = signer.sign(sets)
    lsh = MinHashLSH(threshold=0.3, num_perm=128)
    for i, row in enumerate(sigs):
        lsh.insert(i, signer.lean(row), check_duplication=False)
    plain = set()
    for i, row in enumerate(sigs):
        for j in lsh.query(signer.lean(row)):
            if j != i:
                plain.add((min(i, j), max(i, j)))
    report("word 3-gram shingles, LSH 0.3 (plain)", plain, time.perf_counter() - t0)
    # what overlap/claims/candidates.py uses: LSH over content words, pairs formed only from shared rare words (the template
    # rule applied inside the buckets), so "content LSH" below is already after the template rule
    from overlap.claims.candidates import filter_pairs

    content = {}
    for t in (0.3, 0.2):
        t0 = time.perf_counter()
        content[t] = content_candidates(prep, ParaphraseParams(lsh_threshold=t))[0]
        report(f"content LSH {t} sharing >= 2 rare words (overlap.claims)", content[t], time.perf_counter() - t0)
    for t in (0.3, 0.2):
        t0 = time.perf_counter()
        params = ParaphraseParams(lsh_threshold=t)
        kept, dropped = filter_pairs(prep, sorted(content[t]), params)
        report(f"content LSH {t}, then the claim filters{' (default)' if t == 0.3 else ''}", set(kept),
               time.perf_counter() - t0)
        print(f"    dropped by the filters: {dropped}")
    if vectors_a is not None:
        vec = np.zeros((len(pool), vectors_a.shape[1]), dtype=np.float32)
        for (a, b), va, vb in zip(pairs, vectors_a, vectors_b):
            vec[texts[a]] = va
            vec[texts[b]] = vb
        t0 = time.perf_counter()
        nb = neighbour_candidates(vec, 3, 0.6)
        report("embedding top-3 neighbours (cosine >= 0.6)", nb, time.perf_counter() - t0)
        report("content LSH 0.3 + embedding neighbours (neighbours=3)", content[0.3] | nb, 0.0)


def claim_targets(scores: np.ndarray) -> np.ndarray:
    """Soft training targets for the claim model (``claim --ramp``): people's 0-5 ratings as a ramp
    from 0 at 1.5 to 1 at 4.5, centred on the yes/no line at 3 (the threshold is still chosen for
    accuracy on the yes/no labels).

    Why tried: fitted on yes/no alone, the model learns nothing of how far a
    pair is from the line, and its STS-B dev Spearman (0.860) is below the
    raw cosine's (0.866). The shape was chosen by 5-fold CV on STS-B train
    (2026-12-03, embedding model; held-out Spearman / accuracy): yes/no
    0.825 / 0.841, ramp 1.5-4.5 0.841 / 0.841, ramp 1-5 0.841 / 0.839, ramp
    0-5 0.840 / 0.837, ramp 2-4 0.839 / 0.844. On STS-B dev it gave accuracy
    0.849, F1 0.819, AUC 0.929, Spearman 0.873 (yes/no: 0.845, 0.816, 0.929,
    0.860; lexical model 0.799, 0.740, 0.886, 0.779 against 0.805, 0.759,
    0.886, 0.760), at a lower cut (0.428 against 0.452). Why not shipped: on
    BBC News it moved 116 matches out and 209 in (1,371 -> 1,464); read by
    hand, 5 of 10 sampled matches it dropped were right and 5 of 10 it added
    were, among the added two wrong ones scored 0.94 and 0.82 (a critic's
    list of nominees against a prediction; two statements naming one TV
    programme), and on the seeds it removed one wrong cluster (terrorists /
    constructive cooperation) and added another (sanctions / a "dead-end US
    line"). Better ranking on STS-B, no better claims in news.
    """
    return np.clip((scores - (CLAIM_STS - CLAIM_RAMP)) / (2 * CLAIM_RAMP), 0.0, 1.0)


def claim_models(stsb: Path, mrpc: Path, embedder, cache: Path | None, write: bool, ramp: bool = False) -> None:
    """Fit the claim model on STS-B train, measure it on STS-B dev (and MRPC), optionally store it; with
    ``ramp``, fitted to :func:`claim_targets` instead of yes/no (measured, not shipped: see there)."""
    tp, ts = read_stsb(stsb, ("sts-train.csv",))
    dp, ds = read_stsb(stsb, ("sts-dev.csv",))
    xt, *_ = feature_matrix(tp, embedder, cache)
    xd, *_ = feature_matrix(dp, embedder, cache)
    mp, my = read_mrpc(mrpc)
    xm, *_ = feature_matrix(mp, embedder, cache)
    yt, yd = (ts >= CLAIM_STS).astype(int), (ds >= CLAIM_STS).astype(int)
    print(f"claim model: STS-B train {len(tp)} pairs ({yt.mean():.3f} at >= {CLAIM_STS:g}), "
          f"measured on STS-B dev {len(dp)} pairs ({yd.mean():.3f} at >= {CLAIM_STS:g})")
    sets = {"claim_lexical": list(LEXICAL_SIGNALS)}
    if embedder is not None:
        sets["claim_embedding"] = list(SIGNALS)
        sets["(cosine alone)"] = ["cosine"]
    fitted = {}
    for name, feats in sets.items():
        cols = columns(feats)
        model = dict(features=feats, **fit_logistic(xt[:, cols], claim_targets(ts) if ramp else yt, binary=yt))
        p = predict(model, xd[:, cols])
        dev = metrics(p, (p >= model["threshold"]).astype(int), yd)
        pm = predict(model, xm[:, cols])
        mr = metrics(pm, (pm >= model["threshold"]).astype(int), my)
        print(f"  [{name}] STS-B dev: accuracy {dev['accuracy']:.3f}  F1 {dev['f1']:.3f}  AUC {dev['auc']:.3f}  "
              f"Spearman {spearman(p, ds):.3f}  (threshold {model['threshold']:.3f});  "
              f"on MRPC train: accuracy {mr['accuracy']:.3f}  AUC {mr['auc']:.3f}")
        model["dev"] = dict(dev, spearman=spearman(p, ds))
        if not name.startswith("("):
            fitted[name] = model
    if write:
        if "claim_embedding" not in fitted:
            sys.exit("claim --write needs the embedding model installed (pip install '.[embed]') to fit both models")
        data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        for name, model in fitted.items():
            data["models"][name] = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in model.items()}
            data["models"][name]["dev"] = {k: round(v, 4) for k, v in model["dev"].items()}
        data["claim_training_data"] = {
            "file": "sts-train.csv", "sha256": hashlib.sha256((stsb / "sts-train.csv").read_bytes()).hexdigest(),
            "pairs": len(tp), "same_claim_from_score": CLAIM_STS, "measured_on": "sts-dev.csv",
        }
        tmp = MODEL_FILE.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        tmp.replace(MODEL_FILE)
        print(f"wrote the claim models to {MODEL_FILE.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=["eval", "fit", "claim"])
    ap.add_argument("--mrpc", type=Path, default=DEFAULT_MRPC)
    ap.add_argument("--stsb", type=Path, default=DEFAULT_STSB)
    ap.add_argument("--no-embed", action="store_true", help="measure the lexical path only")
    ap.add_argument("--no-ablation", action="store_true", help="skip the per-signal ablation table")
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder to keep embeddings between runs (the embedding speed figure is then meaningless)")
    ap.add_argument("--write", action="store_true", help="claim: store the fitted claim models in the model file")
    ap.add_argument("--ramp", action="store_true", help="claim: fit to soft targets (claim_targets; measured, not shipped)")
    args = ap.parse_args()

    from overlap.claims.embed import embedder_status, load_embedder

    embedder = None if args.no_embed else load_embedder()
    if args.command == "claim":
        claim_models(args.stsb, args.mrpc, embedder, args.cache, args.write, args.ramp)
        return
    print(f"scorer paths measured: lexical{'' if embedder is None else ' and ' + embedder_status()}")
    pairs, y = read_mrpc(args.mrpc)
    x, t_lex, t_emb, va, vb = feature_matrix(pairs, embedder, args.cache)
    n_sent = 2 * len(pairs)
    print(f"MRPC train: {len(pairs)} pairs, {int(y.sum())} paraphrases ({y.mean():.3f})")
    plain = plain_speed(pairs)
    print(f"speed: lexical signals {n_sent / t_lex:,.0f} sentences/s (plain rapidfuzz token_sort_ratio alone: "
          f"{plain:,.0f}/s, ratio {n_sent / t_lex / plain:.2f})" + (
        f"; embeddings {n_sent / t_emb:,.0f} sentences/s" if embedder is not None and args.cache is None else ""))
    neg = Negatives(pairs, va, vb)
    print(f"training pairs added: {MINED} nearest other-pair sentences and {RANDOM} random pairs (negatives), "
          f"{IDENTICAL} sentences with themselves (positives)")

    lexical = list(LEXICAL_SIGNALS)
    sets = {"lexical": lexical}
    if embedder is not None:
        sets["embedding"] = lexical + ["cosine"]

    fitted = {}
    for name, feats in sets.items():
        cols = columns(feats)
        xs = x[:, cols]
        cv = cross_validate(xs, y, neg, cols)
        full = fit_logistic(np.vstack([xs, neg.x[:, cols]]), np.concatenate([y, neg.y]), n_labelled=len(y))
        p_in = predict(full, xs)
        ins = metrics(p_in, (p_in >= full["threshold"]).astype(int), y)
        p_neg = predict(full, neg.x[:, cols])
        print(f"\n[{name}] 5-fold CV: accuracy {cv['accuracy']:.3f}  F1 {cv['f1']:.3f}  AUC {cv['auc']:.3f}"
              f"   (all-data fit, in-sample: acc {ins['accuracy']:.3f} AUC {ins['auc']:.3f}, "
              f"threshold {full['threshold']:.3f}; mined negatives above it: {np.mean(p_neg[:MINED] >= full['threshold']):.3f}, "
              f"random pairs above it: {np.mean(p_neg[MINED:MINED + RANDOM] >= full['threshold']):.3f}; "
              f"identical pairs' mean score {p_neg[MINED + RANDOM:].mean():.3f})")
        fitted[name] = dict(features=feats, **full, cv=cv)
        if args.command == "eval" and not args.no_ablation:
            print(f"  ablation ({name}): CV accuracy / AUC without each signal, and of the signal alone")
            print(f"  {'signal':<12} {'without acc':>11} {'without AUC':>11} {'alone acc':>9} {'alone AUC':>9}")
            for f in feats:
                rest = columns([g for g in feats if g != f])
                cw = cross_validate(x[:, rest], y, neg, rest)
                ca = cross_validate(x[:, columns([f])], y, neg, columns([f]))
                print(f"  {f:<12} {cw['accuracy']:>11.3f} {cw['auc']:>11.3f} {ca['accuracy']:>9.3f} {ca['auc']:>9.3f}")

    if args.command == "eval" and args.stsb.exists():
        spairs, sy = read_stsb(args.stsb)
        sx, _, _, _, _ = feature_matrix(spairs, embedder, args.cache)
        print()
        for name, model in fitted.items():
            p = predict(model, sx[:, columns(model["features"])])
            print(f"STS-B train+dev ({len(spairs)} pairs) Spearman, {name} score (fitted on MRPC): {spearman(p, sy):.3f}")
        if embedder is not None:
            print(f"STS-B Spearman, cosine alone: {spearman(sx[:, -1], sy):.3f}")
        print(f"STS-B Spearman, rapidfuzz token_sort_ratio alone: {spearman(sx[:, SIGNALS.index('token_sort')], sy):.3f}")

    if args.command == "eval":
        candidate_recall(pairs, y, va, vb)

    if args.command == "fit":
        if "embedding" not in fitted:
            sys.exit("fit needs the embedding model installed (pip install '.[embed]') to fit both models")
        sha = hashlib.sha256(args.mrpc.read_bytes()).hexdigest()
        out = {
            "about": (
                "Logistic regression over standardised paraphrase signals and their pairwise products, "
                f"fitted by `python bench/paraphrase.py fit` on all MRPC train pairs plus {MINED} mined "
                f"nearest-other-pair and {RANDOM} random-pair negatives and {IDENTICAL} sentence-with-itself positives (L2={L2:g}, Newton-Raphson, numpy only); "
                "the threshold maximises accuracy on the MRPC pairs; cv holds the 5-fold cross-validated "
                "figures of the same procedure (negatives used only within training folds)."
            ),
            "training_data": {"file": args.mrpc.name, "sha256": sha, "pairs": len(pairs),
                              "mined_negatives": MINED, "random_negatives": RANDOM,
                              "identical_positives": IDENTICAL, "seed": SEED},
            "models": {name: {k: (round(v, 6) if isinstance(v, float) else v) for k, v in m.items()}
                       for name, m in fitted.items()},
        }
        tmp = MODEL_FILE.with_suffix(".tmp")
        tmp.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        tmp.replace(MODEL_FILE)
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
