"""Claims across a corpus: statements that say the same thing in other words.

Stages, in order:

1. **units** (:func:`overlap.quotes.units`): sentences and quoted sentences of
   every document, with speakers, and their clauses
   (:func:`overlap.quotes.clauses`, attributions dropped); units touching a
   boilerplate span (the ``exclude`` argument) are dropped, so sign-ups never
   become claims.
2. **candidates** (:func:`content_candidates`): MinHash LSH over each unit's
   *stemmed, stopword-free content words* at a low threshold (word 3-gram
   shingles recall only about half of MRPC's paraphrase pairs; content words
   about 95% at 0.3), with the template rule applied inside the LSH buckets:
   only units with ``min_rare_shared`` rare words are banded, and a pair is
   formed only from rare words both share, so the template pairs that made
   the tier quadratic on newswire are never listed. With the embedding model,
   each unit's nearest neighbours by cosine too (``neighbours``, or
   automatically in a small corpus: ``embed_all_max``). Candidates carry no
   score; pairs of units become pairs of statements.
3. **filters**: two statements that both give figures and share none ("rose
   5%" / "fell 7%": different facts, however alike), or both name people or
   places and share none ("Zimbabwean officials were not available" / "Evergo
   officials were not available"), are not scored.
4. **scores**, per statement pair: the *paraphrase* score of the whole
   statements (MRPC-fitted; at or above its cut: ``relation="paraphrase"``),
   else the best *claim* score over the statements and their clauses
   (STS-B-fitted; ``relation="claim"``). With the embedding model, part pairs
   whose lexical scores are under ``embed_floor`` / ``claim_embed_floor`` are
   decided unembedded (embedding is the slow part). Near-verbatim pairs
   (``ratio >= params.verbatim``) are copies, left to the reuse tier (counted
   in ``stats``). A quote and the sentence holding it give one match, not two.
5. **claim clusters** (:func:`claim_clusters`): stars of accepted pairs
   around a centre statement, a statement in one cluster at most, so no
   chaining through a weak link; each names its speakers, sources and first
   publication.

Between 1 and 2, the **gate** (:mod:`overlap.gate`): a statement the models
cannot read (not English, by :mod:`overlap.language`) or that can carry no
claim (empty, numbers, a list of names, a score line) is set aside and
counted, never scored or matched. Pairs of statements in one document count
(a reporter restating a quote) unless ``within_document`` is off; they are
marked ``details["within_document"]``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from typing import Callable, Mapping, Sequence

import numpy as np
from .minhash.lsh import lsh_bands
from .duplicates.cluster import star_clusters
from .gate import check
from .language import has_latin
from .model import ClaimCluster, ClaimLink, Document, Match, MatchSide, Passage, Span
from .params import ParaphraseParams
from .paraphrase import Prepared, Scorer, load_claim_scorer, load_scorer, prepare, signals
from .quotes import clauses, units
from .shingle import fold32, word_hashes
from .minhash.signatures import Signer

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
    stats: dict | None = None,
) -> list[Passage]:
    """All units of all documents that may carry a claim (boilerplate and fragments left out).

    A unit longer than ``params.max_statement_chars`` is a table or text that
    lost its punctuation, not a statement, and every signal of a pair costs in
    proportion to the product of the two lengths: it is left out. A document
    gives at most ``params.max_statements_per_document`` statements (its first
    ones), so no single document sets the tier's cost. ``stats`` (if given)
    receives how many were left out for each reason.
    """
    out: list[Passage] = []
    too_long = over_cap = 0
    for doc in documents:
        banned = sorted((exclude or {}).get(doc.id, []), key=lambda s: s.start)
        kept = 0
        for unit in units(doc.id, doc.text, params.min_words):
            if any(unit.span.overlaps(b) for b in banned):
                continue
            if len(unit.span) > params.max_statement_chars:
                too_long += 1
                continue
            if kept >= params.max_statements_per_document:
                over_cap += 1
                continue
            kept += 1
            out.append(unit)
    if stats is not None:
        stats["statements_too_long"] = too_long
        stats["statements_over_document_cap"] = over_cap
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


def _gate(
    units_: Sequence[Passage], prepared: Sequence[Prepared], params: ParaphraseParams
) -> tuple[list[int], dict[str, int], dict[str, int]]:
    """The statements the models may score (:func:`overlap.gate.check`), and what was set aside.

    Returns the indices kept, the statements set aside per reason and the
    ones set aside as not English per language. A Latin-script statement
    with fewer than ``min_content`` content words is dropped before the
    gate, as it always was (too short to carry a claim, and not worth a
    language look-up: the look-up is most of the gate's cost); a statement
    with no Latin letter goes through the gate whatever its length, so that
    every statement in another script is counted by language.
    """
    keep: list[int] = []
    reasons: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for n, (u, p) in enumerate(zip(units_, prepared)):
        if len(p.content) < params.min_content and has_latin(u.text):
            continue
        why = check(u.text, p)
        if why is None:
            if len(p.content) >= params.min_content:
                keep.append(n)
            continue
        reasons[why.reason] += 1
        if why.language:
            languages[why.language] += 1
    return keep, dict(sorted(reasons.items())), dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0])))


def _parts(
    units_: Sequence[Passage], prepared: Sequence[Prepared], params: ParaphraseParams
) -> tuple[list[Passage], list[Prepared], list[int]]:
    """Statements and their clauses (:func:`overlap.quotes.clauses`), prepared, each with its statement's index."""
    parts: list[Passage] = []
    prep: list[Prepared] = []
    owner: list[int] = []
    for i, u in enumerate(units_):
        parts.append(u)
        prep.append(prepared[i])
        owner.append(i)
        if not params.clauses:
            continue
        for c in clauses(u, params.min_clause_words):
            pc = prepare(c.text, full=False)
            if len(pc.content) >= params.min_clause_content:
                parts.append(c)
                prep.append(pc)
                owner.append(i)
    return parts, prep, owner


def find_paraphrases(
    documents: Sequence[Document],
    params: ParaphraseParams,
    *,
    exclude: Mapping[str, list[Span]] | None = None,
    stats: dict | None = None,
    scorer: Scorer | None = None,
    claim_scorer: Scorer | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Match], list[ClaimCluster]]:
    """Paraphrase and claim matches between statements, and the claim clusters they form.

    Two relations, both reported as ``kind="paraphrase"`` with
    ``details["relation"]``: ``"paraphrase"`` when the whole statements are the
    same statement in other words (the MRPC-fitted score), ``"claim"`` when they
    make the same claim (the STS-B-fitted claim score, taken over the
    statements and their clauses, so a talking point inside a longer sentence
    counts; ``details["a_clause"]``/``["b_clause"]`` give the clauses that
    carried it). ``exclude`` maps a document id to its boilerplate spans: a
    statement touching one is never matched. ``stats`` (if given) receives
    counts and the scoring path (``"lexical"`` or the embedding model).
    ``progress(stage, done, total)`` follows the two slow steps:
    ``"paraphrase signals"`` (candidate statement pairs) and ``"paraphrase
    embedding"`` (statements and clauses embedded).

    >>> from overlap.model import Document
    >>> docs = [Document("a", "Prices of bread rose by five percent in May, the bureau said."),
    ...         Document("b", "In May, the bureau said, the price of bread went up five percent.")]
    >>> matches, clusters = find_paraphrases(docs, ParaphraseParams(embeddings=False))
    >>> [(m.a.doc, m.b.doc, m.details["relation"]) for m in matches]
    [('a', 'b', 'paraphrase')]
    """
    st: dict = stats if stats is not None else {}
    notify = progress or (lambda stage, done, total: None)

    def embedding_progress(done: int, total: int) -> None:
        notify("paraphrase embedding", done, total)

    if scorer is None:
        scorer = load_scorer(lexical_only=not params.embeddings)
    if claim_scorer is None:
        claim_scorer = load_claim_scorer(lexical_only=not scorer.uses_embeddings)
    st["path"] = scorer.path
    cut = scorer.threshold if params.threshold is None else params.threshold
    claim_cut = claim_scorer.threshold if params.claim_threshold is None else params.claim_threshold
    st["threshold"] = round(cut, 4)
    st["claim_threshold"] = round(claim_cut, 4) if params.claims else None
    if not params.enabled:
        st.update(statements=0, candidates=0, verbatim_skipped=0, matches=0, clusters=0, set_aside={}, languages={},
                  within_document=0)
        return [], []
    units_ = statements(documents, params, exclude, st)
    prepared_all = [prepare(u.text, full=False) for u in units_]  # full only for the few scored
    keep, set_aside, languages = _gate(units_, prepared_all, params)
    st["set_aside"] = set_aside
    st["languages"] = languages
    units_ = [units_[n] for n in keep]
    claims_on = params.claims
    parts, prep, owner = _parts(units_, [prepared_all[n] for n in keep],
                                params if claims_on else replace(params, clauses=False))
    st["statements"] = len(units_)
    st["clauses"] = len(parts) - len(units_)

    pairs = content_candidates(prep, params)
    st["lsh_candidates"] = len(pairs)
    vectors = None
    want_neighbours = params.neighbours or (claims_on and len(parts) <= params.embed_all_max and params.auto_neighbours)
    if scorer.uses_embeddings and want_neighbours:
        # every unit is embedded to add its nearest neighbours as candidates: cheap for a small
        # corpus, where a claim restated in other words shares too few content words for LSH
        from .embed import load_embedder

        vectors = load_embedder().encode([p.text for p in parts], progress=embedding_progress)
        extra = neighbour_candidates(vectors, params.neighbours or params.auto_neighbours, params.min_cosine)
        st["neighbour_candidates"] = len(extra - pairs)
        pairs |= extra

    kept, skipped = filter_pairs(prep, sorted(pairs), params)
    # candidate part pairs, grouped by the statement pair they belong to
    by_statement: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for x, y in kept:
        i, j = owner[x], owner[y]
        if i == j:
            continue
        a, b = units_[i], units_[j]
        if a.doc == b.doc and (not params.within_document or a.span.overlaps(b.span)):
            continue
        if i > j:
            i, j, x, y = j, i, y, x
        by_statement.setdefault((i, j), []).append((x, y))
    cand_stmt = sorted(by_statement)
    st["candidates"] = len(cand_stmt)
    st.update(skipped)

    # each statement's parts: the statement itself first, then its clauses
    parts_of: dict[int, list[int]] = {}
    for k, o in enumerate(owner):
        parts_of.setdefault(o, []).append(k)
    whole = {o: ks[0] for o, ks in parts_of.items()}
    # the part pairs scored for each statement pair: the whole pair first, then (for claims) every
    # part of one with every part of the other: whichever pair LSH proposed, the claim may sit in
    # another clause of the same two sentences
    pair_parts = [
        [(whole[i], whole[j])]
        + ([(x, y) for x in parts_of[i] for y in parts_of[j] if (x, y) != (whole[i], whole[j])] if claims_on else [])
        for i, j in cand_stmt
    ]
    # the units that will be scored get their full preparation (folded text, bigrams)
    for k in sorted({k for pp in pair_parts for pq in pp for k in pq}):
        prep[k] = prepare(parts[k].text)

    use_vectors = scorer.uses_embeddings
    lex_para = load_scorer(lexical_only=True) if use_vectors else scorer
    lex_claim = load_claim_scorer(lexical_only=True) if use_vectors else claim_scorer
    lex_feats = list(lex_para.features)
    # Phase 1, lexical signals of every candidate part pair. With the embedding model, a pair whose
    # lexical paraphrase score is under `embed_floor` and lexical claim score under `claim_embed_floor`
    # is decided without a vector (see ParaphraseParams for what each floor loses), so only the
    # units of the remaining pairs are embedded: embedding is most of the tier's time.
    rows: list[tuple[int, int, int]] = []  # (statement pair index, part x, part y), whole pair first
    lexical_whole: dict[int, float] = {}
    feats: list[np.ndarray] = []
    for start in range(0, len(cand_stmt), _CHUNK):  # bounded memory: signals of one chunk at a time
        flat = [(n, pq) for n in range(start, min(start + _CHUNK, len(cand_stmt))) for pq in pair_parts[n]]
        x = np.array([[sig[f] for f in lex_feats] for sig in (signals(prep[a], prep[b]) for _, (a, b) in flat)],
                     dtype=np.float64).reshape(len(flat), len(lex_feats))
        if use_vectors and (params.embed_floor > 0 or params.claim_embed_floor > 0):
            lp = lex_para.combine_matrix(x)
            hope = lp >= params.embed_floor
            if claims_on:
                hope |= lex_claim.combine_matrix(x) >= params.claim_embed_floor
        else:
            hope = np.ones(len(flat), dtype=bool)
        keep = np.flatnonzero(hope)
        rows.extend((flat[k][0], flat[k][1][0], flat[k][1][1]) for k in keep)
        feats.append(x[keep])
        if len(keep) < len(flat):  # the whole pairs decided lexically keep their lexical paraphrase score
            for k in np.flatnonzero(~hope):
                n, (a, b) = flat[k]
                if owner[a] != owner[b] and a == whole[owner[a]] and b == whole[owner[b]]:
                    lexical_whole[n] = float(lp[k])
        notify("paraphrase signals", min(start + _CHUNK, len(cand_stmt)), len(cand_stmt))
    st["lexical_pairs_scored"] = sum(map(len, pair_parts))
    x_all = np.vstack(feats) if feats else np.empty((0, len(lex_feats)))
    st["below_embed_floor"] = st["lexical_pairs_scored"] - len(rows) if use_vectors else 0
    if use_vectors and rows:
        if vectors is None:
            from .embed import load_embedder

            needed = sorted({k for _, a, b in rows for k in (a, b)})
            encoded = load_embedder().encode([parts[k].text for k in needed], progress=embedding_progress)
            vectors = np.zeros((len(parts), encoded.shape[1]), dtype=np.float32)
            vectors[needed] = encoded
            st["embedded"] = len(needed)
        else:
            st["embedded"] = len(parts)
        ia = np.fromiter((a for _, a, _b in rows), dtype=np.int64, count=len(rows))
        ib = np.fromiter((b for _, _a, b in rows), dtype=np.int64, count=len(rows))
        cos = np.clip(np.einsum("ij,ij->i", vectors[ia], vectors[ib]), 0.0, 1.0)
        x_all = np.hstack([x_all, cos[:, None]])
    else:
        st["embedded"] = 0 if vectors is None else len(parts)
    feat_names = lex_feats + (["cosine"] if use_vectors and rows else [])
    col = {f: i for i, f in enumerate(feat_names)}
    para = scorer.combine_matrix(x_all[:, [col[f] for f in scorer.features]]) if rows else np.empty(0)
    claim = (claim_scorer.combine_matrix(x_all[:, [col[f] for f in claim_scorer.features]])
             if rows and claims_on else np.zeros(len(rows)))

    # Phase 2, per statement pair: same statement (whole pair), else same claim (best part pair)
    matches: list[Match] = []
    verbatim = 0
    k = 0
    while k < len(rows):
        n = rows[k][0]
        end = k
        while end < len(rows) and rows[end][0] == n:
            end += 1
        block = range(k, end)
        k = end
        i, j = cand_stmt[n]
        wi, wj = whole[i], whole[j]
        w = next((t for t in block if rows[t][1] == wi and rows[t][2] == wj), None)
        if w is not None and x_all[w, col["ratio"]] >= params.verbatim:
            if para[w] >= cut or claim[w] >= claim_cut:
                verbatim += 1
            continue
        best = max(block, key=lambda t: claim[t])
        if w is not None and para[w] >= cut:
            relation, score, ev = "paraphrase", float(para[w]), w
        elif claim[best] >= claim_cut:
            if x_all[best, col["ratio"]] >= params.verbatim:
                verbatim += 1  # a clause copied word for word: the reuse tier's business
                continue
            relation, score, ev = "claim", float(claim[best]), best
        else:
            continue
        _, x, y = rows[ev]
        if relation == "claim":
            # which clause of each sentence carries the claim: the best pair of clauses (a sentence
            # without clauses is its own), so that a sentence making two claims joins each claim's
            # cluster by the clause that makes it, whichever pair scored highest
            specific = [t for t in block
                        if (rows[t][1] != wi or len(parts_of[i]) == 1) and (rows[t][2] != wj or len(parts_of[j]) == 1)]
            if specific:
                _, x, y = rows[max(specific, key=lambda t: claim[t])]
        if w is not None:
            sig = dict(zip(feat_names, (float(v) for v in x_all[w])))
        else:
            sig = signals(prep[wi], prep[wj])  # the statements' own signals, for the report
            if vectors is not None and vectors[wi].any() and vectors[wj].any():
                sig["cosine"] = float(np.clip(vectors[wi] @ vectors[wj], 0.0, 1.0))
        matches.append(_match(units_[i], units_[j], prep[wi], prep[wj], score, sig, scorer.path,
                              relation=relation,
                              paraphrase=float(para[w]) if w is not None else lexical_whole.get(n, 0.0),
                              claim=float(claim[best]) if claims_on else None,
                              clause_a=parts[x] if x != wi else None,
                              clause_b=parts[y] if y != wj else None))
    matches = _one_per_place(matches)
    relations = {r: sum(1 for m in matches if m.details["relation"] == r) for r in ("paraphrase", "claim")}
    matches.sort(key=lambda m: (m.a.doc, m.a.span.start, m.b.doc, m.b.span.start))
    st["verbatim_skipped"] = verbatim
    st["matches"] = len(matches)
    st["relations"] = relations
    st["within_document"] = sum(1 for m in matches if m.details.get("within_document"))
    clusters = claim_clusters(matches, units_, documents,
                              accept=_acceptor(scorer, claim_scorer, cut, claim_cut if claims_on else None, params))
    st["clusters"] = len(clusters)
    log.info("paraphrase: %s", st)
    return matches, clusters


def _one_per_place(matches: list[Match]) -> list[Match]:
    """Keep the best of matches that overlap on both sides (a quote and the sentence holding it
    are both statements, so the same evidence would otherwise be reported twice)."""
    by_docs: dict[tuple[str, str], list[Match]] = {}
    for m in matches:
        by_docs.setdefault((m.a.doc, m.b.doc), []).append(m)
    out: list[Match] = []
    for group in by_docs.values():
        group.sort(key=lambda m: (-m.score, m.a.span.start, m.b.span.start))
        kept: list[Match] = []
        for m in group:
            if not any(m.a.span.overlaps(k.a.span) and m.b.span.overlaps(k.b.span) for k in kept):
                kept.append(m)
        out.extend(kept)
    return out


def _match(
    a: Passage,
    b: Passage,
    pa: Prepared,
    pb: Prepared,
    score: float,
    sig: dict,
    path: str,
    *,
    relation: str = "paraphrase",
    paraphrase: float | None = None,
    claim: float | None = None,
    clause_a: Passage | None = None,
    clause_b: Passage | None = None,
) -> Match:
    if (b.doc, b.span.start) < (a.doc, a.span.start):
        a, b, pa, pb, clause_a, clause_b = b, a, pb, pa, clause_b, clause_a
    common = len(pa.content & pb.content)
    details: dict = {
        "relation": relation,
        "paraphrase_score": round(score if paraphrase is None else paraphrase, 4),
    }
    if claim is not None:
        details["claim_score"] = round(claim, 4)
    if clause_a is not None:
        details["a_clause"] = [clause_a.span.start, clause_a.span.end]
    if clause_b is not None:
        details["b_clause"] = [clause_b.span.start, clause_b.span.end]
    if a.doc == b.doc:
        details["within_document"] = True  # a reporter restating a quote in the same article
    details.update({
        "signals": {k: round(v, 4) for k, v in sig.items()},
        "containment": round(sig["containment"], 4),
        "path": path,
        "a_kind": a.kind,
        "b_kind": b.kind,
        "a_speaker": a.speaker,
        "b_speaker": b.speaker,
    })
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


def _acceptor(
    scorer: Scorer, claim_scorer: Scorer, cut: float, claim_cut: float | None, params: ParaphraseParams
) -> Callable[[Passage, Passage], ClaimLink | None]:
    """Score one more pair of statements the way the tier does, for a statement left out of every
    star (:func:`claim_clusters`): the link if the model accepts it, else ``None``.

    Same statement on the whole statements, else the best claim score over
    the statements and their clauses (:func:`_parts`' rule), as in
    :func:`find_paraphrases`; a near-verbatim pair is a copy and never a
    link, as there.
    """

    def parts(u: Passage) -> list[str]:
        out = [u.text]
        if claim_cut is not None and params.clauses:
            out += [c.text for c in clauses(u, params.min_clause_words)
                    if len(prepare(c.text, full=False).content) >= params.min_clause_content]
        return out

    def accept(a: Passage, b: Passage) -> ClaimLink | None:
        within = a.doc == b.doc
        if within and not params.within_document:
            return None
        pairs = [(x, y) for x in parts(a) for y in parts(b)]
        scored = list(scorer.score_pairs(pairs))
        if scored[0].signals["ratio"] >= params.verbatim:
            return None  # a copy: the reuse tier's business, never a claim link
        if scored[0].score >= cut:
            return ClaimLink(round(scored[0].score, 4), "paraphrase", within)
        if claim_cut is not None:
            c = max(claim_scorer.combine(r.signals) for r in scored)
            if c >= claim_cut:
                return ClaimLink(round(c, 4), "claim", within)
        return None

    return accept


def claim_clusters(
    matches: Sequence[Match],
    units_: Sequence[Passage],
    documents: Sequence[Document],
    accept: Callable[[Passage, Passage], ClaimLink | None] | None = None,
) -> list[ClaimCluster]:
    """Claim clusters a researcher can cite: stars of accepted pairs, a statement in one cluster at most.

    Nodes are statements; an edge is a match (a pair the model accepted as
    the same statement or claim). Clusters are stars around *anchors*
    (:func:`overlap.cluster.star_clusters`, the rule of the duplicate
    clusters): statements are taken in date order, and one becomes an anchor
    unless it was accepted against an earlier anchor; then every other
    statement joins the anchor it was accepted against most strongly. So
    every member was accepted against its anchor by a pair shown with it
    (``links``), and a chain A~B~C (a weak or wrong link B~C) never puts A
    and C in one cluster. Connected components, the rule before, did exactly
    that: one sentence making two claims, or one loose claim match, merged
    unrelated talking points. A full clique (every member accepted against
    every other) was the other choice; it splits a talking point restated in
    five outlets whenever one pair of restatements was never proposed as a
    candidate, which happens often (candidates come from LSH and nearest
    neighbours), so it would report the same claim as several clusters.
    Joining the *strongest* anchor rather than the first one keeps a loose
    within-article echo (a headline "hopes for progress in cooperation")
    from taking a statement away from the cross-outlet claim it restates
    closely. A statement whose accepted pairs all go to members of other
    stars (or an anchor left without members) is scored against those stars'
    anchors with ``accept`` (the tier's own scorers) and joins the best star
    that accepts it; else it stays out of clusters (its matches are still
    reported).

    Statements are ordered by their document's date where known (undated
    last), then document id and offset: that order picks the anchors,
    orders the members, and makes the output deterministic. ``first`` is the
    cluster's first statement in that order, its earliest known publication.
    """
    docs = {d.id: d for d in documents}
    by_key = {(u.doc, u.span.start, u.span.end): u for u in units_}

    def published(doc_id: str) -> str | None:
        d = docs.get(doc_id)
        return d.date if d is not None and d.date else None

    def order(k: tuple[str, int, int]) -> tuple:
        p = published(k[0])
        return (p is None, p or "", k[0], k[1], k[2])

    pair_of: dict[tuple, Match] = {}
    for m in matches:
        ka, kb = (m.a.doc, m.a.span.start, m.a.span.end), (m.b.doc, m.b.span.start, m.b.span.end)
        if ka == kb:
            continue
        key = (ka, kb) if order(ka) <= order(kb) else (kb, ka)
        if key not in pair_of or m.score > pair_of[key].score:
            pair_of[key] = m
    nodes = sorted({k for pair in pair_of for k in pair}, key=order)
    index = {k: n for n, k in enumerate(nodes)}
    links: dict[int, dict[int, float]] = {}
    for (ka, kb), m in pair_of.items():
        links.setdefault(index[ka], {})[index[kb]] = m.score
        links.setdefault(index[kb], {})[index[ka]] = m.score
    extra: dict[tuple[int, int], ClaimLink] = {}

    def similarity(node: int, centre: int) -> float:
        link = accept(by_key[nodes[node]], by_key[nodes[centre]]) if accept is not None else None
        if link is None:
            return -1.0
        extra[(node, centre)] = link
        return link.score

    out: list[ClaimCluster] = []
    stars = star_clusters(range(len(nodes)), links, similarity=similarity, threshold=0.0, most_linked_first=False,
                          best_centre=True)
    for n, (centre, members) in enumerate(stars, start=1):
        keys = [nodes[centre]] + [nodes[i] for i, _ in members]
        stmts = tuple(by_key[k] for k in keys)
        claim_links = []
        for i, _ in members:
            a, b = nodes[centre], nodes[i]
            m = pair_of.get((a, b)) or pair_of.get((b, a))
            claim_links.append(extra[(i, centre)] if m is None else
                               ClaimLink(m.score, m.details.get("relation", "paraphrase"),
                                         bool(m.details.get("within_document"))))
        doc_ids = tuple(dict.fromkeys(k[0] for k in keys))
        sources = tuple(dict.fromkeys(docs[i].source for i in doc_ids if i in docs and docs[i].source))
        speakers = tuple(dict.fromkeys(s.speaker for s in stmts if s.speaker))
        scores = [link.score for link in claim_links]
        first = min(keys, key=order)
        out.append(ClaimCluster(
            id=n,
            statements=stmts,
            documents=doc_ids,
            sources=sources,
            speakers=speakers,
            first_published=published(first[0]),
            min_score=round(min(scores), 4),
            mean_score=round(sum(scores) / len(scores), 4),
            links=tuple(claim_links),
            first=by_key[first],
        ))
    return out
