"""Claims across a corpus: statements that say the same thing in other words.

Stages, in order:

1. **units** (:func:`overlap.quotes.units`): sentences and quoted sentences of
   every document, with speakers; units touching a boilerplate span (the
   ``exclude`` argument) are dropped, so sign-ups never become claims.
2. **candidates** (:func:`content_candidates`): MinHash LSH over each unit's
   *stemmed, stopword-free content words* at a low threshold (word 3-gram
   shingles recall only about half of MRPC's paraphrase pairs; content words
   about 95% at 0.3), with the template rule of step 3 applied inside the LSH
   buckets: only units with ``min_rare_shared`` rare words are banded, and a
   pair is formed only from rare words both share, so the template pairs that
   made the tier quadratic on newswire are never listed. With the embedding
   model and ``neighbours``, each unit's nearest neighbours by cosine too.
   Candidates carry no score.
3. **verify**: the calibrated paraphrase score of :mod:`overlap.paraphrase`;
   pairs at or above ``params.threshold`` (default: the model's cross-validated
   cut) become ``Match(kind="paraphrase")``. With the embedding model, a pair
   whose lexical-model score is below ``embed_floor`` is dropped unembedded
   (the cascade: embedding is the slow part).
   Near-verbatim pairs (``ratio >= params.verbatim``) are copies: they belong
   to the reuse tier and are skipped here (counted in ``stats``). Pairs that
   share fewer than ``min_rare_shared`` content words that are rare in the
   corpus (in at most ``rare_share`` of the statements, or
   ``rare_min_statements``) are templates (results tables, datelines), not
   claims, and are not scored; nor are two statements that both give figures
   and share none ("rose 5%" / "fell 7%": different facts, however alike), nor
   two that both name people or places and share none ("Zimbabwean officials
   were not available" / "Evergo officials were not available").
4. **claim clusters**: connected statements, ordered by date where known.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Mapping, Sequence

import numpy as np
from .candidates import lsh_bands
from .model import ClaimCluster, Document, Match, MatchSide, Passage, Span
from .params import ParaphraseParams
from .paraphrase import LEXICAL_SIGNALS, Prepared, Scorer, load_scorer, prepare, signals
from .quotes import units
from .shingle import fold32, word_hashes
from .signatures import Signer

__all__ = [
    "find_paraphrases",
    "statements",
    "content_candidates",
    "filter_pairs",
    "neighbour_candidates",
    "rare_limit",
    "word_counts",
]

log = logging.getLogger(__name__)
_CHUNK = 20_000


def statements(
    documents: Sequence[Document],
    params: ParaphraseParams,
    exclude: Mapping[str, list[Span]] | None = None,
) -> list[Passage]:
    """All units of all documents that may carry a claim (boilerplate and fragments left out)."""
    out: list[Passage] = []
    for doc in documents:
        banned = sorted((exclude or {}).get(doc.id, []), key=lambda s: s.start)
        for unit in units(doc.id, doc.text, params.min_words):
            if any(unit.span.overlaps(b) for b in banned):
                continue
            out.append(unit)
    return out


def word_counts(prepared: Sequence[Prepared]) -> Counter[str]:
    """In how many statements each content word occurs (the corpus statistics of the template rule)."""
    counts: Counter[str] = Counter()
    for p in prepared:
        counts.update(p.content)
    return counts


def rare_limit(statements: int, params: ParaphraseParams) -> int:
    """The most statements a content word may occur in and still count as rare.

    A share of the corpus (``rare_share``), because a template is a sentence
    shape repeated across the corpus, and a floor (``rare_min_statements``),
    because in a small corpus nothing repeats often enough to be told from a
    topic: five articles on one story share their topic words, and those are
    the words their paraphrases share.
    """
    return max(params.rare_min_statements, int(params.rare_share * statements))


def content_candidates(prepared: Sequence[Prepared], params: ParaphraseParams) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``: LSH-similar content words, and at least ``min_rare_shared`` rare ones shared.

    LSH over each unit's stemmed content words proposes similar pairs; a pair
    that shares fewer than ``min_rare_shared`` rare content words
    (:func:`rare_limit`) is a template and could never pass
    :func:`filter_pairs`. On templated newswire almost all LSH pairs are such
    templates (Reuters, 3,000 articles: 454,000 of 466,000), and listing them
    was the quadratic part of the tier, so they are never formed:

    * only units with at least ``min_rare_shared`` rare words are signed and
      banded at all ("Qtly div three cts vs three cts prior" has none);
    * inside each LSH bucket, pairs are formed from each rare word's members
      of the bucket, and kept when they met in at least ``min_rare_shared``
      of them. A bucket of 1,000 earnings lines naming 1,000 different
      companies costs 1,000 look-ups and forms no pair.

    The result is exactly the LSH pairs (datasketch's bands over
    :class:`overlap.signatures.Signer` signatures) that pass the template
    rule. Works on any list of :class:`overlap.paraphrase.Prepared`
    (sentences, quotes, clauses); rarity is counted within that list.

    >>> from overlap.paraphrase import prepare
    >>> texts = ["Acme Widget Corp said it expects quarterly profits to rise sharply.",
    ...          "Acme Widget expects quarterly profits to rise sharply, the company said.",
    ...          "Bolt Gadget Corp said it expects quarterly profits to rise sharply."]
    >>> sorted(content_candidates([prepare(t) for t in texts], ParaphraseParams(rare_min_statements=2)))
    [(0, 1)]
    """
    need = params.min_rare_shared
    counts = word_counts(prepared)
    limit = rare_limit(len(prepared), params)
    word_ids: dict[str, int] = {}
    eligible: list[int] = []
    inc_row: list[int] = []  # incidences (eligible row, rare word id), rows ascending
    inc_word: list[int] = []
    for i, p in enumerate(prepared):
        if not p.content:
            continue
        rare = [w for w in p.content if counts[w] <= limit]
        if len(rare) < need:
            continue
        row = len(eligible)
        eligible.append(i)
        for w in rare:
            inc_row.append(row)
            inc_word.append(word_ids.setdefault(w, len(word_ids)))
    if len(eligible) < 2:
        return set()
    signer = Signer(params.num_perm, params.seed)
    sigs = signer.sign([fold32(np.unique(word_hashes(sorted(prepared[i].content)))) for i in eligible])
    b, r = lsh_bands(params.lsh_threshold, params.num_perm)
    rows = np.asarray(inc_row, dtype=np.int64)
    words = np.asarray(inc_word, dtype=np.int64)
    m = len(eligible)
    found: list[np.ndarray] = []
    band_type = np.dtype((np.void, 4 * r))
    for band in range(b):
        cells = np.ascontiguousarray(sigs[:, band * r : (band + 1) * r]).view(band_type).ravel()
        _, bucket, sizes = np.unique(cells, return_inverse=True, return_counts=True)
        bucket = bucket.ravel()
        if need <= 0:  # no template rule: every pair of a bucket
            shared = np.flatnonzero(sizes[bucket] > 1)
            keys, members = bucket[shared], shared
        else:  # (bucket, rare word) groups: rows that share the bucket and the word
            sel = np.flatnonzero(sizes[bucket[rows]] > 1)
            keys, members = bucket[rows[sel]] * len(word_ids) + words[sel], rows[sel]
        order = np.argsort(keys, kind="stable")  # stable: members stay ascending within a group
        left, right = _pairs_within_runs(keys[order], members[order])
        codes = left * m + right
        if need > 1:  # met in at least `need` rare words of this bucket
            codes, met = np.unique(codes, return_counts=True)
            codes = codes[met >= need]
        found.append(np.unique(codes))
    codes = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    index = np.asarray(eligible, dtype=np.int64)
    return set(zip(index[codes // m].tolist(), index[codes % m].tolist()))


def _pairs_within_runs(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(values[p], values[q])``, ``p < q``, of positions in one run of equal sorted ``keys``.

    >>> _pairs_within_runs(np.array([1, 1, 1, 2, 3, 3]), np.array([10, 11, 12, 13, 14, 15]))
    (array([10, 10, 11, 14]), array([11, 12, 12, 15]))
    """
    n = len(keys)
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    ends = np.append(starts[1:], n)
    pos = np.arange(n)
    after = np.repeat(ends, ends - starts) - pos - 1  # how many later members of the same run
    total = int(after.sum())
    left = np.repeat(values, after)
    first_right = pos + 1 - (np.cumsum(after) - after)
    right = values[np.repeat(first_right, after) + np.arange(total)]
    return left.astype(np.int64), right.astype(np.int64)


def filter_pairs(
    prepared: Sequence[Prepared], pairs: Sequence[tuple[int, int]], params: ParaphraseParams
) -> tuple[list[tuple[int, int]], dict[str, int]]:
    """Drop candidate pairs that cannot be the same claim, before any scoring.

    * templates: fewer than ``min_rare_shared`` shared content words that are
      rare in this corpus (``Qtly div three cts vs three cts prior`` /
      ``Qtly div ten cts vs ten cts``);
    * figures that disagree: both give numbers and share none;
    * actors that disagree: both name people or places and share none.

    Returns the kept pairs and how many each rule dropped.
    """
    df = word_counts(prepared)
    limit = rare_limit(len(prepared), params)
    kept: list[tuple[int, int]] = []
    templated = numbers_differ = names_differ = 0
    for i, j in pairs:
        a, b = prepared[i], prepared[j]
        if sum(1 for w in a.content & b.content if df[w] <= limit) < params.min_rare_shared:
            templated += 1
        elif params.numbers_must_agree and a.numbers and b.numbers and not (a.numbers & b.numbers):
            numbers_differ += 1
        elif params.names_must_agree and a.names and b.names and not (a.names & b.names):
            names_differ += 1
        else:
            kept.append((i, j))
    return kept, {
        "template_pairs_skipped": templated,
        "number_conflicts_skipped": numbers_differ,
        "name_conflicts_skipped": names_differ,
    }


def neighbour_candidates(vectors: np.ndarray, k: int, min_cosine: float, block: int = 2048) -> set[tuple[int, int]]:
    """Each unit's ``k`` nearest units by cosine (at least ``min_cosine``), as index pairs."""
    pairs: set[tuple[int, int]] = set()
    n = len(vectors)
    if n < 2 or k <= 0:
        return pairs
    kk = min(k + 1, n)
    for start in range(0, n, block):
        sims = vectors[start : start + block] @ vectors.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -1.0  # not oneself
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        for r in rows:
            i = start + int(r)
            for j in top[r]:
                j = int(j)
                if j != i and sims[r, j] >= min_cosine:
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


def find_paraphrases(
    documents: Sequence[Document],
    params: ParaphraseParams,
    *,
    exclude: Mapping[str, list[Span]] | None = None,
    stats: dict | None = None,
    scorer: Scorer | None = None,
) -> tuple[list[Match], list[ClaimCluster]]:
    """Paraphrase matches between statements, and the claim clusters they form.

    ``exclude`` maps a document id to its boilerplate spans: a statement
    touching one is never matched. ``stats`` (if given) receives counts and
    the scoring path (``"lexical"`` or the embedding model) for reports.

    >>> from overlap.model import Document
    >>> docs = [Document("a", "Prices of bread rose by five percent in May, the bureau said."),
    ...         Document("b", "In May, the bureau said, the price of bread went up five percent.")]
    >>> matches, clusters = find_paraphrases(docs, ParaphraseParams(embeddings=False))
    >>> [(m.a.doc, m.b.doc) for m in matches]
    [('a', 'b')]
    """
    st: dict = stats if stats is not None else {}
    if scorer is None:
        scorer = load_scorer(lexical_only=not params.embeddings)
    st["path"] = scorer.path
    cut = scorer.threshold if params.threshold is None else params.threshold
    st["threshold"] = round(cut, 4)
    if not params.enabled:
        st.update(statements=0, candidates=0, verbatim_skipped=0, matches=0, clusters=0)
        return [], []
    units_ = statements(documents, params, exclude)
    prepared_all = [prepare(u.text) for u in units_]
    keep = [i for i, p in enumerate(prepared_all) if len(p.content) >= params.min_content]
    units_ = [units_[i] for i in keep]
    prepared = [prepared_all[i] for i in keep]
    st["statements"] = len(units_)

    pairs = content_candidates(prepared, params)
    st["lsh_candidates"] = len(pairs)
    vectors = None
    if scorer.uses_embeddings and params.neighbours:
        # every statement is embedded (the slow part) to add its nearest neighbours as candidates
        from .embed import load_embedder

        vectors = load_embedder().encode([u.text for u in units_])
        extra = neighbour_candidates(vectors, params.neighbours, params.min_cosine)
        st["neighbour_candidates"] = len(extra - pairs)
        pairs |= extra

    kept, skipped = filter_pairs(prepared, sorted(pairs), params)
    cand = []
    for i, j in kept:
        a, b = units_[i], units_[j]
        if a.doc == b.doc and (not params.same_document or a.span.overlaps(b.span)):
            continue
        cand.append((i, j))
    st["candidates"] = len(cand)
    st.update(skipped)

    # lexical signals of every pair, one chunk at a time (bounded memory: one float row per pair)
    lexical = np.empty((len(cand), len(LEXICAL_SIGNALS)), dtype=np.float64)
    for start in range(0, len(cand), _CHUNK):
        chunk = cand[start : start + _CHUNK]
        rows = [signals(prepared[i], prepared[j]) for i, j in chunk]
        lexical[start : start + len(chunk)] = [[r[f] for f in LEXICAL_SIGNALS] for r in rows]
    scored = np.arange(len(cand))
    if scorer.uses_embeddings and vectors is None and cand:
        # The cascade: a pair the lexical model scores far below its cut is not embedded
        # (on MRPC train no embedding-model positive scores below 0.25 lexically; 0.3 loses 2 of 2,804).
        if params.embed_floor > 0:
            floor_model = load_scorer(lexical_only=True)
            lex_scores = floor_model.combine_matrix(lexical[:, [LEXICAL_SIGNALS.index(f) for f in floor_model.features]])
            scored = np.flatnonzero(lex_scores >= params.embed_floor)
        st["below_embed_floor"] = len(cand) - len(scored)
        # only the statements of those pairs need a vector
        needed = sorted({i for k in scored.tolist() for i in cand[k]})
        from .embed import load_embedder

        encoded = load_embedder().encode([units_[i].text for i in needed])
        vectors = np.zeros((len(units_), encoded.shape[1]), dtype=np.float32)
        vectors[needed] = encoded
        st["embedded"] = len(needed)
    else:
        st["embedded"] = 0 if vectors is None else len(units_)

    matches: list[Match] = []
    verbatim = 0
    columns = [LEXICAL_SIGNALS.index(f) if f in LEXICAL_SIGNALS else -1 for f in scorer.features]
    for start in range(0, len(scored), _CHUNK):
        ks = scored[start : start + _CHUNK]
        x = np.zeros((len(ks), len(columns)), dtype=np.float64)
        for c, col in enumerate(columns):
            if col >= 0:
                x[:, c] = lexical[ks, col]
        if vectors is not None and "cosine" in scorer.features:
            ia = np.fromiter((cand[k][0] for k in ks), dtype=np.int64, count=len(ks))
            ib = np.fromiter((cand[k][1] for k in ks), dtype=np.int64, count=len(ks))
            x[:, scorer.features.index("cosine")] = np.clip(np.einsum("ij,ij->i", vectors[ia], vectors[ib]), 0.0, 1.0)
        scores = scorer.combine_matrix(x)
        for k, row, score in zip(ks.tolist(), x, scores):
            if score < cut:
                continue
            sig = dict(zip(LEXICAL_SIGNALS, lexical[k].tolist()))
            if "cosine" in scorer.features:
                sig["cosine"] = float(row[scorer.features.index("cosine")])
            if sig["ratio"] >= params.verbatim:
                verbatim += 1
                continue
            i, j = cand[k]
            matches.append(_match(units_[i], units_[j], prepared[i], prepared[j], float(score), sig, scorer.path))
    matches.sort(key=lambda m: (m.a.doc, m.a.span.start, m.b.doc, m.b.span.start))
    st["verbatim_skipped"] = verbatim
    st["matches"] = len(matches)
    clusters = claim_clusters(matches, units_, documents)
    st["clusters"] = len(clusters)
    log.info("paraphrase: %s", st)
    return matches, clusters


def _match(a: Passage, b: Passage, pa: Prepared, pb: Prepared, score: float, sig: dict, path: str) -> Match:
    if (b.doc, b.span.start) < (a.doc, a.span.start):
        a, b, pa, pb = b, a, pb, pa
    common = len(pa.content & pb.content)
    details = {
        "signals": {k: round(v, 4) for k, v in sig.items()},
        "containment": round(sig["containment"], 4),
        "path": path,
        "a_kind": a.kind,
        "b_kind": b.kind,
        "a_speaker": a.speaker,
        "b_speaker": b.speaker,
    }
    return Match(
        kind="paraphrase",
        score=round(score, 4),
        a=MatchSide(a.doc, a.span),
        b=MatchSide(b.doc, b.span),
        jaccard=round(sig["content"], 4),
        a_in_b=round(common / len(pa.content), 4) if pa.content else 0.0,
        b_in_a=round(common / len(pb.content), 4) if pb.content else 0.0,
        details=details,
    )


def claim_clusters(matches: Sequence[Match], units_: Sequence[Passage], documents: Sequence[Document]) -> list[ClaimCluster]:
    """Connected statements, each cluster ordered by date (undated last), then document and offset."""
    by_key = {(u.doc, u.span.start, u.span.end): u for u in units_}
    docs = {d.id: d for d in documents}
    parent: dict[tuple, tuple] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges: dict[tuple, list[float]] = {}
    for m in matches:
        ka = (m.a.doc, m.a.span.start, m.a.span.end)
        kb = (m.b.doc, m.b.span.start, m.b.span.end)
        ra, rb = find(ka), find(kb)
        if ra != rb:
            parent[ra] = rb
    for m in matches:
        edges.setdefault(find((m.a.doc, m.a.span.start, m.a.span.end)), []).append(m.score)
    groups: dict[tuple, list[tuple]] = {}
    for k in parent:
        groups.setdefault(find(k), []).append(k)

    def order(k):
        d = docs.get(k[0])
        published = d.published if d is not None and d.published else None
        return (published is None, published or "", k[0], k[1])

    built = []
    for root, keys in groups.items():
        keys.sort(key=order)
        stmts = tuple(by_key[k] for k in keys)
        doc_ids = tuple(dict.fromkeys(k[0] for k in keys))
        sources = tuple(dict.fromkeys(docs[i].source for i in doc_ids if i in docs and docs[i].source))
        speakers = tuple(dict.fromkeys(s.speaker for s in stmts if s.speaker))
        dates = [docs[i].published for i in doc_ids if i in docs and docs[i].published]
        scores = edges[root]
        built.append((order(keys[0]), stmts, doc_ids, sources, speakers, min(dates) if dates else None, scores))
    built.sort(key=lambda b: b[0])
    return [
        ClaimCluster(
            id=n,
            statements=stmts,
            documents=doc_ids,
            sources=sources,
            speakers=speakers,
            first_published=first,
            min_score=round(min(scores), 4),
            mean_score=round(sum(scores) / len(scores), 4),
        )
        for n, (_, stmts, doc_ids, sources, speakers, first, scores) in enumerate(built, start=1)
    ]
