"""A claim's journey: which outlets carried a claim cluster's statements, and when.

The claim clusters of :mod:`overlap.claims` say *that* documents make the
same claim; a researcher asks *who said it first and who followed*. This
module answers from the documents' own metadata and nothing else:

* a **carrier** is a document holding at least one of the cluster's
  statements, with its outlet (``source``) and publication date as given
  (a document without a source is an outlet of its own, ``(no source: ID)``,
  as in the source graph: :func:`overlap.graph.build.outlet`);
* the **earliest carriers** are the dated ones no other carrier precedes
  (:func:`overlap.graph.dates.publication_order`: a bare date is compared by day,
  so two documents of the same day are both earliest when nothing precedes
  them);
* an **arrow** goes from each earliest carrier to each carrier published
  strictly after it.

A document without a date is never placed in time: it is listed apart as
undated, and no arrow starts or ends at it. Nothing is guessed.

The same journey feeds the timeline picture in ``report.html`` and the
journey line in ``report.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..graph.build import outlet
from ..graph.dates import publication_days, publication_order
from ..model import ClaimCluster

__all__ = ["Carrier", "Journey", "claim_journey", "claim_reach", "widest_first"]


@dataclass(frozen=True, slots=True)
class Carrier:
    """A document that carries a claim: its outlet and date as the input gave them."""

    doc: str
    source: str | None
    date: str | None
    statements: int
    earliest: bool = False

    @property
    def outlet(self) -> str:
        """The outlet's name as the source graph has it (``(no source: ID)`` when the input gave none)."""
        return outlet(self.source, self.doc)

    @property
    def days(self) -> float | None:
        """Where the publication sits on a time axis (days since 1970), ``None`` when undated."""
        return publication_days(self.date)


@dataclass(frozen=True, slots=True)
class Journey:
    """The carriers of one claim: dated ones in time order, then undated ones; arrows earliest -> later."""

    carriers: tuple[Carrier, ...]
    arrows: tuple[tuple[str, str], ...]

    @property
    def dated(self) -> tuple[Carrier, ...]:
        return tuple(c for c in self.carriers if c.days is not None)

    @property
    def undated(self) -> tuple[Carrier, ...]:
        return tuple(c for c in self.carriers if c.days is None)

    @property
    def outlets(self) -> tuple[str, ...]:
        """Outlets in the order they first carried the claim; undated-only outlets next, unnamed ones last."""
        first: dict[str, Carrier] = {}
        for c in (*self.dated, *self.undated):
            first.setdefault(c.outlet, c)
        return tuple([o for o, c in first.items() if c.source] + [o for o, c in first.items() if not c.source])

    def describe(self, max_outlets: int | None = None) -> str:
        """One sentence: who carried the claim first, who followed, which documents are undated.

        ``max_outlets`` adds that a picture shows only that many outlets.

        >>> from types import SimpleNamespace as D
        >>> meta = {"a": D(source="TASS", date="2017-01-15"), "b": D(source="Blog", date="2017-01-17"),
        ...         "c": D(source=None, date=None)}
        >>> claim_journey(["a", "b", "c"], meta.__getitem__).describe()
        'First carried by TASS (2017-01-15); then Blog (2017-01-17); 1 document without a date, shown apart in no order: (no source: c).'
        """
        dated, undated = self.dated, self.undated
        bits = []
        if dated:
            first = [c for c in dated if c.earliest]
            names = ", ".join(dict.fromkeys(f"{c.outlet} ({c.date})" for c in first))
            bits.append(f"First carried by {names}" if len(first) == 1
                        else f"First carried by {names}, in no known order")
            later = [c for c in dated if not c.earliest]
            if later:
                bits.append("then " + ", ".join(f"{c.outlet} ({c.date})" for c in later[:8])
                            + (f" and {len(later) - 8:,} more" if len(later) > 8 else ""))
        outlets = ", ".join(dict.fromkeys(c.outlet for c in undated))
        n = f"{len(undated):,} document{'s' if len(undated) != 1 else ''}"
        if undated and not dated:
            bits.append(f"No document carrying this claim has a date, so there is no timeline to draw: {n} from {outlets}")
        elif undated:
            bits.append(f"{n} without a date, shown apart in no order: {outlets}")
        if max_outlets is not None and len(self.outlets) > max_outlets:
            bits.append(f"the picture shows {max_outlets} of {len(self.outlets):,} outlets")
        return "; ".join(bits) + "."


def claim_journey(docs: Iterable[str], document: Callable[[str], Any]) -> Journey:
    """The journey of a claim whose statements lie in ``docs`` (one entry per statement, repeats allowed).

    ``document(doc_id)`` gives an object with ``source`` and ``date``
    (a scan's ``document`` method); a document it does not know (``KeyError``)
    counts as having neither.

    >>> from types import SimpleNamespace as D
    >>> meta = {"a": D(source="TASS", date="2017-01-15"), "b": D(source="Blog", date="2017-01-17"),
    ...         "c": D(source=None, date=None)}
    >>> j = claim_journey(["b", "a", "a", "c"], meta.__getitem__)
    >>> [(c.doc, c.outlet, c.statements, c.earliest) for c in j.carriers]
    [('a', 'TASS', 2, True), ('b', 'Blog', 1, False), ('c', '(no source: c)', 1, False)]
    >>> j.arrows
    (('a', 'b'),)
    """
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc] = counts.get(doc, 0) + 1
    meta: dict[str, tuple[str | None, str | None]] = {}
    for doc in counts:
        try:
            d = document(doc)
        except KeyError:
            d = None
        source, published = getattr(d, "source", None), getattr(d, "date", None)
        meta[doc] = (str(source) if source else None, str(published) if published else None)
    dated = [doc for doc in counts if publication_days(meta[doc][1]) is not None]
    undated = sorted(doc for doc in counts if doc not in dated)
    dated.sort(key=lambda doc: (publication_days(meta[doc][1]), doc))
    earliest = [d for d in dated if not any(publication_order(meta[o][1], meta[d][1]) < 0 for o in dated)]
    arrows = tuple((e, d) for e in earliest for d in dated if publication_order(meta[e][1], meta[d][1]) < 0)
    first = set(earliest)
    carriers = tuple(Carrier(doc, meta[doc][0], meta[doc][1], counts[doc], doc in first) for doc in dated + undated)
    return Journey(carriers, arrows)


def claim_reach(cluster: ClaimCluster) -> tuple[int, int]:
    """How widely a claim cluster was carried: its outlets, then its documents."""
    return len(set(cluster.sources)), len({st.doc for st in cluster.statements})


def widest_first(clusters: Iterable[ClaimCluster]) -> list[ClaimCluster]:
    """Claim clusters, the most widely carried first (most outlets, then most documents; ties in scan order).

    Both reports list claims in this order, so a researcher meets the
    talking points that travelled furthest first.
    """
    return sorted(clusters, key=lambda c: tuple(-n for n in claim_reach(c)))
