"""LSH banding: the one choice of bands and rows, the one bucket key, candidate pairs.

LSH only proposes: two documents are candidates when all ``r`` hash values
of at least one of ``b`` bands agree, and candidates carry no score, because
a shared bucket is not evidence of similarity (datasketch's own ``query``
documentation says to filter the results again). :mod:`overlap.minhash.verify`
decides.

Everything that bands signatures goes through this module, so the scan, the
passages, the claims and the persistent index cannot drift apart:

* :func:`lsh_bands` is datasketch's own choice of ``(b, r)`` for a threshold
  (the one ``MinHashLSH(threshold, num_perm)`` makes, minimising false
  positives and negatives with equal weights);
* :func:`band_keys` is the bucket of a signature in each band: one 64-bit key
  per (document, band), the band's values hashed with the band's number. The
  persistent index stores these keys, so they are part of its format;
* :class:`CandidateIndex` groups equal keys band by band into candidate
  pairs; :class:`Buckets` is the same bucketing kept in memory one document
  at a time (the filter's not yet committed documents).

Filling datasketch's ``MinHashLSH`` costs one Python call per document and
band (600,000 for Reuters-21578), so the buckets are formed with
``np.unique`` over each band of the whole key matrix instead. The pairs are
the ones datasketch's ``insert`` then ``query`` would give (equal band keys
mean equal band values, but for a 64-bit hash collision, about one chance in
10^9 on Reuters); ``tests/test_lsh.py`` checks that against datasketch itself.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Hashable, Iterable, Iterator

import numpy as np

from ..engine import Engine, InProcess
from ..model import CandidatePair
from .signatures import Signer

if TYPE_CHECKING:
    from ..spill import SpillStore

__all__ = ["Buckets", "CandidateIndex", "band_keys", "band_pairs", "lsh_bands"]


# Gauss-Legendre nodes on [-1, 1]; 16 pieces of 24 nodes integrate the LSH curves of up to 1024
# permutations to within 3e-13 of datasketch's scipy.integrate.quad (bench: 2.1e-13 at most).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(24)
_GL_PIECES = 16
# Two choices whose errors lie closer than this are left to datasketch's own optimiser.
_TIE = 1e-9


@lru_cache(maxsize=64)
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` datasketch's ``MinHashLSH(threshold, num_perm)`` chooses.

    datasketch's ``_optimal_param`` (weights 0.5, 0.5) tries every ``(b, r)``
    with ``b * r <= num_perm`` and keeps the first with the least weighted
    area of false positives (``1 - (1 - s^r)^b`` over ``[0, threshold]``) and
    false negatives (the rest over ``[threshold, 1]``), integrating each with
    scipy's ``quad``. Importing scipy for that cost a scan about 0.5 CPU s,
    so the same areas are integrated here with numpy (Gauss-Legendre, all
    ``(b, r)`` at once) and the same first minimum kept; when the best two
    lie within ``1e-9`` of each other, too close for two integrators to be
    sure to agree, datasketch's own optimiser decides. ``tests/test_lsh.py``
    checks the choice against datasketch's over a grid of thresholds and
    sizes. ``MinHashLSH`` itself refuses a choice of one band (a threshold
    of 0.99 at 128 permutations), which the numpy bucketing here serves as
    well as any other.

    >>> lsh_bands(0.5, 128)
    (25, 5)
    """
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]  # datasketch's order
    bands = np.array([b for b, _ in pairs], dtype=np.float64)[:, None]
    rows = np.array([r for _, r in pairs], dtype=np.float64)[:, None]
    s, w = _gauss_legendre(0.0, threshold)
    false_positive = (1.0 - (1.0 - s**rows) ** bands) @ w
    s, w = _gauss_legendre(threshold, 1.0)
    false_negative = ((1.0 - s**rows) ** bands) @ w
    error = 0.5 * false_positive + 0.5 * false_negative
    best = int(np.argmin(error))
    if len(error) > 1 and np.partition(error, 1)[1] - error[best] < _TIE:
        from datasketch.lsh import _optimal_param  # what MinHashLSH calls with weights (0.5, 0.5)

        return _optimal_param(threshold, num_perm, 0.5, 0.5)
    return pairs[best]


def _gauss_legendre(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of a composite Gauss-Legendre rule on ``[lo, hi]``."""
    edges = np.linspace(lo, hi, _GL_PIECES + 1)
    half = (edges[1:] - edges[:-1])[:, None] / 2
    mid = (edges[1:] + edges[:-1])[:, None] / 2
    return (mid + half * _GL_NODES).ravel(), (half * _GL_WEIGHTS).ravel()


def _splitmix64(seed: int, count: int) -> np.ndarray:
    """Deterministic odd 64-bit constants (splitmix64), for band-key hashing."""
    out = []
    x = seed
    mask = (1 << 64) - 1
    for _ in range(count):
        x = (x + 0x9E3779B97F4A7C15) & mask
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append((z ^ (z >> 31)) | 1)
    return np.array(out, dtype=np.uint64)


_BAND_MULT = _splitmix64(0x0BE1A9, 1024)
_BAND_SALT = _splitmix64(0x5A17, 1024)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit bucket key per (document, band): the band's rows hashed with its number.

    ``signatures`` is ``(n, num_perm)`` ``uint32``; the result ``(n, bands)``
    ``int64``. Keys of different bands differ (the band number is salted in),
    so one key space can hold every band. These are the keys the persistent
    index stores: changing them changes its format.

    >>> sig = np.arange(8, dtype=np.uint32).reshape(1, 8)
    >>> band_keys(sig, 2, 4).shape
    (1, 2)
    """
    n = len(signatures)
    x = signatures[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    h = (x * _BAND_MULT[:rows]).sum(axis=2, dtype=np.uint64) + _BAND_SALT[:bands]
    h ^= h >> np.uint64(31)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(29)
    return h.view(np.int64)


class CandidateIndex:
    """Collects signature rows under integer keys; yields candidate pairs.

    Only the band keys of each row are kept (``bands`` 64-bit values, a fifth
    of the signature's size at 128 permutations), a batch of rows at a time,
    band after band; with a ``store`` (:class:`~overlap.spill.SpillStore`)
    in its file rather than in memory: the keys are read once, a band at a
    time, when the pairs are asked for, and until then they are a per-row
    cost of the driver (64 MB for the passage windows of 80,000 generated
    articles) that the memory need not hold.
    """

    def __init__(self, signer: Signer, threshold: float, store: SpillStore | None = None) -> None:
        self.signer = signer
        self.threshold = threshold
        self.b, self.r = lsh_bands(threshold, signer.num_perm)
        self.store = store
        self._ids: list[np.ndarray] = []
        self._keys: list[np.ndarray | tuple[int, int]] = []  # a batch's keys, band-major: in memory, or where in the store
        self._count = 0

    @property
    def bands(self) -> tuple[int, int]:
        """``(bands, rows)`` datasketch chose for the threshold."""
        return self.b, self.r

    def add(self, keys: np.ndarray | list[int], signatures: np.ndarray) -> None:
        """Add signature rows under integer keys (a batch at a time)."""
        if len(keys) == 0:
            return
        self._ids.append(np.asarray(keys, dtype=np.int64))
        by_band = np.ascontiguousarray(band_keys(np.ascontiguousarray(signatures, dtype=np.uint32), self.b, self.r).T)
        self._keys.append(by_band if self.store is None else self.store.put_array(by_band))
        self._count += len(keys)

    def _band(self, batch: int, band: int) -> np.ndarray:
        """Batch ``batch``'s keys in band ``band``."""
        keys = self._keys[batch]
        if isinstance(keys, np.ndarray):
            return keys[band]
        n = len(self._ids[batch])
        return self.store.get_array((keys[0] + band * n * 8, n * 8), np.int64)  # type: ignore[union-attr]

    def pairs(self, engine: Engine | None = None) -> Iterator[CandidatePair]:
        """Every distinct pair sharing at least one band bucket, in canonical order.

        The group by key: keys of different bands never meet, so each band is
        a partition of its own, grouped by :func:`band_pairs` where ``engine``
        runs it (this process by default); the driver merges the bands' pairs.
        """
        for a, b in self.pair_array(engine).tolist():
            yield CandidatePair(a, b)

    def pair_array(self, engine: Engine | None = None,
                   keep: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """:meth:`pairs` as one ``(k, 2)`` int64 array, rows ``a < b`` sorted: for callers that
        filter and group millions of pairs with numpy rather than one object each.

        ``keep(pairs)``, if given, is a check of each pair on its own (a
        boolean per row of a ``(k, 2)`` array): only the pairs it passes are
        returned, each band's checked as it comes back, so the pairs that fail
        are never merged (the same result as checking the merged pairs).
        """
        if not self._keys:
            return np.empty((0, 2), dtype=np.int64)
        ids = np.concatenate(self._ids)
        # one band's keys gathered at a time, not every band's at once (a second copy of the index), and
        # each band's pairs kept as one int64 each until merged: the window index of 80,000 generated
        # articles proposed millions of pairs, which np.unique over rows copied several times over
        bands = ((ids, np.concatenate([self._band(k, band) for k in range(len(self._keys))])) for band in range(self.b))
        found = []
        for pairs in (engine or InProcess()).map(band_pairs, bands):
            if keep is not None:
                pairs = pairs[keep(pairs)]
            found.append(_pair_codes(pairs[:, 0], pairs[:, 1], ids))
        return _distinct_pairs(np.concatenate(found), ids)

    def __len__(self) -> int:
        return self._count


def band_pairs(band: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The pairs of ``ids`` that share a bucket of one band, ``(k, 2)`` rows ``a < b``, sorted and distinct.

    ``band`` is ``(ids, cells)``: each row's (distinct) id and its key in this
    band. All in numpy, no loop over buckets: a large corpus has hundreds of
    thousands of two-member buckets, and a Python step per bucket cost more
    than the rest of the band's work. Rows are sorted by (cell, id); a row
    at rank ``r`` of a bucket of ``g`` pairs with the ``g - r - 1`` rows after
    it, so each bucket yields its ``g (g - 1) / 2`` pairs once.

    >>> band_pairs((np.array([4, 2, 9]), np.array([7, 7, 7]))).tolist()
    [[2, 4], [2, 9], [4, 9]]
    """
    ids, cells = band
    if len(ids) < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort((ids, cells))
    cells, ids = cells[order], np.asarray(ids, dtype=np.int64)[order]
    starts = np.flatnonzero(np.concatenate(([True], cells[1:] != cells[:-1])))
    sizes = np.diff(np.append(starts, len(cells)))
    rank = np.arange(len(cells)) - np.repeat(starts, sizes)
    after = np.repeat(sizes, sizes) - rank - 1  # partners later in the same bucket
    total = int(after.sum())
    if total == 0:
        return np.empty((0, 2), dtype=np.int64)
    first = np.repeat(np.arange(len(cells)), after)
    second = first + np.arange(total) - np.repeat(np.cumsum(after) - after, after) + 1
    return _distinct_pairs(_pair_codes(ids[first], ids[second], ids), ids)


def _pair_codes(a: np.ndarray, b: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Pairs ``(a[k], b[k])`` of members of ``ids`` as one int64 each, ``a * span + b``, when the ids allow
    it (non-negative, under 2**31): np.unique on a flat array is far faster than on rows, and takes half the
    memory; else as ``(k, 2)`` rows."""
    span = int(ids.max()) + 1 if len(ids) else 1
    if len(ids) and ids.min() >= 0 and span < 2**31:
        return a * span + b
    return np.stack([a, b], axis=1)


def _distinct_pairs(codes: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The distinct pairs of :func:`_pair_codes`' ``codes``, as ``(k, 2)`` rows, sorted."""
    if codes.ndim == 2:
        return np.unique(codes, axis=0).reshape(-1, 2)
    span = int(ids.max()) + 1
    codes = np.unique(codes)
    return np.stack([codes // span, codes % span], axis=1)


class Buckets:
    """Band (or anchor) buckets in memory, filled one document at a time and emptied from the end.

    The in-memory form of the persistent index's bucket tables: ``add`` puts
    a member under each of its keys, ``members`` lists what shares a key,
    ``pop`` takes the last member added back out (a verdict taken back).

    >>> b = Buckets()
    >>> b.add(0, [7, 8]); b.add(1, [8])
    >>> sorted(b.members([8]))
    [0, 1]
    """

    def __init__(self) -> None:
        self._buckets: dict[int, list[Hashable]] = defaultdict(list)

    def add(self, member: Hashable, keys: Iterable[int]) -> None:
        for k in keys:
            self._buckets[k].append(member)

    def pop(self, member: Hashable, keys: Iterable[int]) -> None:
        """Remove ``member``, which must be the last one added under each of ``keys``."""
        for k in keys:
            if self._buckets[k][-1] != member:
                raise ValueError("Buckets.pop: only the last member added can be taken out")
            self._buckets[k].pop()

    def members(self, keys: Iterable[int]) -> Iterator[Hashable]:
        """Every member under any of ``keys``, once per key it shares."""
        for k in keys:
            yield from self._buckets.get(k, ())
