"""Candidate pairs from MinHash LSH banding.

LSH only proposes: two documents are candidates when all ``r`` hash values
of at least one of ``b`` bands agree, and candidates carry no score, because
a shared bucket is not evidence of similarity (datasketch's own ``query``
documentation says to filter the results again). :mod:`overlap.verify`
decides.

The bands are datasketch's: ``MinHashLSH(threshold, num_perm)`` chooses
``(b, r)`` by minimising false positives and negatives, and its buckets are
the band's hash values. Filling ``MinHashLSH`` costs one Python call per
document and band (600,000 for Reuters-21578), so the buckets are formed
here with ``np.unique`` over each band of the whole signature matrix instead.
The pairs are the same as datasketch's ``insert`` then ``query`` would give;
``tests/test_candidates.py`` checks that against datasketch itself.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from datasketch import MinHashLSH

from .model import CandidatePair
from .signatures import Signer

__all__ = ["CandidateIndex", "lsh_bands"]


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` datasketch's ``MinHashLSH`` chooses for a threshold."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


class CandidateIndex:
    """Collects signature rows under integer keys; yields candidate pairs."""

    def __init__(self, signer: Signer, threshold: float) -> None:
        self.signer = signer
        self.threshold = threshold
        self.b, self.r = lsh_bands(threshold, signer.num_perm)
        self._keys: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []
        self._count = 0

    @property
    def bands(self) -> tuple[int, int]:
        """``(bands, rows)`` datasketch chose for the threshold."""
        return self.b, self.r

    def add(self, keys: np.ndarray | list[int], signatures: np.ndarray) -> None:
        """Add signature rows under integer keys (a batch at a time)."""
        if len(keys) == 0:
            return
        self._keys.append(np.asarray(keys, dtype=np.int64))
        self._rows.append(np.ascontiguousarray(signatures, dtype=np.uint32))
        self._count += len(keys)

    def pairs(self) -> Iterator[CandidatePair]:
        """Every distinct pair sharing at least one band bucket, in canonical order."""
        if not self._rows:
            return
        keys = np.concatenate(self._keys)
        rows = np.concatenate(self._rows)
        seen: set[tuple[int, int]] = set()
        band_type = np.dtype((np.void, 4 * self.r))
        for band in range(self.b):
            cells = np.ascontiguousarray(rows[:, band * self.r : (band + 1) * self.r]).view(band_type).ravel()
            _, inverse, counts = np.unique(cells, return_inverse=True, return_counts=True)
            shared = np.flatnonzero(counts > 1)
            if len(shared) == 0:
                continue
            in_shared = np.isin(inverse, shared)
            members = np.flatnonzero(in_shared)
            order = members[np.argsort(inverse[members], kind="stable")]
            groups = np.split(order, np.flatnonzero(np.diff(inverse[order])) + 1)
            for group in groups:
                ids = sorted(int(k) for k in keys[group])
                for i, a in enumerate(ids):
                    for b in ids[i + 1 :]:
                        seen.add((a, b))
        for a, b in sorted(seen):
            yield CandidatePair(a, b)

    def __len__(self) -> int:
        return self._count
