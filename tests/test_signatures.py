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
