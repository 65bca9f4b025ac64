"""Which parts of two passages are the same text, for showing them side by side.

The two passages are compared word by word (case folded) with rapidfuzz's
Indel opcodes, which align two sequences of hashable items; runs of equal
words become highlighted character ranges in each passage's own text. Short
runs are noise ("of the"), so only runs of at least ``min_run`` words count
(two words for passages of a sentence or two, three for longer ones; twice
as many in text mostly in scripts without spaces, where every letter is a
word: see :mod:`overlap.text.shingle`).

The alignment is bit-parallel but still grows with the product of the
lengths, so passages are cut to ``max_words`` words each before comparing:
the report says when that happened (:attr:`Highlight.truncated`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from ..model import Span
from ..text.shingle import UNSPACED, iter_words

__all__ = ["Highlight", "shared_segments", "MAX_WORDS"]

MAX_WORDS = 4000


@dataclass(frozen=True, slots=True)
class Highlight:
    """Shared ranges in each text (offsets into that text), and whether the comparison was cut."""

    a: tuple[Span, ...]
    b: tuple[Span, ...]
    truncated: bool = False


def _words(text: str, limit: int) -> tuple[list[str], list[tuple[int, int]], bool]:
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in iter_words(text):
        if len(words) >= limit:
            return words, spans, True
        words.append(m.group().casefold())
        spans.append(m.span())
    return words, spans, False


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    """Sorted, overlapping ranges joined (equal runs never overlap; kept for safety)."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and s.start <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, s.end))
        else:
            out.append(s)
    return tuple(out)


def shared_segments(a: str, b: str, *, min_run: int | None = None, max_words: int = MAX_WORDS) -> Highlight:
    """Character ranges of ``a`` and ``b`` that hold the same run of words.

    >>> h = shared_segments("Patrushev said on Sunday that ties would recover.",
    ...                     "On Sunday, Patrushev said that ties would recover soon.")
    >>> [("Patrushev said on Sunday that ties would recover."[s.start:s.end]) for s in h.a]
    ['Patrushev said', 'that ties would recover']
    """
    wa, sa, cut_a = _words(a, max_words)
    wb, sb, cut_b = _words(b, max_words)
    if not wa or not wb:
        return Highlight((), (), cut_a or cut_b)
    if min_run is None:
        min_run = 2 if min(len(wa), len(wb)) <= 40 else 3
        if 2 * sum(1 for w in wa if UNSPACED.match(w)) > len(wa):
            min_run *= 2  # single letters: "について" is four of them
    out_a: list[Span] = []
    out_b: list[Span] = []
    for op in Indel.opcodes(wa, wb):
        if op.tag != "equal" or op.src_end - op.src_start < min_run:
            continue
        out_a.append(Span(sa[op.src_start][0], sa[op.src_end - 1][1]))
        out_b.append(Span(sb[op.dest_start][0], sb[op.dest_end - 1][1]))
    return Highlight(_merge(out_a), _merge(out_b), cut_a or cut_b)
