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
from typing import Iterable

import re

import xxhash

from .model import Boilerplate
from .params import BoilerplateParams

__all__ = ["line_key", "is_furniture", "BoilerplateCounter", "BoilerplateSet", "REPEATED", "WITHIN", "FURNITURE"]

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
    | read\ (?:more|also|next)(?:\ .*)? | related(?:\ (?:articles|stories|posts|news|content|topics))? | more\ (?:on\ this\ story|stories|news)
    | advertisement | sponsored(?:\ content)? | skip\ to\ (?:main\ )?content | (?:back\ to\ )?top | menu | search | home
    | click\ here.* | all\ rights\ reserved.* | (?:copyright\ )?\d{4}\ .*all\ rights\ reserved.*
    | we\ use\ cookies.* | this\ (?:site|website)\ uses\ cookies.* | accept\ cookies
    | (?:photo|image|picture|video|file\ photo)(?:\ credit)?(?:\ \w+){0,4} | tags?(?:\ .*)? | filed\ under(?:\ .*)?
    | you\ (?:may|might)\ also\ like | recommended(?:\ for\ you)? | trending(?:\ now)? | most\ (?:read|popular|viewed)
    )$""",
    re.X,
)


def is_furniture(words: list[str]) -> bool:
    """Whether a line's normalised words are a known kind of page furniture.

    >>> is_furniture(["leave", "a", "reply"]), is_furniture(["leave", "a", "reply", "to", "moscow"])
    (True, False)
    """
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

    def add(self, source: str | None, fingerprint: int, lines: Iterable[tuple[int, str]]) -> None:
        """Count one document's short lines, given as ``(key, original text)``.

        ``fingerprint`` identifies the document's content: a second document
        of the same source with the same fingerprint is not counted again.
        """
        if not self.params.enabled:
            return
        doc_key = (source, fingerprint)
        if doc_key in self._seen_docs:
            return
        self._seen_docs.add(doc_key)
        seen_here: set[int] = set()
        for key, text in lines:
            if key in seen_here:
                continue
            seen_here.add(key)
            counted = (source, key)
            n = self._counts[counted] + 1
            self._counts[counted] = n
            if n == 2:  # keep the text only for lines that repeat at all
                self._texts[counted] = text

    def note_local(self, reason: str, source: str | None, text: str) -> None:
        """Record a line dropped from one document on its own (furniture, repeated title)."""
        if len(self._local) < 100_000 or (reason, source, text) in self._local:
            self._local[(reason, source, text)] += 1

    def finish(self) -> BoilerplateSet:
        """The boilerplate lines, ordered by how many documents carry them."""
        threshold = self.params.min_docs
        found = [(k, n) for k, n in self._counts.items() if n >= threshold] if self.params.enabled else []
        found.sort(key=lambda kn: (-kn[1], kn[0][0] or "", self._texts.get(kn[0], "")))
        lines = [Boilerplate(text=self._texts.get(k, ""), source=k[0], documents=n, reason=REPEATED) for k, n in found]
        local = sorted(self._local.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or "", item[0][2]))
        lines.extend(Boilerplate(text=t, source=src, documents=n, reason=r) for (r, src, t), n in local)
        lines.sort(key=lambda b: -b.documents)  # stable: ties keep the order above
        return BoilerplateSet(frozenset(k for k, _ in found), tuple(lines))
