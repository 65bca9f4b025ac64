"""Scores of candidate pairs: signals, the embedding cascade, and the pair models' scores.

Each candidate statement pair is scored on its part pairs
(:func:`overlap.claims.candidates.part_pairs`): the whole statements, and
for claims every clause of one with every clause of the other. Scoring runs
in two steps, because embedding is most of the tier's time:

1. :func:`lexical_signals`, a batch of part pairs at a time: the lexical
   signals (:func:`overlap.claims.signals.signals`) of every pair. With the
   embedding model, a pair whose lexical paraphrase score is under
   ``embed_floor`` and lexical claim score under ``claim_embed_floor`` is
   decided here, unembedded (see :class:`overlap.params.ParaphraseParams`
   for what each floor loses): only the parts of the remaining pairs are
   embedded.
2. :func:`score_batch`: the same-statement and same-claim scores of the
   remaining pairs, from their signals (and :func:`cosines`).

:func:`score_batch` is the one place where candidates become scores: a pair
model plugs in there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..engine import Engine
from ..params import ParaphraseParams
from .pair_model import PAIR_CLAIM_CUT, PAIR_CUT, PAIR_FLOOR, PairModel, check_scores, load_pair_model
from .roles import RoleParser, load_role_parser, role_check_status
from .scorer import Scorer, load_claim_scorer, load_scorer
from .signals import Prepared, signals

__all__ = ["Scorers", "PartPair", "PartVectors", "ScoredPairs", "lexical_signals", "cosines", "score_batch", "pair_floor", "pair_model_rows"]

#: One candidate part pair: (statement pair index, part x, part y, whether x and y are the whole statements).
PartPair = tuple[int, int, int, bool]


@dataclass(frozen=True)
class Scorers:
    """The models the tier scores with, and the cuts that decide a relation.

    ``paraphrase`` (same statement, MRPC) and ``claim`` (same claim, STS-B)
    are on the same path (both with embeddings or both lexical);
    ``lexical_paraphrase`` and ``lexical_claim`` are their lexical
    counterparts, for the embedding floors. ``claims`` says whether the
    claim relation is on. ``roles`` (:mod:`overlap.claims.roles`) rejects an
    accepted pair whose statements swap named actors between a verb's roles,
    or negate or oppose one's action;
    ``None`` when the check is off or cannot run (``role_check`` says which).
    ``pair`` is the pair model when it judges (``--pair-model``); ``checker`` the
    same model when the fitted scores judge and it only checks the pairs they
    accept (the default, :func:`score_batch`); at most one of the two is set.
    """

    paraphrase: Scorer
    claim: Scorer
    lexical_paraphrase: Scorer
    lexical_claim: Scorer
    cut: float
    claim_cut: float
    claims: bool
    pair: PairModel | None = None
    roles: RoleParser | None = None
    checker: PairModel | None = None
    role_check: str = "off"

    @property
    def uses_embeddings(self) -> bool:
        return self.paraphrase.uses_embeddings

    @property
    def path(self) -> str:
        """What decides, in words: the pair model (and what proposed its pairs), or the fitted scorer's path."""
        if self.pair is not None:
            return f"pair model ({self.pair.model_id}); proposed by {self.paraphrase.path}"
        if self.checker is not None:
            return f"{self.paraphrase.path}; checked by pair model ({self.checker.model_id})"
        return self.paraphrase.path

    @classmethod
    def load(cls, params: ParaphraseParams, scorer: Scorer | None = None, claim_scorer: Scorer | None = None) -> Scorers:
        """The shipped scorers for ``params`` (``scorer``/``claim_scorer`` replace them), and the cuts.

        >>> s = Scorers.load(ParaphraseParams(embeddings=False))
        >>> s.paraphrase.path, s.uses_embeddings, s.cut == s.paraphrase.threshold
        ('lexical', False, True)
        """
        if scorer is None:
            scorer = load_scorer(lexical_only=not params.embeddings)
        if claim_scorer is None:
            claim_scorer = load_claim_scorer(lexical_only=not scorer.uses_embeddings)
        # the pair model's claim score is graded with the embedding cosine: no embeddings, no pair model
        pair = load_pair_model() if params.pair_model and scorer.uses_embeddings else None
        checker = load_pair_model() if params.pair_check and not params.pair_model and scorer.uses_embeddings else None
        own_cut, own_claim_cut = (PAIR_CUT, PAIR_CLAIM_CUT) if pair else (scorer.threshold, claim_scorer.threshold)
        cut = own_cut if params.threshold is None else params.threshold
        claim_cut = own_claim_cut if params.claim_threshold is None else params.claim_threshold
        lexical = scorer.uses_embeddings
        roles = load_role_parser() if params.roles else None
        return cls(
            paraphrase=scorer,
            claim=claim_scorer,
            lexical_paraphrase=load_scorer(lexical_only=True) if lexical else scorer,
            lexical_claim=load_claim_scorer(lexical_only=True) if lexical else claim_scorer,
            cut=cut,
            claim_cut=claim_cut,
            claims=params.claims,
            pair=pair,
            roles=roles,
            checker=checker,
            role_check=role_check_status() if params.roles else "off (--no-role-check)",
        )


def lexical_signals(
    batch: Sequence[PartPair], prepared: Sequence[Prepared], scorers: Scorers, params: ParaphraseParams
) -> tuple[list[PartPair], np.ndarray, dict[int, float]]:
    """The lexical signals of a batch of part pairs, and which pairs go on to :func:`score_batch`.

    ``prepared[k]`` is part ``k`` fully prepared. Returns the pairs kept (all
    of them, unless the embedding floors set some aside), their signals (one
    row each, columns in the lexical paraphrase model's ``features`` order)
    and, for each statement pair whose whole pair was set aside, its lexical
    paraphrase score (reported with a claim the statements' clauses make).
    """
    names = scorers.lexical_paraphrase.features
    x = np.array([[sig[f] for f in names] for sig in (signals(prepared[a], prepared[b]) for _, a, b, _w in batch)],
                 dtype=np.float64).reshape(len(batch), len(names))
    if not (scorers.uses_embeddings and (params.embed_floor > 0 or params.claim_embed_floor > 0)):
        return list(batch), x, {}
    lexical = scorers.lexical_paraphrase.combine_matrix(x)
    hope = lexical >= params.embed_floor
    if scorers.claims:
        hope |= scorers.lexical_claim.combine_matrix(x) >= params.claim_embed_floor
    keep = np.flatnonzero(hope)
    whole_scores = {batch[k][0]: float(lexical[k]) for k in np.flatnonzero(~hope) if batch[k][3]}
    return [batch[k] for k in keep], x[keep], whole_scores


@dataclass(frozen=True)
class PartVectors:
    """Unit vectors of the parts that were embedded, indexed by part: ``vectors[k]`` is part ``k``'s (zeros if not embedded).

    Only the embedded parts are held (``row[k]`` is part ``k``'s row of
    ``matrix``, -1 for none: the last row, all zeros), because they are the
    few in candidate pairs: a full ``(parts, 384)`` array of float32 costs
    1.5 kB a part whether embedded or not, 1.6 GB for the 1.1 million parts
    of 128,000 articles.
    """

    matrix: np.ndarray
    row: np.ndarray

    @classmethod
    def of(cls, count: int, indices: Sequence[int], encoded: np.ndarray) -> PartVectors:
        """The vectors of ``count`` parts, of which those at ``indices`` were embedded as ``encoded`` (in that order)."""
        row = np.full(count, -1, dtype=np.int64)
        row[np.asarray(indices, dtype=np.int64)] = np.arange(len(indices))
        width = encoded.shape[1] if encoded.ndim == 2 else 384
        return cls(np.vstack([encoded.reshape(-1, width), np.zeros((1, width), dtype=np.float32)]), row)

    def __getitem__(self, index):
        return self.matrix[self.row[index]]

    def __len__(self) -> int:
        return len(self.row)


def cosines(vectors: PartVectors, pairs: Sequence[PartPair]) -> np.ndarray:
    """The embedding cosine of each part pair, clipped to [0, 1] (``vectors`` holds one unit vector per part)."""
    ia = np.fromiter((a for _, a, _b, _w in pairs), dtype=np.int64, count=len(pairs))
    ib = np.fromiter((b for _, _a, b, _w in pairs), dtype=np.int64, count=len(pairs))
    out = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), _COSINE_BLOCK):  # two (pairs, 384) copies at once were 120 MB at 32,000 articles
        block = slice(start, start + _COSINE_BLOCK)
        out[block] = np.einsum("ij,ij->i", vectors[ia[block]], vectors[ib[block]])
    return np.clip(out, 0.0, 1.0)


_COSINE_BLOCK = 8192  # part pairs whose vectors are gathered at once (2 x 12 MB)


def score_batch(
    texts: Sequence[tuple[str, str]], features: np.ndarray, names: Sequence[str], scorers: Scorers,
    progress: Callable[[int, int], None] | None = None, ask: np.ndarray | None = None, engine: Engine | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Same-statement and same-claim scores, in [0, 1], of a batch of candidate pairs.

    ``texts`` are the pairs' two texts, ``features`` their signals (one row
    each, one column per entry of ``names``). This is the one place where
    the tier turns candidates into scores (the candidate pairs of
    :func:`overlap.claims.find.find_claims`, and the one-more-pair checks of
    :class:`overlap.claims.decide.Acceptor` for the claim clusters): with
    ``scorers.pair``, :mod:`overlap.claims.pair_model` reads both texts of
    every pair whose fitted score reaches :func:`pair_floor` and
    :meth:`~overlap.claims.pair_model.PairModel.judge` gives the scores (the
    cosine grades the claim score; ``progress(done, total)`` follows it);
    the pairs below the floor, and those ``ask`` is False for, score 0. With
    ``scorers.checker`` (the default) the fitted scores stand, and the pair
    model reads only the pairs they accept and vetoes those it gives a
    probability under its check level (:func:`_checked`). The
    claim scores are zeros when the claim relation is off.

    >>> s = Scorers.load(ParaphraseParams(embeddings=False, pair_model=False))
    >>> from overlap.claims.signals import prepare, signals
    >>> pair = ("Prices rose 5% in May.", "In May prices went up 5%.")
    >>> sig = signals(prepare(pair[0]), prepare(pair[1]))
    >>> para, claim = score_batch([pair], np.array([[sig[f] for f in s.paraphrase.features]]), s.paraphrase.features, s)
    >>> bool(para[0] >= s.cut), bool(claim[0] >= s.claim_cut)
    (True, True)
    """
    if not len(texts):
        return np.empty(0), np.zeros(0)
    para, claim = _fitted(features, names, scorers)
    if scorers.pair is None:
        if scorers.checker is None:
            return para, claim
        return _checked(texts, para, claim, scorers, progress, ask,
                        features[:, [names.index("containment"), names.index("coverage")]], engine)
    asked = np.flatnonzero(pair_floor(para, claim) & (True if ask is None else ask))
    para, claim = np.zeros(len(texts)), np.zeros(len(texts))
    if len(asked):
        col = names.index("cosine")
        para[asked], judged = scorers.pair.judge([texts[i] for i in asked], features[asked, col], progress=progress,
                                                 engine=engine)
        if scorers.claims:
            claim[asked] = judged
    return para, claim


def _checked(texts: Sequence[tuple[str, str]], para: np.ndarray, claim: np.ndarray, scorers: Scorers,
             progress: Callable[[int, int], None] | None, ask: np.ndarray | None,
             overlap: np.ndarray, engine: Engine | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The fitted scores after the pair model's check (:func:`~overlap.claims.pair_model.check_scores`): it reads
    only the pairs they accept (``overlap``: each pair's containment and coverage signals); every
    other score is the fitted one. Claim scores stay zeros when that relation is off."""
    asked = np.flatnonzero(_accepted(para, claim, scorers) & (True if ask is None else ask))
    if not len(asked):
        return para, claim
    probs = scorers.checker.score([texts[i] for i in asked], progress=progress, engine=engine)  # type: ignore[union-attr]
    para, claim = para.copy(), claim.copy()
    para[asked], claim[asked] = check_scores(para[asked], claim[asked], probs, overlap[asked, 0], overlap[asked, 1])
    return para, claim


def _accepted(para: np.ndarray, claim: np.ndarray, scorers: Scorers) -> np.ndarray:
    """Which pairs the fitted scores accept for either relation."""
    return (para >= scorers.cut) | ((claim >= scorers.claim_cut) if scorers.claims else False)


def _fitted(features: np.ndarray, names: Sequence[str], scorers: Scorers) -> tuple[np.ndarray, np.ndarray]:
    """The fitted scorers' same-statement and same-claim scores (zeros for claims when that relation is off)."""
    col = {f: i for i, f in enumerate(names)}
    para = scorers.paraphrase.combine_matrix(features[:, [col[f] for f in scorers.paraphrase.features]])
    if not scorers.claims:
        return para, np.zeros(len(features))
    return para, scorers.claim.combine_matrix(features[:, [col[f] for f in scorers.claim.features]])


def pair_floor(para: np.ndarray, claim: np.ndarray) -> np.ndarray:
    """Which pairs the pair model is asked about: a fitted score at least :data:`PAIR_FLOOR`.

    The pair model costs ~25 ms a news pair; below the floor the fitted scores see too little
    in common for the pair model to call it the same statement or claim (see the constant).
    """
    return (para >= PAIR_FLOOR) | (claim >= PAIR_FLOOR)


def pair_model_rows(features: np.ndarray, names: Sequence[str], scorers: Scorers) -> np.ndarray:
    """Which of a batch's pairs :func:`score_batch` gives the pair model, judging (:func:`pair_floor`) or
    checking (the pairs the fitted scores accept), before ``ask``; none without a pair model."""
    if (scorers.pair is None and scorers.checker is None) or not len(features):
        return np.zeros(len(features), dtype=bool)
    para, claim = _fitted(features, names, scorers)
    return pair_floor(para, claim) if scorers.pair is not None else _accepted(para, claim, scorers)


@dataclass(frozen=True)
class ScoredPairs:
    """The part pairs that reached :func:`score_batch`, in order, grouped by statement pair, with their scores.

    ``rows[t]`` is a :data:`PartPair`; ``features[t]`` its signals (columns
    named by ``names``); ``paraphrase[t]`` and ``claim[t]`` its scores.
    ``lexical_whole`` maps a statement pair whose whole pair the embedding
    floors set aside to that pair's lexical paraphrase score.
    """

    rows: list[PartPair]
    features: np.ndarray
    names: list[str]
    paraphrase: np.ndarray
    claim: np.ndarray
    lexical_whole: dict[int, float]

    def column(self, name: str) -> np.ndarray:
        """One signal of every row."""
        return self.features[:, self.names.index(name)]
