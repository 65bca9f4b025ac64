"""Shared passages across a corpus, and across a list of document pairs.

Aligning every pair of documents is quadratic; a million articles would
never finish. So documents are cut into windows of a few sentences, each
window becomes a MinHash signature of its content words (the same stems
:mod:`overlap.align` compares), and LSH banding (:mod:`overlap.candidates`,
datasketch's bands) proposes the
document pairs that share at least one similar window. Only those pairs are
aligned. Cost grows with the number of windows plus the number of proposed
pairs, not with all pairs; ``max_candidates`` bounds the partners per
document so a corpus of many near-identical reprints stays linear.

LSH only proposes: every reported passage comes from :func:`overlap.align.align`.

The pairwise path (:func:`compare_pairs`) is for lists of pairs already
known, such as benchmark corpora: each document is read and prepared once
per worker (cached), and results come back in input order whatever the
number of workers.
"""

from __future__ import annotations

import os
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .align import Prepared, align, prepare, to_matches
from .minhash.lsh import CandidateIndex
from .errors import InputError, OverlapError
from .ingest import decode_utf8, read_text_file
from .model import CandidatePair, Document, Match, Span
from .params import PassageParams
from .text.shingle import fold32
from .minhash.signatures import Signer

__all__ = ["find_reuse", "reuse_matches", "candidate_pairs", "window_sets", "PairResult", "read_pairs", "compare_pairs"]


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


def common_terms(count: int, prepared_of: Callable[[int], Prepared], params: PassageParams) -> np.ndarray:
    """Hashes of words in more than ``params.common_share`` of the documents (sorted).

    Newswire is full of templates ("Shr 34 cts vs 1.19 dlrs", "said it
    lowered the debt ratings of"): windows made of such words collide in
    huge LSH buckets, cost quadratic candidate pairs, and are not reuse.
    Corpora of under 100 documents have no reliable frequencies: nothing is
    left out there.
    """
    if count < 100 or params.common_share >= 1.0:
        return np.empty(0, dtype=np.uint64)
    per_doc = [np.unique(prepared_of(d).term) for d in range(count)]
    terms, df = np.unique(np.concatenate(per_doc), return_counts=True)
    return terms[df > params.common_share * count]


def _index_windows(
    count: int, prepared_of: Callable[[int], Prepared], params: PassageParams, common: np.ndarray | None = None
) -> tuple[CandidateIndex, list[tuple[int, int]]]:
    """Signatures of every document's windows in one LSH index; ``owners[key] = (doc, window)``.

    Windows are signed in batches across documents (one numpy pass each);
    windows left empty once common words are out are not indexed.
    """
    signer = Signer(params.num_perm, params.seed)
    index = CandidateIndex(signer, params.lsh_threshold)
    owners: list[tuple[int, int]] = []
    batch: list[np.ndarray] = []

    def flush() -> None:
        if batch:
            keys = np.arange(len(owners) - len(batch), len(owners), dtype=np.int64)
            index.add(keys, signer.sign(batch))
            batch.clear()

    for d in range(count):
        for w, s in enumerate(window_sets(prepared_of(d), params, common)):
            if len(s) == 0:
                continue
            owners.append((d, w))
            batch.append(fold32(s))
        if len(batch) >= 4096:
            flush()
    flush()
    return index, owners


def _pairs_from(
    index: CandidateIndex, owners: list[tuple[int, int]], params: PassageParams, within: bool
) -> list[tuple[CandidatePair | tuple[int, int], int]]:
    shared: Counter[tuple[int, int]] = Counter()
    for cand in index.pairs():
        (da, wa), (db, wb) = owners[cand.a], owners[cand.b]
        if da == db:
            if within and abs(wa - wb) * params.window_step >= params.window:
                shared[(da, da)] += 1
            continue
        shared[(min(da, db), max(da, db))] += 1
    per_doc: dict[int, list[tuple[int, tuple[int, int]]]] = defaultdict(list)
    for pair, n in shared.items():
        per_doc[pair[0]].append((n, pair))
        if pair[1] != pair[0]:
            per_doc[pair[1]].append((n, pair))
    keep: set[tuple[int, int]] = set()
    for items in per_doc.values():
        items.sort(key=lambda t: (-t[0], t[1]))
        keep.update(pair for _, pair in items[: params.max_candidates])
    return [(CandidatePair(*pair) if pair[0] < pair[1] else pair, shared[pair]) for pair in sorted(keep)]


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
    common = common_terms(len(prepared), prepared.__getitem__, params)
    index, owners = _index_windows(len(prepared), prepared.__getitem__, params, common)
    return _pairs_from(index, owners, params, within)


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
    return reuse_matches(
        len(documents),
        lambda i: documents[i].text,
        lambda i: documents[i].id,
        params,
        ignore_of=lambda i: ignore.get(documents[i].id, ()),
        within=within,
        progress=progress,
    )


# Prepared documents kept between the two passes (LRU beyond this): a few KB each,
# so corpora of this size are prepared once; larger ones re-prepare on demand.
_CACHE_DOCS = 20_000


def reuse_matches(
    count: int,
    text_of: Callable[[int], str],
    id_of: Callable[[int], str],
    params: PassageParams | None = None,
    *,
    ignore_of: Callable[[int], Sequence[Span]] | None = None,
    within: bool = False,
    skip: Callable[[int, int], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Match]:
    """:func:`find_reuse` over documents reached by index, for callers that keep texts on disk.

    Two passes: window signatures of every document (only signatures stay
    in memory), then alignment of the proposed pairs, re-preparing texts
    through a small cache. ``skip(i, j)`` drops pairs the caller has already
    explained (e.g. whole-document duplicates).
    """
    params = params or PassageParams()
    cache: OrderedDict[int, Prepared] = OrderedDict()

    def prepared_of(i: int) -> Prepared:
        if i in cache:
            cache.move_to_end(i)
            return cache[i]
        p = prepare(text_of(i), params, ignore_of(i) if ignore_of else ())
        cache[i] = p
        if len(cache) > _CACHE_DOCS:
            cache.popitem(last=False)
        return p

    common = common_terms(count, prepared_of, params)
    index, owners = _index_windows(count, prepared_of, params, common)
    pairs = _pairs_from(index, owners, params, within)
    out: list[Match] = []
    for done, (pair, _n) in enumerate(pairs, 1):
        i, j = (pair.a, pair.b) if isinstance(pair, CandidatePair) else pair
        if skip is not None and i != j and skip(i, j):
            continue
        pa, pb = prepared_of(i), prepared_of(j)
        out.extend(to_matches(pa, pb, align(pa, pb, params), id_of(i), id_of(j)))
        if progress is not None:
            progress(done, len(pairs))
    return out


# --- pairs of files -------------------------------------------------------


@dataclass(frozen=True)
class PairResult:
    """The outcome of one line of a pairs file: matches, or the error that stopped it."""

    line: int
    a: str
    b: str
    matches: tuple[Match, ...] = ()
    error: OverlapError | None = None
    # "path:line: invalid UTF-8, decoded with replacement", once per file when first read
    warnings: tuple[str, ...] = ()


def read_pairs(path: str | os.PathLike[str]) -> Iterator[tuple[int, str, str] | InputError]:
    """Lines of a pairs file as ``(line, a, b)``; malformed lines as :class:`InputError`.

    Blank lines and lines starting with ``#`` are skipped. Errors are
    yielded rather than raised so the caller can report them and go on.
    """
    name = os.fspath(path)
    try:
        f = open(name, "rb")
    except OSError as exc:
        raise InputError(name, None, f"cannot read pairs file: {exc.strerror or exc}") from None
    with f:
        for lineno, raw in enumerate(f, 1):
            # bytes that are not UTF-8 are replaced, as everywhere (ingest.decode_utf8): such a
            # path then names no file and that line says so
            line = decode_utf8(raw[3:] if lineno == 1 and raw.startswith(b"\xef\xbb\xbf") else raw)[0]
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) != 2:
                yield InputError(name, lineno, f"expected two paths separated by white space, got {len(fields)} field(s)")
                continue
            yield lineno, fields[0], fields[1]


class _Cache:
    """Prepared documents by path, least recently used dropped first."""

    def __init__(self, params: PassageParams, size: int = 256) -> None:
        self.params = params
        self.size = size
        self.items: OrderedDict[str, Prepared] = OrderedDict()

    def get(self, path: str) -> tuple[Prepared, int | None]:
        """The prepared text, and the line of its first byte that was not UTF-8 when just read (else None)."""
        if path in self.items:
            self.items.move_to_end(path)
            return self.items[path], None
        content = read_text_file(path)
        prepared = prepare(content.text, self.params)
        self.items[path] = prepared
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return prepared, content.invalid_line


_worker_cache: _Cache | None = None


def _init_worker(params: PassageParams) -> None:
    global _worker_cache
    _worker_cache = _Cache(params)


def _compare_one(job: tuple[int, str, str, str, str, str], cache: _Cache | None = None) -> PairResult:
    lineno, a, b, path_a, path_b, pairs_name = job
    cache = cache or _worker_cache
    assert cache is not None
    prepared = []
    warnings = []
    for shown, path in ((a, path_a), (b, path_b)):
        try:
            p, invalid_line = cache.get(path)
            prepared.append(p)
            if invalid_line is not None:
                warnings.append(f"{shown}:{invalid_line}: invalid UTF-8, decoded with replacement")
        except FileNotFoundError:
            return PairResult(lineno, a, b, error=InputError(pairs_name, lineno, f"no such file: {shown}"))
        except IsADirectoryError:
            return PairResult(lineno, a, b, error=InputError(pairs_name, lineno, f"is a directory, not a text file: {shown}"))
        except OSError as exc:
            return PairResult(lineno, a, b, error=InputError(pairs_name, lineno, f"cannot read {shown}: {exc.strerror or exc}"))
    pa, pb = prepared
    found = align(pa, pb, cache.params)
    return PairResult(lineno, a, b, tuple(to_matches(pa, pb, found, a, b)), warnings=tuple(warnings))


def compare_pairs(
    pairs_file: str | os.PathLike[str],
    params: PassageParams | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    workers: int = 1,
) -> Iterator[PairResult]:
    """Align every pair listed in ``pairs_file`` (one ``A B`` per line), in file order.

    Paths are relative to ``root`` (default: the current directory) and are
    reported as written. A pair that cannot be read yields a
    :class:`PairResult` with ``error`` set, and the run goes on. With
    ``workers > 1`` pairs are aligned in that many processes; consecutive
    lines go to the same process, so documents repeated on nearby lines are
    prepared once, and results still come back in file order.
    """
    params = params or PassageParams()
    if workers < 1:
        raise ValueError("workers must be at least 1")
    name = os.fspath(pairs_file)
    base = Path(root) if root is not None else Path(".")

    def jobs() -> Iterator[tuple[int, str, str, str, str, str] | InputError]:
        for item in read_pairs(name):
            if isinstance(item, InputError):
                yield item
                continue
            lineno, a, b = item
            yield lineno, a, b, str(base / a), str(base / b), name

    if workers == 1:
        cache = _Cache(params)
        for job in jobs():
            if isinstance(job, InputError):
                yield PairResult(job.line or 0, "", "", error=job)
            else:
                yield _compare_one(job, cache)
        return

    import multiprocessing

    # never "fork": a process that already runs threads (onnxruntime's pool, a BLAS pool) forks
    # children that can wait forever on a lock some other thread held at the fork; a fork server
    # starts workers from a clean single-threaded process
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(params,)) as pool:
        batch: list[tuple[int, str, str, str, str, str] | InputError] = []
        for item in _batched(jobs(), 4096):
            batch = item
            valid = [j for j in batch if not isinstance(j, InputError)]
            results = iter(pool.imap(_compare_one, valid, chunksize=8))
            for job in batch:
                if isinstance(job, InputError):
                    yield PairResult(job.line or 0, "", "", error=job)
                else:
                    yield next(results)


def _batched(items: Iterable, n: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch
