"""Recognise boilerplate: short lines an outlet repeats across its articles.

Sign-up boxes, "Leave a Reply", bylines, share buttons and repeated titles
make unrelated articles of one site look alike. They are recognised by
counting, per source, in how many distinct documents each short normalised
line occurs; lines at or above ``min_docs`` are boilerplate and never count
as evidence of reuse. Two limits keep real reuse from being mistaken for
boilerplate: only short lines qualify (a wire paragraph reprinted by forty
outlets is reuse, not boilerplate), and byte-identical copies of a document
count once (otherwise every line of an article published three times would
look like boilerplate).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable

import math
import re

import xxhash

from ..model import Boilerplate, Span
from ..params import BoilerplateParams
from .segment import is_wrapped as _is_wrapped, trim
from .shingle import line_words

__all__ = ["UnitRef", "words_and_short_units", "unit_text", "unit_spans", "every_occurrence", "line_key", "is_furniture", "BoilerplateCounter", "BoilerplateSet", "REPEATED", "WITHIN", "FURNITURE"]

REPEATED = "repeated across documents of one source"
WITHIN = "repeated within a document"
FURNITURE = "web page furniture"

# Lines that are page furniture wherever they appear, even once: comment and
# sharing widgets, newsletter and follow prompts, navigation, credits. Matched
# against a whole short line's normalised words, so prose that merely
# mentions a newsletter is left alone.
_FURNITURE = re.compile(
    r"""^(?:
      leave\ a\ (?:reply|comment)(?:\ cancel\ reply)? | (?:\d+\ )?comments? | no\ comments(?:\ yet)? | post\ a\ comment
    | connect\ with\ us | follow\ us(?:\ on\ .*)? | share(?:\ this)?(?:\ (?:article|story|post|page))?(?:\ on\ .*)?
    | (?:share\ on\ )?(?:facebook|twitter|whatsapp|telegram|linkedin|email|print|reddit|pinterest)(?:\ \w+){0,2}
    | (?:tweet|pin\ it|email\ this|print\ this(?:\ page)?)
    | (?:liked\ this\ story\ )?subscribe\ to\ (?:our|the)\ (?:newsletter|channel|podcast).*
    | sign\ up\ (?:for|to)\ (?:our|the)\ .*newsletters?.* | (?:sign\ up|subscribe|log\ ?in|register)(?:\ now|\ here)?
    | also\ read\ .* | read\ (?:more|also|next)(?:\ .*)? | more\ in\ .* | (?:back\ )?to\ top | related(?:\ (?:articles|stories|posts|news|content|topics))? | more\ (?:on\ this\ story|stories|news)
    | advertisement | sponsored(?:\ content)? | skip\ to\ (?:main\ )?content | (?:back\ to\ )?top | menu | search | home
    | click\ here.* | all\ rights\ reserved.* | (?:copyright\ )?\d{4}\ .*all\ rights\ reserved.*
    | we\ use\ cookies.* | this\ (?:site|website)\ uses\ cookies.* | accept\ cookies
    | (?:photo|image|picture|video|file\ photo)(?:\ credit)?(?:\ \w+){0,4} | tags?(?:\ .*)? | filed\ under(?:\ .*)?
    | you\ (?:may|might)\ also\ like | recommended(?:\ for\ you)? | trending(?:\ now)? | most\ (?:read|popular|viewed)
    )$""",
    re.X,
)


# The words a furniture line can start with (besides a number): a line starting otherwise is not matched
# against :data:`_FURNITURE` at all. Most short lines are not furniture, and the alternation is the
# dearest step of reading one (tests check this set against strings drawn from the expression itself).
_FURNITURE_FIRST = frozenset(
    "accept advertisement all also back click comment comments connect copyright email facebook file filed "
    "follow home image leave liked linkedin log login menu more most no photo picture pin pinterest post print "
    "read recommended reddit register related search share sign skip sponsored subscribe tag tags telegram this "
    "to top trending tweet twitter video we whatsapp you".split()
)


_TERMINAL = frozenset(".!?:;\"\u201d\u2019\u00bb)]\u2026'")


# A unit: (first word, end word, first line, last line); words index the document's word list.
UnitRef = tuple[int, int, int, int]


def words_and_short_units(text: str, max_words: int) -> tuple[list[str], list[UnitRef]]:
    r"""A document's words, and its short units (boilerplate candidates).

    A unit is a line, or in hard-wrapped text a block of lines joined until
    one ends with sentence punctuation or the next is indented or blank.
    Lines without words (blank, markup debris) end a unit and belong to none.
    Units of at most ``max_words`` words are returned as
    ``(first word, end word, first line, last line)``.

    >>> words, short = words_and_short_units("Leave a Reply\n\nThe story goes on and on.\nShare", 5)
    >>> short
    [(0, 3, 0, 0), (9, 10, 3, 3)]
    """
    raw_lines = text.split("\n")
    lines_of_words = line_words(text)
    words: list[str] = []
    short: list[UnitRef] = []
    if not _is_wrapped(raw_lines):
        for i, ws in enumerate(lines_of_words):
            if ws:
                first = len(words)
                words.extend(ws)
                if len(ws) <= max_words:
                    short.append((first, first + len(ws), i, i))
        return words, short
    first = first_line = -1
    last_line = -1
    for i, ws in enumerate(lines_of_words):
        if not ws:
            if first_line >= 0 and len(words) - first <= max_words:
                short.append((first, len(words), first_line, last_line))
            first_line = -1
            continue
        raw = raw_lines[i]
        if first_line >= 0 and (raw[:1].isspace() or raw_lines[last_line].rstrip()[-1:] in _TERMINAL):
            if len(words) - first <= max_words:
                short.append((first, len(words), first_line, last_line))
            first_line = -1
        if first_line < 0:
            first, first_line = len(words), i
        last_line = i
        words.extend(ws)
    if first_line >= 0 and len(words) - first <= max_words:
        short.append((first, len(words), first_line, last_line))
    return words, short


def unit_text(text: str, unit: UnitRef) -> str:
    """What a unit says, its lines joined, for reports."""
    lines = text.split("\n")[unit[2] : unit[3] + 1]
    return " ".join(line.strip() for line in lines)


def unit_spans(text: str, refs: list[UnitRef]) -> list[Span]:
    """Original spans (white space trimmed) of units."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    spans = []
    for _, _, first_line, last_line in refs:
        spans.append(Span(*trim(text, starts[first_line], starts[last_line + 1] - 1)))
    return spans


def every_occurrence(text: str, spans: list[Span]) -> list[Span]:
    r"""``spans`` and every other place in ``text`` where the same words stand.

    A line repeated within a page (a title printed three times) is dropped
    from its second occurrence on, so the duplicate tier still sees the
    title once; the paraphrase tier must see it nowhere, or a repeated title
    becomes a "claim" matched against the page's own headline.

    >>> t = "Big News Today\nThe story.\nBig News Today"
    >>> [t[s.start:s.end] for s in every_occurrence(t, [Span(26, 40)])]
    ['Big News Today', 'Big News Today']
    >>> [(s.start, s.end) for s in every_occurrence(t, [Span(26, 40)])]
    [(0, 14), (26, 40)]
    """
    found = set(spans)
    for piece in {text[s.start:s.end] for s in spans if s.end > s.start}:
        at = text.find(piece)
        while at >= 0:
            found.add(Span(at, at + len(piece)))
            at = text.find(piece, at + 1)
    return sorted(found, key=lambda s: (s.start, s.end))


def is_furniture(words: list[str] | tuple[str, ...]) -> bool:
    """Whether a line's normalised words are a known kind of page furniture.

    >>> is_furniture(["leave", "a", "reply"]), is_furniture(["leave", "a", "reply", "to", "moscow"])
    (True, False)
    """
    first = words[0].split(" ", 1)[0] if words else ""
    if first not in _FURNITURE_FIRST and not first[:1].isdecimal():
        return False
    return _FURNITURE.match(" ".join(words)) is not None


def line_key(words: list[str]) -> int:
    """A stable 64-bit key for a line, from its normalised words (never 0)."""
    return xxhash.xxh3_64_intdigest(" ".join(words).encode("utf-8", "surrogatepass")) or 1


@dataclass(frozen=True)
class BoilerplateSet:
    """The lines treated as boilerplate, per source."""

    keys: frozenset[tuple[str | None, int]]
    lines: tuple[Boilerplate, ...]

    def __contains__(self, item: tuple[str | None, int]) -> bool:
        return item in self.keys


class BoilerplateCounter:
    """Counts short lines per source over one pass of the corpus."""

    def __init__(self, params: BoilerplateParams) -> None:
        self.params = params
        self._counts: Counter[tuple[str | None, int]] = Counter()
        self._texts: dict[tuple[str | None, int], str] = {}
        self._seen_docs: set[tuple[str | None, int]] = set()
        self._local: Counter[tuple[str, str | None, str]] = Counter()
        self._docs_per_source: Counter[str | None] = Counter()

    def add(self, source: str | None, fingerprint: int, keys: list[int], text_of: Callable[[int], str]) -> None:
        """Count one document's short units by key; ``text_of(i)`` renders unit ``i``.

        ``fingerprint`` identifies the document's content: a second document
        of the same source with the same fingerprint is not counted again.
        Texts are rendered only for units seen a second time, so the common
        case (a line no other document has) costs a counter update.
        """
        if not self.params.enabled:
            return
        doc_key = (source, fingerprint)
        if doc_key in self._seen_docs:
            return
        self._seen_docs.add(doc_key)
        self._docs_per_source[source] += 1
        counts = self._counts
        for key in dict.fromkeys(keys):
            counted = (source, key)
            n = counts[counted] + 1
            counts[counted] = n
            if n == 2:  # keep the text only for lines that repeat at all
                self._texts[counted] = text_of(keys.index(key))

    def note_local(self, reason: str, source: str | None, text: str) -> None:
        """Record a line dropped from one document on its own (furniture, repeated title)."""
        if len(self._local) < 100_000 or (reason, source, text) in self._local:
            self._local[(reason, source, text)] += 1

    def finish(self) -> BoilerplateSet:
        """The boilerplate lines, ordered by how many documents carry them."""
        floor, share = self.params.min_docs, self.params.min_share
        needed = {src: max(floor, math.ceil(share * n)) for src, n in self._docs_per_source.items()}
        found = [(k, n) for k, n in self._counts.items() if n >= needed[k[0]]] if self.params.enabled else []
        found.sort(key=lambda kn: (-kn[1], kn[0][0] or "", self._texts.get(kn[0], "")))
        lines = [Boilerplate(text=self._texts.get(k, ""), source=k[0], documents=n, reason=REPEATED) for k, n in found]
        local = sorted(self._local.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or "", item[0][2]))
        lines.extend(Boilerplate(text=t, source=src, documents=n, reason=r) for (r, src, t), n in local)
        lines.sort(key=lambda b: -b.documents)  # stable: ties keep the order above
        return BoilerplateSet(frozenset(k for k, _ in found), tuple(lines))
