"""The one definition of words and shingles used everywhere in overlap.

A *word* is a run of Unicode word characters (``\\w``) in the normalised
text (see :mod:`overlap.text.normalize`), with two exceptions that make every
script comparable:

* combining marks (Mn, Mc, Me) stay inside the word they follow: Urdu
  ``اعلیٰ`` (superscript alef U+0670), Hindi vowel signs and Thai vowels are
  part of their words, where ``\\w`` cut words at every mark;
* scripts written without spaces between words (Han, Hiragana, Katakana,
  Thai, Lao, Khmer, Myanmar) have no word boundaries a regular expression can
  see, so each of their letters (with its marks) is a word of its own, and a
  shingle of ``n`` words there is a character ``n``-gram, as large
  deduplication pipelines shingle such text. Before, a whole clause between
  two punctuation marks counted as one word.

Latin, Cyrillic, Greek, Arabic-script text without marks and every ASCII text
are cut exactly as ``\\w+`` cuts them (and by the same fast paths).

A *shingle* is ``n`` consecutive words.
Words are hashed once to 64 bits (xxh3, seeded) and shingles are combined
from word hashes with numpy, so a document's shingles cost a handful of
vector operations rather than one Python call each; that is what makes
signatures fast (see ``../shared/notes/minhash-speed.md``).

The 64-bit shingle hashes are what :mod:`overlap.verify` compares exactly
(a collision needs two different shingles to agree on 64 bits); the 32-bit
fold of the same values feeds the MinHash signatures, so the estimate and
the verification are computed from the very same shingles.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, Sequence, Sized

import numpy as np
import xxhash

from .charclasses import MARKS_ASTRAL, MARKS_BMP, UNSPACED_ASTRAL, UNSPACED_BMP
from .normalize import fold_char, fold_lines, normalize_text

__all__ = ["WORD", "UNSPACED", "words", "iter_words", "line_words", "text_words", "word_hashes", "shingle_hashes",
           "shingle_runs", "distinct_sorted", "shingle_sets", "fold32", "shingle_set"]

_UNSPACED = UNSPACED_BMP + UNSPACED_ASTRAL
_MARKS = MARKS_BMP + MARKS_ASTRAL
# A run of word characters (unspaced letters excepted) with the marks inside and after it; or
# one unspaced letter with its marks.
WORD = re.compile(rf"[^\W{_UNSPACED}]+(?:[{_MARKS}]+[^\W{_UNSPACED}]*)*|[{_UNSPACED}][{_MARKS}]*")
# Text without these characters is cut by the plain (faster) ``\w+``, with the same result.
_SPECIAL = re.compile(rf"[{_UNSPACED}{_MARKS}]")
_PLAIN_WORD = re.compile(r"\w+")
# A letter of a script without spaces between words (each is a word of its own).
UNSPACED = re.compile(f"[{_UNSPACED}]")


def _pattern(text: str) -> re.Pattern[str]:
    """``WORD``, or the plain ``\\w+`` where it finds the same words faster (most text)."""
    if text.isascii():
        return _PLAIN_WORD
    try:
        text.encode("latin-1")  # a copy of a one-byte-per-character string: faster than any search
        return _PLAIN_WORD  # marks and unspaced letters all lie above U+02FF
    except UnicodeEncodeError:
        pass
    return _PLAIN_WORD if _SPECIAL.search(text) is None else WORD

_HASH_SEED = 0x0B5E55ED
# Odd 64-bit multipliers, one per position in a shingle, so "a b" != "b a".
_POSITION_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
        0x2545F4914F6CDD1D,
        0x5851F42D4C957F2D,
        0x14057B7EF767814F,
        0xA0761D6478BD642F,
        0xE7037ED1A0B428DB,
        0x8EBC6AF09C88C6E3,
        0x589965CC75374CC3,
        0x1D8E4E27C47D124F,
    ],
    dtype=np.uint64,
)
MAX_SHINGLE = len(_POSITION_MULTIPLIERS)


class _WordHashCache(dict):
    """Word -> 64-bit hash, computed once per distinct word (news vocabularies repeat)."""

    def __missing__(self, word: str) -> int:
        value = xxhash.xxh3_64_intdigest(word.encode("utf-8", "surrogatepass"), seed=_HASH_SEED)
        if len(self) < 2_000_000:  # bound the cache on huge vocabularies
            self[word] = value
        return value


_CACHE = _WordHashCache()


def _ascii_word_tables() -> tuple[bytes, bytes]:
    """A ``bytes.translate`` table that folds ASCII and blanks every non-word byte.

    Built from :func:`overlap.text.normalize.fold_char`, so it cannot disagree with
    the folding table; line feeds are kept so lines stay countable.
    """
    table = bytearray(range(256))
    delete = bytearray()
    for code in range(128):
        folded = fold_char(chr(code))
        if code == 10:
            continue
        if folded == "":
            delete.append(code)
        elif WORD.fullmatch(folded):
            table[code] = ord(folded)
        else:
            table[code] = 32
    return bytes(table), bytes(delete)


_ASCII_WORDS, _ASCII_DELETE = _ascii_word_tables()


def line_words(text: str) -> list[list[str]]:
    """The words of each line of an original text (lines split at line feeds).

    Same words as ``words(normalize_text(line))`` for every line, but pure
    ASCII text (most news) takes one C-level ``bytes.translate`` and
    ``str.split`` instead of a regular expression.
    """
    if text.isascii():
        folded = text.encode("ascii").translate(_ASCII_WORDS, _ASCII_DELETE).decode("ascii")
        return [line.split() for line in folded.split("\n")]
    folded = fold_lines(text, split=False)
    findall = _pattern(folded).findall
    return [findall(line) for line in folded.split("\n")]


def text_words(text: str) -> list[str]:
    r"""The words of an original text: ``words(normalize_text(text))``, fast for ASCII.

    >>> text_words("Russia’s  “BIG” threat\nDon't")
    ['russias', 'big', 'threat', 'dont']
    >>> text_words("中国经济，اعلیٰ")
    ['中', '国', '经', '济', 'اعلیٰ']
    """
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS, _ASCII_DELETE).decode("ascii").split()
    return words(normalize_text(text))


def words(normalized: str) -> list[str]:
    """The words of a normalised text, in order."""
    return _pattern(normalized).findall(normalized)


def iter_words(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    """The words of ``text[start:end]`` as matches, so ``m.span()`` are offsets into ``text``.

    Cuts the original (not normalised) text the same way :func:`words` cuts
    the normalised one, for callers that need word offsets without a map.

    >>> [m.span() for m in iter_words("Hi 东京!", 1)]
    [(1, 2), (3, 4), (4, 5)]
    """
    end = len(text) if end is None else end
    return _pattern(text[start:end]).finditer(text, start, end)


def word_hashes(tokens: Iterable[str]) -> np.ndarray:
    """64-bit hashes of words, as a ``uint64`` array."""
    count = len(tokens) if isinstance(tokens, Sized) else -1  # known: numpy allocates once (a fifth less time)
    return np.fromiter(map(_CACHE.__getitem__, tokens), dtype=np.uint64, count=count)


def shingle_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """64-bit hashes of every run of ``n`` consecutive words, in order.

    A text with fewer than ``n`` words has one shingle, made of all of its
    words (so short texts still compare), and an empty text has none.
    """
    _check_size(n)
    count = len(hashes)
    if count == 0:
        return np.empty(0, dtype=np.uint64)
    return _combine(hashes, min(n, count))


def _check_size(n: int) -> None:
    if not 1 <= n <= MAX_SHINGLE:
        raise ValueError(f"shingle size must be in 1..{MAX_SHINGLE}, got {n}")


def _combine(hashes: np.ndarray, n: int) -> np.ndarray:
    """The hash of every window of ``n`` consecutive values (``len(hashes) >= n``): the one shingle formula."""
    width = len(hashes) - n + 1
    out = hashes[:width] * _POSITION_MULTIPLIERS[0]
    for i in range(1, n):
        out += hashes[i : i + width] * _POSITION_MULTIPLIERS[i]
    # one more mixing step so that sums of products spread over all bits
    out ^= out >> np.uint64(29)
    out *= np.uint64(0xBF58476D1CE4E5B9)
    out ^= out >> np.uint64(32)
    return out


def shingle_runs(batch: Sequence[np.ndarray], n: int) -> list[np.ndarray]:
    """:func:`shingle_hashes` of every word-hash array of a batch, computed over the batch at once.

    The windows are combined over the batch's concatenated words in one pass
    (a window across two documents is computed and never used), so a
    document costs a slice instead of a dozen small numpy calls. Documents
    shorter than ``n`` words (rare: the scan needs ``min_words``) take
    :func:`shingle_hashes` itself.

    >>> w = [np.arange(1, 8, dtype=np.uint64), np.arange(3, dtype=np.uint64), np.arange(0, dtype=np.uint64)]
    >>> all(np.array_equal(a, shingle_hashes(t, 5)) for a, t in zip(shingle_runs(w, 5), w))
    True
    """
    _check_size(n)
    lengths = [len(t) for t in batch]
    if not batch or max(lengths) < n:
        return [shingle_hashes(t, n) for t in batch]
    combined = _combine(np.concatenate(batch).astype(np.uint64, copy=False), n)
    out = []
    start = 0
    for tokens, length in zip(batch, lengths):
        out.append(combined[start : start + length - n + 1] if length >= n else shingle_hashes(tokens, n))
        start += length
    return out


def distinct_sorted(runs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``np.unique`` of each array: one small sort each, one pass over the batch for the repeats.

    (``np.unique`` per document cost six times as much on Reuters-21578.)

    >>> [a.tolist() for a in distinct_sorted([np.array([3, 1, 3], dtype=np.uint64), np.array([1], dtype=np.uint64)])]
    [[1, 3], [1]]
    """
    if not runs:
        return []
    lengths = np.fromiter((len(r) for r in runs), dtype=np.int64, count=len(runs))
    if not lengths.any():
        return [r[:0] for r in runs]
    ordered = np.concatenate([np.sort(r) for r in runs])
    keep = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    keep[starts[lengths > 0]] = True  # a document's first value is never a repeat of the one before it
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    return np.split(ordered[keep], kept_before[starts + lengths][:-1])


def shingle_sets(batch: Sequence[np.ndarray], n: int) -> list[np.ndarray]:
    """Sorted distinct shingle hashes of every word-hash array of a batch: the sets the signatures are made of.

    Equal to ``np.unique(shingle_hashes(tokens, n))`` for each (tested), at a
    fifth of the cost on a batch of news articles.
    """
    return distinct_sorted(shingle_runs(batch, n))


def fold32(hashes64: np.ndarray) -> np.ndarray:
    """Fold 64-bit hashes to 32 bits for the affine32 MinHash scheme."""
    return ((hashes64 >> np.uint64(32)) ^ (hashes64 & np.uint64(0xFFFFFFFF))).astype(np.uint32)


def shingle_set(normalized: str, n: int) -> np.ndarray:
    """Sorted distinct 64-bit shingle hashes of a normalised text.

    >>> len(shingle_set("the cat sat on the mat the cat sat", 3))  # "the cat sat" twice
    6
    """
    return shingle_sets([word_hashes(words(normalized))], n)[0]
