"""The fitted pair scores: same statement (MRPC) and same claim (STS-B), from the signals.

A :class:`Scorer` combines the signals of a pair (:mod:`overlap.claims.signals`)
with a logistic regression over the standardised signals
and their pairwise products (:func:`expand`; the products let the model say
"high cosine counts only if the names agree"), fitted offline on MRPC by
``bench/paraphrase.py fit`` (coefficients in ``data/paraphrase-model.json``;
no scikit-learn at run time). MRPC's pairs were chosen for high word
overlap, so the training data also holds 1,000 mined "nearest sentence from
another pair" and 500 random pairs as negatives and 200 sentences paired with
themselves as positives: without them the product terms extrapolated badly
and scored a same-topic sentence 0.88 against the Patrushev quote. The result is a probability-like score in
[0, 1]; ``threshold`` is the cut that maximised cross-validated accuracy.
Without the embedding model the lexical model (fitted the same way without
``cosine``) is used, and every output says which (:attr:`Scorer.path`).

Containment is reported on its own: MRPC counts "A plus extra clauses" as
not a paraphrase, but in news reuse it is often the same claim.

A second scorer over the same signals answers a looser question, *same
claim?* (:func:`load_claim_scorer`): fitted on STS-B train where people
scored the pair at least 3 of 5 ("roughly equivalent, some important
information differs or is missing") against 2 ("share some details") and 1
("same topic"). Measured on STS-B dev, never seen in the fit: accuracy 0.847,
AUC 0.929, Spearman 0.868 with embeddings; 0.800, 0.886, 0.761 lexical.
Talking points repeated by different officials are claims, rarely MRPC
paraphrases ("RUSSIA is ready to cooperate with the United States" / "...
will be ready to cooperate with partners from the United States if they
demonstrate interest": MRPC score 0.39, claim score 0.91).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from . import embed
from .signals import Prepared, prepare, signals

__all__ = [
    "MODEL_FILE",
    "Scorer",
    "PairScore",
    "TextMemo",
    "expand",
    "scorer_from_dict",
    "load_scorer",
    "load_claim_scorer",
]

MODEL_FILE = Path(__file__).resolve().parents[1] / "data" / "paraphrase-model.json"


@dataclass(frozen=True, slots=True)
class PairScore:
    """A scored pair: the calibrated score, the decision and the signals behind it."""

    score: float
    paraphrase: bool
    signals: dict[str, float]
    path: str


class TextMemo:
    """Prepared texts and sentence vectors kept by text, for scoring many pairs that share their statements.

    The claim clusters ask :class:`overlap.claims.decide.Acceptor` about one
    statement against several anchors, one pair at a time: preparing and
    embedding each statement again for every pair was most of that step's
    time (17 of 18 s on BBC News, serial on the driver). Keeping them is
    exact: :func:`~overlap.claims.signals.prepare` is a function of its
    text, and a sentence's vector does not depend on the batch it was
    embedded in (``tests/test_embed.py`` checks it), so ``vectors`` may be
    seeded with the ones the tier already computed.
    """

    def __init__(self, vectors: Mapping[str, np.ndarray] | None = None) -> None:
        self._prepared: dict[str, Prepared] = {}
        self._vectors: dict[str, np.ndarray] = dict(vectors or {})

    def prepare(self, text: str) -> Prepared:
        """:func:`~overlap.claims.signals.prepare` of ``text``, once."""
        found = self._prepared.get(text)
        if found is None:
            found = self._prepared[text] = prepare(text)
        return found

    def encode(self, texts: Sequence[str], embedder: "embed.Embedder") -> np.ndarray:
        """``embedder.encode(texts)``, embedding only the texts not seen before."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, embedder.encode(missing)))
        return np.stack([self._vectors[t] for t in texts])


_EXPAND_BLOCK = 8192  # pairs whose signals are expanded at once


def expand(z: np.ndarray) -> np.ndarray:
    """Standardised signals ``(n, k)`` -> ``(n, k + k(k+1)/2)``: the signals and all pairwise products."""
    k = z.shape[1]
    i, j = np.triu_indices(k)
    return np.hstack([z, z[:, i] * z[:, j]])


@dataclass(frozen=True)
class Scorer:
    """A fitted logistic combination of named signals.

    ``mean``/``scale`` standardise the signals (in ``features`` order);
    ``weights`` apply to :func:`expand` of them; ``threshold`` is the
    cross-validated cut. All come from ``data/paraphrase-model.json``.
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    path: str

    @property
    def uses_embeddings(self) -> bool:
        return "cosine" in self.features

    def combine_matrix(self, x: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] of many pairs: ``x`` has one column per feature, in ``features`` order."""
        z = (np.asarray(x, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        weights = np.asarray(self.weights)
        logit = np.empty(len(z))
        for start in range(0, len(z), _EXPAND_BLOCK):  # expanded, a pair's row is 120 floats: 98 MB at 32,000 articles at once
            logit[start : start + _EXPAND_BLOCK] = expand(z[start : start + _EXPAND_BLOCK]) @ weights
        return 1.0 / (1.0 + np.exp(-(self.intercept + logit)))

    def combine(self, sig: dict[str, float]) -> float:
        """Score in [0, 1] of one pair's signals."""
        return float(self.combine_matrix(np.array([[sig[f] for f in self.features]]))[0])

    def score_pairs(self, pairs: Iterable[tuple[str, str]], batch: int = 256,
                    memo: TextMemo | None = None) -> Iterator[PairScore]:
        """Score sentence pairs in order (streams; embeds each batch at once).

        ``memo`` keeps prepared texts and vectors across calls (:class:`TextMemo`).

        >>> s = load_scorer(lexical_only=True)
        >>> [r.paraphrase for r in s.score_pairs([("Prices rose 5% in May.", "In May prices went up 5%."),
        ...                                       ("Prices rose 5% in May.", "The weather was cold.")])]
        [True, False]
        """
        embedder = embed.load_embedder() if self.uses_embeddings else None
        memo = memo or TextMemo()
        chunk: list[tuple[str, str]] = []
        for pair in pairs:
            chunk.append(pair)
            if len(chunk) >= batch:
                yield from self._score_chunk(chunk, embedder, memo)
                chunk = []
        if chunk:
            yield from self._score_chunk(chunk, embedder, memo)

    def _score_chunk(self, chunk: Sequence[tuple[str, str]], embedder, memo: TextMemo) -> Iterator[PairScore]:
        sigs = [signals(memo.prepare(a), memo.prepare(b)) for a, b in chunk]
        if self.uses_embeddings:
            va = memo.encode([a for a, _ in chunk], embedder)
            vb = memo.encode([b for _, b in chunk], embedder)
            for sig, c in zip(sigs, (va * vb).sum(axis=1)):
                sig["cosine"] = float(min(1.0, max(0.0, c)))
        scores = self.combine_matrix(np.array([[sig[f] for f in self.features] for sig in sigs]))
        for sig, sc in zip(sigs, scores):
            yield PairScore(float(sc), bool(sc >= self.threshold), sig, self.path)


def scorer_from_dict(model: dict, path: str) -> Scorer:
    """Build a :class:`Scorer` from one entry of the model file."""
    return Scorer(
        features=tuple(model["features"]),
        weights=tuple(model["weights"]),
        intercept=float(model["intercept"]),
        mean=tuple(model["mean"]),
        scale=tuple(model["scale"]),
        threshold=float(model["threshold"]),
        path=path,
    )


def _load(prefix: str, lexical_only: bool) -> Scorer:
    """The model ``{prefix}embedding`` if the embedding model is installed (and wanted), else ``{prefix}lexical``."""
    models = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["models"]
    if lexical_only:
        return scorer_from_dict(models[f"{prefix}lexical"], "lexical")
    kind = "embedding" if embed.load_embedder() is not None else "lexical"
    return scorer_from_dict(models[f"{prefix}{kind}"], embed.embedder_status())


@lru_cache(maxsize=2)
def load_scorer(lexical_only: bool = False) -> Scorer:
    """The shipped scorer: with embeddings if the model is installed, else lexical.

    >>> s = load_scorer(lexical_only=True)
    >>> s.path
    'lexical'
    """
    return _load("", lexical_only)


@lru_cache(maxsize=2)
def load_claim_scorer(lexical_only: bool = False) -> Scorer:
    """The claim scorer (STS-B, "same claim" = human score >= 3), on the same path as :func:`load_scorer`.

    >>> load_claim_scorer(lexical_only=True).path
    'lexical'
    """
    return _load("claim_", lexical_only)

