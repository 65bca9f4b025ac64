"""Duplicate clusters from verified links only.

Clustering takes the verified links (never shared LSH buckets) and forms
star clusters around representatives: documents are visited earliest first
(by date, then by order of input) and each one not yet placed starts a
cluster with every not-yet-placed document it is verified to match. So every
member is a verified near-duplicate of its representative, the
representative is the earliest publication, and a chain A~B~C cannot pull
two unrelated documents into one cluster through a middle one.
"""

from __future__ import annotations

from typing import Mapping, Sequence

__all__ = ["star_clusters"]


def star_clusters(
    order: Sequence[int],
    links: Mapping[int, Mapping[int, float]],
) -> list[tuple[int, list[tuple[int, float]]]]:
    """Group nodes into ``(representative, [(member, score), ...])`` stars.

    ``order`` lists nodes by preference for being a representative;
    ``links[a][b]`` is the verified score of the link a-b (symmetric).
    Nodes without links form no cluster.

    >>> star_clusters([0, 1, 2, 3], {0: {1: 0.9}, 1: {0: 0.9, 2: 0.8}, 2: {1: 0.8}})
    [(0, [(1, 0.9)])]
    """
    rank = {node: i for i, node in enumerate(order)}
    placed: set[int] = set()
    clusters: list[tuple[int, list[tuple[int, float]]]] = []
    for node in order:
        if node in placed or not links.get(node):
            continue
        members = [(other, score) for other, score in links[node].items() if other not in placed]
        if not members:
            continue
        members.sort(key=lambda ms: rank[ms[0]])
        placed.add(node)
        placed.update(m for m, _ in members)
        clusters.append((node, members))
    return clusters
