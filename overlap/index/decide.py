"""The filter's verdicts: each document against the index and the kept documents before it.

:func:`decide` answers for a batch as if each document were checked and (if
new) added in turn: a document is compared with the index (one read for the
batch) and with the batch's earlier new documents (:class:`Pending`, kept in
memory until the caller has written them out and commits them). On an index
other workers write at the same time, every new document is also reserved
before it is called new (:meth:`overlap.index.facade.Index.reserve`).

It needs of the index only what :class:`Searchable` names, so the index can
use it for its own one-document :meth:`~overlap.index.facade.Index.check`.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol, Sequence

import numpy as np

from ..minhash.lsh import Buckets
from ..minhash.verify import MODES, mode_score
from ..model import Decision
from .prepare import Prepared
from .store import strongest

__all__ = ["Pending", "Searchable", "decide"]


class Searchable(Protocol):
    """What :func:`decide` reads of an index (:class:`overlap.index.facade.Index` is one)."""

    @property
    def shared(self) -> bool:
        """Whether other processes write the index too (so kept documents are reserved)."""

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are indexed."""

    def scored(self, preps: Sequence[Prepared], mode: str = "whole") -> list[list[tuple[str, float]]]:
        """Every verified candidate of each document with its exact score."""

    def reserve(
        self, items: Sequence[tuple[Prepared, set[str]]], anchors: bool = False
    ) -> tuple[int, list[tuple[str, np.ndarray]]] | None:
        """Reserve kept documents against other writers."""


class Pending:
    """Kept documents decided but not yet committed to the index, searchable the way the index is.

    The filter commits them every ``commit_every`` documents: one big
    transaction costs far less than many small ones, and later documents
    still see them here, so the verdicts are the same as committing each one.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.clear()

    def clear(self) -> None:
        self.ids: set[str] = set()
        self.docs: list[Prepared] = []
        self.bands = Buckets()
        self.anchors = Buckets()

    def __len__(self) -> int:
        return len(self.docs)

    def add(self, p: Prepared) -> None:
        i = len(self.docs)
        self.docs.append(p)
        self.ids.add(p.id)
        self.bands.add(i, p.band_keys.tolist())
        if self.mode == "containment":
            self.anchors.add(i, p.anchors.tolist())

    def truncate(self, n: int) -> None:
        """Forget the documents added after the first ``n`` (a verdict taken back)."""
        while len(self.docs) > n:
            i = len(self.docs) - 1
            p = self.docs.pop()
            self.ids.discard(p.id)
            self.bands.pop(i, p.band_keys.tolist())
            if self.mode == "containment":
                self.anchors.pop(i, p.anchors.tolist())

    def scored(self, p: Prepared) -> list[tuple[str, float]]:
        if not self.docs:
            return []
        cands = set(self.bands.members(p.band_keys.tolist()))
        if self.mode == "containment":
            counts = Counter(self.anchors.members(p.anchors.tolist()))
            cands.update(strongest(counts, int))
        return [(self.docs[i].id, mode_score(p.shingles, self.docs[i].shingles, self.mode)) for i in cands]


def decide(
    index: Searchable,
    preps: Sequence[Prepared],
    threshold: float,
    mode: str = "whole",
    pending: Pending | None = None,
    known: set[str] | None = None,
    reserve: bool = True,
) -> list[Decision]:
    """Verdicts for a batch, in order, as if each document were checked and (if new) added in turn.

    Does not write to the index: new documents go into ``pending`` (a fresh
    one when not given), which the caller commits after emitting them.
    Every document must have words (``not p.empty``). ``known``: the ids
    among them already indexed, when the caller looked them up already.

    On an index other processes write too (Redis), each new document is also
    *reserved* (:meth:`Index.reserve`) before it is called new, so that of two
    near-duplicates decided at the same moment by two workers only one is
    kept; ``reserve=False`` only looks (nothing will be added).

    >>> decide(idx, idx.prepare([doc]), 0.8)  # doctest: +SKIP
    [Decision(doc='a', duplicate_of=None, score=0.0, mode='new')]
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if any(p.empty for p in preps):
        raise ValueError("decide() needs documents with words; skip empty ones first")
    if pending is None:
        pending = Pending(mode)
    elif pending.mode != mode:
        raise ValueError("pending documents were collected for another mode")
    if known is None:
        known = index.known_ids([p.id for p in preps])
    # one read of the index for the batch; what others add after it is met
    # through their reservations
    stored_by = iter(index.scored([p for p in preps if p.id not in known], mode))
    stored = [[] if p.id in known else next(stored_by) for p in preps]
    out: list[Decision] = []
    start = 0
    while start < len(preps):
        mark = len(pending)
        rest = preps[start:]
        verdicts, seen = _decide_in_turn(rest, stored[start:], threshold, pending, known)
        taken_back = _reserve(index, rest, verdicts, seen, threshold, mode) if reserve and index.shared else None
        if taken_back is None:
            out += verdicts
            break
        # another worker holds a near-duplicate of rest[j]: it is not new after
        # all, and what follows it is decided again without it
        j, verdict = taken_back
        out += verdicts[:j] + [verdict]
        pending.truncate(mark + sum(v.is_new for v in verdicts[:j]))
        start += j + 1
    return out


def _decide_in_turn(
    preps: Sequence[Prepared], stored: Sequence[list[tuple[str, float]]], threshold: float, pending: Pending,
    known: set[str],
) -> tuple[list[Decision], list[set[str]]]:
    """Verdicts from the index candidates and the pending documents; also the ids each was verified against."""
    mode = pending.mode
    out: list[Decision] = []
    seen: list[set[str]] = []
    for p, cands in zip(preps, stored):
        if p.id in known:
            out.append(Decision(p.id, p.id, 1.0, "id"))
            seen.append(set())
            continue
        seen.append({c[0] for c in cands})
        if p.id in pending.ids:
            out.append(Decision(p.id, p.id, 1.0, "id"))
            continue
        scores = cands + pending.scored(p)
        best = min(scores, key=lambda s: (-s[1], s[0])) if scores else None
        if best is not None and best[1] >= threshold:
            out.append(Decision(p.id, best[0], best[1], mode))
        else:
            out.append(Decision(p.id, None, best[1] if best else 0.0, "new"))
            pending.add(p)
    return out, seen


def _reserve(
    index: Searchable, preps: Sequence[Prepared], verdicts: list[Decision], seen: list[set[str]], threshold: float, mode: str
) -> tuple[int, Decision] | None:
    """Reserve the new documents in order; the first that another worker's document duplicates, with its verdict.

    Documents before it stay reserved. One that is not a near-duplicate of
    what the index showed is reserved on the next try (its verified ids grow
    by those just checked, so every try makes progress).
    """
    fresh = [j for j, v in enumerate(verdicts) if v.is_new]
    checked: dict[int, set[str]] = {}
    pos = 0
    while pos < len(fresh):
        got = index.reserve([(preps[j], seen[j] | checked.get(j, set())) for j in fresh[pos:]],
                            anchors=mode == "containment")
        if got is None:
            return None
        offset, others = got
        pos += offset
        j = fresh[pos]
        p = preps[j]
        best = min(((oid, mode_score(p.shingles, sh, mode)) for oid, sh in others), key=lambda s: (-s[1], s[0]))
        if best[1] >= threshold:
            return j, Decision(p.id, best[0], best[1], mode)
        checked.setdefault(j, set()).update(oid for oid, _ in others)
        if best[1] > verdicts[j].score:
            verdicts[j] = Decision(p.id, None, best[1], "new")
    return None
