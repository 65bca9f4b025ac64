"""LSH banding: the one band choice and bucketing; vectorised pairs equal datasketch's MinHashLSH."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from datasketch import MinHashLSH
from hypothesis import given, settings, strategies as st

from overlap.minhash.lsh import CandidateIndex, band_keys, band_pairs, lsh_bands
from overlap.minhash.signatures import Signer
from overlap.spill import SpillStore


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


@pytest.mark.parametrize("ids", [range(40), range(-20, 20)])  # pairs merged as int64 codes, or as rows
def test_pairs_checked_band_by_band_are_the_merged_pairs_checked(ids: range) -> None:
    """``pair_array(keep=...)`` checks each band's pairs as they come: the pairs that pass, as if merged first."""
    index = CandidateIndex(Signer(64, 1), 0.3)
    sigs = _signatures(40)
    index.add(list(ids)[:25], sigs[:25])
    index.add(list(ids)[25:], sigs[25:])
    every = index.pair_array()
    assert len(every) > 10 and every.tolist() == sorted(map(list, {tuple(p) for p in every.tolist()}))

    def keep(pairs: np.ndarray) -> np.ndarray:
        return (pairs[:, 0] + 2 * pairs[:, 1]) % 3 != 0

    assert index.pair_array(keep=keep).tolist() == every[keep(every)].tolist()
    with SpillStore() as store:  # ...and an index whose band keys wait in a spill file gives the same pairs
        spilled = CandidateIndex(Signer(64, 1), 0.3, store)
        store.put(b"something else first")
        spilled.add(list(ids)[:25], sigs[:25])
        store.put(b"and between")
        spilled.add(list(ids)[25:], sigs[25:])
        assert spilled.pair_array().tolist() == every.tolist()


def test_unrelated_documents_give_no_candidates() -> None:
    rng = np.random.default_rng(1)
    signer = Signer(128, 1)
    sets = [rng.integers(0, 2**32, 200, dtype=np.uint32) for _ in range(30)]
    index = CandidateIndex(signer, 0.5)
    index.add(list(range(30)), signer.sign(sets))
    assert list(index.pairs()) == []


def test_a_threshold_datasketch_answers_with_one_band_still_gives_pairs() -> None:
    # datasketch chooses one band of 128 rows at 0.99; MinHashLSH itself then
    # refuses to be built, which made `overlap scan --threshold 0.99
    # --lsh-threshold 0.99` end in a traceback
    assert lsh_bands(0.99, 128) == (1, 128)
    signer = Signer(128, 1)
    same = np.arange(50, dtype=np.uint32)
    index = CandidateIndex(signer, 0.99)
    index.add([0, 1, 2], signer.sign([same, same, same + 1000]))
    assert [(p.a, p.b) for p in index.pairs()] == [(0, 1)]


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.8, 0.95])
def test_the_scan_and_the_index_band_alike(threshold: float) -> None:
    from overlap.index import IndexSettings

    signer = Signer(128, 1)
    settings = IndexSettings(lsh_threshold=threshold)
    assert CandidateIndex(signer, threshold).bands == settings.bands_rows == lsh_bands(threshold, 128)
    plain = MinHashLSH(threshold=threshold, num_perm=128)
    assert lsh_bands(threshold, 128) == (plain.b, plain.r)


def test_band_keys_are_equal_exactly_when_the_band_is() -> None:
    sigs = _signatures(30, seed=4)
    b, r = lsh_bands(0.5, 64)
    keys = band_keys(sigs, b, r)
    for band in range(b):
        cells = [bytes(row[band * r : (band + 1) * r]) for row in sigs]
        for i in range(len(sigs)):
            for j in range(len(sigs)):
                assert (keys[i, band] == keys[j, band]) == (cells[i] == cells[j])
    distinct_cells = {(band, bytes(row[band * r : (band + 1) * r])) for band in range(b) for row in sigs}
    assert len(set(keys.ravel().tolist())) == len(distinct_cells)  # no key shared across bands


@pytest.mark.parametrize("num_perm", [16, 64, 128, 200])
def test_the_band_choice_is_datasketchs_at_every_threshold(num_perm: int) -> None:
    # lsh_bands integrates with numpy instead of importing scipy through datasketch; the
    # choice must stay datasketch's own, or the scan, the index and MinHashLSH part ways
    from datasketch.lsh import _optimal_param

    for threshold in [0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.75, 0.8, 0.85,
                      0.87, 0.9, 0.95, 0.99, 1.0]:
        assert lsh_bands.__wrapped__(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_a_near_tie_between_two_band_choices_is_left_to_datasketch(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasketch.lsh

    from overlap.minhash import lsh

    asked = []
    monkeypatch.setattr(datasketch.lsh, "_optimal_param", lambda *a: asked.append(a) or (3, 7))
    monkeypatch.setattr(lsh, "_TIE", 1.0)  # every pair of choices is a near tie now
    assert lsh.lsh_bands.__wrapped__(0.4, 128) == (3, 7)
    assert asked == [(0.4, 128, 0.5, 0.5)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(-3, 3)), max_size=60, unique_by=lambda t: t[0]))
def test_band_pairs_are_exactly_the_pairs_sharing_a_bucket(rows: list[tuple[int, int]]) -> None:
    """The numpy grouping against the definition: every two ids with the same cell, once, sorted."""
    ids = np.array([i for i, _ in rows], dtype=np.int64)
    cells = np.array([c for _, c in rows], dtype=np.int64)
    expected = sorted({(min(a, b), max(a, b)) for (a, ca), (b, cb) in itertools.combinations(rows, 2) if ca == cb})
    got = band_pairs((ids, cells))
    assert got.shape == (len(expected), 2) and got.dtype == np.int64
    assert [tuple(p) for p in got.tolist()] == expected
