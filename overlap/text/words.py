"""Words as the comparison tiers weigh them: the one stemmer and the one stopword list.

Two tiers compare bags of content words: passage alignment (:mod:`overlap.passages.align`:
tf-idf over sentence units) and the paraphrase signals (:mod:`overlap.claims.signals`:
content-word overlap, bigrams, names). Both must agree on what a content word is
and when two inflections are the same word, so both take them from here.

The stemmer is Snowball English (Porter 2) through PyStemmer, a C library: a
standard, tested algorithm rather than a home-made suffix list, and fast enough
for every word of a corpus. It needs no model and no language guess; words of
other scripts pass through unchanged. A corpus has a small vocabulary, so each
distinct word is stemmed once and its stem interned (every sentence then holds
one shared copy of each stem); the cache is bounded, and past the bound words
are stemmed afresh (same result, only slower).

The stopword list is English function words plus the furniture of news
attribution ("said", "told", "according", "mr"), which carries no claim and
would otherwise make every reported statement look alike. Callers fold words
(:func:`overlap.text.normalize.normalize_text`) before looking them up.
"""

from __future__ import annotations

from sys import intern
from typing import Iterable

import Stemmer  # PyStemmer: Snowball at C speed

__all__ = ["STOPWORDS", "stem", "stems"]

STOPWORDS = frozenset(
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

_STEMMER = Stemmer.Stemmer("english")
_CACHE_MAX = 500_000


class _StemCache(dict):
    """Folded word -> interned Snowball stem, computed once per distinct word (bounded)."""

    def __missing__(self, word: str) -> str:
        found = intern(_STEMMER.stemWord(word))
        if len(self) < _CACHE_MAX:
            self[word] = found
        return found


_STEMS = _StemCache()


def stem(word: str) -> str:
    """The Snowball English stem of a folded word, so inflections of one word meet.

    >>> [stem(w) for w in ("reported", "reports", "nations", "national", "москвы")]
    ['report', 'report', 'nation', 'nation', 'москвы']
    """
    return _STEMS[word]


def stems(words: Iterable[str]) -> list[str]:
    """:func:`stem` of each word, in order (one call for a sentence's words).

    >>> stems(["talks", "talked", "talking"])
    ['talk', 'talk', 'talk']
    """
    return list(map(_STEMS.__getitem__, words))
