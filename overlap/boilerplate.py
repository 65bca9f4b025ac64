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

import xxhash

from .model import Boilerplate
from .params import BoilerplateParams

__all__ = ["line_key", "BoilerplateCounter", "BoilerplateSet"]


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

    def finish(self) -> BoilerplateSet:
        """The boilerplate lines, ordered by how many documents carry them."""
        threshold = self.params.min_docs
        found = [(k, n) for k, n in self._counts.items() if n >= threshold] if self.params.enabled else []
        found.sort(key=lambda kn: (-kn[1], kn[0][0] or "", self._texts.get(kn[0], "")))
        lines = tuple(Boilerplate(text=self._texts.get(k, ""), source=k[0], documents=n) for k, n in found)
        return BoilerplateSet(frozenset(k for k, _ in found), lines)
