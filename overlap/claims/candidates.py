"""Candidate pairs of statements: which pairs the claims tier scores at all.

Candidates carry no score. They come from MinHash LSH over each part's
*stemmed, stopword-free content words* at a low threshold (word 3-gram
shingles recall only about half of MRPC's paraphrase pairs; content words
about 95% at 0.3), with the template rule applied inside the LSH buckets
(:func:`content_candidates`), and, with the embedding model, from each
part's nearest neighbours by cosine (:func:`neighbour_candidates`). Then
:func:`filter_pairs` drops pairs that cannot be the same claim, and
:func:`statement_pairs` turns pairs of parts into pairs of statements and
lists the part pairs each one is scored on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

import numpy as np

from ..minhash.lsh import lsh_bands
from ..model import Passage
from ..params import ParaphraseParams
from ..ragged import shared as shared_ids, sizes as set_sizes
from ..text.shingle import word_hashes
from ..minhash.signatures import Signer
from .signals import Lexicon, Prepared
from .statements import Parts

if TYPE_CHECKING:
    from ..spill import SpillStore

#: Units signed in one pass of :func:`content_candidates` (128 permutations: 32 MiB of signatures a pass).
_SIGN_CHUNK = 65_536

__all__ = [
    "rare_limit",
    "content_candidates",
    "cap_per_unit",
    "pairs_within_runs",
    "filter_pairs",
    "neighbour_candidates",
    "statement_pairs",
    "part_pairs",
]


def _lexicon(parts: Lexicon | Sequence[Prepared]) -> Lexicon:
    """A lexicon, as given or made of prepared statements."""
    return parts if isinstance(parts, Lexicon) else Lexicon.of(parts)


def rare_limit(statements: int, params: ParaphraseParams) -> int:
    """The most statements a content word may occur in and still count as rare.

    A share of the corpus (``rare_share``), because a template is a sentence
    shape repeated across the corpus, and a floor (``rare_min_statements``),
    because in a small corpus nothing repeats often enough to be told from a
    topic: five articles on one story share their topic words, and those are
    the words their paraphrases share. And a ceiling (``rare_max_statements``),
    because a rare word in ``d`` statements can form ``d²/2`` pairs: with the
    limit a share of the corpus, the pairs can grow with the square of the
    corpus; with a fixed ceiling they are at most ``ceiling x statements``:
    linear.
    passim cuts n-grams by a fixed document frequency (``--maxDF``) for the
    same reason.
    """
    share = min(int(params.rare_share * statements), params.rare_max_statements)
    return max(params.rare_min_statements, share)


def _rare_incidences(lexicon: Lexicon, params: ParaphraseParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The units with at least ``min_rare_shared`` rare content words, and which rare words each has.

    Returns the eligible unit indices, then one entry per (eligible row, rare
    word) incidence as two arrays, rows ascending (a row is a position in
    the eligible list, a word an id), and how many word ids there are.
    """
    limit = rare_limit(len(lexicon), params)
    ids = lexicon.ids["content"]
    unit = lexicon.rows("content")
    rare = lexicon.frequency()[ids] <= limit
    has_content = np.diff(lexicon.offsets["content"]) > 0
    ok = has_content & (np.bincount(unit[rare], minlength=len(lexicon)) >= params.min_rare_shared)
    row = np.cumsum(ok) - 1  # a unit's position among the eligible
    sel = rare & ok[unit]
    return np.flatnonzero(ok), row[unit[sel]], ids[sel].astype(np.int64), len(lexicon.words)


def content_candidates(
    prepared: Lexicon | Sequence[Prepared], params: ParaphraseParams, store: SpillStore | None = None
) -> tuple[set[tuple[int, int]], int]:
    """Index pairs ``(i, j)``, ``i < j``: LSH-similar content words, and at least ``min_rare_shared`` rare ones shared;
    and how many such pairs the cap on partners per unit left out.

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
    :class:`overlap.minhash.signatures.Signer` signatures) that pass the template
    rule, each unit keeping at most ``params.max_candidates`` partners
    (:func:`cap_per_unit`, those met in most bands first). Works on a
    :class:`overlap.claims.signals.Lexicon` or any list of
    :class:`overlap.claims.signals.Prepared` (sentences, quotes, clauses);
    rarity is counted within it.

    ``store``: a spill file for the signatures (:func:`_band_cells`).

    >>> from overlap.claims.signals import prepare
    >>> texts = ["Acme Widget Corp said it expects quarterly profits to rise sharply.",
    ...          "Acme Widget expects quarterly profits to rise sharply, the company said.",
    ...          "Bolt Gadget Corp said it expects quarterly profits to rise sharply."]
    >>> pairs, capped = content_candidates([prepare(t) for t in texts], ParaphraseParams(rare_min_statements=2))
    >>> sorted(pairs), capped
    ([(0, 1)], 0)
    """
    need = params.min_rare_shared
    lexicon = _lexicon(prepared)
    eligible, rows, words, n_words = _rare_incidences(lexicon, params)
    if len(eligible) < 2:
        return set(), 0
    m = len(eligible)
    found: list[np.ndarray] = []
    for cells in _band_cells(lexicon, eligible, params, store):
        _, bucket, sizes = np.unique(cells, return_inverse=True, return_counts=True)
        bucket = bucket.ravel()
        if need <= 0:  # no template rule: every pair of a bucket
            shared = np.flatnonzero(sizes[bucket] > 1)
            keys, members = bucket[shared], shared
        else:  # (bucket, rare word) groups: rows that share the bucket and the word
            sel = np.flatnonzero(sizes[bucket[rows]] > 1)
            keys, members = bucket[rows[sel]] * n_words + words[sel], rows[sel]
        order = np.argsort(keys, kind="stable")  # stable: members stay ascending within a group
        left, right = pairs_within_runs(keys[order], members[order])
        codes = left * m + right
        if need > 1:  # met in at least `need` rare words of this bucket
            codes, met = np.unique(codes, return_counts=True)
            codes = codes[met >= need]
        found.append(np.unique(codes))
    codes, bands = np.unique(np.concatenate(found), return_counts=True) if found else (np.empty(0, dtype=np.int64),) * 2
    keep = cap_per_unit(codes // m, codes % m, bands, params.max_candidates)
    codes = codes[keep]
    index = eligible.astype(np.int64)
    return set(zip(index[codes // m].tolist(), index[codes % m].tolist())), int(len(keep) - keep.sum())


def _band_cells(lexicon: Lexicon, eligible: np.ndarray, params: ParaphraseParams,
                store: SpillStore | None) -> Iterator[np.ndarray]:
    """Each LSH band's cells of the ``eligible`` units' signatures (one ``r``-value record a unit), a band at a time.

    The units are signed :data:`_SIGN_CHUNK` at a time, and each band's
    columns wait in ``store`` (a spill file) until that band is bucketed:
    the whole signature matrix (512 bytes a unit) was the driver's largest
    holding in the tier's candidates, 93 MiB at 128,000 generated articles
    and growing with the corpus; now one band's (16 bytes a unit). Without a
    store the bands wait in memory. The cells are the same either way.
    """
    signer = Signer(params.num_perm, params.seed)
    # one hash a word of the vocabulary, not one a word of each unit; a unit's content words as they stand,
    # repeats and all: a signature is a minimum over them, so a repeated word cannot change it (np.unique
    # per unit cost more than the signing). Gathered a unit at a time: the eligible units only, and no
    # array of every content word of the corpus at once.
    hashes, ids, offsets = word_hashes(lexicon.words), lexicon.ids["content"], lexicon.offsets["content"]
    b, r = lsh_bands(params.lsh_threshold, params.num_perm)
    bands: list[list] = [[] for _ in range(b)]  # each band's columns, a chunk of units at a time
    for start in range(0, len(eligible), _SIGN_CHUNK):
        chunk = eligible[start : start + _SIGN_CHUNK].tolist()
        sigs = signer.sign([hashes[ids[offsets[i] : offsets[i + 1]]] for i in chunk])
        for band in range(b):
            cells = np.ascontiguousarray(sigs[:, band * r : (band + 1) * r])
            bands[band].append(store.put_array(cells) if store is not None else cells)
        del sigs
    band_type = np.dtype((np.void, 4 * r))
    for band in range(b):
        chunks = [store.get_array(key, np.uint32) for key in bands[band]] if store is not None else bands[band]
        bands[band] = []
        yield np.concatenate(chunks).reshape(len(eligible), r).view(band_type).ravel()


def cap_per_unit(left: np.ndarray, right: np.ndarray, strength: np.ndarray, cap: int) -> np.ndarray:
    """Which pairs ``(left[k], right[k])`` to keep when each unit keeps its ``cap`` strongest partners.

    A pair is kept when either of its units keeps it (a unit drowning in
    look-alikes does not take its partners' best match away from them); ties
    go to the lower partner index, so the choice is deterministic. Without
    it, one statement every wire story repeats (and its near variants) pairs
    with each of them: the cost is the square of its copies. ``cap`` 0 keeps
    every pair.

    >>> cap_per_unit(np.array([0, 0, 0, 1]), np.array([1, 2, 3, 2]), np.array([5, 9, 1, 1]), 1).tolist()
    [True, True, True, False]
    """
    n = len(left)
    if cap <= 0 or n == 0:
        return np.ones(n, dtype=bool)
    unit = np.concatenate([left, right])
    other = np.concatenate([right, left])
    order = np.lexsort((other, -np.concatenate([strength, strength]), unit))
    ranked = unit[order]
    rank = np.arange(2 * n) - np.searchsorted(ranked, ranked, side="left")
    keep = np.zeros(n, dtype=bool)
    keep[np.concatenate([np.arange(n), np.arange(n)])[order][rank < cap]] = True
    return keep


def pairs_within_runs(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(values[p], values[q])``, ``p < q``, of positions in one run of equal sorted ``keys``.

    >>> pairs_within_runs(np.array([1, 1, 1, 2, 3, 3]), np.array([10, 11, 12, 13, 14, 15]))
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
    prepared: Lexicon | Sequence[Prepared], pairs: Sequence[tuple[int, int]], params: ParaphraseParams
) -> tuple[list[tuple[int, int]], dict[str, int]]:
    """Drop candidate pairs that cannot be the same claim, before any scoring.

    * templates: fewer than ``min_rare_shared`` shared content words that are
      rare in this corpus (``Qtly div three cts vs three cts prior`` /
      ``Qtly div ten cts vs ten cts``);
    * figures that disagree: both give numbers and share none;
    * actors that disagree: both name people or places and share none.

    Returns the kept pairs and how many each rule dropped.
    """
    lexicon = _lexicon(prepared)
    rows = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    rare = lexicon.frequency() <= rare_limit(len(lexicon), params)  # by word id
    common = shared_ids(lexicon.offsets["content"], lexicon.ids["content"], rows, keep=rare)
    templated = common < params.min_rare_shared
    dropped = templated.copy()
    differ = {}
    for field, must_agree in (("numbers", params.numbers_must_agree), ("names", params.names_must_agree)):
        differ[field] = np.zeros(len(rows), dtype=bool)
        if must_agree:  # both give some, and share none (each rule counts the pairs the ones before left)
            offsets, ids = lexicon.offsets[field], lexicon.ids[field]
            given = (set_sizes(offsets, rows[:, 0]) > 0) & (set_sizes(offsets, rows[:, 1]) > 0)
            differ[field] = ~dropped & given & (shared_ids(offsets, ids, rows) == 0)
            dropped |= differ[field]
    return [(i, j) for i, j in rows[~dropped].tolist()], {
        "template_pairs_skipped": int(templated.sum()),
        "number_conflicts_skipped": int(differ["numbers"].sum()),
        "name_conflicts_skipped": int(differ["names"].sum()),
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


def statement_pairs(
    part_candidates: Sequence[tuple[int, int]], parts: Parts, statements: Sequence[Passage], within_document: bool
) -> list[tuple[int, int]]:
    """The statement pairs ``(i, j)``, ``i < j``, sorted, that the candidate part pairs belong to.

    Two parts of one statement are no pair; two statements of one document
    are a pair only with ``within_document`` (a reporter restating a quote)
    and only when they do not overlap (a quote and the sentence holding it).
    """
    found: set[tuple[int, int]] = set()
    for x, y in part_candidates:
        i, j = parts.owner[x], parts.owner[y]
        if i == j:
            continue
        a, b = statements[i], statements[j]
        if a.doc == b.doc and (not within_document or a.span.overlaps(b.span)):
            continue
        found.add((i, j) if i < j else (j, i))
    return sorted(found)


def part_pairs(pairs: Sequence[tuple[int, int]], parts: Parts, claims: bool) -> list[list[tuple[int, int]]]:
    """The part pairs each statement pair is scored on: the whole statements first.

    For claims (``claims`` on), then every part of one with every part of
    the other: whichever pair LSH proposed, the claim may sit in another
    clause of the same two sentences.
    """
    parts_of = parts.of_statement()
    out = []
    for i, j in pairs:
        whole = (parts_of[i][0], parts_of[j][0])
        others = [(x, y) for x in parts_of[i] for y in parts_of[j] if (x, y) != whole] if claims else []
        out.append([whole] + others)
    return out
