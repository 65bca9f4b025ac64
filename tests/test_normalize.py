"""Normalisation folds text but every character still points at the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.text.normalize import normalize, normalize_text

# Text like news in many scripts, with the troublemakers mixed in.
_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(list("  \n\t\r\x19\u200b\u00ad\ufeff\u2019\u201c\u201d\u2014\u2013-'\"ﬁİßÉé\u0301")),
)
texts = st.text(alphabet=_ALPHABET, max_size=200)


@given(texts)
@settings(max_examples=400)
def test_fast_and_mapped_normalisation_agree(text: str) -> None:
    assert normalize(text).text == normalize_text(text)


@given(texts)
@settings(max_examples=400)
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(texts)
@settings(max_examples=400)
def test_offset_map_round_trips(text: str) -> None:
    n = normalize(text)
    assert len(n.starts) == len(n.ends) == len(n.text)
    previous_end = 0
    for i, ch in enumerate(n.text):
        start, end = n.starts[i], n.ends[i]
        assert 0 <= start < end <= len(text)
        assert start >= previous_end - 1  # monotone: at most shares the source character
        previous_end = end
        # the original characters fold to a text that contains this character
        assert ch in normalize_text(text[start:end]) or ch == " "


@given(texts, st.data())
@settings(max_examples=200)
def test_any_normalised_range_maps_inside_the_original(text: str, data: st.DataObject) -> None:
    n = normalize(text)
    i = data.draw(st.integers(0, len(n.text)))
    j = data.draw(st.integers(i, len(n.text)))
    start, end = n.to_original(i, j)
    assert 0 <= start <= end <= len(text)
    if i < j:
        # what the range shows, normalised again, contains the normalised range (modulo edge spaces)
        assert n.text[i:j].strip() in normalize_text(text[start:end])


@pytest.mark.parametrize(
    "original, expected",
    [
        ("Russia\u2019s \u201cbiggest\u201d threat", 'russias "biggest" threat'),
        ("A\u2014B \u2013 C", "a-b - c"),
        ("don\x19t  stop\n\n\tnow", "dont stop now"),
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("\ufb01ne", "fine"),
    ],
)
def test_folding_examples(original: str, expected: str) -> None:
    assert normalize_text(original) == expected


def test_offsets_point_into_the_original() -> None:
    text = "By  ALIX\u2019S  \u201cQUOTE\u201d"
    n = normalize(text)
    i = n.text.index("quote")
    start, end = n.to_original(i, i + len("quote"))
    assert text[start:end] == "QUOTE"


def test_out_of_range_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        normalize("abc").to_original(2, 5)


def test_arabic_tatweel_and_optional_vowel_marks_are_dropped() -> None:
    assert normalize_text("كَتَبَ الوزيرُ") == normalize_text("كـتـب الوزير") == "كتب الوزير"
    n = normalize("كَتَبَ")
    assert n.text == "كتب" and n.to_original(0, 3) == (0, 5)  # the marks stay inside the original span
    assert normalize_text("اعلیٰ") == "اعلیٰ"  # the Urdu superscript alef is a letter there, kept
