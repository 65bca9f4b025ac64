"""Stage 5, clusters: verified links and exact-copy groups -> duplicate clusters and ``duplicate`` matches.

It runs where the links are collected (the driver): they are few, however
large the corpus. A group of exact copies acts as one node, represented by
its first document (the *leader*); a cluster is a star of such nodes around
the earliest publication (:func:`overlap.duplicates.cluster.star_clusters`).
"""

from __future__ import annotations

from typing import Callable, Collection, Mapping, Protocol, Sequence

import numpy as np

from ..duplicates.cluster import star_clusters
from ..model import Cluster, Match, MatchSide, Span
from ..minhash.verify import set_similarity
from .near_duplicates import Link

__all__ = ["Record", "cluster_duplicates", "explained_by_duplicates"]


class Record(Protocol):
    """What this stage needs to know of a document (:class:`~overlap.model.DocumentInfo` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def date(self) -> str | None: ...  # ISO date, or None
    @property
    def length(self) -> int | None: ...  # characters of its text


class _Nodes:
    """The exact-copy groups and verified links, with the exact Jaccard of any two nodes."""

    def __init__(self, records: Sequence[Record], leaders: Collection[int], copies: Mapping[int, list[int]],
                 links: Sequence[Link], shingles_of: Callable[[int], np.ndarray]) -> None:
        self.records, self.leaders, self.shingles_of = records, leaders, shingles_of
        self.group_of = {lead: sorted([lead, *rest], key=self.when) for lead, rest in copies.items()}
        self.links: dict[int, dict[int, float]] = {}
        for link in links:
            self.links.setdefault(link.a, {})[link.b] = link.jaccard
            self.links.setdefault(link.b, {})[link.a] = link.jaccard

    def when(self, i: int) -> tuple[int, str, int]:
        """Sort key: dated documents first, by date, then input order."""
        published = self.records[i].date
        return (0, published, i) if published else (1, "", i)

    def members(self, node: int) -> list[int]:
        return self.group_of.get(node, [node])

    def exact(self, x: int, y: int) -> float:
        """Exact Jaccard of two nodes, from their shingle sets when no link knows it."""
        if x == y:
            return 1.0
        if x not in self.leaders or y not in self.leaders:  # short documents: only exact copies
            return 0.0
        known = self.links.get(x, {}).get(y)
        if known is not None:
            return known
        return set_similarity(self.shingles_of(x), self.shingles_of(y)).jaccard


def cluster_duplicates(
    records: Sequence[Record],
    leaders: Collection[int],
    copies: Mapping[int, list[int]],
    links: Sequence[Link],
    threshold: float,
    shingles_of: Callable[[int], np.ndarray],
) -> tuple[tuple[list[Cluster], list[Match]], dict[str, int]]:
    """Duplicate clusters and matches; counts ``duplicate_matches``, ``clusters`` and ``documents_in_clusters``.

    ``records[i]`` shows document ``i``'s ``id``, ``date`` and ``length``
    (``i`` is its position in the input);
    ``leaders`` are the documents that were signed (one per exact-copy group),
    ``copies`` maps a leader to its later exact copies, ``links`` are the
    verified pairs of leaders. ``shingles_of(leader)`` is the join with the
    stored shingle sets, asked only for the few pairs a link does not score.
    """
    nodes = _Nodes(records, leaders, copies, links, shingles_of)
    clusters = _clusters(nodes, copies, threshold)
    matches = _matches(nodes, copies, links)
    return (clusters, matches), {"duplicate_matches": len(matches), "clusters": len(clusters),
                                 "documents_in_clusters": sum(len(c.members) for c in clusters)}


def _clusters(nodes: _Nodes, copies: Mapping[int, list[int]], threshold: float) -> list[Cluster]:
    # the linked nodes alone: a node without links forms no star, and sorting every document read by
    # its date would read every record back from the spill file
    node_order = sorted(nodes.links, key=lambda lead: nodes.when(nodes.members(lead)[0]))
    stars = star_clusters(node_order, nodes.links, nodes.exact, threshold)
    clustered = {lead for lead, _ in stars} | {m for _, ms in stars for m, _ in ms}
    stars.extend((lead, []) for lead in sorted(copies) if lead not in clustered)
    ranked = []
    for centre, members in stars:
        group = [centre] + [node for node, _ in members]
        docs = sorted((i for node in group for i in nodes.members(node)), key=nodes.when)
        ranked.append((nodes.when(docs[0]), docs, group))
    ranked.sort(key=lambda item: item[0])
    clusters: list[Cluster] = []
    for cid, (_, docs, group) in enumerate(ranked, start=1):
        representative = docs[0]
        rep_node = next(n for n in group if representative in nodes.members(n))
        leader_of = {i: n for n in group for i in nodes.members(n)}
        scores = [nodes.exact(rep_node, leader_of[i]) for i in docs[1:]]
        clusters.append(Cluster(
            id=cid,
            representative=nodes.records[representative].id,
            members=tuple(nodes.records[i].id for i in docs),
            min_jaccard=round(min(scores), 6),
            mean_jaccard=round(sum(scores) / len(scores), 6),
        ))
    return clusters


def _matches(nodes: _Nodes, copies: Mapping[int, list[int]], links: Sequence[Link]) -> list[Match]:
    """Every verified link, plus every exact copy linked to its group's first document."""
    records = nodes.records

    def whole(i: int) -> MatchSide:
        record = records[i]  # read once: a scan's records are read back from its spill file
        return MatchSide(record.id, Span(0, record.length or 0))

    ranked: list[tuple[float, int, int, Match]] = []  # sorted by score, then the two documents' positions
    for lead in sorted(copies):
        first, *later = nodes.members(lead)
        for i in later:
            a, b = sorted((first, i))
            ranked.append((-1.0, a, b, Match("duplicate", 1.0, whole(a), whole(b), jaccard=1.0, a_in_b=1.0, b_in_a=1.0)))
    for link in links:
        jac = round(link.jaccard, 6)
        ranked.append((-jac, link.a, link.b, Match("duplicate", jac, whole(link.a), whole(link.b), jac,
                                                   round(link.a_in_b, 6), round(link.b_in_a, 6))))
    ranked.sort(key=lambda item: item[:3])
    return [m for *_, m in ranked]


def explained_by_duplicates(copies: Mapping[int, list[int]], links: Sequence[Link]) -> Callable[[int, int], bool]:
    """Whether two documents are already whole duplicates: exact copies, or copies of a linked pair.

    The passage tier skips such pairs: a duplicate shares every passage.

    >>> explained = explained_by_duplicates({0: [2]}, [Link(0, 1, 0.9, 0.9, 0.9)])
    >>> explained(1, 2), explained(2, 3)
    (True, False)
    """
    leader_of = {i: lead for lead, rest in copies.items() for i in (lead, *rest)}
    linked: dict[int, set[int]] = {}
    for link in links:
        linked.setdefault(link.a, set()).add(link.b)
        linked.setdefault(link.b, set()).add(link.a)

    def explained(i: int, j: int) -> bool:
        li, lj = leader_of.get(i, i), leader_of.get(j, j)
        return li == lj or lj in linked.get(li, ())

    return explained
