"""Text -> what the index keeps of a document: shingles, anchors, signature, band keys.

Containment ("a short piece contained in an earlier long one") cannot be
found through whole-document LSH: the Jaccard similarity of a paragraph and
the article around it is small. Anchors are winnowing fingerprints (Schleimer
et al., 2003): the minimum shingle hash of every window of ``anchor_window``
consecutive shingles. Any run of at least ``anchor_window`` shingles copied
verbatim yields at least one anchor in both documents, so a contained piece
always finds the document it came from as a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..minhash.lsh import band_keys
from ..minhash.signatures import Signer
from ..model import Document
from ..text.shingle import distinct_sorted, shingle_runs, text_words, word_hashes
from .settings import IndexSettings

__all__ = ["Prepared", "Preparer", "sets_and_anchors"]


@dataclass(slots=True)
class Prepared:
    """One document made ready for the index: everything derived from its text once."""

    id: str
    shingles: np.ndarray  # sorted distinct uint64 shingle hashes (exact verification)
    anchors: np.ndarray  # sorted distinct int64 winnowing fingerprints (containment)
    signature: np.ndarray  # uint32 MinHash row, bit-identical to datasketch affine32
    band_keys: np.ndarray  # int64, one per LSH band

    @property
    def empty(self) -> bool:
        return len(self.shingles) == 0


class Preparer:
    """Text -> shingles, anchors, signature and band keys, for batches of documents."""

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        self.signer = Signer(settings.num_perm, settings.seed)
        self.bands, self.rows = settings.bands_rows

    def prepare(self, docs: Sequence[Document]) -> list[Prepared]:
        n, w = self.settings.shingle_size, self.settings.anchor_window
        ordered = shingle_runs([word_hashes(text_words(doc.text)) for doc in docs], n)
        sets, anchors = sets_and_anchors(ordered, w)
        sigs = self.signer.sign(sets)
        keys = self.band_keys(sigs)
        return [
            Prepared(doc.id, s, a, sigs[i], keys[i])
            for i, (doc, s, a) in enumerate(zip(docs, sets, anchors))
        ]

    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """One 64-bit key per (document, band) (:func:`overlap.minhash.lsh.band_keys`)."""
        return band_keys(sigs, self.bands, self.rows)


def _per_doc_unique(seg: np.ndarray, values: np.ndarray, ndocs: int) -> list[np.ndarray]:
    """Sorted distinct values of each document, for a whole batch in one sort."""
    order = np.lexsort((values, seg))
    seg, values = seg[order], values[order]
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = (values[1:] != values[:-1]) | (seg[1:] != seg[:-1])
    seg, values = seg[keep], values[keep]
    bounds = np.cumsum(np.bincount(seg, minlength=ndocs))[:-1]
    return np.split(values, bounds)


def sets_and_anchors(ordered: Sequence[np.ndarray], window: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per document: the sorted shingle set, and its winnowing anchors (as int64).

    Anchors are the minimum of every ``window`` consecutive shingles (the
    document's minimum when it has fewer), computed for the whole batch at
    once with a sparse table of power-of-two window minima.
    """
    ndocs = len(ordered)
    if ndocs == 0:
        return [], []
    lengths = np.fromiter((len(o) for o in ordered), dtype=np.int64, count=ndocs)
    allh = np.concatenate(ordered) if lengths.sum() else np.empty(0, dtype=np.uint64)
    seg = np.repeat(np.arange(ndocs, dtype=np.int64), lengths)
    sets = distinct_sorted(ordered)
    if window == 0:  # an index without anchors (whole-document matching only)
        return sets, [np.empty(0, dtype=np.int64) for _ in range(ndocs)]
    # window minima over the concatenation; keep only windows inside one document
    level, width = allh, 1
    while width * 2 <= window:
        level = np.minimum(level[:-width], level[width:]) if len(level) > width else level[:0]
        width *= 2
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ends = starts + lengths
    if len(level) > window - width:
        mins = np.minimum(level[: len(level) - (window - width)], level[window - width :]) if window > width else level
    else:
        mins = level[:0]
    pos = np.arange(len(mins), dtype=np.int64)
    pos_seg = seg[: len(mins)]
    valid = pos + window <= ends[pos_seg]
    a_vals, a_seg = mins[valid], pos_seg[valid]
    short = np.flatnonzero((lengths > 0) & (lengths < window))
    if len(short):  # documents shorter than a window: their minimum
        short_min = np.array([ordered[i].min() for i in short.tolist()], dtype=np.uint64)
        a_vals = np.concatenate((a_vals, short_min))
        a_seg = np.concatenate((a_seg, short))
    anchors = [a.view(np.int64) for a in _per_doc_unique(a_seg, a_vals, ndocs)]
    return sets, anchors

