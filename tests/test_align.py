"""Shared passages come back once, at the copied text, in original offsets."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from _textgen import edit, sentences
from overlap.passages.align import align, compare_texts, prepare
from overlap.params import PassageParams


def _doc_with_copy(rng: random.Random, copied: list[str], before: int, after: int, sep: str = " ") -> tuple[str, int, int]:
    """A text of unrelated sentences with ``copied`` inserted; returns text and the copy's span."""
    head = sep.join(sentences(rng, before))
    tail = sep.join(sentences(rng, after))
    start = len(head) + (len(sep) if head else 0)
    body = sep.join(copied)
    text = (head + sep if head else "") + body + (sep + tail if tail else "")
    return text, start, start + len(body)


def _overlap(s: int, e: int, s2: int, e2: int) -> int:
    return max(0, min(e, e2) - max(s, s2))


def test_verbatim_copy_found_once_at_exact_offsets() -> None:
    rng = random.Random(1)
    src_sents = sentences(rng, 30)
    src = " ".join(src_sents)
    copied = src_sents[10:16]
    c_start = len(" ".join(src_sents[:10])) + 1
    c_end = c_start + len(" ".join(copied))
    dst, d_start, d_end = _doc_with_copy(rng, copied, 12, 9)
    matches = compare_texts(dst, src, a_id="dst", b_id="src")
    assert len(matches) == 1
    m = matches[0]
    assert (m.a.doc, m.b.doc, m.kind) == ("dst", "src", "reuse")
    assert (m.a.span.start, m.a.span.end) == (d_start, d_end)
    assert (m.b.span.start, m.b.span.end) == (c_start, c_end)
    assert dst[m.a.span.start : m.a.span.end] == src[m.b.span.start : m.b.span.end]
    assert m.score == pytest.approx(1.0)
    assert m.a_in_b == pytest.approx((d_end - d_start) / len(dst), abs=1e-4)
    assert m.b_in_a == pytest.approx((c_end - c_start) / len(src), abs=1e-4)


def test_unrelated_texts_share_nothing() -> None:
    rng = random.Random(2)
    a = " ".join(sentences(rng, 40))
    b = " ".join(sentences(rng, 40))
    assert compare_texts(a, b) == []


def test_empty_and_tiny_texts() -> None:
    assert compare_texts("", "") == []
    assert compare_texts("Hello.", "Hello.") == []  # below min_chars
    assert compare_texts("\x00\x19 \n", "text") == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    start=st.integers(0, 20),
    length=st.integers(3, 10),
    before=st.integers(0, 15),
    after=st.integers(0, 15),
    rate=st.sampled_from([0.0, 0.03, 0.08]),
    sep=st.sampled_from([" ", "\n", "\n\n", " \x19 "]),
)
# found by hypothesis: a copy of three sentences whose last one ends "... zhbgzo by and ejmbcs is hcplqxp for
# ZBTNNDPRL's ozgpepfgk" (four edits in its last nine words): the passage ends before that stretch on both
# sides, 0.835 of the source's copy. Bridging such stretches (shared stopwords "by and" between the shared
# content words) was measured on 2026-12-04: PAN13 train unchanged, but 8 new Reuters-21578 passages of
# templates with other facts ("declared a two-for-one stock split" / "a one-for-10 reverse stock split"), so
# the edge stays where it is and this example is the bound below: one edge sentence may be partly lost.
@example(seed=463, start=3, length=3, before=0, after=0, rate=0.08, sep=" ")
# found by hypothesis: the sentence before the copy shares "at qrkw was" (a rare generated word between
# two stop words) with the source's sentence before it, and the passage reached back over both to it
# (test below)
@example(seed=67, start=13, length=3, before=14, after=0, rate=0.08, sep=" ")
def test_lightly_edited_copy_is_one_passage_pointing_at_the_copy(seed, start, length, before, after, rate, sep) -> None:
    rng = random.Random(seed)
    src_sents = sentences(rng, 30)
    src = " ".join(src_sents)
    copied = src_sents[start : start + length]
    c_start = len(" ".join(src_sents[:start])) + (1 if start else 0)
    c_end = c_start + len(" ".join(copied))
    edited = [edit(rng, s, rate) for s in copied]
    dst, d_start, d_end = _doc_with_copy(rng, edited, before, after, sep)
    matches = compare_texts(dst, src)
    assert len(matches) == 1, matches  # granularity 1, no false passages
    m = matches[0]
    assert 0 <= m.a.span.start < m.a.span.end <= len(dst)
    assert 0 <= m.b.span.start < m.b.span.end <= len(src)
    # the passage is the copy: most of it covered, little around it (an 8%-edited last sentence
    # can fall under the seed thresholds and be left out on either side: seen 0.888 of 8 sentences,
    # and 0.835 of 3); at most 15% of the copy or part of one edge sentence is lost
    d_len, c_len = d_end - d_start, c_end - c_start
    d_edge, c_edge = max(len(edited[0]), len(edited[-1])), max(len(copied[0]), len(copied[-1]))
    assert _overlap(m.a.span.start, m.a.span.end, d_start, d_end) >= min(0.85 * d_len, d_len - d_edge)
    assert len(m.a.span) <= d_len * 1.05 + 2
    assert _overlap(m.b.span.start, m.b.span.end, c_start, c_end) >= min(0.85 * c_len, c_len - c_edge)
    assert len(m.b.span) <= c_len * 1.05 + 2
    assert 0.0 <= m.score <= 1.0 and 0.0 <= m.details["ratio"] <= 1.0


def test_a_run_recurring_in_the_sentence_before_a_copy_is_not_part_of_it() -> None:
    """The sentences before the copy share "at qrkw was" and a closing "is." and nothing else: the
    passage is the copy exactly, on both sides (it once took in "at qrkw was ... is." in one text and
    the whole sentence in the other)."""
    rng = random.Random(67)
    src_sents = sentences(rng, 30)
    src = " ".join(src_sents)
    copied = src_sents[13:16]
    c_start = len(" ".join(src_sents[:13])) + 1
    dst, d_start, d_end = _doc_with_copy(rng, [edit(rng, s, 0.08) for s in copied], 14, 0)
    assert "at qrkw was" in dst[:d_start] and "At qrkw was" in src[:c_start]
    (m,) = compare_texts(dst, src)
    assert (m.a.span.start, m.a.span.end) == (d_start, d_end)
    assert (m.b.span.start, m.b.span.end) == (c_start, c_start + len(" ".join(copied)))


def test_control_characters_do_not_shift_offsets() -> None:
    rng = random.Random(3)
    src_sents = sentences(rng, 20)
    copied = src_sents[5:10]
    noisy = [s.replace(" ", " \x19\u200b", 3) for s in copied]
    src = "\x00" + " ".join(src_sents)
    dst, d_start, d_end = _doc_with_copy(rng, noisy, 6, 6, "\r\n")
    (m,) = compare_texts(dst, src)
    assert (m.a.span.start, m.a.span.end) == (d_start, d_end)
    c_start = src.index(copied[0])
    assert (m.b.span.start, m.b.span.end) == (c_start, c_start + len(" ".join(copied)))


def test_reordered_and_recased_sentences_still_match() -> None:
    rng = random.Random(4)
    src_sents = sentences(rng, 20)
    copied = src_sents[4:10]
    shuffled = copied[1:] + copied[:1]
    recased = [s.upper() if k % 2 else s.replace(",", "") for k, s in enumerate(shuffled)]
    dst, d_start, d_end = _doc_with_copy(rng, recased, 8, 8)
    (m,) = compare_texts(dst, " ".join(src_sents))
    assert _overlap(m.a.span.start, m.a.span.end, d_start, d_end) >= 0.9 * (d_end - d_start)


def test_two_copies_are_two_passages() -> None:
    rng = random.Random(5)
    src_sents = sentences(rng, 40)
    src = " ".join(src_sents)
    first, second = src_sents[2:7], src_sents[25:30]
    dst = " ".join(sentences(rng, 5) + first + sentences(rng, 12) + second + sentences(rng, 5))
    matches = compare_texts(dst, src)
    assert len(matches) == 2
    assert [dst[m.a.span.start : m.a.span.end] for m in matches] == [" ".join(first), " ".join(second)]


def test_summary_of_a_longer_passage() -> None:
    rng = random.Random(6)
    src_sents = sentences(rng, 40)
    src = " ".join(src_sents)
    # every fourth sentence of a long stretch, shortened: a condensed rendering
    summary = [" ".join(s.split()[:12]) + "." for s in src_sents[8:32:4]]
    dst, d_start, d_end = _doc_with_copy(rng, summary, 10, 10)
    matches = compare_texts(dst, src)
    assert len(matches) == 1
    m = matches[0]
    assert _overlap(m.a.span.start, m.a.span.end, d_start, d_end) >= 0.8 * (d_end - d_start)
    assert m.details["mode"] == "summary"


def test_repeats_inside_one_text() -> None:
    rng = random.Random(7)
    block = sentences(rng, 4)
    text = " ".join(sentences(rng, 6) + block + sentences(rng, 10) + block + sentences(rng, 3))
    p = prepare(text)
    found = align(p, p)
    assert len(found) == 1
    sa, sb, _, _ = found[0]
    assert sa.end <= sb.start
    assert text[sa.start : sa.end] == text[sb.start : sb.end] == " ".join(block)


def test_min_chars_filters_short_passages() -> None:
    rng = random.Random(8)
    src_sents = sentences(rng, 20)
    one = src_sents[3]
    dst = " ".join(sentences(rng, 5) + [one] + sentences(rng, 5))
    src = " ".join(src_sents)
    assert len(compare_texts(dst, src, PassageParams(min_chars=20))) == 1
    assert compare_texts(dst, src, PassageParams(min_chars=len(one) + 1)) == []


def test_boilerplate_sentences_are_ignored() -> None:
    rng = random.Random(9)
    shared = sentences(rng, 4)
    a = " ".join(sentences(rng, 5) + shared)
    b = " ".join(shared + sentences(rng, 5))
    from overlap.model import Span

    start = a.index(shared[0])
    pa = prepare(a, ignore=[Span(start, len(a))])
    assert align(pa, prepare(b)) == []
    assert len(align(prepare(a), prepare(b))) == 1


def test_seed_memory_grows_with_shared_sentence_pairs_not_with_the_product_of_lengths() -> None:
    # dense units x shared-terms matrices took 3.5 GB and 130 s for one pair of million-character
    # texts; the seeds of 1,500 sentences against an edited copy must fit in a few MiB
    import tracemalloc

    from overlap.passages.align import _pair, _seeds

    rng = random.Random(1)
    src = sentences(rng, 1500)
    a = " ".join(src)
    b = " ".join(s if rng.random() > 0.3 else edit(rng, s, 0.3) for s in src)
    pair = _pair(prepare(a), prepare(b))
    tracemalloc.start()
    try:
        seeds = _seeds(pair, PassageParams())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(seeds) >= 1000 and all(j >= 0 for _, j, _ in seeds)
    assert peak < 40 * 2**20, f"seeds of 1,500 x 1,500 sentences peaked at {peak / 2**20:.0f} MiB"


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_shared_term_products_equal_the_sparse_matrix_products(seed: int, block: int) -> None:
    """The alignment's seeds come from a join on shared terms; it must give what the sparse products
    (units x terms, weights and ones) give, however the join is cut into blocks."""
    from unittest import mock

    import numpy as np
    from scipy import sparse

    from overlap.passages import align as A

    rng = np.random.default_rng(seed)

    def entries(units: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cells = {(int(u), int(t)) for u, t in zip(rng.integers(0, units, 30), rng.integers(0, 12, 30))}
        unit, term = (np.array(x, dtype=np.int64) for x in zip(*sorted(cells))) if cells else (np.empty(0, np.int64),) * 2
        return unit, term, rng.random(len(unit)) + 0.1

    na, nb = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    a, b = entries(na), entries(nb)
    with mock.patch.object(A, "_JOIN_BLOCK", block):
        ii, jj, dot, share = A._shared_products(a, b, nb)
    ma = sparse.csr_matrix((a[2], (a[0], a[1])), shape=(na, 12))
    mb = sparse.csr_matrix((b[2], (b[0], b[1])), shape=(nb, 12))
    ones = lambda m: (m > 0).astype(np.float64)  # noqa: E731
    want_dot, want_share = (ma @ mb.T).toarray(), (ones(ma) @ ones(mb).T).toarray()
    assert [(int(i), int(j)) for i, j in zip(ii, jj)] == sorted(zip(*np.nonzero(want_share)))
    assert np.allclose(dot, want_dot[ii, jj]) and np.array_equal(share, want_share[ii, jj])
