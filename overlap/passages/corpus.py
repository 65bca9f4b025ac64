"""Shared passages across a corpus.

Aligning every pair of documents is quadratic; a million articles would
never finish. So documents are cut into windows of a few sentences, each
window becomes a MinHash signature of its content words (the same stems
:mod:`overlap.passages.align` compares), and LSH banding (:mod:`overlap.minhash.lsh`,
datasketch's bands) proposes the
document pairs that share at least one similar window, once each proposed
window pair's estimated Jaccard has been checked (LSH's chance collisions
far below its threshold grow with the square of the corpus). Only those
pairs are aligned. Cost grows with the number of windows plus the number of proposed
pairs, not with all pairs; ``max_candidates`` bounds the partners per
document so a corpus of many near-identical reprints stays linear.

LSH only proposes: every reported passage comes from
:func:`overlap.passages.align.align`. Lists of pairs already known (files
named in a pairs file) are :mod:`overlap.passages.pairfiles`' job.
"""

from __future__ import annotations

import math
import pickle
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .align import Prepared, align, prepare, to_matches
from ..batches import batched
from ..engine import Engine, InProcess
from ..minhash.lsh import CandidateIndex
from ..model import CandidatePair, Document, Match, Span
from ..params import PassageParams
from ..memory import release_freed_memory
from ..ragged import shared
from ..spill import SpilledRows, SpillStore
from ..text.shingle import fold32
from ..minhash.signatures import Signer

__all__ = ["find_reuse", "reuse_batches", "candidate_pairs", "window_sets",
           "pair_documents", "window_jaccard", "align_pairs", "prepare_batch"]


def window_sets(prepared: Prepared, params: PassageParams, common: np.ndarray | None = None) -> list[np.ndarray]:
    """Content-word hash sets of windows of ``params.window`` consecutive units.

    A text shorter than one window is one window, so short articles still
    get proposed. Computed for all windows at once: each (unit, term) entry
    is copied into every window that contains its unit, then deduplicated.
    Terms in ``common`` (sorted hashes of corpus-wide frequent words) are
    left out: they make templates look like reuse.
    """
    n = prepared.size
    if n == 0:
        return []
    width = min(params.window, n)
    step = params.window_step
    count = (n - width) // step + 1
    unit, term = prepared.unit, prepared.term
    if common is not None and len(common):
        rare = ~np.isin(term, common, assume_unique=False)
        unit, term = unit[rare], term[rare]
    wins, terms = [], []
    for k in range(width):
        start = unit - k  # the window starting k units earlier
        ok = (start >= 0) & (start % step == 0) & (start // step < count)
        wins.append(start[ok] // step)
        terms.append(term[ok])
    w = np.concatenate(wins)
    t = np.concatenate(terms)
    order = np.lexsort((t, w))
    w, t = w[order], t[order]
    keep = np.ones(len(t), dtype=bool)
    keep[1:] = (t[1:] != t[:-1]) | (w[1:] != w[:-1])
    w, t = w[keep], t[keep]
    return np.split(t, np.searchsorted(w, np.arange(1, count)))


class _DocumentFrequency:
    """In how many documents each term occurs, added up a batch of documents at a time (distinct terms
    and their counts a batch: no array per document is kept; a reduce, so per-partition counts add up).

    Two uses. Newswire is full of templates ("Shr 34 cts vs 1.19 dlrs",
    "said it lowered the debt ratings of"): windows made of such words
    collide in huge LSH buckets, cost quadratic candidate pairs and are not
    reuse, so words in more than ``params.common_share`` of the documents
    are left out of the windows' signatures (:meth:`common`). And the words
    a proposed window pair shares are weighed by their rarity
    (:meth:`rarity`). Corpora of under 100 documents have no reliable
    frequencies: neither is done there.
    """

    def __init__(self) -> None:
        self.terms: list[np.ndarray] = []
        self.counts: list[np.ndarray] = []
        self._merged: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, batch: Sequence[Prepared]) -> None:
        if batch:
            terms, counts = np.unique(np.concatenate([np.unique(p.term) for p in batch]), return_counts=True)
            self.terms.append(terms)
            self.counts.append(counts)
            self._merged = None

    def common(self, count: int, params: PassageParams) -> np.ndarray:
        """The terms in more than ``params.common_share`` of ``count`` documents (none under 100 documents)."""
        if count < 100 or params.common_share >= 1.0 or not self.terms:
            return np.empty(0, dtype=np.uint64)
        terms, df = self.vocabulary()
        return terms[df > params.common_share * count]

    def vocabulary(self) -> tuple[np.ndarray, np.ndarray]:
        """Every term seen (sorted) and the number of documents holding it: merged once, then kept merged."""
        if self._merged is None:
            if not self.terms:
                return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
            terms, where = np.unique(np.concatenate(self.terms), return_inverse=True)
            df = np.bincount(where.ravel(), weights=np.concatenate(self.counts), minlength=len(terms)).astype(np.int64)
            self.terms, self.counts, self._merged = [terms], [df], (terms, df)
        return self._merged

    def rarity(self, count: int, params: PassageParams, directory: str | None = None) -> "_WindowWords | None":
        """What the rarity check of window pairs reads (see :class:`_WindowWords`, its files in ``directory``);
        none under 100 documents, where document frequencies mean little, or when ``params.window_rarity``
        turns the check off."""
        if count < 100 or params.window_rarity <= -100 or not self.terms:
            return None
        return _WindowWords(*self.vocabulary(), count, directory)


class _WindowWords:
    """Each signed window's whole word set (common words included) as ids into the corpus's vocabulary,
    and each word's inverse document frequency ``ln(N / df)``: what :func:`pair_documents` reads to
    weigh the words a proposed window pair shares.

    Why: the Jaccard check of a window pair counts shared words as equals,
    so two windows on one topic sharing a few of its words pass it, and such
    pairs grow with the square of the corpus (a generated corpus of 80,000
    articles proposed 177,000 document pairs, 6,368 of which aligned). The
    words a copied sentence shares are, together, far rarer than chance
    explains. 4 bytes a word of a window (about 0.5 kB a generated article)
    and 8 a window, held from signing to the check in files of the scan's
    spill folder (``directory``), mapped when read (:class:`~overlap.spill.SpilledRows`):
    in memory they were the driver's largest cost per window after the sketches.
    """

    def __init__(self, vocabulary: np.ndarray, df: np.ndarray, count: int, directory: str | None = None) -> None:
        self.vocabulary = vocabulary
        self.idf = np.log(count / np.maximum(df, 1)).astype(np.float64)
        self.ids = SpilledRows(np.uint32, directory=directory)
        self.starts = SpilledRows(np.int64, directory=directory)  # window k's ids: ids[starts[k] : starts[k + 1]]
        self.starts.append(np.zeros(1, dtype=np.int64))

    def add(self, sets: Sequence[np.ndarray]) -> None:
        """The next signed windows' term sets (hashes, each set without repeats), in signing order."""
        sizes = np.fromiter((len(t) for t in sets), dtype=np.int64, count=len(sets))
        flat = np.concatenate(sets) if len(sets) else np.empty(0, dtype=np.uint64)
        self.starts.append(len(self.ids) + np.cumsum(sizes))
        self.ids.append(np.searchsorted(self.vocabulary, flat).astype(np.uint32))

    def shared(self, pairs: np.ndarray) -> np.ndarray:
        """For each window pair (``(k, 2)`` signature rows), the summed ``ln(N / df)`` of the words both hold
        (:func:`overlap.ragged.shared`: a block of pairs at a time, one sort of their words)."""
        out = shared(self.starts.view(), self.ids.view(), pairs, weights=self.idf)
        self.ids.release()
        self.starts.release()
        return out

    def close(self) -> None:
        self.ids.close()
        self.starts.close()


def window_jaccard(sketch: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of the window pairs ``pairs`` (``(k, 2)`` rows of ``sketch``).

    ``sketch`` holds the low 16 bits of each window's MinHash values
    (b-bit minwise hashing): two windows agree on a position with
    probability J + (1 - J) / 65536, so the share of agreeing positions
    estimates J to within the permutations' own error. Computed a block of
    pairs at a time to bound the temporary arrays.
    """
    out = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), _VERIFY_BLOCK):
        block = pairs[start : start + _VERIFY_BLOCK]
        out[start : start + len(block)] = (sketch[block[:, 0]] == sketch[block[:, 1]]).mean(axis=1)
    return out


def pair_documents(
    index: CandidateIndex, owners: np.ndarray | SpilledRows, sketch: np.ndarray | SpilledRows,
    params: PassageParams, within: bool,
    engine: Engine | None = None, words: _WindowWords | None = None,
) -> list[tuple[CandidatePair | tuple[int, int], int]]:
    """Candidate window pairs (grouped by LSH band in ``index``) -> document pairs, with their shared windows.

    Every window pair LSH proposes is checked first: its estimated Jaccard
    similarity (from ``sketch``, see :func:`window_jaccard`) must reach
    ``params.window_jaccard``. LSH proposes pairs well below its threshold
    by chance (with 16 bands of 4 rows a pair at J = 0.2 is proposed with
    probability 0.025), and in a large corpus there are so many such pairs
    that they outgrow the true ones quadratically: on a generated corpus of
    32,000 articles 76,000 of 83,000 proposed document pairs aligned to
    nothing, and none of the pairs that did align had its best window pair
    below J = 0.2 (8,000 articles, exact Jaccard). The check is a cut well
    below the LSH threshold on purpose: a window of two sentences sharing
    one copied sentence with another is at J of about a third.

    Then, with ``words`` (:class:`_WindowWords`), the words the two windows
    share must weigh ``ln(W) + params.window_rarity`` or more in summed
    ``ln(N / df)``, ``W`` the windows signed: under independence of words, the
    chance partners such a window pair has in the corpus stay about
    ``exp(-window_rarity)`` whatever its size, where the Jaccard check's grow
    with it. On generated Markov-chain corpora of 32,000 and 80,000 articles
    the default (4) left 8,565 of 33,322 and 27,946 of 177,422 proposed
    document pairs, kept every planted shared paragraph the scan found
    before, and dropped 3 and 17 pairs of 2,536 and 6,368 that had aligned,
    read by hand: chance look-alikes of the generator's stock phrases ("They
    gave no details were not disclosed" / "It gave no details were not
    immediately ..."). On Reuters-21578 it drops 894 of 14,583 passages
    (earnings tables and eurobond announcements with other figures) and,
    the per-document cap no longer filled by those, finds 300 others; on BBC
    News 9 of 783, loose restatements of a story's background (8 dropped 22
    there).

    Each document keeps at most ``params.max_candidates`` partners, those
    sharing most checked windows; a pair is kept when either document keeps it.
    ``owners`` and ``sketch`` are arrays, or files of them (:class:`~overlap.spill.SpilledRows`).
    """
    def keep(pairs: np.ndarray) -> np.ndarray:
        spilled = isinstance(sketch, SpilledRows)
        passed = window_jaccard(sketch.view() if spilled else sketch, pairs) >= params.window_jaccard
        if spilled:
            sketch.release()  # the sketches read wait in the page cache, not in the driver, until the next band
        return passed

    # checked band by band as the bands' pairs come back: most proposed window pairs fail, and are never merged
    cand = index.pair_array(engine, keep=keep)
    if words is not None:
        cand = cand[words.shared(cand) >= math.log(max(len(owners), 1)) + params.window_rarity]
    if isinstance(owners, SpilledRows):
        owners = owners.view()
    doc_a, win_a = owners[cand[:, 0], 0], owners[cand[:, 0], 1]
    doc_b, win_b = owners[cand[:, 1], 0], owners[cand[:, 1], 1]
    same = doc_a == doc_b
    lo, hi = np.minimum(doc_a, doc_b), np.maximum(doc_a, doc_b)
    if within:
        repeat = same & (np.abs(win_a - win_b) * params.window_step >= params.window)
        keep_rows = ~same | repeat
    else:
        keep_rows = ~same
    found, counts = np.unique(np.stack([lo[keep_rows], hi[keep_rows]], axis=1), axis=0, return_counts=True)
    return _as_pairs(found, counts, _capped(found, counts, params.max_candidates))


def _capped(found: np.ndarray, counts: np.ndarray, cap: int) -> np.ndarray:
    """Which of the distinct document pairs ``found`` (``(k, 2)`` rows ``a <= b``, sorted) some document keeps.

    Each document ranks its pairs by shared windows (``counts``), most first,
    ties by the pair, and keeps its first ``cap``; a pair is kept when either
    of its documents keeps it (a pair ``(a, a)`` is ranked once). In numpy:
    it was a Python loop of dictionaries and lists over every proposed pair,
    inside which a scan of 320,000 generated articles was sampled holding
    2.97 GB.
    Returns the kept rows' indices, in order.
    """
    rows = np.arange(len(found))
    both = found[:, 0] != found[:, 1]
    ends = np.concatenate([found[:, 0], found[both, 1]])  # each pair once for each of its documents
    owner = np.concatenate([rows, rows[both]])
    order = np.lexsort((found[owner, 1], found[owner, 0], -counts[owner], ends))
    ends, owner = ends[order], owner[order]
    starts = np.flatnonzero(np.concatenate(([True], ends[1:] != ends[:-1]))) if len(ends) else np.empty(0, np.int64)
    rank = np.arange(len(ends)) - np.repeat(starts, np.diff(np.append(starts, len(ends))))
    return np.unique(owner[rank < cap])


def _as_pairs(found: np.ndarray, counts: np.ndarray, kept: np.ndarray) -> list[tuple[CandidatePair | tuple[int, int], int]]:
    """The kept rows as ``pair_documents`` returns them: ``CandidatePair(a, b)``, or ``(a, a)`` for a
    document's own repeats, each with its shared windows."""
    return [(CandidatePair(a, b) if a < b else (a, b), n) for (a, b), n in zip(found[kept].tolist(), counts[kept].tolist())]


def prepare_batch(batch: Sequence[tuple[str, Sequence[Span]]], params: PassageParams) -> list[Prepared]:
    """:func:`~overlap.passages.align.prepare` over a batch of ``(text, spans to ignore)``: a map over documents."""
    return [prepare(text, params, ignore) for text, ignore in batch]


class _Windows:
    """Every document's window term sets (:func:`window_sets`) before common words are left out, a batch
    of documents per flat array in a spill file: the first pass over the documents writes them, so the
    second signs them without preparing any text again.

    Common words are only known once every document has been read, and
    leaving them out of a window's set afterwards gives the same set as
    leaving them out of its units first. A window costs its distinct terms
    (8 bytes each), about 1 kB a generated article, in the file (``store``):
    held in memory from the first pass to the signing, they were 80 MB at
    80,000 articles. Preparing every text twice instead cost 6.5 of the 40
    CPU seconds of passages at 32,000 articles.
    """

    def __init__(self, store: SpillStore) -> None:
        self.store = store
        self.batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (docs, windows a doc, terms a window) sizes
        self.terms: list[tuple[int, int]] = []  # each batch's terms, flat, in the store

    def add(self, batch: Sequence[tuple[int, Prepared]], params: PassageParams) -> None:
        docs, per_doc, sizes, terms = [], [], [], []
        for d, prepared in batch:
            sets = window_sets(prepared, params)
            docs.append(d)
            per_doc.append(len(sets))
            sizes.extend(len(t) for t in sets)
            terms.extend(sets)
        self.batches.append((np.asarray(docs, dtype=np.int64), np.asarray(per_doc, dtype=np.int64),
                             np.asarray(sizes, dtype=np.int64)))
        self.terms.append(self.store.put_array(np.concatenate(terms) if terms else np.empty(0, dtype=np.uint64)))

    def signed(self, signer: Signer, common: np.ndarray,
               words: "_WindowWords | None" = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(owners, rows)`` a batch at a time: ``owners[k] = (doc, window)`` (an ``(n, 2)`` int64
        array) names signature row ``k``; windows left empty once common words are out are not signed.
        ``words``, if given, gets each signed window's whole set, common words included, in row order."""
        while self.batches:  # each batch is let go once signed
            (docs, per_doc, sizes), terms = self.batches.pop(0), self.store.get_array(self.terms.pop(0), np.uint64)
            if words is not None:
                whole = np.split(terms, np.cumsum(sizes)[:-1])
            window = np.repeat(np.arange(len(sizes)), sizes)
            if len(common):
                rare = ~np.isin(terms, common)
                terms, window = terms[rare], window[rare]
                sizes = np.bincount(window, minlength=len(sizes))
            owner_doc = np.repeat(docs, per_doc)
            owner_win = np.arange(len(sizes)) - np.repeat(np.cumsum(per_doc) - per_doc, per_doc)
            kept = np.flatnonzero(sizes)
            owners = np.stack([owner_doc[kept], owner_win[kept]], axis=1).reshape(-1, 2)
            sets = np.split(terms, np.cumsum(sizes)[:-1])
            rows = (signer.sign([fold32(sets[k]) for k in kept]) if len(kept)
                    else np.empty((0, signer.num_perm), dtype=np.uint32))
            if words is not None:
                words.add([whole[k] for k in kept])
            yield owners, rows


def _index_windows(
    signed: Iterable[tuple[np.ndarray, np.ndarray]], signer: Signer, params: PassageParams, store: SpillStore
) -> tuple[CandidateIndex, SpilledRows, SpilledRows]:
    """Every document's window signatures (``signed``: ``(owners, rows)`` a batch of documents at a
    time) in one LSH index, its band keys in ``store``.

    Returns the index, the windows' owners (``(n, 2)``: document, window)
    and their 16-bit sketches for :func:`window_jaccard` (128 bytes a window
    at 64 permutations; the full signatures are not kept), both in files of
    the store's folder (:class:`~overlap.spill.SpilledRows`): held in memory,
    they were 144 bytes a window of the driver's, about 0.9 kB a generated
    article for the whole passage search.
    """
    index = CandidateIndex(signer, params.lsh_threshold, store)
    owners = SpilledRows(np.int64, 2, store.directory)
    sketches = SpilledRows(np.uint16, signer.num_perm, store.directory)
    try:
        for batch_owners, rows in signed:
            index.add(np.arange(len(owners), len(owners) + len(batch_owners), dtype=np.int64), rows)
            owners.append(batch_owners)
            sketches.append(rows.astype(np.uint16))
    except BaseException:  # signing failed (or the scan was stopped): the files go with it
        owners.close()
        sketches.close()
        raise
    return index, owners, sketches


def candidate_pairs(
    prepared: Sequence[Prepared], params: PassageParams, *, within: bool = False
) -> list[tuple[CandidatePair | tuple[int, int], int]]:
    """Document pairs sharing a similar window, with the number of such window pairs.

    Pairs are ``CandidatePair(a, b)`` with ``a < b`` (indices into
    ``prepared``); with ``within=True`` also ``(i, i)`` tuples for documents
    with a window similar to a non-overlapping window of their own. Each
    document keeps at most ``params.max_candidates`` partners, those sharing
    most windows; a pair is kept when either document keeps it.
    """
    with SpillStore() as store:
        windows = _Windows(store)
        for batch in batched(enumerate(prepared), _SIGN_BATCH):
            windows.add(batch, params)
        frequency = _DocumentFrequency()
        if len(prepared) >= 100:
            for batch in batched(prepared, _SIGN_BATCH):
                frequency.add(batch)
        return _search(windows, frequency, len(prepared), params, store, within)


def _search(windows: _Windows, frequency: _DocumentFrequency, count: int, params: PassageParams, store: SpillStore,
            within: bool, engine: Engine | None = None) -> list[tuple[CandidatePair | tuple[int, int], int]]:
    """:func:`pair_documents` over the windows of ``count`` documents, signed without their common words;
    the windows' files (sketches, owners, word ids) closed, so removed, once the pairs are known."""
    signer = Signer(params.num_perm, params.seed)
    words = frequency.rarity(count, params, store.directory)
    try:
        index, owners, sketch = _index_windows(windows.signed(signer, frequency.common(count, params), words),
                                               signer, params, store)
        try:
            return pair_documents(index, owners, sketch, params, within, engine, words)
        finally:
            owners.close()
            sketch.close()
    finally:
        if words is not None:
            words.close()


#: A batch of document pairs to align: the documents it needs, by index, each as its prepared text pickled
#: (what the first pass spilled); and the pairs, as ``(i, j, id of i, id of j)``.
PairBatch = tuple[dict[int, bytes], list[tuple[int, int, str, str]]]


def align_pairs(batch: PairBatch, params: PassageParams) -> list[Match]:
    """Shared passages of a batch of document pairs joined with their prepared documents.

    A map over pairs: LSH only proposed them; :func:`~overlap.passages.align.align` decides.
    Each document comes as the bytes its prepared text pickles to
    (:meth:`~overlap.passages.align.Prepared.__reduce__`: its text and one
    buffer of 64-bit words), read from the spill file as they are: the
    driver neither holds prepared texts nor pickles them again for each
    batch, and no document is prepared twice.
    """
    docs, pairs = batch
    ready = {i: pickle.loads(doc) for i, doc in docs.items()}
    return [m for i, j, a_id, b_id in pairs
            for m in to_matches(ready[i], ready[j], align(ready[i], ready[j], params), a_id, b_id)]


def find_reuse(
    documents: Sequence[Document],
    params: PassageParams | None = None,
    *,
    within: bool = False,
    ignore: Mapping[str, Sequence[Span]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Match]:
    """Shared passages between documents of a corpus, as ``kind="reuse"`` matches.

    ``within=True`` also reports passages a document repeats inside itself.
    ``ignore`` maps a document id to spans (boilerplate lines) whose
    sentences must not count as evidence. ``progress(done, total)`` is called
    as candidate pairs are aligned. Matches come sorted by document order,
    then by position; ``a`` is always the earlier document of the input.

    >>> from overlap.model import Document
    >>> wire = ("The foreign ministers of both countries met in Geneva on Monday to resume talks "
    ...         "on the disputed border. Officials said the meeting lasted four hours and ended "
    ...         "without a joint statement, but both sides agreed to meet again next month.")
    >>> docs = [Document("wire", wire), Document("local", "Our council met on Tuesday. " + wire),
    ...         Document("other", "Heavy rain flooded the valley and closed two schools for a week.")]
    >>> [(m.a.doc, m.b.doc, m.b.span.start) for m in find_reuse(docs)]
    [('wire', 'local', 28)]
    """
    ignore = ignore or {}
    out: list[Match] = []
    batches = reuse_batches(len(documents), lambda i: documents[i].text, lambda i: documents[i].id, params,
                            ignore_of=lambda i: ignore.get(documents[i].id, ()), within=within)
    for matches, done, total in batches:
        out.extend(matches)
        if progress is not None:
            progress(done, total)
    return out


_SIGN_BATCH = 512  # documents whose windows are signed in one numpy pass
_VERIFY_BLOCK = 65_536  # window pairs whose sketches are compared in one numpy pass
_PREPARE_BATCH = 256  # documents prepared in one task
ALIGN_BATCH = 200  # candidate pairs aligned between two progress reports


def _prepared(count: int, text_of: Callable[[int], str], ignore_of: Callable[[int], Sequence[Span]] | None,
              params: PassageParams, engine: Engine) -> Iterator[Prepared]:
    """Documents ``0..count-1`` prepared by ``engine``, in order, :data:`_PREPARE_BATCH` a task.

    One map over all the batches, so an engine of several workers prepares
    several at once (a map a batch kept one worker busy at a time, the
    driver waiting on each).
    """
    jobs = ([(text_of(i), ignore_of(i) if ignore_of else ()) for i in range(start, min(start + _PREPARE_BATCH, count))]
            for start in range(0, count, _PREPARE_BATCH))
    for batch in engine.map(prepare_batch, jobs, params):
        yield from batch


def reuse_batches(
    count: int,
    text_of: Callable[[int], str],
    id_of: Callable[[int], str],
    params: PassageParams | None = None,
    *,
    ignore_of: Callable[[int], Sequence[Span]] | None = None,
    within: bool = False,
    skip: Callable[[int, int], bool] | None = None,
    engine: Engine | None = None,
    spill_dir: str | None = None,
) -> Iterator[tuple[list[Match], int, int]]:
    """:func:`find_reuse` over documents reached by index, yielding ``(matches, pairs done, pairs in all)``.

    The in-process composition of this module's stages, for callers that
    keep texts on disk: one pass prepares every text, counting its terms,
    keeping its windows' term sets (:class:`_Windows`) and spilling it,
    pickled, to a temporary file (in ``spill_dir``, default the system's
    temp folder); then the windows are signed without their common words
    (only 16-bit sketches and band keys stay in memory), then alignment of
    the proposed pairs a batch at a time, each batch joined with the
    spilled bytes of the documents it needs (:func:`align_pairs`).
    ``skip(i, j)`` drops pairs the caller has already explained (e.g.
    whole-document duplicates). Yielding between batches leaves progress,
    timing and stopping to the caller. ``engine`` (:mod:`overlap.engine`)
    runs the preparation, the window buckets and the alignment of each
    batch of pairs.

    Why spilled: the driver kept a cache of 20,000 prepared texts (about
    5 kB each in Python objects) from the first pass to the alignment, and
    sent the documents no longer in it as text, to be prepared again. In
    the file a prepared text costs its pickled bytes on disk (3.3 kB a
    generated article) and 16 bytes in memory; each is prepared once.
    """
    params = params or PassageParams()
    engine = engine or InProcess()
    with SpillStore(spill_dir) as store:
        frequency, windows = _DocumentFrequency(), _Windows(store)
        spilled = np.empty((count, 2), dtype=np.int64)  # each document's prepared text in the file: offset, length
        for batch in batched(enumerate(_prepared(count, text_of, ignore_of, params, engine)), _SIGN_BATCH):
            frequency.add([p for _, p in batch])
            windows.add(batch, params)
            for i, p in batch:
                spilled[i] = store.put(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL))
        pairs = _search(windows, frequency, count, params, store, within, engine)
        del frequency  # not needed to align: let it go before the longest stage
        release_freed_memory()

        def joined() -> Iterator[PairBatch]:
            for start in range(0, len(pairs), ALIGN_BATCH):
                docs: dict[int, bytes] = {}
                batch = []
                for pair, _n in pairs[start : start + ALIGN_BATCH]:
                    i, j = (pair.a, pair.b) if isinstance(pair, CandidatePair) else pair
                    if skip is None or i == j or not skip(i, j):
                        for d in (i, j):
                            if d not in docs:
                                docs[d] = store.get((int(spilled[d, 0]), int(spilled[d, 1])))
                        batch.append((i, j, id_of(i), id_of(j)))
                yield docs, batch

        for k, matches in enumerate(engine.map(align_pairs, joined(), params)):
            yield matches, min((k + 1) * ALIGN_BATCH, len(pairs)), len(pairs)
