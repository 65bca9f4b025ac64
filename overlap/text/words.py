"""Words as the comparison tiers weigh them: two stemmers and two stopword lists, and why two.

Two tiers compare bags of content words, and each keeps the word handling it
was built and measured with:

- **Passage alignment** (:mod:`overlap.passages.align`: tf-idf over sentence
  units) uses :func:`light_stem` and :data:`ALIGNMENT_STOPWORDS`. Its seed,
  extension and filtering thresholds were tuned on the PAN13 text-alignment
  corpus with exactly these, and every passage offset it reports follows from
  them. The light stemmer cuts the first of a short list of suffixes that
  leaves at least three letters; it needs no model and no language guess.
- **The paraphrase signals** (:mod:`overlap.claims.signals`: content-word
  overlap, bigrams, names) use :func:`snowball_stem` / :func:`snowball_stems`
  and :data:`CLAIM_STOPWORDS`. The paraphrase model's weights were fitted on
  these features. Snowball English (Porter 2) runs through PyStemmer, a C
  library; words of other scripts pass through unchanged. The list adds the
  furniture of news attribution ("told", "according", "one"), which carries no
  claim and would otherwise make every reported statement look alike.

Why not one: both live here so that nothing else in the package owns word
handling, but swapping either tier to the other's words changes its output.
Measured when alignment was briefly given Snowball and the claims list: the
Reuters-21578 ``--no-paraphrase`` scan went from 14,566 to 16,143 matches
(4,795 document pairs new, 3,263 gone; in a sample of six new pairs, three
were earnings-table or SEC-filing templates) while PAN13 training plagdet
moved 0.8939 -> 0.8946, i.e. noise. A behaviour change of that size is a
decision of its own, with its own quality measurement, not part of a
refactoring, so alignment keeps its words; the claims tier would have to be
refitted to move the other way.

A corpus has a small vocabulary, so each distinct word is stemmed once and
kept in a bounded cache (past the bound words are stemmed afresh: same result,
only slower). Snowball stems are interned, so every sentence held by the
claims tier shares one copy of each. Callers fold words
(:func:`overlap.text.normalize.normalize_text`) before looking them up.
"""

from __future__ import annotations

from sys import intern
from typing import Callable, Iterable

import Stemmer  # PyStemmer: Snowball at C speed

__all__ = [
    "ALIGNMENT_STOPWORDS",
    "CLAIM_STOPWORDS",
    "light_stem",
    "snowball_stem",
    "snowball_stems",
]

ALIGNMENT_STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves also s t d ll m re ve said says say mr mrs ms
    """.split()
)

CLAIM_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told tell according mr mrs ms
    s t d ll m o re ve y one its us
    """.split()
)

# Longest first: the first suffix that leaves a stem of at least 3 letters is cut.
_SUFFIXES = (
    "ational", "ization", "fulness", "ousness", "iveness", "tional", "ations", "nesses",
    "ments", "ation", "ities", "ingly", "ness", "ment", "ings", "ence", "ance", "able", "ible",
    "ical", "edly", "ity", "ing", "ies", "ive", "ous", "ful", "ion", "al", "ed", "es", "ly", "er", "s", "e", "y",
)


def _cut_suffix(word: str) -> str:
    if len(word) > 3 and not word.isdigit():
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
    return word


_SNOWBALL = Stemmer.Stemmer("english")


def _snowball(word: str) -> str:
    return intern(_SNOWBALL.stemWord(word))


class _StemCache(dict):
    """Word -> stem, computed once per distinct word; at most ``limit`` words are kept."""

    def __init__(self, compute: Callable[[str], str], limit: int) -> None:
        super().__init__()
        self.compute, self.limit = compute, limit

    def __missing__(self, word: str) -> str:
        found = self.compute(word)
        if len(self) < self.limit:
            self[word] = found
        return found


_LIGHT = _StemCache(_cut_suffix, 1_000_000)
_SNOWBALL_STEMS = _StemCache(_snowball, 500_000)


def light_stem(word: str) -> str:
    """The alignment's deliberately light stem (``"reported"``, ``"reports"`` -> ``"report"``).

    Light on purpose: it only has to make inflections of the same word meet.

    >>> [light_stem(w) for w in ("reported", "reports", "nations", "national", "relations", "gas")]
    ['report', 'report', 'nation', 'nation', 'rel', 'gas']
    """
    return _LIGHT[word]


def snowball_stem(word: str) -> str:
    """The Snowball English stem of a folded word (the paraphrase signals' stemmer).

    >>> [snowball_stem(w) for w in ("reported", "reports", "nations", "national", "москвы")]
    ['report', 'report', 'nation', 'nation', 'москвы']
    """
    return _SNOWBALL_STEMS[word]


def snowball_stems(words: Iterable[str]) -> list[str]:
    """:func:`snowball_stem` of each word, in order (one call for a sentence's words).

    >>> snowball_stems(["talks", "talked", "talking"])
    ['talk', 'talk', 'talk']
    """
    return list(map(_SNOWBALL_STEMS.__getitem__, words))
