"""Which statements a pair model may score at all, and why not the others.

A model given two statements always answers with a number, and on text it
cannot read that number means nothing: two empty strings scored 0.55, "the
same statement" (claim score 1.0); two team sheets share a form, not a claim; Urdu news from
unrelated stories came out as the same claim a third of the time. So before
any pair is scored, each side must pass this gate; a statement that does not
is set aside, counted by reason (and by language), and never matched.

Reasons (the rules first, so that the language model never sees a team
sheet, which it cannot name either; a statement with no Latin letter goes
to the language model whatever its length, so that it is counted by
language):

==================== ===========================================================
``empty``            nothing but white space or punctuation
``numbers only``     no word with a letter, or a table: more figures and dashes than words
``score line``       a result or fixture with at most one lower-case word of prose:
                     ``"Chelsea 2-1 Arsenal"``, ``"Leeds v Hull"``
``list of names``    names and figures between commas or semicolons with at most one
                     lower-case word of prose: team sheets, scorers, line-ups
                     (``"Smith, Jones, Brown, Taylor, Evans"``), or two names each with its
                     minute (``"Goals: Rooney 68, Dunne 75 og."``)
``heading``          a line in capitals with no word of a sentence (:data:`_SENTENCE_WORDS`):
                     a fund's name, a table's row (``"LORD ABBETT TAX FREE INCOME FUND NATIONAL
                     SERIES"``, ``"TOLEDO 58 LB 35 OVR MAY UP 1"``)
``too few words``    fewer than :data:`MIN_CONTENT_WORDS` content words
                     (stemmed, stopwords dropped: ``"The cat sat."`` has two)
``not English``      :func:`overlap.text.language.identify` says another language
                     (the models read English only)
==================== ===========================================================

>>> check("Russia is ready to cooperate with the United States.") is None
True
>>> [check(t).reason for t in ["", "12 34 5.6", "The cat sat.", "Smith, Jones, Brown, Taylor, Evans",
...                             "Chelsea 2-1 Arsenal, Everton 0-0 Leeds", "Die Regierung hat ein neues Gesetz beschlossen."]]
['empty', 'numbers only', 'too few words', 'list of names', 'score line', 'not English']
>>> check("Die Regierung hat ein neues Gesetz beschlossen.").language
'de'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collections import Counter
from typing import Sequence

from ..text.language import has_latin, identify
from ..model import Passage
from .signals import Prepared, prepare

__all__ = ["Unscored", "check", "degenerate", "prose", "admit", "reaches_gate", "MIN_CONTENT_WORDS", "REASONS"]

MIN_CONTENT_WORDS = 3
REASONS = ("empty", "numbers only", "score line", "list of names", "heading", "too few words", "not English")

_LETTER_WORD = re.compile(r"[^\W\d_]+(?:['\u2019.-][^\W\d_]+)*")
_FIGURE = re.compile(r"(?<![^\W\d_])[-+]?\d[\d.,:/%-]*|(?<!\w)-{1,2}(?!\w)")
_SEPARATOR = re.compile(r"[,;]")
# lower-case words that belong to names and sports notation, not to prose
_NAME_PARTICLES = frozenset(
    "de da di del della dal van von der den du le la al el bin ibn y og pen capt captain sub subs vc wk".split()
)
#: words that only a sentence has (not a name, a title or a table): what tells a headline in capitals
#: ("RUSSIA IS READY TO COOPERATE") from a heading or a table's row ("LORD ABBETT TAX FREE INCOME FUND")
#: (not the stopwords of :mod:`overlap.text.words`: those hold "up" and "do", which a table's row or a
#: name has: "TOLEDO 58 LB 35 OVR MAY UP 1", "RIO GRANDE DO SUL")
_SENTENCE_WORDS = frozenset(
    "the a an of to in on for with by from at is are was were be been has have had will would said says that "
    "it its this and not".split()
)
# a scorer and the minute: "Rooney 68", "Van Nistelrooy 45 pen", opening the line or after a separator
_SCORER = re.compile(r"(?:^|[,;:]\s*)(?:[A-Z][\w.'\u2019-]*\s+){1,3}\d{1,3}\b")
_SCORE = re.compile(r"[^\W\d_]\w*\s+\d{1,3}\s*[-\u2013:]\s*\d{1,3}\b|\b[A-Z][\w.'-]*\s+(?:v|vs)\.?\s+[A-Z]")


@dataclass(frozen=True, slots=True)
class Unscored:
    """Why a statement is not scored: one of :data:`REASONS`, and the language for ``not English``."""

    reason: str
    language: str | None = None

    def label(self) -> str:
        """``"not English (de)"``, ``"list of names"``: how outputs say it."""
        return f"{self.reason} ({self.language})" if self.language else self.reason


def _has_prose(words: list[str]) -> bool:
    """Two lower-case words of three letters or more that are not name particles: the sign of a sentence."""
    found = 0
    for w in words:
        if len(w) >= 3 and w[0].islower() and w not in _NAME_PARTICLES:
            found += 1
            if found == 2:
                return True
    return False


def prose(text: str, words: list[str] | None = None) -> bool:
    """Whether ``text`` reads as prose: two lower-case words of three letters or more that are not
    name particles, or, all of it in capitals (a wire headline, whose case says nothing), a word only
    a sentence has (:data:`_SENTENCE_WORDS`). A line without prose is mostly names, figures and
    headings ("23 Jelena Jankovic (Serbia and Montenegro)", "Senate Budget Chairman Lawton Chiles
    (D-Fla.)", "LORD ABBETT U.S. GOVERNMENT SECURITIES FUND"), though a short sentence of names is one
    too ("Putin met Trump."). ``words``: its letter words, if already found.

    >>> prose("Russia is ready to cooperate."), prose("Putin met Trump."), prose("RUSSIA IS READY")
    (True, False, True)
    >>> prose("Senate Budget Chairman Lawton Chiles (D-Fla.)"), prose("LORD ABBETT U.S. GOVERNMENT SECURITIES FUND")
    (False, False)
    """
    words = words if words is not None else _LETTER_WORD.findall(text)
    if text.isupper():
        return any(w.lower() in _SENTENCE_WORDS for w in words)
    return _has_prose(words)


def degenerate(text: str, prepared: Prepared | None = None) -> str | None:
    """The reason ``text`` can carry no claim (one of the first six :data:`REASONS`), else ``None``.

    ``prepared`` (:func:`overlap.claims.signals.prepare` of ``text``) saves preparing it again.

    >>> degenerate("Putin met Trump in Helsinki.") is None
    True
    >>> degenerate("Gerrard 79 og, Drogba 107, Kezman 112.")
    'list of names'
    """
    words = _LETTER_WORD.findall(text)
    if not words:
        return "numbers only" if _FIGURE.search(text) else "empty"
    if len(_FIGURE.findall(text)) > len(words):
        return "numbers only"
    if not prose(text, words):
        if _SCORE.search(text):
            return "score line"
        if len(_SEPARATOR.findall(text)) >= 2 or len(_SCORER.findall(text)) >= 2:
            return "list of names"  # two scorers need one comma only: "Goals: Rooney 68, Dunne 75 og."
        if text.isupper():
            return "heading"
    p = prepared if prepared is not None else prepare(text, full=False)
    if len(p.content) < MIN_CONTENT_WORDS:
        return "too few words"
    return None


def check(text: str, prepared: Prepared | None = None) -> Unscored | None:
    """``None`` when a model may score ``text``; else why not (see the module docstring)."""
    reason = degenerate(text, prepared)
    if reason in ("empty", "numbers only"):
        return Unscored(reason)
    if reason is not None and has_latin(text):
        return Unscored(reason)
    lang = identify(text)  # another script is counted by its language, however short
    if not lang.english:
        return Unscored("not English", lang.language)
    return None


def reaches_gate(text: str, prepared: Prepared, min_content: int) -> bool:
    """Whether the tier asks the gate about a statement: enough content words, or no Latin letter.

    A Latin-script statement with fewer than ``min_content`` content words
    is dropped before the gate, uncounted (too short to carry a claim, and
    not worth a language look-up: the look-up is most of the gate's cost); a
    statement with no Latin letter goes through the gate whatever its
    length, so that every statement in another script is counted by
    language.
    """
    return len(prepared.content) >= min_content or not has_latin(text)


def admit(
    statements: Sequence[Passage], prepared: Sequence[Prepared], min_content: int
) -> tuple[list[int], dict[str, int], dict[str, int]]:
    """The gate over a corpus's statements: which the models may score (:func:`check`), and what was set aside.

    Returns the indices kept, the statements set aside per reason (sorted by
    reason) and the ones set aside as not English per language (most first).
    Only the statements that reach the gate (:func:`reaches_gate`) are
    asked, and only those with ``min_content`` content words are kept.
    ``prepared`` is :func:`overlap.claims.signals.prepare` of each
    statement (``full=False`` is enough).

    >>> from overlap.model import Span
    >>> texts = ["Russia is ready to cooperate with the United States.", "Smith, Jones, Brown, Taylor, Evans"]
    >>> units = [Passage("d", Span(0, len(t)), t) for t in texts]
    >>> admit(units, [prepare(t, full=False) for t in texts], min_content=3)
    ([0], {'list of names': 1}, {})
    """
    keep: list[int] = []
    reasons: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for n, (u, p) in enumerate(zip(statements, prepared)):
        if not reaches_gate(u.text, p, min_content):
            continue
        why = check(u.text, p)
        if why is None:
            if len(p.content) >= min_content:
                keep.append(n)
            continue
        reasons[why.reason] += 1
        if why.language:
            languages[why.language] += 1
    return keep, dict(sorted(reasons.items())), dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0])))
