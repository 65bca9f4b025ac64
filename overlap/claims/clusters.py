"""Claim clusters: stars of accepted statement pairs around an anchor, a statement in one cluster at most."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

from ..duplicates.cluster import star_clusters
from ..model import ClaimCluster, ClaimLink, Document, Match, Passage

__all__ = ["claim_clusters"]

#: A statement's key: (document id, start, end).
_Key = tuple[str, int, int]


@dataclass(frozen=True)
class _Chronology:
    """Statements in date order: by their document's date where known (undated last), then document id and offset."""

    docs: Mapping[str, Document]

    def published(self, doc_id: str) -> str | None:
        d = self.docs.get(doc_id)
        return d.date if d is not None and d.date else None

    def order(self, k: _Key) -> tuple:
        p = self.published(k[0])
        return (p is None, p or "", k[0], k[1], k[2])


def _strongest_pairs(matches: Sequence[Match], time: _Chronology) -> dict[tuple[_Key, _Key], Match]:
    """The best match of each pair of statements, the earlier statement first."""
    pair_of: dict[tuple[_Key, _Key], Match] = {}
    for m in matches:
        ka, kb = (m.a.doc, m.a.span.start, m.a.span.end), (m.b.doc, m.b.span.start, m.b.span.end)
        if ka == kb:
            continue
        key = (ka, kb) if time.order(ka) <= time.order(kb) else (kb, ka)
        if key not in pair_of or m.score > pair_of[key].score:
            pair_of[key] = m
    return pair_of


def _cluster(
    n: int, keys: list[_Key], claim_links: list[ClaimLink], by_key: Mapping[_Key, Passage], time: _Chronology
) -> ClaimCluster:
    """Cluster ``n``: its statements (the anchor first), their documents, sources, speakers and first publication."""
    stmts = tuple(by_key[k] for k in keys)
    doc_ids = tuple(dict.fromkeys(k[0] for k in keys))
    docs = time.docs
    sources = tuple(dict.fromkeys(docs[i].source for i in doc_ids if i in docs and docs[i].source))
    speakers = tuple(dict.fromkeys(s.speaker for s in stmts if s.speaker))
    scores = [link.score for link in claim_links]
    first = min(keys, key=time.order)
    return ClaimCluster(
        id=n,
        statements=stmts,
        documents=doc_ids,
        sources=sources,
        speakers=speakers,
        first_published=time.published(first[0]),
        min_score=round(min(scores), 4),
        mean_score=round(sum(scores) / len(scores), 4),
        links=tuple(claim_links),
        first=by_key[first],
    )


def claim_clusters(
    matches: Sequence[Match],
    units_: Sequence[Passage],
    documents: Sequence[Document],
    accept: Callable[[Passage, Passage], ClaimLink | None] | None = None,
) -> list[ClaimCluster]:
    """Claim clusters a researcher can cite: stars of accepted pairs, a statement in one cluster at most.

    Nodes are statements; an edge is a match (a pair the model accepted as
    the same statement or claim). Clusters are stars around *anchors*
    (:func:`overlap.duplicates.cluster.star_clusters`, the rule of the duplicate
    clusters): statements are taken in date order, and one becomes an anchor
    unless it was accepted against an earlier anchor; then every other
    statement joins the anchor it was accepted against most strongly. So
    every member was accepted against its anchor by a pair shown with it
    (``links``), and a chain A~B~C (a weak or wrong link B~C) never puts A
    and C in one cluster. Connected components, the rule before, did exactly
    that: one sentence making two claims, or one loose claim match, merged
    unrelated talking points. A full clique (every member accepted against
    every other) was the other choice; it splits a talking point restated in
    five outlets whenever one pair of restatements was never proposed as a
    candidate, which happens often (candidates come from LSH and nearest
    neighbours), so it would report the same claim as several clusters.
    Joining the *strongest* anchor rather than the first one keeps a loose
    within-article echo (a headline "hopes for progress in cooperation")
    from taking a statement away from the cross-outlet claim it restates
    closely. A statement whose accepted pairs all go to members of other
    stars (or an anchor left without members) is scored against those stars'
    anchors with ``accept`` (the tier's own scorers,
    :class:`overlap.claims.decide.Acceptor`) and joins the best star that
    accepts it; else it stays out of clusters (its matches are still
    reported).

    Statements are ordered by their document's date where known (undated
    last), then document id and offset: that order picks the anchors,
    orders the members, and makes the output deterministic. ``first`` is the
    cluster's first statement in that order, its earliest known publication.
    """
    time = _Chronology({d.id: replace(d, text="") for d in documents})  # dates and sources, not every text at once
    pair_of = _strongest_pairs(matches, time)
    matched = {k for pair in pair_of for k in pair}
    by_key = {key: u for u in units_ if (key := (u.doc, u.span.start, u.span.end)) in matched}  # the matched only
    nodes = sorted({k for pair in pair_of for k in pair}, key=time.order)
    index = {k: n for n, k in enumerate(nodes)}
    links: dict[int, dict[int, float]] = {}
    for (ka, kb), m in pair_of.items():
        links.setdefault(index[ka], {})[index[kb]] = m.score
        links.setdefault(index[kb], {})[index[ka]] = m.score
    extra: dict[tuple[int, int], ClaimLink] = {}

    def similarity(node: int, centre: int) -> float:
        link = accept(by_key[nodes[node]], by_key[nodes[centre]]) if accept is not None else None
        if link is None:
            return -1.0
        extra[(node, centre)] = link
        return link.score

    out: list[ClaimCluster] = []
    stars = star_clusters(range(len(nodes)), links, similarity=similarity, threshold=0.0, most_linked_first=False,
                          best_centre=True)
    for n, (centre, members) in enumerate(stars, start=1):
        claim_links = []
        for i, _ in members:
            a, b = nodes[centre], nodes[i]
            m = pair_of.get((a, b)) or pair_of.get((b, a))
            claim_links.append(extra[(i, centre)] if m is None else
                               ClaimLink(m.score, m.details.get("relation", "paraphrase"),
                                         bool(m.details.get("within_document"))))
        out.append(_cluster(n, [nodes[centre]] + [nodes[i] for i, _ in members], claim_links, by_key, time))
    return out
