"""Quotations and who said them, with spans in the original text.

A claim travels as a quote: "Patrushev said: “...”", "“...,” Putin said",
or, in some wire copy, between dashes (``-We have never been ...- he
asserted.``). Researchers ask *who* said it, so each quote carries the
speaker when the text attributes one next to it ("Peskov told reporters",
"said Peskov", "Foreign Minister Sergey Lavrov said"); a pronoun ("he said")
resolves to the last person the text named as speaking, and a paragraph that
continues an unclosed quote keeps the previous quote's speaker.

The rules are deliberately plain and local (same paragraph, a few words from
the quotation mark): a wrong speaker is worse than none.

>>> t = 'Kremlin spokesperson Dmitry Peskov told reporters on Monday.\\n\\n-We are not a threat to anyone- he said.'
>>> [(t[q.span.start:q.span.end], q.speaker) for q in quotes(t)]
[('We are not a threat to anyone', 'Dmitry Peskov')]
"""

from __future__ import annotations

import re
from typing import Iterator

from ..model import Passage, Span
from .segment import sentences, wire_paragraphs

__all__ = ["quotes", "sentences_and_quotes", "clauses", "pointing_back", "apostrophe", "SPEECH", "ROLE_NOUNS",
           "MIN_QUOTE_WORDS"]

_SPEECH = (
    r"(?:said|says|say|told|tells|added|adds|asserted|asserts|stressed|stresses|noted|notes|claimed|claims|"
    r"stated|states|declared|declares|warned|warns|explained|explains|continued|insisted|insists|argued|argues|"
    r"replied|remarked|wrote|writes|announced|announces|emphasized|emphasised|underlined|pointed out|"
    r"concluded|admitted|acknowledged|commented|recalled|reiterated|urged|vowed)"
)
# A name: one to four capitalised words (allowing hyphens and initials), e.g. "Dmitry Peskov", "Putin".
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][\w\u2019'-]*)"
_NAME = rf"(?:{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|van|von|al|bin)){{0,3}})"
#: verbs of saying, as a regular expression (one word each but "pointed out")
SPEECH = _SPEECH
#: the words a quotation needs to be a quote: shorter ones ("biggest national security threat" has four) are
#: scare quotes
MIN_QUOTE_WORDS = 4
#: role nouns that refer back to the last named speaker ("the spokesman said")
ROLE_NOUNS = frozenset(
    "spokesman spokeswoman spokesperson official minister secretary president envoy diplomat ambassador general "
    "senator leader".split()
)


def pointing_back(nouns: frozenset[str] | set[str], qualifiers: int) -> str:
    """A pattern for words that refer back to the last named speaker: "he", "she", or "the" and a role
    noun after up to ``qualifiers`` words ("the former director", "the Security Council’s secretary":
    a qualifier may carry an apostrophe, straight or curly)."""
    return rf"(?:he|she|He|She|(?:the|The)\s+(?:[\w'\u2019-]+\s+){{0,{qualifiers}}}?(?:{'|'.join(sorted(nouns))}))"


_PRONOUN = pointing_back(ROLE_NOUNS, 2)
_THINKING = r"(?:hopes|hoped|believes|believed|thinks|thought|expects|expected|wants|wanted|called|urged)"
_TITLE_WORDS = frozenset(
    """
    President Prime Minister Foreign Defense Defence Secretary Spokesman Spokeswoman Spokesperson
    General Major-General Lieutenant-General Colonel Chairman Chief Deputy Ambassador Senator
    Kremlin Security Council State Department Ministry Russian American Mr Mrs Ms Dr The A Sen Gen
    Vice Former Acting Major Lieutenant Admiral Governor Mayor Representative Rep Envoy Director
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Yesterday
    """.split()
)

# speaker before the quotation: "... Patrushev said:" / "He told Russian state media, Sputnik:"
_BEFORE_NAMED = re.compile(rf"(?P<name>{_NAME})\s+(?:[a-z]+\s+)?{_SPEECH}\b[^.!?\"\u201c\u201d]{{0,60}}[:,]?\s*$")
_BEFORE_PRONOUN = re.compile(rf"\b{_PRONOUN}\s+(?:[a-z]+\s+)?{_SPEECH}\b[^.!?\"\u201c\u201d]{{0,60}}[:,]?\s*$")
# speaker after the quotation: ", he said" / "” Putin said" / "said Peskov" / "RT quoted ... Igor Konashenkov"
_AFTER_NAMED = re.compile(rf"^[\s,]*(?P<name>{_NAME})\s+(?:[a-z]+\s+)?{_SPEECH}\b")
_AFTER_INVERTED = re.compile(rf"^[\s,]*{_SPEECH}\s+(?:[a-z]+\s+){{0,4}}?(?P<name>{_NAME})\s*(?:[,.;]|$)")
# "RT quoted Russian Ministry of Defense spokesman Major-General Igor Konashenkov."
_QUOTED_BY = re.compile(rf"\bquoted\s+(?:[\w-]+\s+){{0,8}}?(?P<name>{_NAME})\s*[,.;]")
_ACCORDING = re.compile(rf"\b[Aa]ccording to (?:[a-z]+\s+){{0,3}}(?P<name>{_NAME})\s*,")
_AFTER_PRONOUN = re.compile(rf"^[\s,]*{_PRONOUN}\s+(?:[a-z]+\s+)?{_SPEECH}\b")
# anyone the text names as speaking: "Nikolai Patrushev today said", "said Kirby", "according to Kirby"
_NAMED_SPEAKING = re.compile(
    rf"(?P<name>{_NAME})\s+(?:[a-z]+\s+)?(?:{_SPEECH}|{_THINKING})\b|\b{_SPEECH}\s+(?P<name2>{_NAME})\s*[,.;]"
    rf"|[Aa]ccording to (?P<name3>{_NAME})"
)

_PREPOSITION = re.compile(r"\b(?:to|of|in|for|with|from|by|on|at|about|against)\s+$")
_OPEN_CLOSE = {"\u201c": "\u201d", '"': '"', "\u00ab": "\u00bb", "\u201e": "\u201c"}
_DASHES = "-\u2013\u2014"
# a dash quote opens a paragraph (-We ...) and closes with a dash after a letter or stop, before
# white space and a lower-case word (``- he said``) or the end of the paragraph (``go.-``).
_DASH_OPEN = re.compile(rf"^[{_DASHES}](?=[\"\u201c]?[A-Z])")
_DASH_CLOSE = re.compile(rf"(?<=[\w.,!?\u2019'\"])[{_DASHES}](?=\s+[a-z]|\s*$)")


def _clean_name(name: str) -> str | None:
    """Drop titles ("Foreign Minister Sergey Lavrov" -> "Sergey Lavrov"); None if nothing is left."""
    if "\u2019s" in name or "'s" in name:
        return None  # "Russia's Security Council Secretary", "Trump's office": a role, not a name
    words = name.split()
    while words and (words[0].strip(".") in _TITLE_WORDS or words[0].isupper() and len(words) > 1):
        words = words[1:]
    while words and words[-1].strip(".") in _TITLE_WORDS:
        words = words[:-1]
    if not words or words[0].lower() in {"the", "a", "we", "i", "it", "this", "they", "but", "and", "he", "she", "his", "her", "in", "on", "at"}:
        return None
    return " ".join(words[-3:]).rstrip(".,")


def _quote_spans(text: str, para: Span) -> Iterator[tuple[int, int, int, int, bool]]:
    """(open_mark, body_start, body_end, close_end, closed) of quotations in one paragraph."""
    p = text[para.start : para.end]
    base = para.start
    dash = _DASH_OPEN.match(p)
    if dash:
        close = _DASH_CLOSE.search(p, 1)
        if close:
            yield base, base + 1, base + close.start(), base + close.end(), True
        else:
            yield base, base + 1, para.end, para.end, False
        return
    pos = 0
    while True:
        # next opening mark
        found = [(_find_mark(p, o, pos), o) for o in _OPEN_CLOSE]
        found = [(i, o) for i, o in found if i >= 0]
        if not found:
            return
        i, o = min(found)
        c = _OPEN_CLOSE[o]
        j = _find_mark(p, c, i + 1)
        if j < 0:
            # news convention: a quote that runs on to the next paragraph is not closed here
            yield base + i, base + i + 1, para.end, para.end, False
            return
        yield base + i, base + i + 1, base + j, base + j + 1, True
        pos = j + 1


def _find_mark(p: str, mark: str, start: int) -> int:
    """Where ``mark`` is next at or after ``start`` in ``p`` (-1: nowhere), passing over an :func:`apostrophe`."""
    k = p.find(mark, start)
    while k >= 0 and apostrophe(p, k):
        k = p.find(mark, k + 1)
    return k


def apostrophe(text: str, k: int) -> bool:
    """Whether the quotation mark at ``k`` is an apostrophe: a letter or digit on both sides. Wire copy writes
    some so ('OPEC"s differentials committee', 'Japan"s Lower House'), and taken for a quotation mark one
    would pair with the paragraph's real ones."""
    return 0 < k < len(text) - 1 and text[k - 1].isalnum() and text[k + 1].isalnum()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "\"\u201c\u201d"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",\"\u201c\u201d"):
        end -= 1
    return start, end


def quotes(text: str, min_words: int = MIN_QUOTE_WORDS) -> Iterator[Passage]:
    """Quotations of at least ``min_words`` words, with speakers where attributed.

    Spans cover the quoted words without the quotation marks. Scare quotes
    ("biggest national security threat") are quotes too if long enough;
    ``min_words`` keeps out one- and two-word ones.
    """
    last_named: str | None = None
    last_named_end = 0
    previous_open_speaker: str | None = None
    carried = False  # the previous paragraph opened with a quote (news continues quotes that way)
    para_speaker: str | None = None  # the speaker of the block's last quote: a wire paragraph's quote keeps it
    for para, first in ((p, k == 0) for _block, paras in wire_paragraphs(text) for k, p in enumerate(paras)):
        opens_with_quote = False
        if first:
            para_speaker = None
        for q_open, b_start, b_end, q_end, closed in _quote_spans(text, para):
            # names mentioned as speaking before this quote (for pronouns)
            for m in _NAMED_SPEAKING.finditer(text, last_named_end, q_open):
                raw = m.group("name") or m.group("name2") or m.group("name3")
                if raw.isupper() or _PREPOSITION.search(text, max(0, m.start() - 12), m.start()):
                    continue  # "NATO", "the envoy to NATO warned": not a person who speaks
                name = _clean_name(raw)
                if name:
                    last_named = name
            last_named_end = max(last_named_end, q_open)
            start, end = _trim(text, b_start, b_end)
            if len(text[start:end].split()) < min_words:
                continue
            before = text[para.start : q_open]
            after = text[q_end : para.end]
            speaker = None
            m = _BEFORE_NAMED.search(before)
            if m:
                speaker = _clean_name(m.group("name"))
            if speaker is None:
                m = _ACCORDING.search(before)
                if m:
                    speaker = _clean_name(m.group("name"))
            if speaker is None and closed:
                m = _AFTER_NAMED.match(after) or _AFTER_INVERTED.match(after) or _QUOTED_BY.search(after[:200])
                if m:
                    speaker = _clean_name(m.group("name"))
            if speaker is None and (_BEFORE_PRONOUN.search(before) or (closed and _AFTER_PRONOUN.match(after))):
                speaker = last_named
            if speaker is None and q_open == para.start and carried:
                speaker = previous_open_speaker  # continues the previous paragraph's quote
            if speaker is None:
                speaker = para_speaker  # '"...," he said. "..."': the same speaker goes on
            if speaker:
                last_named = para_speaker = speaker
            if q_open == para.start or not closed:
                opens_with_quote = True
                previous_open_speaker = speaker
            yield Passage(doc="", span=Span(start, end), text=text[start:end], kind="quote", speaker=speaker)
        carried = opens_with_quote


def sentences_and_quotes(doc_id: str, text: str, min_words: int = 6) -> Iterator[Passage]:
    """Sentences and quoted sentences of a document: the statements claims are made of.

    Each quote is split into its sentences; a sentence that lies inside a quote
    is yielded once, as ``kind="quote"`` with the speaker; other sentences are
    ``kind="sentence"`` and carry the speaker of a quote inside them, if any.
    Units shorter than ``min_words`` words are left out (headings, captions).
    """
    qs = [q for q in quotes(text)]
    quoted: list[Passage] = []
    for q in qs:
        for s in sentences(text[q.span.start : q.span.end]):
            start, end = _trim(text, q.span.start + s.start, q.span.start + s.end)
            if len(text[start:end].split()) >= min_words:
                quoted.append(Passage(doc_id, Span(start, end), text[start:end], "quote", q.speaker))
    out: list[Passage] = list(quoted)
    for s in sentences(text):
        if len(text[s.start : s.end].split()) < min_words:
            continue
        inside = [q for q in quoted if q.span.start >= s.start and q.span.end <= s.end]
        # a sentence that is all quote (give or take the marks and "he said") is already there
        covered = sum(len(q.span) for q in inside)
        if inside and covered >= 0.8 * len(s):
            continue
        containing = [q for q in qs if q.span.start <= s.start and q.span.end >= s.end]
        if containing:
            continue  # a sentence inside a quote: its quote sentence is already there
        speakers = {q.speaker for q in inside if q.speaker}
        speaker = speakers.pop() if len(speakers) == 1 else None
        out.append(Passage(doc_id, s, text[s.start : s.end], "sentence", speaker))
    out.sort(key=lambda p: (p.span.start, p.span.end, p.kind))
    yield from out


# Where one clause of a sentence ends and the next begins: semicolons, colons (not in 15:01),
# en and em dashes (not hyphens: "(outlawed in Russia - TASS)"), and a comma or space before a word that opens a new clause.
_CLAUSE_BREAK = re.compile(
    r"\s*(?:;|:(?!\d)|\s[\u2013\u2014]+\s|[\u2013\u2014](?=[A-Za-z])"
    r"|,\s*(?=(?:but|despite|while|although|though|because|since|whereas|so|yet|unless|which|who)\b)"
    r"|\s(?=(?:but|despite|although|though|because|whereas|unless)\b)"
    # an attribution in the middle: "In confronting terrorism, Putin said that Moscow hopes ..."
    rf"|,\s*(?:{_NAME}|{_PRONOUN})\s+(?:[a-z]+\s+)?{_SPEECH}(?:\s+that)?\s+(?=[A-Za-z])(?![^,;:]{{0,50}}$))\s*"
)
# "..., Kremlin spokesperson Dmitry Peskov told reporters in the capital Moscow." / "..., he said."
_ATTRIBUTION_TAIL = re.compile(rf",\s*(?:(?:[\w\u2019'-]+\s+){{0,6}}?{_NAME}|{_PRONOUN}|[a-z]+)\s+(?:[a-z]+\s+)?{_SPEECH}\b[^,;:]{{0,50}}$")
# "Patrushev has also said that ..." / "Moscow claims ..." : the attribution before the claim
_ATTRIBUTION_HEAD = re.compile(rf"^[^,;:]{{0,80}}?\b{_SPEECH}(?:\s+that)?\s+(?=\S)")
# a clause that ends on its speech verb is only an attribution ("And David Frost, director of the
# British Chambers of Commerce, said"), whatever its length
_ATTRIBUTION_STUB = re.compile(rf"\b{_SPEECH}(?:\s+(?:that|on\s+\w+day|today|yesterday))?\s*$")
_CLAUSE_EDGE = " \t\n,.;:!?\"'\u201c\u201d\u2018\u2019()-\u2013\u2014"


def clauses(unit: Passage, min_words: int = 4) -> list[Passage]:
    """The clauses of a statement, each with its span: the finer units a claim is made of.

    A talking point is often one clause of a longer sentence ("RUSSIA is ready
    to cooperate with the United States despite being America's biggest national
    security threat, Russia's Security Council Secretary has claimed"), and an
    attribution ("..., Peskov told reporters", "Patrushev has also said that")
    is not part of any claim. Splits at semicolons, colons, spaced dashes and
    before words that open a clause (", but", "despite", ", which", ...); drops
    attribution heads and tails and clauses under ``min_words`` words. Returns
    nothing when the statement is a single clause (the statement itself is
    the unit then).

    >>> t = "Russia is ready to cooperate with the United States despite the sanctions imposed on it, Peskov told reporters."
    >>> [c.text for c in clauses(Passage("d", Span(0, len(t)), t, "sentence"))]
    ['Russia is ready to cooperate with the United States', 'despite the sanctions imposed on it']
    """
    text = unit.text
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_BREAK.finditer(text):
        if m.start() > pos:
            pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for start, end in pieces:
        piece = text[start:end]
        tail = _ATTRIBUTION_TAIL.search(piece)
        if tail:
            end = start + tail.start()
            piece = text[start:end]
        head = _ATTRIBUTION_HEAD.match(piece)
        if head and len(piece[head.end():].split()) >= min_words:
            start += head.end()
        while start < end and text[start] in _CLAUSE_EDGE:
            start += 1
        while end > start and text[end - 1] in _CLAUSE_EDGE:
            end -= 1
        if len(text[start:end].split()) >= min_words and not _ATTRIBUTION_STUB.search(text[start:end]):
            out.append((start, end))
    if len(out) < 2 and not (out and out[0][1] - out[0][0] < 0.8 * len(text.strip())):
        return []  # one clause that is (nearly) the whole statement adds nothing
    base = unit.span.start
    return [Passage(unit.doc, Span(base + a, base + b), text[a:b], "clause", unit.speaker) for a, b in out]
