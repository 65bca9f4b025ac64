"""Many sets of integer ids held as one flat array and offsets, and what pairs of them share.

The passage windows' word sets and the claims tier's content words, numbers
and names of every statement are such sets: set ``k`` is
``ids[offsets[k]:offsets[k + 1]]``, each set's ids distinct. Both tiers then
ask, for many pairs of sets at once, how much the two share (a weighted count
for the rarity of a window pair's words; a count for the claims' filters).
A Python set per item costs hundreds of bytes and a loop per pair; here a
block of pairs is one sort of all their (pair, id) entries, where an id both
sets hold appears twice in a row.
"""

from __future__ import annotations

import numpy as np

__all__ = ["entries", "shared", "sizes"]

#: Pairs whose entries are sorted at once (at ~60 ids a pair, a few MB of temporary arrays).
BLOCK = 8_192


def entries(offsets: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ids of sets ``rows``, flat (as int64), and for each the position in ``rows`` it came from.

    >>> offsets, ids = np.array([0, 2, 2, 5]), np.array([4, 9, 1, 4, 7])
    >>> [a.tolist() for a in entries(offsets, ids, np.array([2, 0, 1]))]
    [[1, 4, 7, 4, 9], [0, 0, 0, 1, 1]]
    """
    first, count = offsets[rows], offsets[rows + 1] - offsets[rows]
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), count)
    within = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return ids[np.repeat(first, count) + within].astype(np.int64), owner


def sizes(offsets: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """How many ids each of sets ``rows`` holds."""
    return np.asarray(offsets[rows + 1] - offsets[rows], dtype=np.int64)


def shared(offsets: np.ndarray, ids: np.ndarray, pairs: np.ndarray, *, keep: np.ndarray | None = None,
           weights: np.ndarray | None = None) -> np.ndarray:
    """For each pair of sets (``(k, 2)`` rows of set numbers), the ids both hold: their number (int64),
    or with ``weights`` (one per id) the sum of their weights (float64), summed in ascending id order.
    ``keep`` (one boolean per id) leaves the other ids out of both sets. Ids must be under 2**32.

    >>> offsets, ids = np.array([0, 3, 5, 5]), np.array([1, 4, 7, 4, 7])
    >>> shared(offsets, ids, np.array([[0, 1], [1, 2], [0, 0]])).tolist()
    [2, 0, 3]
    >>> shared(offsets, ids, np.array([[0, 1]]), keep=np.arange(8) != 7).tolist()
    [1]
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.zeros(len(pairs), dtype=np.int64 if weights is None else np.float64)
    for start in range(0, len(pairs), BLOCK):
        block = pairs[start : start + BLOCK]
        ids_a, owner_a = entries(offsets, ids, block[:, 0])
        ids_b, owner_b = entries(offsets, ids, block[:, 1])
        if keep is not None:
            ka, kb = keep[ids_a], keep[ids_b]
            ids_a, owner_a, ids_b, owner_b = ids_a[ka], owner_a[ka], ids_b[kb], owner_b[kb]
        keys = np.concatenate([(owner_a << 32) | ids_a, (owner_b << 32) | ids_b])
        keys.sort()
        both = keys[1:][keys[1:] == keys[:-1]]
        out[start : start + len(block)] = np.bincount(
            both >> 32, weights=None if weights is None else weights[both & 0xFFFFFFFF], minlength=len(block))
    return out
