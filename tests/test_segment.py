"""Sentences and lines come back as spans of the original text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from overlap.text.segment import lines, paragraphs, sentences, wire_paragraphs


def _texts(text: str, spans) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Peskov met U.S. envoys on Jan. 16. They talked.\nH. J. I. / AA"
    assert _texts(text, sentences(text)) == [
        "Mr. Peskov met U.S. envoys on Jan. 16.",
        "They talked.",
        "H. J. I. / AA",
    ]


def test_quotes_stay_with_their_sentence() -> None:
    text = "He said: \u201cWe are ready.\u201d Then he left. \u201cNo,\u201d she said."
    assert _texts(text, sentences(text)) == [
        "He said: \u201cWe are ready.\u201d",
        "Then he left.",
        "\u201cNo,\u201d she said.",
    ]


def test_wrapped_lines_do_not_split_a_sentence() -> None:
    text = "The company said it expects\nprofits to rise in 1987.\nShares fell."
    assert _texts(text, sentences(text)) == [
        "The company said it expects\nprofits to rise in 1987.",
        "Shares fell.",
    ]


def test_lines_and_paragraphs() -> None:
    text = "  Title \n\nFirst para\nstill first.\n\n\nSecond.  "
    assert _texts(text, lines(text)) == ["Title", "First para", "still first.", "Second."]
    assert _texts(text, paragraphs(text)) == ["Title", "First para\nstill first.", "Second."]


@given(st.text(alphabet=st.sampled_from(list("ab .?!\n\"'\u201cAZ1")), max_size=120))
def test_sentence_spans_are_ordered_trimmed_and_cover_all_words(text: str) -> None:
    _assert_ordered_trimmed_lossless(text)


def _assert_ordered_trimmed_lossless(text: str) -> None:
    spans = list(sentences(text))
    last = 0
    for s in spans:
        assert last <= s.start < s.end <= len(text)
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        last = s.end
    covered = "".join(text[s.start : s.end] for s in spans)
    assert "".join(covered.split()) == "".join(text.split())  # no character lost


def test_wrapped_newswire_lines_are_not_headings() -> None:
    # Reuters-style hard wrap: a line that ends where the wrap fell ("in the Black") and a next line
    # starting with a capital ("Sea") is one sentence, not a heading and a new sentence
    text = ("Blizzard conditions halted shipping\nthrough the Bosphorus waterway and piled snow up to 70 cms deep\n"
            "in central Istanbul, paralysing the city for the second day\nrunning.\n"
            "    Snow whipped by 48 kph winds continued to fall on Istanbul\nand northwest Anatolia after 36 hours "
            "and weather reports\npredicted no relief for another two days.\n"
            "    Port officials said at least six large vessels in the Black\nSea and 13 in the Sea of Marmara "
            "were waiting for conditions to\nimprove.\n Reuter\n")
    got = [text[s.start : s.end] for s in sentences(text)]
    assert got[2] == ("Port officials said at least six large vessels in the Black\nSea and 13 in the Sea of Marmara "
                      "were waiting for conditions to\nimprove.")
    assert got[-1] == "Reuter"
    # in text with one paragraph per line, a short line without a stop is still a heading
    t2 = "We Need Friends\nThe president spoke for an hour to officials and lawmakers in the Kremlin."
    assert [t2[s.start : s.end] for s in sentences(t2)][0] == "We Need Friends"


def test_urdu_full_stop_and_arabic_question_mark_end_sentences() -> None:
    text = "وزیر اعظم نے کہا کہ معیشت بہتر ہے۔ کیا قیمتیں کم ہوں گی؟ عدالت نے فیصلہ دیا۔"
    assert _texts(text, sentences(text)) == ["وزیر اعظم نے کہا کہ معیشت بہتر ہے۔", "کیا قیمتیں کم ہوں گی؟", "عدالت نے فیصلہ دیا۔"]


def test_chinese_and_japanese_stops_end_sentences_without_a_space() -> None:
    text = "国务院表示，经济增长稳定。出口数据好于预期！价格会上涨吗？「我们准备好了。」首相は会見で述べた。"
    assert _texts(text, sentences(text)) == [
        "国务院表示，经济增长稳定。", "出口数据好于预期！", "价格会上涨吗？", "「我们准备好了。」", "首相は会見で述べた。",
    ]


def test_a_space_between_thai_letters_ends_a_sentence() -> None:
    text = "รัฐบาลประกาศนโยบายใหม่ ราคาข้าวเพิ่มขึ้นร้อยละห้า GDP 3.2 %"
    assert _texts(text, sentences(text)) == ["รัฐบาลประกาศนโยบายใหม่", "ราคาข้าวเพิ่มขึ้นร้อยละห้า GDP 3.2 %"]


@given(st.text(alphabet=st.sampled_from(list("ab 中国ไทย่ .?!。！」「۔؟\n\"'AZ1")), max_size=120))
def test_sentence_spans_in_every_script_are_ordered_trimmed_and_lose_nothing(text: str) -> None:
    _assert_ordered_trimmed_lossless(text)


def test_a_byline_run_into_the_first_sentence_is_a_span_of_its_own() -> None:
    """Scraped pages run the byline into the lede with no-break spaces; the byline then opened the first
    statement, which the claims report quoted ("By ALIX CULBERTSON  RUSSIA is ready ..."). (Regression:
    seeds/000, 2026-12-04.)"""
    text = ("By ALIX CULBERTSON\xa0\xa0RUSSIA is ready to cooperate with the United States, he said.\n\n"
            "By JOHN SMITH and JANE DOE, Reuters  \u201cWe are ready,\u201d Peskov said.\n\n"
            "By Tuesday, Kyiv had retaken the town. By  Then.\n\n"
            "By April 15, 27.8 pct of the area had been sown.\n\n"
            "Officials said so. By ANNA LEE  It was late.")
    assert _texts(text, sentences(text)) == [
        "By ALIX CULBERTSON",
        "RUSSIA is ready to cooperate with the United States, he said.",
        "By JOHN SMITH and JANE DOE, Reuters",
        "\u201cWe are ready,\u201d Peskov said.",
        "By Tuesday, Kyiv had retaken the town.",
        "By  Then.",
        "By April 15, 27.8 pct of the area had been sown.",
        "Officials said so.",
        "By ANNA LEE  It was late.",  # not at the start of its block: a sentence's words, left alone
    ]


@given(st.lists(st.sampled_from(["word", "Two words.", "\n", "\n\n", "\n    ", "  ", "\t", '"', "x\n  y"]), max_size=40).map("".join))
def test_wire_paragraphs_are_ordered_trimmed_spans_in_their_blocks_that_keep_every_character_not_space(text: str) -> None:
    """Blank lines start blocks, and in text mostly flush left indented lines start paragraphs; nothing is lost."""
    found = list(wire_paragraphs(text))
    assert [block for block, _ in found] == list(paragraphs(text))
    spans = [p for _, paras in found for p in paras]
    assert all(block.start <= p.start < p.end <= block.end for block, paras in found for p in paras)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    assert all(not text[s.start].isspace() and not text[s.end - 1].isspace() for s in spans)
    assert "".join(c for s in spans for c in text[s.start : s.end] if not c.isspace()) == "".join(text.split())
