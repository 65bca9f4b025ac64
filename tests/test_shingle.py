"""Words in every script: the one definition in overlap.text.shingle."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.text.charclasses import MARKS_ASTRAL, MARKS_BMP, UNSPACED_BMP
from overlap.text.normalize import normalize, normalize_text
from overlap.text.shingle import UNSPACED, WORD, iter_words, line_words, text_words, words

_MARK = re.compile(f"[{MARKS_BMP}{MARKS_ASTRAL}]")  # the variation selectors 17-256 too (a "0" with one stays one word)
_UNSPACED_LETTER = re.compile(f"[{UNSPACED_BMP}]")

# Letters, marks and punctuation of the scripts the tables are about, mixed with Latin and spaces.
_SCRIPTS = st.sampled_from(
    list("中国经济增长了东京の価格はエネルギーー々ภาษาไทยเศรษฐกิจ່ກາງ") + ["اعلی\u0670", "ا\u0653ج", "ہے", "۔", "नमस्ते"]
    + list("ÀéЖж abc 123,.!?。、，「」\n\u0301\u0670\u0653\u0e31\u0e48")
)
_SCRIPT_TEXT = st.lists(_SCRIPTS, max_size=40).map("".join)


def test_mark_table_covers_every_combining_mark_python_knows() -> None:
    missing = [
        f"U+{c:04X}" for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M") and not _MARK.match(chr(c))
    ]
    assert missing == []


def test_unspaced_table_holds_letters_only() -> None:
    # newer Unicode than this Python's may be unassigned (Cn) here; never punctuation or digits
    wrong = [
        f"U+{c:04X}"
        for c in range(0x10000)
        if _UNSPACED_LETTER.match(chr(c)) and unicodedata.category(chr(c))[0] not in "LC"
    ]
    assert wrong == []
    assert all(_UNSPACED_LETTER.match(chr(c)) for c in range(0x4E00, 0xA000))  # every CJK unified ideograph


def test_unspaced_scripts_are_cut_per_letter() -> None:
    assert text_words("国务院表示，经济增长稳定。") == list("国务院表示经济增长稳定")
    assert text_words("東京のエネルギー価格") == list("東京のエネルギー価格")  # the prolonged sound mark too
    # Thai: a letter with its vowel and tone marks is one word (before: cut at every mark)
    assert text_words("ประเทศไทย") == ["ป", "ร", "ะ", "เ", "ท", "ศ", "ไ", "ท", "ย"]
    assert text_words("ที่") == ["ที่"]


def test_combining_marks_stay_in_their_word() -> None:
    # Urdu superscript alef (U+0670) and maddah above (U+0653) used to cut words in two
    assert text_words("اعلی\u0670 حکام ا\u0653ج") == ["اعلی\u0670", "حکام", "ا\u0653ج"]
    assert text_words("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]  # Devanagari vowel signs and virama
    assert text_words("cafe\u0301 ok") == ["cafe\u0301", "ok"]


_NO_SPECIAL = st.text(max_size=150).map(normalize_text).filter(lambda t: not _MARK.search(t) and not UNSPACED.search(t))


@given(_NO_SPECIAL | st.text(alphabet=st.characters(codec="ascii"), max_size=150))
@settings(max_examples=300)
def test_text_without_marks_or_unspaced_letters_is_cut_as_before(text: str) -> None:
    # Latin, Cyrillic, Greek, ...: exactly the words of \w+ (the scheme persisted indexes were built with)
    norm = normalize_text(text)  # idempotent: the strategy's texts are normalised already
    assert words(norm) == re.findall(r"\w+", norm)
    assert WORD.findall(norm) == re.findall(r"\w+", norm)


@given(_SCRIPT_TEXT)
@settings(max_examples=300)
def test_word_spans_in_the_original_give_the_words_of_the_normalised_text(text: str) -> None:
    spans = [m.span() for m in iter_words(text)]
    last = 0
    for start, end in spans:
        assert last <= start < end <= len(text)
        last = end
    from_original = [w for s, e in spans for w in words(normalize_text(text[s:e]))]
    assert from_original == text_words(text) == words(normalize(text).text)


@given(_SCRIPT_TEXT)
@settings(max_examples=200)
def test_line_words_agree_with_text_words_in_every_script(text: str) -> None:
    assert line_words(text) == [words(normalize_text(line)) for line in text.split("\n")]
    assert [w for line in line_words(text) for w in line] == text_words(text)


@given(_SCRIPT_TEXT)
@settings(max_examples=200)
def test_every_normalised_word_maps_back_to_its_original_characters(text: str) -> None:
    n = normalize(text)
    for m in iter_words(n.text):
        start, end = n.to_original(*m.span())
        assert 0 <= start < end <= len(text)
        assert m.group() in words(normalize_text(text[start:end]))
