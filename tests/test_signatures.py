"""Vectorised signatures are bit-identical to datasketch's own MinHash."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.text.shingle import fold32, shingle_hashes, shingle_set, word_hashes, words
from overlap.minhash.signatures import Signer, affine32_permutations


@given(
    st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=60, unique=True), min_size=1, max_size=12),
    st.integers(1, 5000),
)
@settings(max_examples=60, deadline=None)
def test_batched_signatures_equal_datasketch(sets: list[list[int]], chunk: int) -> None:
    signer = Signer(num_perm=32, seed=3)
    arrays = [np.array(s, dtype=np.uint32) for s in sets]
    got = signer.sign(arrays, chunk=chunk)
    for row, values in zip(got, sets):
        m = MinHash(num_perm=32, seed=3, hashfunc=lambda x: x, scheme="affine32")
        if values:
            m.update_batch(values)
        assert np.array_equal(row, m.hashvalues.astype(np.uint32))


@pytest.mark.parametrize("num_perm", [2, 16, 64, 128, 1024])
@pytest.mark.parametrize("seed", [0, 1, 7, 12345, 2**32 - 1])
def test_permutations_are_datasketchs(num_perm: int, seed: int) -> None:
    # drawn without importing datasketch (and scipy with it): they must stay datasketch's own
    a, b = affine32_permutations(num_perm, seed)
    da, db = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == da.dtype == np.uint32 and np.array_equal(a, da) and np.array_equal(b, db)


def test_lean_minhash_goes_into_datasketch_lsh() -> None:
    from datasketch import MinHashLSH

    signer = Signer(num_perm=64, seed=1)
    a = fold32(shingle_set("one two three four five six seven eight nine ten", 3))
    sig = signer.sign([a, a])
    lsh = MinHashLSH(threshold=0.5, num_perm=64)
    lsh.insert("a", signer.lean(sig[0]))
    assert lsh.query(signer.lean(sig[1])) == ["a"]


def test_estimate_tracks_exact_jaccard() -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**32, 2000, dtype=np.uint32)
    other = np.concatenate([base[:1500], rng.integers(0, 2**32, 500, dtype=np.uint32)])
    exact = len(np.intersect1d(base, other)) / len(np.union1d(base, other))
    signer = Signer(num_perm=256, seed=5)
    sig = signer.sign([base, other])
    assert abs(Signer.estimate(sig[0], sig[1]) - exact) < 0.08


def test_shingles_depend_on_word_order_and_handle_short_texts() -> None:
    h = word_hashes(words("alpha beta gamma"))
    assert len(shingle_hashes(h, 5)) == 1  # shorter than n: one shingle of all words
    assert len(shingle_hashes(h[:0], 5)) == 0
    ab = shingle_hashes(word_hashes(["a", "b"]), 2)
    ba = shingle_hashes(word_hashes(["b", "a"]), 2)
    assert ab[0] != ba[0]


@given(st.text(alphabet=st.sampled_from(list("aZ09_ -'`\"\n\t\r.,;\x19\x0b\x7f")) | st.characters(codec="ascii"), max_size=150))
def test_fast_ascii_words_equal_the_regex_words(text: str) -> None:
    from overlap.text.normalize import normalize_text
    from overlap.text.shingle import line_words

    assert line_words(text) == [words(normalize_text(line)) for line in text.split("\n")]


@given(st.text(max_size=80))
def test_line_words_equal_the_regex_words_for_any_text(text: str) -> None:
    from overlap.text.normalize import normalize_text
    from overlap.text.shingle import line_words

    assert line_words(text) == [words(normalize_text(line)) for line in text.split("\n")]


@given(st.text(max_size=120) | st.text(alphabet=st.characters(codec="ascii"), max_size=120))
def test_text_words_equal_the_words_of_the_normalised_text(text: str) -> None:
    from overlap.text.normalize import normalize_text
    from overlap.text.shingle import text_words

    assert text_words(text) == words(normalize_text(text))


_VOCAB = ["the", "bank", "said", "rates", "rose", "Öl", "préz", "中", "国", "x1", "2025", "wire", "a", "of"]
_TEXTS = st.lists(st.lists(st.sampled_from(_VOCAB), max_size=45).map(" ".join), min_size=1, max_size=9)


def _datasketch_update(text: str, num_perm: int, seed: int, n: int) -> np.ndarray:
    """The plain way: a datasketch ``MinHash`` fed each shingle of the text with ``update()``, one at a time."""
    from overlap.text.shingle import text_words

    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=int, scheme="affine32")
    for value in fold32(shingle_hashes(word_hashes(text_words(text)), n)).tolist():
        m.update(value)
    return m.hashvalues.astype(np.uint32)


@given(_TEXTS, st.sampled_from([1, 3, 5]), st.sampled_from([(16, 1), (128, 1), (64, 42)]))
@settings(max_examples=80, deadline=None)
def test_the_scan_and_the_filter_sign_texts_as_datasketchs_update_does(texts: list[str], n: int, perm: tuple[int, int]) -> None:
    # The scan (shingle_and_sign over a batch) and the filter (Preparer over a batch) sign through
    # the one batch path (shingle_runs, distinct_sorted, Signer); every row must be bit-identical
    # to datasketch's MinHash.update per shingle, or the index manifest and the LSH lie.
    from overlap.index.prepare import Preparer
    from overlap.index.settings import IndexSettings
    from overlap.model import Document
    from overlap.params import Params
    from overlap.pipeline.near_duplicates import Words, shingle_and_sign
    from overlap.text.boilerplate import BoilerplateSet
    from overlap.text.shingle import text_words

    num_perm, seed = perm
    params = Params().with_(shingle={"size": n}, minhash={"num_perm": max(num_perm, 16), "seed": seed})
    signer = Signer(num_perm, seed)
    expected = [_datasketch_update(t, num_perm, seed, n) for t in texts]
    batch = [Words(i, None, word_hashes(text_words(t)), np.empty((0, 4), np.int32), np.empty(0, np.uint64), [])
             for i, t in enumerate(texts)]
    (shingled, rows), _ = shingle_and_sign(batch, BoilerplateSet(frozenset(), ()), params, signer)
    for text, got, want, item in zip(texts, rows, expected, shingled):
        assert np.array_equal(got, want), text
        assert np.array_equal(item.shingles, np.unique(shingle_hashes(word_hashes(text_words(text)), n)))
    prepared = Preparer(IndexSettings(num_perm=num_perm, seed=seed, shingle_size=n)).prepare(
        [Document(str(i), t) for i, t in enumerate(texts)])
    for p, want in zip(prepared, expected):
        assert np.array_equal(p.signature, want)


@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=30), max_size=12), st.integers(1, 8))
@settings(max_examples=150, deadline=None)
def test_batch_shingles_equal_each_documents_own(batch: list[list[int]], n: int) -> None:
    from overlap.text.shingle import shingle_runs, shingle_sets

    arrays = [np.array(b, dtype=np.uint64) for b in batch]
    for got, tokens in zip(shingle_runs(arrays, n), arrays):
        assert np.array_equal(got, shingle_hashes(tokens, n))
    for got, tokens in zip(shingle_sets(arrays, n), arrays):
        assert np.array_equal(got, np.unique(shingle_hashes(tokens, n))) and got.dtype == np.uint64


@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=40), min_size=1, max_size=10), st.integers(1, 300))
@settings(max_examples=60, deadline=None)
def test_64_bit_sets_sign_as_their_fold(sets: list[list[int]], chunk: int) -> None:
    signer = Signer(num_perm=32, seed=9)
    wide = [np.array(s, dtype=np.uint64) for s in sets]
    assert np.array_equal(signer.sign(wide, chunk=chunk), signer.sign([fold32(w) for w in wide], chunk=chunk))
    mixed = [w if k % 2 else fold32(w) for k, w in enumerate(wide)]
    assert np.array_equal(signer.sign(mixed, chunk=chunk), signer.sign([fold32(w) for w in wide], chunk=chunk))


@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=20), max_size=8))
def test_a_set_given_with_repeats_in_any_order_signs_as_its_distinct_values(sets) -> None:
    """The claims tier signs each statement's content words as they stand, repeats and all
    (:func:`overlap.claims.candidates.content_candidates`): a signature is a minimum, so that is the set's."""
    signer = Signer(128, 1)
    given_ = [np.array(s, dtype=np.uint64) for s in sets]
    distinct = [np.unique(a) for a in given_]
    assert np.array_equal(signer.sign(given_), signer.sign(distinct))
