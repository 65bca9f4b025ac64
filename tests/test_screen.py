"""screen(): what is not prose is set aside, and news text in any script never is."""

from __future__ import annotations

import base64
import os
import random
import sys
from pathlib import Path

import pytest

from overlap.params import DuplicateParams
from overlap.text.screen import screen

MAX = DuplicateParams.max_chars

# One news paragraph per script: most have no ASCII letter at all, and Chinese,
# Japanese and Thai no space between words.
NEWS = {
    "english": "The central bank raised its main interest rate by a quarter point on Tuesday, "
               "saying inflation had stayed above its target for a third month.",
    "chinese": "中国人民银行周二宣布将主要利率上调二十五个基点，称通货膨胀已连续三个月高于目标。"
               "分析人士表示，此举在市场预料之中。",
    "japanese": "日本銀行は火曜日、主要政策金利を〇・二五％引き上げると発表した。"
                "物価上昇率が三か月連続で目標を上回ったためだという。",
    "thai": "ธนาคารกลางประกาศขึ้นอัตราดอกเบี้ยนโยบายร้อยละศูนย์จุดสองห้าเมื่อวันอังคาร "
            "โดยระบุว่าอัตราเงินเฟ้อสูงกว่าเป้าหมายติดต่อกันเป็นเดือนที่สาม",
    "arabic": "رفع البنك المركزي سعر الفائدة الرئيسي بمقدار ربع نقطة يوم الثلاثاء، "
              "قائلا إن التضخم ظل فوق المستوى المستهدف للشهر الثالث على التوالي.",
    "russian": "Центральный банк во вторник повысил ключевую ставку на четверть процентного пункта, "
                "сообщив, что инфляция третий месяц подряд остается выше целевого уровня.",
    "urdu": "مرکزی بینک نے منگل کو شرح سود میں ایک چوتھائی پوائنٹ کا اضافہ کیا۔ "
            "بینک کے مطابق مہنگائی مسلسل تیسرے مہینے ہدف سے زیادہ رہی۔",
    "hindi": "केंद्रीय बैंक ने मंगलवार को मुख्य ब्याज दर में चौथाई अंक की बढ़ोतरी की और कहा "
             "कि महंगाई लगातार तीसरे महीने लक्ष्य से ऊपर रही।",
}


@pytest.mark.parametrize("script", sorted(NEWS))
def test_news_text_in_every_script_is_kept(script: str) -> None:
    text = NEWS[script]
    assert screen(text, MAX) is None
    assert screen("\n\n".join([text] * 200), MAX) is None  # a long article too


def test_reuters_price_tables_and_pan_apostrophes_are_kept() -> None:
    # Reuters-21578 carries futures price tables (17% of their tokens have letters) ...
    table = ("Apr    148.00 148.00 148.25 148.50 147.75    38\n May    146.75 146.75 147.00 147.00 146.25    29\n"
             " Jul       --- 145.50 147.00    ---    ---   ---\n TOTAL SALES     75\n")
    assert screen(table * 4, MAX) is None
    # ... and PAN 2013's texts write apostrophes as U+0019; cp1252 accents decode to U+FFFD
    assert screen(NEWS["english"].replace("e ", "e\x19s ") * 20, MAX) is None
    assert screen("Le ministre a d\ufffdclar\ufffd que les n\ufffdgociations reprendraient. " * 20, MAX) is None


def test_an_executable_is_binary() -> None:
    data = Path(os.path.realpath(sys.executable)).read_bytes()[:200_000]  # the python binary
    reason = screen(data.decode("utf-8", "replace"), MAX)
    assert reason is not None and reason.startswith("not text: binary (")


def test_random_bytes_and_utf16_are_binary() -> None:
    rnd = random.Random(3).randbytes(20_000).decode("utf-8", "replace")
    assert screen(rnd, MAX).startswith("not text: binary (")
    utf16 = NEWS["english"].encode("utf-16-le").decode("utf-8", "replace")
    assert screen(utf16, MAX).startswith("not text: binary (")


def test_a_base64_blob_is_encoded_data() -> None:
    blob = base64.encodebytes(random.Random(2).randbytes(30_000)).decode()
    assert screen(blob, MAX) == "not text: encoded data (100% of the characters in long base64/hex runs)"
    # an article quoting a long URL or a hash is still an article
    assert screen(NEWS["english"] + " https://example.com/" + "a1b2c3d4" * 8 + " " + NEWS["english"], MAX) is None


def test_a_table_of_numbers_is_set_aside_but_a_short_line_of_figures_is_not() -> None:
    rng = random.Random(4)
    table = "id\tprice\tvolume\n" + "\n".join(f"{i}\t{rng.uniform(0, 1e4):.2f}\t{rng.randint(0, 10**6)}"
                                             for i in range(2000))
    assert screen(table, MAX) == "not text: numbers (0% of 6,003 tokens have a letter)"
    assert screen("1010\n", MAX) is None  # Reuters 13364: too short, not a table


def test_length_is_bounded_and_the_bound_is_a_parameter() -> None:
    text = NEWS["english"] * 10
    assert screen(text, len(text)) is None
    assert screen(text, len(text) - 1) == f"too long ({len(text):,} characters > {len(text) - 1:,})"


def _screen_by_every_token(text: str, max_chars: int) -> str | None:
    """The obvious way (every token searched, every text scanned for runs): the oracle of the fast screen."""
    import re

    from overlap.text import screen as s

    if len(text) > max_chars:
        return f"too long ({len(text):,} characters > {max_chars:,})"
    if not text:
        return None
    unreadable = len(s._UNREADABLE.findall(text))
    if unreadable >= s.BINARY_SHARE * len(text):
        return f"not text: binary ({unreadable / len(text):.0%} control or undecodable characters)"
    tokens = re.findall(r"\S+", text)
    solid = sum(map(len, tokens))
    encoded = sum(len(m.group()) for m in s._ENCODED_RUN.finditer(text))
    if solid and encoded >= s.ENCODED_SHARE * solid:
        return f"not text: encoded data ({encoded / solid:.0%} of the characters in long base64/hex runs)"
    if len(tokens) >= s.NUMBERS_MIN_TOKENS:
        lettered = sum(1 for t in tokens if s._LETTER.search(t))
        if lettered < s.NUMBERS_LETTER_SHARE * len(tokens):
            return f"not text: numbers ({lettered / len(tokens):.0%} of {len(tokens):,} tokens have a letter)"
    return None


from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from(["12.5", "3", "a", "Apr", "x1", "\u00a0", " ", "\n", "\u2003", "\x00", "\ufffd", "Ж",
                           "A" * 20, "0f" * 12, "+/=", "-", "_", "ab9Z" * 7, "\t"])


# mostly figures, so the numbers rule is met or just missed (the early stop's edge)
_FIGURES = st.sampled_from(["12.5 ", "7 ", "a1 ", "b ", "\n"] + ["3 "] * 30)


@given(st.lists(_PIECES, max_size=400).map("".join) | st.lists(_FIGURES, min_size=90, max_size=300).map("".join),
       st.integers(50, 5000))
@settings(max_examples=150, deadline=None)
def test_screen_says_what_the_every_token_way_says(text: str, max_chars: int) -> None:
    # the fast screen stops counting lettered tokens early, splits with str.split and skips the
    # base64 search when no token is 40 characters long; none of that may change a verdict
    assert screen(text, max_chars) == _screen_by_every_token(text, max_chars)


def test_str_split_and_regex_agree_on_white_space() -> None:
    import re

    space = re.compile(r"\s")
    assert all(ch.isspace() == bool(space.match(ch)) for ch in map(chr, range(sys.maxunicode + 1)))


# ASCII text of every class the rules count (letters, digits, each kind of white space, controls, long
# base64 runs, punctuation): all of it takes the bytes-level ASCII path.
_ASCII_PIECES = st.sampled_from(["a", "Z", "7", "12.5", " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f",
                                 "\x00", "\x07", "\x7f", "+", "/", "=", "-", "_", ".", "QUJD" * 12, "x1"])


@given(st.lists(_ASCII_PIECES, max_size=400).map("".join) | st.lists(_FIGURES, min_size=90, max_size=300).map("".join)
       | st.text(alphabet=st.characters(codec="ascii")), st.integers(1, 5000))
@settings(max_examples=300, deadline=None)
def test_ascii_screen_says_what_the_every_token_way_says(text: str, max_chars: int) -> None:
    # ASCII text is screened on bytes (counts by translate and count, tokens only cut while the
    # numbers rule looks for letters); the verdict and its figures must not change
    assert text.isascii()
    assert screen(text, max_chars) == _screen_by_every_token(text, max_chars)
