"""What a pair model reads from two statements: the signals, each in [0, 1].

Shingle tiers see copies; a paraphrase shares few word 3-grams (the two
Patrushev renderings in ``seeds/000_*`` share 3%). So a pair of statements is
scored (:mod:`overlap.claims.scorer`) from several signals, each in [0, 1]:

========== ==============================================================
ratio      rapidfuzz ``ratio`` of the normalised texts (edit similarity)
token_sort rapidfuzz ``token_sort_ratio`` (same words, any order)
token_set  rapidfuzz ``token_set_ratio`` (one word set inside the other)
partial    rapidfuzz ``partial_ratio`` (best-aligned substring)
content    Jaccard of stemmed, stopword-free content words
containment share of the smaller content-word set found in the larger
coverage   share of the larger content-word set found in the smaller
bigram     Jaccard of stemmed word bigrams (word order)
numbers    agreement of the numbers both mention, digits or words (1 when neither has any)
names      agreement of capitalised words after the first (people, places)
negation   1 when both or neither sentence is negated ("not", "never", ...)
extra      content words only one side has, /20, capped at 1 (new information)
length     shorter / longer word count
cosine     MiniLM sentence-embedding cosine (only with ``overlap[embed]``, :mod:`overlap.claims.embed`)
========== ==============================================================

Each statement is prepared once (:func:`prepare`): a corpus has many
statements and few of them are ever scored, so what only scoring needs is
computed for those few.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz

from ..spill import MappedColumns, SpilledRows
from ..text.normalize import normalize_text
from ..text.words import CLAIM_STOPWORDS, snowball_stems

__all__ = [
    "SIGNALS",
    "LEXICAL_SIGNALS",
    "NUMBER_WORDS",
    "Prepared",
    "prepare",
    "Lexicon",
    "signals",
]

LEXICAL_SIGNALS = (
    "ratio",
    "token_sort",
    "token_set",
    "partial",
    "content",
    "containment",
    "coverage",
    "bigram",
    "numbers",
    "names",
    "negation",
    "extra",
    "length",
)
SIGNALS = LEXICAL_SIGNALS + ("cosine",)

# "us" the pronoun vs "US" the country: the country survives because it is checked before folding.
_COUNTRY_US = re.compile(r"\bU\.?S\.?(?![\w])|\bUnited States(?: of America)?\b")
_WORD = re.compile(r"\w+")
_LEADING = re.compile(r"[\W_]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?![\w])")  # not "1st", "2nd"
# spelled-out numbers count as numbers ("three cts" vs "3 cts"), not as content words
NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
     "ninety": "90", "hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000"}
_CAPITALISED = re.compile(r"\b[A-Z]\w*")  # "US-Russian" -> "US", "Russian"
# One name per country however the news names it: abbreviations, demonyms ("Russian officials" and
# "Russia" are the same actor) and capitals used for governments ("Moscow hopes", "Washington says").
_NAME_ALIASES = {"us": "usa", "u": "usa", "america": "usa", "american": "usa", "americans": "usa",
                 "washington": "usa", "uk": "britain", "british": "britain", "london": "britain"}
for _country, _forms in {
    "russia": "russian russians moscow kremlin", "china": "chinese beijing", "france": "french paris",
    "germany": "german germans berlin", "japan": "japanese tokyo", "india": "indian indians delhi",
    "ukraine": "ukrainian ukrainians kyiv kiev", "syria": "syrian syrians damascus",
    "iran": "iranian iranians tehran", "israel": "israeli israelis jerusalem", "turkey": "turkish ankara",
    "canada": "canadian canadians ottawa", "brazil": "brazilian brasilia", "italy": "italian italians rome",
    "mexico": "mexican mexicans", "australia": "australian australians canberra",
    "europe": "european europeans brussels", "korea": "korean koreans seoul pyongyang",
}.items():
    _NAME_ALIASES.update(dict.fromkeys(_forms.split(), _country))
_NAME_ALIASES.update({c: c for c in set(_NAME_ALIASES.values())})
#: the countries :func:`party` knows, each in its one spelling
COUNTRIES = frozenset(_NAME_ALIASES.values())
_NEGATION = re.compile(r"\b(?:not|no|never|nor|without|none|neither)\b|n[\'\u2019]t\b", re.I)


def party(name: str) -> str:
    """One spelling per country for a name as the news writes it ("U.S.", "United States",
    "Washington", "American" -> "usa"; "Kremlin", "Russian" -> "russia"), lower-cased; any other name
    lower-cased as it is. For comparing who is named across statements (:mod:`.roles`).

    >>> [party(n) for n in ("U.S.", "United States", "Moscow", "Security Council")]
    ['usa', 'usa', 'russia', 'security council']
    """
    key = " ".join(_COUNTRY_US.sub(" USA ", name).replace(".", "").lower().split())
    return _NAME_ALIASES.get(key, key)


# numbers, digits or words, are their own signal, never content words
_NOT_CONTENT = CLAIM_STOPWORDS | frozenset(NUMBER_WORDS)


_NONE: frozenset = frozenset()  # one empty set for every lightly prepared sentence (each new one costs 216 bytes)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the signals need from one sentence, computed once per sentence.

    The word collections are frozensets when ``full`` (the signals' set
    algebra), sorted tuples otherwise: a corpus's every statement and clause
    is prepared lightly for the candidates, and a tuple of eleven words
    costs 130 bytes where their frozenset costs 890 (1.2 kB a part in all,
    1.3 GB at 128,000 generated articles).
    """

    text: str  # the original text
    norm: str  # normalised (folded) text
    n_words: int  # how many words
    content: frozenset[str] | tuple[str, ...]  # stemmed content words (interned: a corpus shares one copy of each)
    bigrams: frozenset[int]  # hashes of stemmed word bigrams (a tuple per bigram cost 4 kB a sentence)
    numbers: frozenset[str] | tuple[str, ...]
    names: frozenset[str] | tuple[str, ...]
    negated: bool
    full: bool = True  # False: no norm or bigrams, tuples for sets (see prepare)


def prepare(text: str, full: bool = True) -> Prepared:
    """Normalise, tokenise and stem one sentence.

    ``full=False`` leaves out what only scoring needs (the folded text and the
    bigrams, most of the memory) and keeps the words as sorted tuples, not
    sets: enough for candidates and filters, which see every statement of a
    corpus while only a few are ever scored.
    """
    marked = _COUNTRY_US.sub(" usa ", text)
    norm = normalize_text(marked)
    words = _WORD.findall(norm)
    stems = snowball_stems(words)
    content = frozenset(s for w, s in zip(words, stems) if w not in _NOT_CONTENT and not w.isdigit())
    bigrams = frozenset(map(hash, zip(stems, stems[1:]))) if full else _NONE
    numbers = frozenset(n.replace(",", "") for n in _NUMBER.findall(norm)) | {
        NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS
    }
    # names: capitalised words, except the sentence's first word (capitalised anyway) unless it is a
    # country ("Russia is looking forward to ..."); "US", "U.S." and "United States" are one name
    caps_text = _COUNTRY_US.sub(" USA ", text)
    first = _LEADING.match(caps_text).end()
    caps = [m.group() for m in _CAPITALISED.finditer(caps_text)
            if m.start() != first or m.group().lower() in _NAME_ALIASES]
    names = frozenset(snowball_stems([_NAME_ALIASES.get(c.lower(), c.lower()) for c in caps if len(c) > 1]))
    negated = _NEGATION.search(text) is not None
    if not full:
        return Prepared(text, "", len(stems), tuple(sorted(content)), bigrams, tuple(sorted(numbers)),
                        tuple(sorted(names)), negated, full)
    return Prepared(text, normalize_text(text), len(stems), content, bigrams, numbers, names, negated, full)


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def signals(a: Prepared, b: Prepared) -> dict[str, float]:
    """The lexical signals of a pair, each in [0, 1] (see the module docstring)."""
    if not (a.full and b.full):
        raise ValueError("signals need fully prepared sentences: prepare(text, full=True)")
    ca, cb = a.content, b.content
    common = len(ca & cb)
    small = min(len(ca), len(cb))
    if a.numbers or b.numbers:
        numbers = _jaccard(a.numbers, b.numbers)
    else:
        numbers = 1.0
    la, lb = a.n_words, b.n_words
    return {
        "ratio": fuzz.ratio(a.norm, b.norm) / 100.0,
        "token_sort": fuzz.token_sort_ratio(a.norm, b.norm) / 100.0,
        "token_set": fuzz.token_set_ratio(a.norm, b.norm) / 100.0,
        "partial": fuzz.partial_ratio(a.norm, b.norm) / 100.0,
        "content": _jaccard(ca, cb),
        "containment": common / small if small else 0.0,
        "coverage": common / max(len(ca), len(cb)) if (ca or cb) else 0.0,
        "bigram": _jaccard(a.bigrams, b.bigrams),
        "numbers": numbers,
        "names": _jaccard(a.names, b.names) if (a.names or b.names) else 1.0,
        "negation": 1.0 if a.negated == b.negated else 0.0,
        "extra": min(1.0, (len(ca) + len(cb) - 2 * common) / 20.0),
        "length": min(la, lb) / max(la, lb) if max(la, lb) else 0.0,
    }




_FIELDS = ("content", "numbers", "names")


@dataclass(frozen=True)
class Lexicon(MappedColumns):
    """The content words, numbers and names of many statements, as word ids: what candidates and filters read.

    The candidates of the claims tier look at every statement and clause of
    a corpus (1.1 million parts at 128,000 generated articles), while only
    a few are ever scored. One :class:`Prepared` each, even lightly
    prepared, cost about 700 bytes a part in Python objects; here a part
    costs its word ids (4 bytes each) and three offsets. ``words`` is the
    vocabulary; ``offsets[f][k]:offsets[f][k + 1]`` are part ``k``'s ids of
    field ``f`` (``content``, ``numbers``, ``names``) in ``ids[f]``, each
    part's ids distinct and sorted by word.
    """

    words: tuple[str, ...]
    offsets: dict[str, np.ndarray]
    ids: dict[str, np.ndarray]
    files: tuple[SpilledRows, ...] = field(default=(), compare=False, repr=False)  # what they are mapped from, if any

    @classmethod
    def of(cls, prepared: Iterable[Prepared]) -> Lexicon:
        """The lexicon of prepared statements (lightly or fully prepared), in their order."""
        vocab: dict[str, int] = {}
        flat: dict[str, list[int]] = {f: [] for f in _FIELDS}
        sizes: dict[str, list[int]] = {f: [0] for f in _FIELDS}
        for p in prepared:
            for f in _FIELDS:
                words = sorted(getattr(p, f))
                flat[f].extend(vocab.setdefault(w, len(vocab)) for w in words)
                sizes[f].append(len(words))
        return cls(tuple(vocab), {f: np.cumsum(sizes[f], dtype=np.int64) for f in _FIELDS},
                   {f: np.asarray(flat[f], dtype=np.int32) for f in _FIELDS})

    @classmethod
    def concat(cls, parts: Iterable[Lexicon], directory: str | None = None, *, files: bool = False) -> Lexicon:
        """One lexicon of several, in order (the batches of a map over documents), their vocabularies merged.

        ``parts`` may be a stream: each is merged as it comes and let go, its
        own vocabulary with it. Batches unpickled from a cluster's workers
        each bring their own copy of every word they use; held until the
        last had come, those copies were most of the 320 MB a two-worker
        driver added while the statements of 80,000 generated articles came
        back (tracemalloc). With ``files``, the ids and offsets are written to
        files in ``directory`` and mapped from them
        (:class:`~overlap.spill.SpilledRows`): the claims tier's largest cost
        for every part it keeps; :meth:`close` removes them.
        """
        vocab: dict[str, int] = {}
        made = (lambda dtype: SpilledRows(dtype, directory=directory)) if files else (lambda dtype: [])
        offsets = {f: made(np.int64) for f in _FIELDS}
        ids = {f: made(np.int32) for f in _FIELDS}
        for f in _FIELDS:
            offsets[f].append(np.zeros(1, dtype=np.int64))
        ends = dict.fromkeys(_FIELDS, 0)
        try:
            for lex in parts:  # a batch may hold no part at all (every statement set aside)
                to_global = np.fromiter((vocab.setdefault(w, len(vocab)) for w in lex.words), dtype=np.int32,
                                        count=len(lex.words))
                for f in _FIELDS:
                    offsets[f].append(lex.offsets[f][1:] + ends[f])
                    ids[f].append(to_global[lex.ids[f]])
                    ends[f] += len(lex.ids[f])
        except BaseException:  # the stream failed (or was cancelled): its files go with it
            for made_files in (offsets, ids):
                for column in made_files.values():
                    if isinstance(column, SpilledRows):
                        column.close()
            raise
        if files:
            return cls(tuple(vocab), {f: offsets[f].view() for f in _FIELDS}, {f: ids[f].view() for f in _FIELDS},
                       (*offsets.values(), *ids.values()))
        return cls(tuple(vocab), {f: np.concatenate(offsets[f]) for f in _FIELDS},
                   {f: np.concatenate(ids[f]) if ids[f] else np.empty(0, dtype=np.int32) for f in _FIELDS})

    def __len__(self) -> int:
        return len(self.offsets["content"]) - 1

    def of_part(self, field: str, k: int) -> np.ndarray:
        """Part ``k``'s word ids of ``field``."""
        return self.ids[field][self.offsets[field][k] : self.offsets[field][k + 1]]

    def rows(self, field: str = "content") -> np.ndarray:
        """The part each entry of ``ids[field]`` belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.offsets[field]))

    def frequency(self) -> np.ndarray:
        """In how many parts each word is a content word (the corpus statistics of the template rule)."""
        return np.bincount(self.ids["content"], minlength=len(self.words))
