"""The claims tier's entry: statements that say the same thing in other words, and their claim clusters.

:func:`find_claims` composes the stages of :mod:`overlap.claims`, each a
plain function of batches that returns its output and its counts:

1. :func:`overlap.claims.statements.statements`, then the gate
   (:func:`overlap.claims.gate.admit`), then each statement's clauses
   (:func:`overlap.claims.statements.statement_parts`);
2. candidates (:mod:`overlap.claims.candidates`): content-word LSH with the
   template rule, nearest embeddings in a small corpus, the figure and name
   filters, grouped into statement pairs;
3. scores (:mod:`overlap.claims.score`): lexical signals a batch at a time
   with the embedding cascade, the embeddings the remaining pairs need, then
   :func:`overlap.claims.score.score_batch`, where the pair model judges;
4. matches (:func:`overlap.claims.decide.decide`) and claim clusters
   (:func:`overlap.claims.clusters.claim_clusters`).
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np

from ..batches import Lazy, batched
from ..engine import Engine, InProcess
from ..model import ClaimCluster, Document, Match, Passage, Span
from ..params import ParaphraseParams
from ..memory import release_freed_memory
from ..spill import SpillStore
from . import embed
from .candidates import content_candidates, filter_pairs, neighbour_candidates, part_pairs, statement_pairs
from .clusters import claim_clusters
from .decide import Acceptor, decide
from .gate import admit
from .restated import restatements
from .figures import can_carry
from .score import PartPair, PartVectors, Scorers, ScoredPairs, cosines, lexical_signals, pair_model_rows, score_batch
from .scorer import Scorer, TextMemo
from .signals import Lexicon, prepare
from .statements import Parts, PassageTable, Statements, statement_parts, statements

__all__ = ["find_claims", "ClaimResult", "COUNTS"]

log = logging.getLogger(__name__)
#: Statement pairs whose lexical signals are computed at once (bounded memory; one engine task); progress is
#: said after each batch.
BATCH = 5_000
#: Documents whose statements one engine task finds, prepares and gates.
STATEMENT_BATCH = 256
#: What :func:`find_claims` counts, in this order.
COUNTS = (
    "statements_too_long", "statements_over_document_cap", "set_aside", "not_english", "statements", "clauses",
    "lsh_candidates", "candidates_over_cap", "neighbour_candidates", "template_pairs_skipped", "number_conflicts_skipped",
    "name_conflicts_skipped", "candidates", "lexical_pairs_scored", "below_embed_floor", "embedded", "pair_model_scored",
    "below_pair_floor", "verbatim_skipped", "figure_conflicts", "role_conflicts", "matches", "same_statement", "same_claim", "within_document",
    "restated", "clusters",
)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ClaimResult:
    """What the claims tier found, and how it scored.

    ``path`` names the scoring path (``"lexical"`` or the embedding model);
    ``threshold`` and ``claim_threshold`` are the cuts used (the claim cut
    ``None`` when the claim relation is off); ``set_aside`` counts the
    statements the gate set aside per reason, ``languages`` the ones not in
    English per language; ``role_check`` names the parser of the role check
    (:mod:`overlap.claims.roles`) or says why it is off.
    """

    matches: list[Match]
    clusters: list[ClaimCluster]
    path: str
    threshold: float
    claim_threshold: float | None
    set_aside: dict[str, int]
    languages: dict[str, int]
    role_check: str = "off"


def _no_progress(stage: str, done: int, total: int) -> None:
    """Progress nobody follows."""


def find_claims(
    documents: Sequence[Document],
    params: ParaphraseParams,
    *,
    exclude: Mapping[str, list[Span]] | None = None,
    scorer: Scorer | None = None,
    claim_scorer: Scorer | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
    spill_dir: str | None = None,
) -> tuple[ClaimResult, dict[str, int]]:
    """Paraphrase and claim matches between statements, the claim clusters they form, and the tier's counts.

    Two relations, both reported as ``kind="paraphrase"`` with
    ``details["relation"]``: ``"paraphrase"`` when the whole statements are the
    same statement in other words (the MRPC-fitted score), ``"claim"`` when they
    make the same claim (the STS-B-fitted claim score, taken over the
    statements and their clauses, so a talking point inside a longer sentence
    counts; ``details["a_clause"]``/``["b_clause"]`` give the clauses that
    carried it). ``exclude`` maps a document id to its boilerplate spans: a
    statement touching one is never matched. ``scorer``/``claim_scorer``
    replace the shipped models. Pairs of statements in one document count
    (a reporter restating a quote) unless ``params.within_document`` is off;
    they are marked ``details["within_document"]``. The counts are
    :data:`COUNTS`. ``progress(stage, done, total)`` follows the two slow
    steps between batches: ``"paraphrase signals"`` (candidate statement
    pairs), ``"paraphrase embedding"`` (statements and clauses embedded) and
    ``"paraphrase pair model"`` (part pairs the pair model reads).
    ``engine`` (:mod:`overlap.engine`) runs the embedding model's batches and
    the role check's parses (this process by default); the rest runs here.
    The statements' and clauses' texts wait in a temporary file (in
    ``spill_dir``, default the system's temp folder) while the tier runs,
    read back for the few parts it scores (:class:`PassageTable`).

    >>> docs = [Document("a", "Prices of bread rose by five percent in May, the bureau said."),
    ...         Document("b", "In May, the bureau said, the price of bread went up five percent.")]
    >>> result, counts = find_claims(docs, ParaphraseParams(embeddings=False))
    >>> [(m.a.doc, m.b.doc, m.details["relation"]) for m in result.matches], counts["candidates"]
    ([('a', 'b', 'paraphrase')], 1)
    """
    notify = progress or _no_progress
    scorers = Scorers.load(params, scorer, claim_scorer)
    result = ClaimResult([], [], scorers.path, round(scorers.cut, 4),
                         round(scorers.claim_cut, 4) if params.claims else None, {}, {}, scorers.role_check)
    counts = dict.fromkeys(COUNTS, 0)
    if not params.enabled:
        return result, counts
    with SpillStore(spill_dir) as store:
        units, parts, found = _statements(documents, params, exclude, engine, store)
        try:
            release_freed_memory()  # the batches the statements came in (see overlap.memory)
            result = replace(result, set_aside=found.pop("set_aside"), languages=found.pop("languages"))
            counts.update(found)
            counts["set_aside"] = sum(result.set_aside.values())
            counts["not_english"] = result.set_aside.get("not English", 0)
            pairs, vectors, found = _candidates(units, parts, scorers, params, notify, engine, store)
            counts.update(found)
            parts.release()  # after each step, the columns' pages it read (see SpilledRows)
            release_freed_memory()  # the candidates' LSH bands
            per_pair = part_pairs(pairs, parts, params.claims)
            scored, vectors, found = _score(per_pair, parts, vectors, scorers, params, notify, engine)
            counts.update(found)
            parts.release()
            matches, found = decide(scored, pairs, parts, units, vectors, scorers, params, engine)
            counts.update(found)
            accept = Acceptor(scorers, params, memo=TextMemo(_known_vectors(matches, units, parts, vectors)))
            matches, counts["restated"] = _with_restatements(matches, units, scorers, params, accept, counts, engine)
            clusters = claim_clusters(matches, units, documents, accept=accept)
        finally:
            parts.close()
    counts["clusters"] = len(clusters)
    log.info("paraphrase: %s", counts)
    return replace(result, matches=matches, clusters=clusters), counts


def _with_restatements(
    matches: list[Match], units: Sequence[Passage], scorers: Scorers, params: ParaphraseParams, accept: Acceptor,
    counts: dict[str, int], engine: Engine | None,
) -> tuple[list[Match], int]:
    """``matches`` with the quotes the same document's reporter restated (:mod:`overlap.claims.restated`),
    in match order, and how many those are; the match counts in ``counts`` include them."""
    found = restatements(matches, units, scorers, params, accept, engine)
    for m in found:
        counts["matches"] += 1
        counts["same_statement" if m.details["relation"] == "paraphrase" else "same_claim"] += 1
        counts["within_document"] += 1
    merged = sorted(matches + found, key=lambda m: (m.a.doc, m.a.span.start, m.b.doc, m.b.span.start))
    return merged, len(found)


def _known_vectors(
    matches: Sequence[Match], units: Sequence[Passage], parts: Parts, vectors: PartVectors | None
) -> dict[str, np.ndarray]:
    """The vectors already computed for the parts of matched statements, by text: the claim clusters
    score only those statements again (:class:`~overlap.claims.decide.Acceptor`). A part no pair
    needed was not embedded (its row is zeros) and is left out."""
    if vectors is None or not matches:
        return {}
    matched = {(side.doc, side.span.start, side.span.end) for m in matches for side in (m.a, m.b)}
    out = {}
    for k in np.flatnonzero(vectors.row >= 0).tolist():  # the embedded parts only: a few of the corpus's
        u = units[parts.owner[k]]
        if (u.doc, u.span.start, u.span.end) in matched and vectors[k].any():
            out[parts.passages[k].text] = vectors[k]
    return out


def _statements(
    documents: Sequence[Document], params: ParaphraseParams, exclude: Mapping[str, list[Span]] | None,
    engine: Engine | None = None, store: SpillStore | None = None,
) -> tuple[Statements, Parts, dict]:
    """The statements the models may score, their parts, and the counts (with the gate's ``set_aside`` and ``languages``).

    A map over batches of documents (:func:`statement_batch`, on ``engine``),
    merged here in document order: every step is per document or per
    statement, and the counts add up. With ``store``, each batch's texts go
    there as the batch comes back (:meth:`PassageTable.spill`): the texts of
    the statements and clauses of 32,000 generated articles were 34 MB
    (tracemalloc), held twice over while the batches were joined.
    """
    exclude = exclude or {}
    jobs = ((batch, {d.id: exclude[d.id] for d in batch if d.id in exclude})
            for batch in batched(documents, STATEMENT_BATCH))
    tables: list[PassageTable] = []
    owner = array("i")
    counts: Counter[str] = Counter()
    set_aside: Counter[str] = Counter()
    languages: Counter[str] = Counter()

    def lexicons() -> Iterator[Lexicon]:
        """Each batch's lexicon, as the batch comes back (merged as it comes), the rest of it kept."""
        statements_so_far = 0  # statements of the batches merged so far
        for b_parts, b_counts, b_set_aside, b_languages in (engine or InProcess()).map(statement_batch, jobs, params):
            owner.extend(o + statements_so_far for o in b_parts.owner)
            statements_so_far += len(set(b_parts.owner))
            tables.append(b_parts.passages.spill(store) if store is not None else b_parts.passages)
            counts.update(b_counts)
            set_aside.update(b_set_aside)
            languages.update(b_languages)
            yield b_parts.lexicon

    # with a store, the columns and word ids wait in files of its folder too, mapped (SpilledRows)
    on_disk = store is not None
    lexicon = Lexicon.concat(lexicons(), store.directory if on_disk else None, files=on_disk)
    parts = Parts(PassageTable.concat(tables, store.directory if on_disk else None, files=on_disk), lexicon, owner)
    units = Statements(parts.passages, parts.bounds()[:-1])
    found = {key: counts[key] for key in ("statements_too_long", "statements_over_document_cap")}
    return units, parts, {
        **found, "set_aside": dict(sorted(set_aside.items())),
        "languages": dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
        "statements": len(units), "clauses": len(parts.passages) - len(units)}


def statement_batch(
    job: tuple[Sequence[Document], Mapping[str, list[Span]]], params: ParaphraseParams
) -> tuple[Parts, dict[str, int], dict[str, int], dict[str, int]]:
    """A batch of documents' statements that pass the gate as :class:`Parts` (each statement, then its
    clauses), the counts, and the gate's ``set_aside`` and ``languages`` (a map over documents)."""
    documents, exclude = job
    units, counts = statements(documents, params, exclude)
    prepared = [prepare(u.text, full=False) for u in units]  # full only for the few scored
    keep, set_aside, languages = admit(units, prepared, params.min_content)
    units = [units[n] for n in keep]
    parts = statement_parts(units, [prepared[n] for n in keep], params if params.claims else replace(params, clauses=False))
    return parts, counts, set_aside, languages


def _candidates(
    units: Sequence[Passage], parts: Parts, scorers: Scorers, params: ParaphraseParams, notify: Progress,
    engine: Engine | None = None, store: SpillStore | None = None,
) -> tuple[list[tuple[int, int]], PartVectors | None, dict[str, int]]:
    """The candidate statement pairs, the parts' vectors if every part was embedded (else ``None``), and the counts.

    With the embedding model in a small corpus (``embed_all_max``, or always
    with ``neighbours``) every part is embedded to add its nearest
    neighbours as candidates: cheap there, where a claim restated in other
    words shares too few content words for LSH.
    """
    pairs, capped = content_candidates(parts.lexicon, params, store)
    counts = {"lsh_candidates": len(pairs), "candidates_over_cap": capped}
    vectors = None
    want_neighbours = params.neighbours or (
        params.claims and len(parts.passages) <= params.embed_all_max and params.auto_neighbours)
    if scorers.uses_embeddings and want_neighbours:
        vectors = embed.load_embedder().encode(
            [p.text for p in parts.passages], progress=lambda done, total: notify("paraphrase embedding", done, total),
            engine=engine)
        extra = neighbour_candidates(vectors, params.neighbours or params.auto_neighbours, params.min_cosine)
        counts["neighbour_candidates"] = len(extra - pairs)
        pairs |= extra
        vectors = PartVectors.of(len(parts.passages), range(len(parts.passages)), vectors)
    kept, skipped = filter_pairs(parts.lexicon, sorted(pairs), params)
    counts.update(skipped)
    found = statement_pairs(kept, parts, units, params.within_document)
    counts["candidates"] = len(found)
    return found, vectors, counts


def _score(
    per_pair: Sequence[Sequence[tuple[int, int]]],
    parts: Parts,
    vectors: PartVectors | None,
    scorers: Scorers,
    params: ParaphraseParams,
    notify: Progress,
    engine: Engine | None = None,
) -> tuple[ScoredPairs, PartVectors | None, dict[str, int]]:
    """The part pairs of every candidate statement pair (``per_pair[n]``, the whole pair first) scored,
    the parts' vectors, and the counts.

    Each batch of pairs travels with the texts of the parts it reads, and
    the task prepares them fully (:func:`signals_of`): a part in several
    batches is prepared in each, but nothing holds the full preparation of
    every scored part at once.
    """
    rows: list[PartPair] = []
    feats: list[np.ndarray] = []
    lexical_whole: dict[int, float] = {}

    def jobs() -> Iterator[tuple[list[PartPair], dict[int, str]]]:
        """Each batch of part pairs joined with the texts of the parts it reads (not all of them)."""
        for start in range(0, len(per_pair), BATCH):
            batch = [(n, x, y, k == 0) for n in range(start, min(start + BATCH, len(per_pair)))
                     for k, (x, y) in enumerate(per_pair[n])]
            yield batch, {k: parts.passages[k].text for _, x, y, _w in batch for k in (x, y)}

    lexical = replace(scorers, pair=None, checker=None, roles=None)  # what the signals need: the fitted models, not the sessions
    for k, (kept, x, whole) in enumerate((engine or InProcess()).map(signals_of, jobs(), lexical, params)):
        rows.extend(kept)
        feats.append(x)
        lexical_whole.update(whole)
        notify("paraphrase signals", min((k + 1) * BATCH, len(per_pair)), len(per_pair))
    names = list(scorers.lexical_paraphrase.features)
    features = np.vstack(feats) if feats else np.empty((0, len(names)))
    counts = {"lexical_pairs_scored": sum(map(len, per_pair)), "below_embed_floor": 0, "embedded": 0}
    if scorers.uses_embeddings:
        counts["below_embed_floor"] = counts["lexical_pairs_scored"] - len(rows)
    # statement pairs copied near word for word are the reuse tier's (decide counts them as copies, whatever
    # their scores): none of their rows is embedded or goes to the pair model
    ratio = features[:, names.index("ratio")] if len(rows) else np.empty(0)
    copies = {n for t, (n, _x, _y, whole) in enumerate(rows) if whole and ratio[t] >= params.verbatim}
    if scorers.uses_embeddings and rows:
        vectors, counts["embedded"] = _vectors(vectors, parts, [r for r in rows if r[0] not in copies], notify, engine)
        features = np.hstack([features, cosines(vectors, rows)[:, None]])
        names.append("cosine")
    elif vectors is not None:
        counts["embedded"] = len(parts.passages)
    texts = _RowTexts(rows, parts)
    ask = np.fromiter((n not in copies for n, _x, _y, _w in rows), dtype=bool, count=len(rows))
    model = pair_model_rows(features, names, scorers) & ask
    # part pairs whose figures disagree are rejected by decide whatever the pair model says of them
    # (overlap.claims.figures): it does not read them (Reuters-21578: 928 of the 8,852 pairs it would read)
    ask &= ~_figures_disagree(rows, per_pair, parts, model)
    counts["pair_model_scored"] = int((model & ask).sum())
    counts["below_pair_floor"] = int(ask.sum()) - counts["pair_model_scored"] if scorers.pair is not None else 0
    para, claim = score_batch(texts, features, names, scorers, ask=ask, engine=engine,
                              progress=lambda done, total: notify("paraphrase pair model", done, total))
    return ScoredPairs(rows, features, names, para, claim, lexical_whole), vectors, counts


def _figures_disagree(rows: Sequence[PartPair], per_pair: Sequence[Sequence[tuple[int, int]]], parts: Parts,
                      model: np.ndarray) -> np.ndarray:
    """Which rows the pair model would read (``model``) cannot carry a claim by their parts' figures
    (:func:`~overlap.claims.figures.can_carry`, as :func:`~overlap.claims.decide.decide` reads them)."""
    out = np.zeros(len(rows), dtype=bool)
    text = parts.passages
    by_pair: dict[int, list[int]] = {}
    for t in np.flatnonzero(model):
        by_pair.setdefault(rows[t][0], []).append(int(t))
    for n, read in by_pair.items():
        a, b = per_pair[n][0]  # the whole statements
        ok = can_carry((text[a].text, text[b].text), [(text[rows[t][1]].text, text[rows[t][2]].text) for t in read])
        out[read] = ~np.array(ok)
    return out


class _RowTexts(Lazy[tuple[str, str]]):
    """The two texts of each scored part pair, read from the spill file when asked for: only the pair
    model reads them (the pairs it is asked about), so the default scan reads none. Read up front for
    every scored pair, they were a spill read and two strings a pair for nothing."""

    def __init__(self, rows: Sequence[PartPair], parts: Parts) -> None:
        self.rows, self.passages = rows, parts.passages

    def __len__(self) -> int:
        return len(self.rows)

    def _at(self, i: int) -> tuple[str, str]:
        _n, x, y, _whole = self.rows[i]
        return self.passages[x].text, self.passages[y].text


def signals_of(
    job: tuple[Sequence[PartPair], Mapping[int, str]], scorers: Scorers, params: ParaphraseParams
) -> tuple[list[PartPair], np.ndarray, dict[int, float]]:
    """:func:`~overlap.claims.score.lexical_signals` of a batch of part pairs joined with their parts' texts
    (fully prepared here, where the batch runs)."""
    batch, texts = job
    prepared = {k: prepare(text) for k, text in texts.items()}
    return lexical_signals(batch, prepared, scorers, params)  # type: ignore[arg-type]


def _vectors(
    vectors: PartVectors | None, parts: Parts, rows: Sequence[PartPair], notify: Progress,
    engine: Engine | None = None,
) -> tuple[PartVectors, int]:
    """The vectors of the parts the scored pairs ``rows`` read (no other part is embedded), and how many parts were.

    ``vectors`` already holds every part's when the neighbours were looked up.
    """
    if vectors is not None:
        return vectors, len(parts.passages)
    needed = sorted({k for _, a, b, _w in rows for k in (a, b)})
    encoded = embed.load_embedder().encode(
        [parts.passages[k].text for k in needed], progress=lambda done, total: notify("paraphrase embedding", done, total),
        engine=engine)
    return PartVectors.of(len(parts.passages), needed, encoded), len(needed)
