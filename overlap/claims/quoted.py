"""Two quotations that share next to no word: what their statements have in common is who said them.

News attributes every quote, so one speaker's two quotes share a name, a title and a firm: 'Simon
Gardner, president of Climax's Action studio, said: "We are investing in superior tools and editors.' and
'Simon Gardner, president of Climax's Action Studio, said: "It's definitely an exciting time.' were one
claim to the scores (BBC News, 0.59), and so were two of Ray Neidl's and of Robert Brusca's comments on
Reuters-21578. When both statements quote someone and their quoted words have next to no content word in
common (:data:`APART`), the words the statements share are the attribution's: no claim.

A statement quotes someone where a quotation of four words or more has a verb of saying just before its
opening mark ('said: "', 'told reporters: "') or a few words after its closing one ('," Nakasone told');
what it quotes is then all its quotations, the attributed one and the others (the quote that goes on
after '," said Brian Waterhouse at James Capel and Co. "With a historically high yen ...'; the two-word
one in 'K Mart cited "favorable consumer response to our merchandise programs" and said its specialty
retailers had "excellent February sales."'; the headlines an article "warned" under).
Its marks are read for which way they face, since a statement is a sentence and a quotation may open in
the sentence before ('Unless we reform the system now, Japan is bound to decay ...," Nakasone told ...':
quoted up to the first mark) or go on in the one after (up to the end). Not concerned:

- a statement without quotation marks (a reporter restating a quote);
- a scare quote in the reporter's words ('He said NHS staff wanted a period of consolidation after
  "tremendous change and reform"'): the claim is in those words;
- a statement with a verb of the reporter's own beside the attribution, where the parse is given
  ('"I'm not red-hot favourite," Hewitt said after battling to down Davydenko 6-3 4-6 6-3 7-6'): the
  statements may share that (STS-B dev rates such a pair the same);
- marks that do not alternate, opening and closing: not read with confidence.

A quotation mark inside a word ('OPEC"s', a wire's apostrophe) is no mark. The rule is part of the role
check (:func:`overlap.claims.roles.quotes_conflict`: in a scan, the claim clusters and ``overlap score``).

Measured on 2026-12-05 (the README, "Two quotes with next to no word in common").
"""

from __future__ import annotations

import re
from typing import Sequence

from ..model import Passage
from ..text.quotes import MIN_QUOTE_WORDS, SPEECH, apostrophe
from .signals import prepare

__all__ = ["quoted_words", "quotes_apart"]

#: a quotation said by someone: a verb of saying just before its opening mark, with a colon or a comma
#: ('said: "', 'told reporters: "', 'said, "') ... Looser than the quote finder's speaker patterns
#: (:mod:`overlap.text.quotes`), which must name who ('," Citigroup Global Markets analyst Kyle Cooper
#: told' names nobody there): here only that someone said it matters.
_SAID_BEFORE = re.compile(rf"\b{SPEECH}(?:\b[^.!?\"\u201c\u201d]{{0,60}})?[:,]\s*$")
#: ... or a few words after its closing mark ('," Nakasone told', '," he said', '" said Ray Neidl')
_SAID_AFTER = re.compile(rf"\s*(?:[\w.'\u2019-]+\s+){{0,6}}?{SPEECH}\b")
#: two quotations are apart when their content words' Dice coefficient is under this: one word in common of
#: ten ("go" of "This market simply wants to go up" and "Mother Nature is going to be huge in the next
#: several weeks") is still none
APART = 0.2
#: a verb that tells who said it, not what happened: one of saying, or a form of "be" or "have" ("who is now
#: vice-chairman of Nikko Securities")
_ATTRIBUTING = re.compile(rf"(?:{SPEECH}|is|was|are|were|be|been|being|has|have|had)\b", re.IGNORECASE)
#: a relative pronoun: what follows it describes someone
_RELATIVE = re.compile(r"\b(?:who|which|whose)\b", re.IGNORECASE)


def quoted_words(statement: Passage, verbs: Sequence[int] = ()) -> frozenset[str] | None:
    """The stemmed content words of what ``statement`` quotes (all its words, for a quote), or ``None`` when
    it quotes nobody, what it quotes is not known, or it states something of its own beside the quote: one
    of its ``verbs`` (where each verb of the statement starts, from its parse: :attr:`~overlap.claims.roles.Reading.verbs`)
    is outside its quotations and not the attribution's (:func:`_attributing`; see the module's docstring).

    >>> sorted(quoted_words(Passage("d", None, 'He said: "Prices will rise again soon."', "sentence")))
    ['price', 'rise', 'soon']
    >>> quoted_words(Passage("d", None, "OPEC\\"s committee has postponed its meeting until April.", "sentence")) is None
    True
    >>> sorted(quoted_words(Passage("d", None, 'Japan is bound to decay slowly," Nakasone told the Diet.', "sentence")))
    ['bound', 'decay', 'japan', 'slowli']
    """
    text = statement.text
    if statement.kind == "quote":
        return prepare(text).content
    spans = _quotations(text)
    if not any(len(text[start:end].split()) >= MIN_QUOTE_WORDS
               and (_SAID_BEFORE.search(text, 0, max(start - 1, 0)) or _SAID_AFTER.match(text, end + 1))
               for start, end in spans):
        return None
    if any(not any(start <= at < end for start, end in spans) and not _attributing(text, at) for at in verbs):
        return None  # the reporter says something beside who said what: that may be the claim in common
    return frozenset().union(*(prepare(text[start:end]).content for start, end in spans))


def quotes_apart(a: Passage, b: Passage, verbs_a: Sequence[int] = (), verbs_b: Sequence[int] = ()) -> bool:
    """Whether both statements quote someone and their quoted words share next to no content word (``verbs_a``,
    ``verbs_b``: where their verbs start, as :func:`quoted_words` takes them).

    >>> one = Passage("a", None, 'Simon Gardner, president of the studio, said: "We are investing in superior tools."', "sentence")
    >>> two = Passage("b", None, 'Simon Gardner, president of the studio, said: "It is definitely an exciting time."', "sentence")
    >>> told = Passage("c", None, "Simon Gardner said the studio was investing in superior tools.", "sentence")
    >>> quotes_apart(one, two), quotes_apart(one, told)
    (True, False)
    """
    x, y = quoted_words(a, verbs_a), quoted_words(b, verbs_b)
    return x is not None and y is not None and 2 * len(x & y) < APART * (len(x) + len(y))


def _quotations(text: str) -> list[tuple[int, int]]:
    """The spans of what ``text`` quotes, read from its marks: a quotation opened in the sentence before ends at
    a first closing mark, one that goes on after it runs from its last opening mark to the end; none when
    the marks do not alternate (two openings or two closings in a row: not read with confidence)."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    first = True
    for k, c in enumerate(text):
        if c not in "\"\u201c\u201d" or apostrophe(text, k):
            continue
        opening = c == "\u201c" or (c == '"' and (k == 0 or text[k - 1].isspace() or text[k - 1] in "([:-\u2014")
                                     and k + 1 < len(text) and not text[k + 1].isspace())
        if opening:
            if opened is not None:
                return []
            opened = k + 1
        elif opened is not None:
            spans.append((opened, k))
            opened = None
        elif first:
            spans.append((0, k))  # the statement begins inside a quotation
        else:
            return []
        first = False
    if opened is not None:
        spans.append((opened, len(text)))  # the quotation goes on after the statement
    return spans


def _attributing(text: str, at: int) -> bool:
    """Whether the verb starting at ``at`` belongs to the attribution: one of saying, a form of "be" or "have",
    or any verb of a relative clause since the last comma ("a partner with Crowell Weedon and Co who trades
    on the Los Angeles exchange floor", ", which runs the central computer network"): who the speaker is."""
    if _ATTRIBUTING.match(text, at):
        return True
    clause = text[max(text.rfind(",", 0, at), text.rfind("(", 0, at), 0) : at]
    return _RELATIVE.search(clause) is not None
