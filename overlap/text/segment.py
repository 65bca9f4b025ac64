"""Documents cut into lines and sentences, with spans in the original text.

Segmentation works on the original text (not the normalised one) so that
every span can be shown to a person as is. It is deliberately rule-based:
news sentences end in ``.?!`` (optionally followed by closing quotes or
brackets) before white space and an upper-case letter, digit or opening
quote, except after common abbreviations and initials ("U.S.", "Jan.",
"H. J. I."). Paragraph breaks always end a sentence.

Other scripts end sentences with their own marks: the Urdu full stop ``۔``
and the Arabic question mark ``؟``, the Devanagari danda ``।``/``॥``, the
Myanmar ``။``, Khmer ``។`` and Ethiopic ``።`` (all before white space, like
the full stop); Chinese and Japanese ``。！？`` end a sentence wherever they
stand (no space follows them), closing brackets ``」』）`` included. Thai and
Lao have no sentence punctuation: a space between two of their letters ends
a sentence (words are not spaced there, sentences and clauses are).
"""

from __future__ import annotations

import re
from typing import Iterator

from ..model import Span

__all__ = ["lines", "paragraphs", "wire_paragraphs", "sentences", "trim"]

_LINE = re.compile(r"[^\r\n]+")
_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\s*(?:\r?\n\s*\r?\n|\Z))", re.S)
#: a line break before an indented line: where wire copy starts a paragraph (:func:`wire_paragraphs`)
_INDENT = re.compile(r"\r?\n[ \t]{2,}(?=\S)")

# Abbreviations after which a full stop does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st gen col lt sgt capt cmdr adm gov sen rep pres rev hon
    jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp bros dept est fig no nos vol vs etc al approx ca cf eg ie
    u.s u.k u.n e.u u.s.a a.m p.m
    """.split()
)

# Full stops of spaced scripts besides ``.?!``: Urdu full stop, Arabic question mark, Devanagari
# dandas, Myanmar, Khmer and Ethiopic full stops.
_STOPS = "\u06d4\u061f\u0964\u0965\u104b\u17d4\u1362"
# Chinese and Japanese full stops, exclamation and question marks (ideographic and full width).
_CJK_STOPS = "\u3002\uff01\uff1f\uff61"
_CJK_CLOSERS = "\u300d\u300f\uff09\u3011\u3015\u3009\u300b\u201d\u2019\"')\\]"
# Thai and Lao, where a space between letters ends a sentence.
_THAI_LAO = "\u0e01-\u0e5b\u0e81-\u0edf"
# Candidate sentence ends: terminal punctuation, optional closers, then white space; a CJK stop
# anywhere; or the point before a space between Thai or Lao letters.
_END = re.compile(
    rf"""[.?!{_STOPS}]+["'\u201d\u2019)\]]*(?=\s+|$)"""
    rf"|[{_CJK_STOPS}]+[{_CJK_CLOSERS}]*"
    rf"|(?<=[{_THAI_LAO}])(?=\s+[{_THAI_LAO}])"
)
_NEXT_START = re.compile(r"""[\s\x00-\x1f\x7f-\x9f]*(?:["'\u201c\u2018(\[\-\u2014\u2013]|\w)""")
# What may end the line before a single line break for that break to end a block.
_LINE_END = ".?!\"'\u201d\u2019:)" + _STOPS + _CJK_STOPS + "\u300d\u300f\uff09"


def lines(text: str) -> Iterator[Span]:
    """Spans of the non-empty lines, white space trimmed."""
    for m in _LINE.finditer(text):
        yield from _trimmed(text, *m.span())


def paragraphs(text: str) -> Iterator[Span]:
    """Spans of blocks separated by blank lines."""
    for m in _PARAGRAPH.finditer(text):
        yield Span(*m.span())


def wire_paragraphs(text: str) -> Iterator[tuple[Span, list[Span]]]:
    """Each block of :func:`paragraphs` with the paragraphs in it: in a text whose lines mostly start flush
    left, a line that starts indented begins one. Wire copy marks its paragraphs so (Reuters-21578's
    "\\n    ", 18,349 of its 19,043 articles), and leaves a quote that runs on to the next paragraph open
    there, so the quote finder must see where one ends. A text whose lines are mostly indented has one
    paragraph a block.

    >>> t = 'He said: "We will cut prices.\\n    "We have no choice," he added.\\nIt closed.'
    >>> [[t[p.start:p.end] for p in paras] for _block, paras in wire_paragraphs(t)]
    [['He said: "We will cut prices.', '"We have no choice," he added.\\nIt closed.']]
    """
    cut = _indented_paragraphs(text)
    for block in paragraphs(text):
        paras, start = [], block.start
        for brk in (_INDENT.finditer(text, block.start, block.end) if cut else ()):
            end = brk.start()
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                paras.append(Span(start, end))
            start = brk.end()
        yield block, [*paras, Span(start, block.end)]


def _indented_paragraphs(text: str) -> bool:
    """Whether ``text`` starts paragraphs with an indented line: some line after the first does, and fewer
    than half of its lines that hold anything."""
    if _INDENT.search(text) is None:
        return False
    full = [line for line in text.splitlines() if line.strip()]
    return sum(1 for line in full if line[:1] in " \t") * 2 < len(full)


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` belongs to an abbreviation or initial."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # single letters ("J.") and dotted initialisms ("U.S", "H.J")
    return len(word) == 1 or (len(word) <= 6 and word.count(".") >= 1 and all(len(p) == 1 for p in word.split(".")))


def _sentences_in(text: str, start: int, end: int) -> Iterator[Span]:
    pos = start
    for m in _END.finditer(text, start, end):
        stop = m.end()
        if m.start() == stop or text[m.start()] in _CJK_STOPS:
            # a Thai/Lao space or a CJK stop: always an end (no abbreviations, no capitals there)
            yield from _trimmed(text, pos, stop)
            pos = stop
            continue
        if text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(text, m.start()):
            # an abbreviation ends a sentence only if the next word looks like a new sentence
            # and the abbreviation is not a title or initial that precedes a name
            continue
        nxt = _NEXT_START.match(text, stop, end)
        if stop < end and nxt is None:
            continue
        if nxt is not None:
            first = text[nxt.end() - 1]
            if first.isalpha() and first.islower():
                continue
        yield from _trimmed(text, pos, stop)
        pos = stop
    yield from _trimmed(text, pos, end)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without leading and trailing white space (may become empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _trimmed(text: str, start: int, end: int) -> Iterator[Span]:
    start, end = trim(text, start, end)
    if start < end:
        yield Span(start, end)


def is_wrapped(raw_lines: list[str]) -> bool:
    """Hard-wrapped text (newswire, e-mail): most lines run close to one width.

    In such text a line is a fragment of a paragraph ("said." on a line of its
    own), so lines must be joined before they are compared across documents.
    Text with one paragraph per line has long, ragged lines instead.
    """
    if len(raw_lines) < 3:
        return False
    lengths = [n for n in map(len, raw_lines) if n > 1]
    if len(lengths) < 3:
        return False
    width = max(lengths)
    if width > 121:
        return False
    cut = 0.6 * width
    return sum(1 for n in lengths if n >= cut) >= 0.6 * len(lengths)


#: A byline run into the first sentence of its block, as pages scraped from a site often give it: "By" and
#: a name (capitalised words, "and", "&", commas), then two or more spaces (no-break ones included) before
#: the text, which starts with a capital or a quote ("By ALIX CULBERTSON\xa0\xa0RUSSIA is ready to ...").
#: Two spaces, because one space after "By" and capitalised words is a sentence ("By Tuesday, Kyiv had ...").
_BYLINE = re.compile(r"By(?:[ \xa0](?:[A-Z][\w'\u2019.\-]*|and|&)[,]?){1,8}(?=[ \t\xa0\u2009\u202f]{2,}[\"\u201c\u2018'A-Z])")


def sentences(text: str) -> Iterator[Span]:
    """Spans of sentences; a line break between paragraphs always ends one; a byline run into a block's
    first sentence (:data:`_BYLINE`) is a span of its own.

    >>> t = 'Mr. Peskov told reporters. "We are ready," he said.\\n\\nThe U.S. Army replied.'
    >>> [t[s.start:s.end] for s in sentences(t)]
    ['Mr. Peskov told reporters.', '"We are ready," he said.', 'The U.S. Army replied.']
    >>> t = "外交部表示，会谈将继续。「我们准备好了。」他说。 یہ پہلا جملہ ہے۔ یہ دوسرا ہے۔"
    >>> [t[s.start:s.end] for s in sentences(t)]
    ['外交部表示，会谈将继续。', '「我们准备好了。」', '他说。', 'یہ پہلا جملہ ہے۔', 'یہ دوسرا ہے۔']
    >>> t = "By ALIX CULBERTSON  RUSSIA is ready to cooperate, he said."
    >>> [t[s.start:s.end] for s in sentences(t)]
    ['By ALIX CULBERTSON', 'RUSSIA is ready to cooperate, he said.']
    """
    for para in _blocks(text, _wrap_width(text)):
        start = para.start
        if text.startswith("By", start) and (byline := _BYLINE.match(text, start, para.end)):
            yield Span(start, byline.end())
            start = byline.end()
        yield from _sentences_in(text, start, para.end)


def _wrap_width(text: str) -> int | None:
    """The line width of hard-wrapped text (newswire), or None for text with one paragraph per line."""
    lines = text.split("\n")
    if not is_wrapped(lines):
        return None
    return max(len(line) for line in lines)


def _blocks(text: str, wrap_width: int | None = None) -> Iterator[Span]:
    """Blocks separated by a line break followed by another break or a short line.

    News text often has one paragraph per line; a single line break inside a
    paragraph (wrapped text, as in Reuters) does not end a sentence unless the
    line before it ends with terminal punctuation, which the sentence rules see.
    A short line without a stop is a heading, except in hard-wrapped text
    (``wrap_width``) where a line that runs to near the wrap width is just
    where the wrap fell ("... vessels in the Black\nSea and 13 ...").
    """
    pos = 0
    for m in re.finditer(r"\n[ \t\r]*\n|\n(?=[ \t]*[\"\u201c\u2018\-\u2014\u2013A-Z])|\Z", text):
        # a single newline only separates blocks if the previous line ends a sentence
        cut = m.start()
        if m.group().count("\n") == 1:
            before = text[pos:cut].rstrip()
            if before and before[-1] not in _LINE_END:
                last = before.rsplit("\n", 1)[-1]
                if wrap_width is not None and len(last) >= 0.6 * wrap_width:
                    continue  # a wrapped line, not a heading
                if not _looks_like_heading(before):
                    continue
        yield from _trimmed(text, pos, cut)
        pos = m.end()
    if pos < len(text):
        yield from _trimmed(text, pos, len(text))


def _looks_like_heading(block: str) -> bool:
    """A last line without terminal punctuation and few words: a title or byline."""
    last = block.rsplit("\n", 1)[-1]
    return len(last.split()) <= 12
