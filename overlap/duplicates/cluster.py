"""Duplicate clusters from verified links only.

Clustering takes the verified links (never shared LSH buckets) and forms
star clusters: the document with the most verified links (ties: the earliest)
becomes a centre and takes every not-yet-placed document it is verified to
match; then the next, and so on (star clustering, Aslam et al. 2004). Every
member is thus a verified near-duplicate of its centre, and a chain A~B~C
cannot pull two unrelated documents into one cluster through a middle one.

A document whose links all go to members already placed elsewhere would be
left out; it joins the cluster of such a neighbour when its exact similarity
to that cluster's centre also passes (``similarity`` callback), so the
guarantee holds for it too.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

__all__ = ["star_clusters"]


def star_clusters(
    order: Sequence[int],
    links: Mapping[int, Mapping[int, float]],
    similarity: Callable[[int, int], float] | None = None,
    threshold: float = 0.0,
    most_linked_first: bool = True,
    best_centre: bool = False,
) -> list[tuple[int, list[tuple[int, float]]]]:
    """Group nodes into ``(centre, [(member, score to centre), ...])`` stars.

    ``order`` lists nodes by preference among equally linked centres (earliest
    first); ``links[a][b]`` is the verified score of the link a-b (symmetric).
    With ``most_linked_first`` false, centres are taken in ``order`` alone, so
    every centre comes before its members in ``order`` (claim clusters: the
    centre comes first in its group of candidates). With ``best_centre``, a
    node becomes a centre unless it is linked to an earlier centre, every
    other linked node joins the centre it is most strongly linked to (ties:
    the earlier centre), and a centre left without members is treated like
    any other node left out. Nodes without links form no cluster.
    Clusters come out in ``order`` of their centres.

    >>> star_clusters([0, 1, 2, 3], {0: {1: 0.9}, 1: {0: 0.9, 2: 0.8}, 2: {1: 0.8}})
    [(1, [(0, 0.9), (2, 0.8)])]
    """
    rank = {node: i for i, node in enumerate(order)}
    centres = sorted((n for n in order if links.get(n)),
                     key=lambda n: (-len(links[n]) if most_linked_first else 0, rank[n]))
    if best_centre:
        placed, stars = _stars_around_best_centres(order, links, centres, rank)
    else:
        placed, stars = _greedy_stars(links, centres)
    if similarity is not None:
        _place_leftovers(order, links, similarity, threshold, placed, stars)
    for members in stars.values():
        members.sort(key=lambda ms: rank[ms[0]])
    return sorted(stars.items(), key=lambda item: rank[item[0]])


Stars = dict[int, list[tuple[int, float]]]


def _greedy_stars(links: Mapping[int, Mapping[int, float]], centres: Sequence[int]) -> tuple[dict[int, int], Stars]:
    """Each centre in turn takes every linked node not placed yet."""
    placed: dict[int, int] = {}  # node -> its centre
    stars: Stars = {}
    for node in centres:
        if node in placed:
            continue
        members = [(other, score) for other, score in links[node].items() if other not in placed]
        if not members:
            continue
        placed[node] = node
        for other, _ in members:
            placed[other] = node
        stars[node] = members
    return placed, stars


def _stars_around_best_centres(
    order: Sequence[int], links: Mapping[int, Mapping[int, float]], centres: Sequence[int], rank: Mapping[int, int]
) -> tuple[dict[int, int], Stars]:
    """Centres: each candidate not linked to an earlier centre; members: their best centre."""
    placed: dict[int, int] = {}
    chosen: list[int] = []
    is_centre: set[int] = set()
    for node in centres:
        # a node's own links, not every centre chosen so far: that was quadratic in the centres
        # (about 4 s in a profile of the claims tier on Reuters-21578)
        if not any(other in is_centre for other in links[node]):
            chosen.append(node)
            is_centre.add(node)
    stars: Stars = {centre: [] for centre in chosen}
    for node in order:
        if node in is_centre or not links.get(node):
            continue
        score, _, top = max((links[node][c], -rank[c], c) for c in links[node] if c in is_centre)
        placed[node] = top
        stars[top].append((node, score))
    for centre in chosen:
        if stars[centre]:
            placed[centre] = centre
        else:
            del stars[centre]
    return placed, stars


def _place_leftovers(
    order: Sequence[int], links: Mapping[int, Mapping[int, float]], similarity: Callable[[int, int], float],
    threshold: float, placed: dict[int, int], stars: Stars,
) -> None:
    """Nodes whose every neighbour belongs to another star join the best such star they pass."""
    for node in order:
        if node in placed or not links.get(node):
            continue
        best: tuple[float, int] | None = None
        for neighbour in links[node]:
            centre = placed.get(neighbour)
            if centre is None:
                continue
            score = similarity(node, centre)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, centre)
        if best is not None:
            placed[node] = best[1]
            stars[best[1]].append((node, best[0]))
