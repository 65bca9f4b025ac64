"""Candidate pairs from MinHash LSH (datasketch ``MinHashLSH``).

LSH only proposes: every pair that shares a band bucket is a candidate, and
candidates carry no score, because a shared bucket is not evidence of
similarity (datasketch's own ``query`` documentation says to filter the
results again). :mod:`overlap.verify` decides.

Pairs are read straight from the band buckets rather than by querying every
document, which yields the same pairs with one pass over the tables.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from datasketch import MinHashLSH

from .model import CandidatePair
from .signatures import SCHEME, Signer

__all__ = ["CandidateIndex"]


class CandidateIndex:
    """An in-memory LSH index over signature rows keyed by integer ids."""

    def __init__(self, signer: Signer, threshold: float) -> None:
        self.signer = signer
        self.lsh = MinHashLSH(threshold=threshold, num_perm=signer.num_perm)
        self._count = 0

    @property
    def bands(self) -> tuple[int, int]:
        """``(bands, rows)`` datasketch chose for the threshold."""
        return self.lsh.b, self.lsh.r

    def add(self, keys: np.ndarray | list[int], signatures: np.ndarray) -> None:
        """Insert signature rows under integer keys, a batch at a time.

        Writes exactly what ``MinHashLSH.insert(key, LeanMinHash(row))`` writes
        (each band's byte-swapped hash values as the bucket key, into the
        index's own storages), but slices the bands of the whole batch with
        numpy instead of once per document; ``tests/test_candidates.py``
        checks the two agree.
        """
        if len(keys) == 0:
            return
        lsh = self.lsh
        if getattr(lsh, "_minhash_scheme", None) is None:
            lsh._minhash_scheme = SCHEME
        swapped = np.ascontiguousarray(signatures, dtype=np.uint32).byteswap()
        width = 4 * lsh.r
        band_keys: list[list[bytes]] = []
        for start, end in lsh.hashranges:
            band = np.ascontiguousarray(swapped[:, start:end])
            raw = band.tobytes()
            band_keys.append([raw[i * width : (i + 1) * width] for i in range(len(band))])
        int_keys = [int(k) for k in keys]
        for row, key in enumerate(int_keys):
            lsh.keys.insert(key, *(bk[row] for bk in band_keys))
        for table, bk in zip(lsh.hashtables, band_keys):
            insert = table.insert
            for key, h in zip(int_keys, bk):
                insert(h, key)
        self._count += len(int_keys)

    def pairs(self) -> Iterator[CandidatePair]:
        """Every distinct pair sharing at least one bucket, in canonical order."""
        seen: set[tuple[int, int]] = set()
        for table in self.lsh.hashtables:
            for bucket, size in table.itemcounts().items():
                if size < 2:
                    continue
                ordered = sorted(table.get(bucket))
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1 :]:
                        if (a, b) not in seen:
                            seen.add((a, b))
        for a, b in sorted(seen):
            yield CandidatePair(a, b)

    def __len__(self) -> int:
        return self._count
