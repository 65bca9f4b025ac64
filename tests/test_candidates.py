"""Vectorised banding proposes exactly the pairs datasketch's MinHashLSH would."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH

from overlap.candidates import CandidateIndex
from overlap.signatures import Signer


def _signatures(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**32, 300, dtype=np.uint32)
    sets = []
    for i in range(n):
        keep = base[rng.random(300) < 0.7 + 0.3 * (i % 2)]
        sets.append(np.unique(np.concatenate([keep, rng.integers(0, 2**32, 30, dtype=np.uint32)])))
    return Signer(64, 1).sign(sets)


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_pairs_equal_datasketch_insert_and_query(threshold: float) -> None:
    signer = Signer(64, 1)
    sigs = _signatures(40)
    ours = CandidateIndex(signer, threshold)
    ours.add(list(range(20)), sigs[:20])  # in two batches
    ours.add(list(range(20, 40)), sigs[20:])
    plain = MinHashLSH(threshold=threshold, num_perm=64)
    for i, row in enumerate(sigs):
        plain.insert(i, signer.lean(row))
    assert ours.bands == (plain.b, plain.r)
    expected = set()
    for i, row in enumerate(sigs):
        for j in plain.query(signer.lean(row)):
            if i < j:
                expected.add((i, j))
    assert {(p.a, p.b) for p in ours.pairs()} == expected
    assert len(ours) == 40


def test_unrelated_documents_give_no_candidates() -> None:
    rng = np.random.default_rng(1)
    signer = Signer(128, 1)
    sets = [rng.integers(0, 2**32, 200, dtype=np.uint32) for _ in range(30)]
    index = CandidateIndex(signer, 0.5)
    index.add(list(range(30)), signer.sign(sets))
    assert list(index.pairs()) == []
