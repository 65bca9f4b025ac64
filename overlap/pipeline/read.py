"""Stage 1, read: a batch of documents -> their words, short lines and what they drop on their own.

Pure and per document, so it maps over batches anywhere (a process, a Dask
partition): nothing here depends on another document. What does (ids unique
across the scan, the per-source boilerplate counts, the spill file the texts
wait in, the index each document gets) is the driver's.

A document is *set aside* before any stage pays for it when it is not text
(:func:`overlap.text.screen.screen`: binary, encoded blobs, number tables,
outsized texts), and is not compared when it has no words or fewer than
``min_words`` (short ones still count when they are byte-identical copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from xxhash import xxh3_64_intdigest as xxh64

from ..text.boilerplate import FURNITURE, WITHIN, UnitRef, is_furniture, unit_text, words_and_short_units
from ..model import Document, reduce_by_fields
from ..params import Params
from ..text.screen import screen
from ..text.shingle import word_hashes

__all__ = ["ReadDocument", "read_batch", "EMPTY", "NOT_TEXT", "TOO_SHORT"]

NOT_TEXT, EMPTY, TOO_SHORT = "not text", "empty", "too short"


@dataclass(frozen=True, slots=True)
class ReadDocument:
    """One document after the read stage.

    ``status`` is ``None`` for a document that goes on to be compared, else
    :data:`NOT_TEXT` (text not kept), :data:`EMPTY` or :data:`TOO_SHORT`;
    ``reason`` is the line the report gives for setting it aside.
    """

    __reduce__ = reduce_by_fields

    doc: Document
    status: str | None
    reason: str | None
    words: int
    tokens: np.ndarray  # uint64 hash of each word, in order
    fingerprint: int  # of all the document's words: byte-identical copies share it
    short: list[UnitRef]  # short lines or blocks: boilerplate candidates
    keys: list[int]  # their keys (never 0), for counting them across documents
    local_drop: list[int]  # indices into ``short`` that are boilerplate in this document on its own
    local_notes: list[tuple[str, str]]  # (reason, line text) of each kind of line dropped on its own, once


_NO_TOKENS = np.empty(0, dtype=np.uint64)


def read_batch(documents: Sequence[Document], params: Params) -> tuple[list[ReadDocument], dict[str, int]]:
    """Read a batch of documents; counts ``documents_read`` and ``documents_skipped``.

    >>> from overlap.params import Params
    >>> read, counts = read_batch([Document("a", "One two three."), Document("b", "")], Params())
    >>> [(r.status, r.words) for r in read], counts["documents_skipped"]
    ([('too short', 3), ('empty', 0)], 2)
    """
    out = [_read_one(doc, params) for doc in documents]
    return out, {"documents_read": len(out), "documents_skipped": sum(r.status is not None for r in out)}


def _read_one(doc: Document, params: Params) -> ReadDocument:
    # a binary file, an encoded blob, a number table or an outsized text is set aside
    # before any stage reads it: each stage is bounded per document only for text
    not_text = screen(doc.text, params.duplicates.max_chars)
    if not_text is not None:
        return ReadDocument(doc, NOT_TEXT, not_text, 0, _NO_TOKENS, 0, [], [], [], [])
    words, short = words_and_short_units(doc.text, params.boilerplate.max_words)
    if not words:
        return ReadDocument(doc, EMPTY, EMPTY, 0, _NO_TOKENS, 0, [], [], [], [])
    tokens = word_hashes(words)
    raw = tokens.tobytes()
    fingerprint = xxh64(raw)
    min_words = params.duplicates.min_words
    if len(words) < min_words:
        reason = f"{TOO_SHORT} ({len(words)} words < {min_words})"
        return ReadDocument(doc, TOO_SHORT, reason, len(words), tokens, fingerprint, [], [], [], [])
    keys = [xxh64(raw[8 * first : 8 * end]) or 1 for first, end, _, _ in short]
    drop, notes = _local_boilerplate(doc.text, words, short, keys) if short and params.boilerplate.enabled else ([], [])
    return ReadDocument(doc, None, None, len(words), tokens, fingerprint, short, keys, drop, notes)


def _local_boilerplate(
    text: str, words: list[str], short: list[UnitRef], keys: list[int]
) -> tuple[list[int], list[tuple[str, str]]]:
    """Short units that are boilerplate in this document on its own: a repeat of an earlier one, or furniture.

    A repeated line is noted once per document (the report counts
    documents, not occurrences); furniture is noted at each line.
    """
    drop: list[int] = []
    notes: list[tuple[str, str]] = []
    seen_here: set[int] = set()
    noted: set[int] = set()
    for k, key in enumerate(keys):
        if key in seen_here:
            drop.append(k)
            if key not in noted:
                noted.add(key)
                notes.append((WITHIN, unit_text(text, short[k])))
        elif is_furniture(words[short[k][0] : short[k][1]]):
            drop.append(k)
            notes.append((FURNITURE, unit_text(text, short[k])))
        seen_here.add(key)
    return drop, notes
