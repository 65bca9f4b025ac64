"""The semantic tier: is sentence B the same statement as sentence A in other words?

Shingle tiers see copies; a paraphrase shares few word 3-grams (the two
Patrushev renderings in ``seeds/000_*`` share 3%). This module scores a pair
of sentences from several signals, each in [0, 1]:

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
cosine     MiniLM sentence-embedding cosine (only with ``overlap[embed]``)
========== ==============================================================

and combines them with a logistic regression over the standardised signals
and their pairwise products (:func:`expand`; the products let the model say
"high cosine counts only if the names agree"), fitted offline on MRPC by
``bench/paraphrase.py fit`` (coefficients in ``data/paraphrase-model.json``;
no scikit-learn at run time). MRPC's pairs were chosen for high word
overlap, so the training data also holds 1,000 mined "nearest sentence from
another pair" and 500 random pairs as negatives and 200 sentences paired with
themselves as positives: without them the product terms extrapolated badly
and scored a same-topic sentence 0.88 against the Patrushev quote. The result is a probability-like score in
[0, 1]; ``threshold`` is the cut that maximised cross-validated accuracy.
Without the embedding model the lexical model (fitted the same way without
``cosine``) is used, and every output says which (:attr:`Scorer.path`).

Containment is reported on its own: MRPC counts "A plus extra clauses" as
not a paraphrase, but in news reuse it is often the same claim.

A second scorer over the same signals answers a looser question, *same
claim?* (:func:`load_claim_scorer`): fitted on STS-B train where people
scored the pair at least 3 of 5 ("roughly equivalent, some important
information differs or is missing") against 2 ("share some details") and 1
("same topic"). Measured on STS-B dev, never seen in the fit: accuracy 0.847,
AUC 0.929, Spearman 0.868 with embeddings; 0.800, 0.886, 0.761 lexical.
Talking points repeated by different officials are claims, rarely MRPC
paraphrases ("RUSSIA is ready to cooperate with the United States" / "...
will be ready to cooperate with partners from the United States if they
demonstrate interest": MRPC score 0.39, claim score 0.91).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
from rapidfuzz import fuzz

from .errors import InputError
from .ingest import RecordError, decode_utf8, parse_json_line
from .text.normalize import normalize_text
from .text.words import STOPWORDS, stems as stem_all

__all__ = [
    "SIGNALS",
    "LEXICAL_SIGNALS",
    "Prepared",
    "prepare",
    "signals",
    "Scorer",
    "PairScore",
    "load_scorer",
    "load_claim_scorer",
    "expand",
    "score_lines",
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
MODEL_FILE = Path(__file__).parent / "data" / "paraphrase-model.json"

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
_NEGATION = re.compile(r"\b(?:not|no|never|nor|without|none|neither)\b|n[\'\u2019]t\b", re.I)


# numbers, digits or words, are their own signal, never content words
_NOT_CONTENT = STOPWORDS | frozenset(NUMBER_WORDS)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the signals need from one sentence, computed once per sentence."""

    text: str  # the original text
    norm: str  # normalised (folded) text
    n_words: int  # how many words
    content: frozenset[str]  # stemmed content words (interned: a corpus shares one copy of each)
    bigrams: frozenset[int]  # hashes of stemmed word bigrams (a tuple per bigram cost 4 kB a sentence)
    numbers: frozenset[str]
    names: frozenset[str]
    negated: bool
    full: bool = True  # False: no norm or bigrams (see prepare)


def prepare(text: str, full: bool = True) -> Prepared:
    """Normalise, tokenise and stem one sentence.

    ``full=False`` leaves out what only scoring needs (the folded text and the
    bigrams, most of the memory): enough for candidates and filters, which
    see every statement of a corpus while only a few are ever scored.
    """
    marked = _COUNTRY_US.sub(" usa ", text)
    norm = normalize_text(marked)
    words = _WORD.findall(norm)
    stems = stem_all(words)
    content = frozenset(s for w, s in zip(words, stems) if w not in _NOT_CONTENT and not w.isdigit())
    bigrams = frozenset(map(hash, zip(stems, stems[1:]))) if full else frozenset()
    numbers = frozenset(n.replace(",", "") for n in _NUMBER.findall(norm)) | {
        NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS
    }
    # names: capitalised words, except the sentence's first word (capitalised anyway) unless it is a
    # country ("Russia is looking forward to ..."); "US", "U.S." and "United States" are one name
    caps_text = _COUNTRY_US.sub(" USA ", text)
    first = _LEADING.match(caps_text).end()
    caps = [m.group() for m in _CAPITALISED.finditer(caps_text)
            if m.start() != first or m.group().lower() in _NAME_ALIASES]
    names = frozenset(stem_all([_NAME_ALIASES.get(c.lower(), c.lower()) for c in caps if len(c) > 1]))
    negated = _NEGATION.search(text) is not None
    return Prepared(text, normalize_text(text) if full else "", len(stems), content, bigrams, numbers, names, negated, full)


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


@dataclass(frozen=True, slots=True)
class PairScore:
    """A scored pair: the calibrated score, the decision and the signals behind it."""

    score: float
    paraphrase: bool
    signals: dict[str, float]
    path: str


def expand(z: np.ndarray) -> np.ndarray:
    """Standardised signals ``(n, k)`` -> ``(n, k + k(k+1)/2)``: the signals and all pairwise products."""
    k = z.shape[1]
    i, j = np.triu_indices(k)
    return np.hstack([z, z[:, i] * z[:, j]])


@dataclass(frozen=True)
class Scorer:
    """A fitted logistic combination of named signals.

    ``mean``/``scale`` standardise the signals (in ``features`` order);
    ``weights`` apply to :func:`expand` of them; ``threshold`` is the
    cross-validated cut. All come from ``data/paraphrase-model.json``.
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    path: str

    @property
    def uses_embeddings(self) -> bool:
        return "cosine" in self.features

    def combine_matrix(self, x: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] of many pairs: ``x`` has one column per feature, in ``features`` order."""
        z = (np.asarray(x, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = self.intercept + expand(z) @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-logit))

    def combine(self, sig: dict[str, float]) -> float:
        """Score in [0, 1] of one pair's signals."""
        return float(self.combine_matrix(np.array([[sig[f] for f in self.features]]))[0])

    def score_pairs(self, pairs: Iterable[tuple[str, str]], batch: int = 256) -> Iterator[PairScore]:
        """Score sentence pairs in order (streams; embeds each batch at once).

        >>> s = load_scorer(lexical_only=True)
        >>> [r.paraphrase for r in s.score_pairs([("Prices rose 5% in May.", "In May prices went up 5%."),
        ...                                       ("Prices rose 5% in May.", "The weather was cold.")])]
        [True, False]
        """
        from .embed import load_embedder

        embedder = load_embedder() if self.uses_embeddings else None
        chunk: list[tuple[str, str]] = []
        for pair in pairs:
            chunk.append(pair)
            if len(chunk) >= batch:
                yield from self._score_chunk(chunk, embedder)
                chunk = []
        if chunk:
            yield from self._score_chunk(chunk, embedder)

    def _score_chunk(self, chunk: Sequence[tuple[str, str]], embedder) -> Iterator[PairScore]:
        sigs = [signals(prepare(a), prepare(b)) for a, b in chunk]
        if self.uses_embeddings:
            va = embedder.encode([a for a, _ in chunk])
            vb = embedder.encode([b for _, b in chunk])
            for sig, c in zip(sigs, (va * vb).sum(axis=1)):
                sig["cosine"] = float(min(1.0, max(0.0, c)))
        scores = self.combine_matrix(np.array([[sig[f] for f in self.features] for sig in sigs]))
        for sig, sc in zip(sigs, scores):
            yield PairScore(float(sc), bool(sc >= self.threshold), sig, self.path)


def scorer_from_dict(model: dict, path: str) -> Scorer:
    """Build a :class:`Scorer` from one entry of the model file."""
    return Scorer(
        features=tuple(model["features"]),
        weights=tuple(model["weights"]),
        intercept=float(model["intercept"]),
        mean=tuple(model["mean"]),
        scale=tuple(model["scale"]),
        threshold=float(model["threshold"]),
        path=path,
    )


def _load(prefix: str, lexical_only: bool) -> Scorer:
    """The model ``{prefix}embedding`` if the embedding model is installed (and wanted), else ``{prefix}lexical``."""
    from .embed import embedder_status, load_embedder

    models = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["models"]
    if lexical_only:
        return scorer_from_dict(models[f"{prefix}lexical"], "lexical")
    kind = "embedding" if load_embedder() is not None else "lexical"
    return scorer_from_dict(models[f"{prefix}{kind}"], embedder_status())


@lru_cache(maxsize=2)
def load_scorer(lexical_only: bool = False) -> Scorer:
    """The shipped scorer: with embeddings if the model is installed, else lexical.

    >>> s = load_scorer(lexical_only=True)
    >>> s.path
    'lexical'
    """
    return _load("", lexical_only)


@lru_cache(maxsize=2)
def load_claim_scorer(lexical_only: bool = False) -> Scorer:
    """The claim scorer (STS-B, "same claim" = human score >= 3), on the same path as :func:`load_scorer`.

    >>> load_claim_scorer(lexical_only=True).path
    'lexical'
    """
    return _load("claim_", lexical_only)


def _parse_line(raw: str | bytes, source: str, lineno: int,
                on_warning: Callable[[str], None] | None) -> tuple[str, str] | InputError:
    if isinstance(raw, bytes):
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw, bad = decode_utf8(raw)  # as every reader does: replaced, counted, said
        if bad is not None and on_warning is not None:
            on_warning(f"{source}:{lineno}: invalid UTF-8 at byte offset {bad}, decoded with replacement")
    try:
        obj = parse_json_line(raw)
    except RecordError as exc:
        return InputError(source, lineno, exc.message)
    if not isinstance(obj, dict):
        return InputError(source, lineno, 'expected a JSON object like {"a": "...", "b": "..."}')
    missing = [k for k in ("a", "b") if k not in obj]
    if missing:
        return InputError(source, lineno, f"missing field(s) {', '.join(repr(k) for k in missing)}: expected \"a\" and \"b\" texts")
    bad = [k for k in ("a", "b") if not isinstance(obj[k], str)]
    if bad:
        return InputError(source, lineno, f"field(s) {', '.join(repr(k) for k in bad)} must be strings")
    return obj["a"], obj["b"]


def score_lines(
    lines: Iterable[str | bytes],
    source: str,
    scorer: Scorer,
    threshold: float | None = None,
    batch: int = 64,
    claim_scorer: Scorer | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Iterator[dict | InputError]:
    """What ``overlap score`` computes: one result per non-blank JSON line, in order.

    Each line (``str``, or ``bytes`` decoded here as every reader decodes:
    bytes that are not UTF-8 replaced, and said through ``on_warning``) is
    ``{"a": text, "b": text}``. A good line gives a dict
    ``{"score", "paraphrase", "threshold", "containment", "signals", "model"}``;
    a bad line gives (not raises) an :class:`InputError` naming ``source:line``,
    so the caller chooses between skipping and stopping. Blank lines are
    ignored. A pair with a side the models cannot read (:func:`overlap.gate.check`:
    not English, empty, too few words, numbers, a list of names, a score line)
    is not scored: ``{"scored": false, "not_scored": {"a": reason, ...},
    "score": null, "paraphrase": false, ...}``; scored pairs say ``"scored": true``.
    ``threshold`` overrides the model's cross-validated cut. With a
    ``claim_scorer`` (:func:`load_claim_scorer`, same path as ``scorer``) each
    result also has ``claim_score`` and ``claim`` (the same claim, looser than
    a paraphrase: what a fact-checker testing a claim wants).

    >>> s = load_scorer(lexical_only=True)
    >>> out = list(score_lines(['{"a": "The cat sat on the mat.", "b": "The cat sat on the mat."}', '[1]',
    ...                         '{"a": "", "b": ""}'], "in.jsonl", s))
    >>> out[0]["paraphrase"], str(out[1])
    (True, 'in.jsonl:2: expected a JSON object like {"a": "...", "b": "..."}')
    >>> out[2]["scored"], out[2]["not_scored"], out[2]["paraphrase"]
    (False, {'a': 'empty', 'b': 'empty'}, False)
    """
    cut = scorer.threshold if threshold is None else threshold
    pending: list[tuple[str, str] | InputError] = []

    from .gate import check  # the gate prepares statements with this module: imported late

    def unscored(pair: tuple[str, str]) -> dict[str, str]:
        """Why each side cannot be scored (only the sides that cannot)."""
        return {side: why.label() for side, text in zip("ab", pair) if (why := check(text)) is not None}

    def flush() -> Iterator[dict | InputError]:
        gates = [None if isinstance(p, InputError) else unscored(p) for p in pending]
        pairs = [p for p, g in zip(pending, gates) if g == {}]
        scored = iter(scorer.score_pairs(pairs, batch=max(1, len(pairs))))
        for item, gate in zip(pending, gates):
            if isinstance(item, InputError):
                yield item
                continue
            if gate:  # never scored: a model's number on text it cannot read means nothing
                out = {"scored": False, "not_scored": gate, "score": None, "paraphrase": False,
                       "threshold": round(cut, 4)}
                if claim_scorer is not None:
                    out.update(claim_score=None, claim=False, claim_threshold=round(claim_scorer.threshold, 4))
                out["model"] = scorer.path
                yield out
                continue
            r = next(scored)
            out = {
                "scored": True,
                "score": round(r.score, 4),
                "paraphrase": bool(r.score >= cut),
                "threshold": round(cut, 4),
            }
            if claim_scorer is not None:
                c = claim_scorer.combine(r.signals)
                out.update(claim_score=round(c, 4), claim=bool(c >= claim_scorer.threshold),
                           claim_threshold=round(claim_scorer.threshold, 4))
            out.update(
                containment=round(r.signals["containment"], 4),
                signals={k: round(v, 4) for k, v in r.signals.items()},
                model=r.path,
            )
            yield out
        pending.clear()

    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        pending.append(_parse_line(raw, source, lineno, on_warning))
        if len(pending) >= batch:
            yield from flush()
    yield from flush()
