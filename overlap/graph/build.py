"""Who reused whom: matches + documents -> a document graph and a source graph.

It builds two ``nx.DiGraph`` (networkx is imported in ``graph/`` only):

* the **document graph**: one node per document that takes part in at least
  one match, one edge per pair of documents that share text;
* the **source graph**: one node per outlet (``source``), one edge per
  ordered pair of outlets, a self-loop for an outlet repeating itself. A
  document without a source is an outlet of its own, ``(no source: ID)``
  (:func:`outlet`): gathering all of them under one name would draw one
  fictitious outlet that seems to repeat itself.

Edges carry the evidence, summed over the matches they stand for:
``matches`` (also the edge ``weight``), ``duplicate``/``reuse``/``paraphrase``
(matches by kind), ``shared_chars`` (see :func:`shared_chars`) and
``best_score``. Every match is counted on exactly one document edge and one
source edge, so the counts of all edges add up to ``matches.jsonl``.

Direction: an edge points from the earlier to the later publication when
both dates are known and differ (``directed=True``). Otherwise the order is
unknown and the edge keeps the matches' canonical order (``a`` -> ``b``,
i.e. the order documents were read) with ``directed=False``; in the source
graph such evidence sits on the edge between the two outlets in name order
and is counted apart (``dated_matches`` / ``undated_matches``). One
``DiGraph`` with a ``directed`` flag, rather than a mixed graph, because
networkx cannot read back mixed GEXF/GraphML and most tools cannot either.

``within_source`` marks an edge between documents of one outlet (a
self-loop in the source graph); source nodes count ``within_source_matches``
and ``cross_source_matches`` apart, and ``reused_by_others`` /
``reused_from_others`` for dated cross-source evidence.

Attribute values are never ``None`` (a missing title or date is simply not
set) and each attribute has one type, so GEXF and GraphML writers accept the
graphs; no attribute is named ``id``, ``label``, ``start`` or ``end``.

The files are written by :mod:`overlap.graph.formats`.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from .._version import __version__
from ..model import DocumentInfo, Match, ScanResult
from .dates import Moment, earlier, moment

__all__ = ["Graph", "KINDS", "NO_SOURCE", "outlet", "document_graph", "source_graph", "shared_chars", "layout"]

#: The type of every graph made here; the name modules outside ``graph/`` use to pass one on
#: (networkx stays inside this package).
Graph = nx.DiGraph

KINDS = ("duplicate", "reuse", "paraphrase")
NO_SOURCE = "(no source)"


def outlet(source: str | None, doc_id: str) -> str:
    """The source-graph node of a document: its source, else its own unknown outlet.

    >>> outlet("TASS", "a"), outlet(None, "b")
    ('TASS', '(no source: b)')
    """
    return source or f"{NO_SOURCE[:-1]}: {doc_id})"


# --- evidence ----------------------------------------------------------------


def shared_chars(match: Match) -> int:
    """Characters of shared text a match stands for.

    ``details["shared_chars"]`` when the matching stage measured it; else
    the shorter side's span length, scaled by that side's containment in the
    other (``a_in_b``/``b_in_a``) when known: for a whole-document duplicate
    at Jaccard 0.6 this is the part of the shorter article found in the
    longer, not its full length.
    """
    given = match.details.get("shared_chars") if match.details else None
    if isinstance(given, (int, float)) and not isinstance(given, bool):
        return int(given)
    la, lb = len(match.a.span), len(match.b.span)
    if la <= lb:
        length, share = la, match.a_in_b
    else:
        length, share = lb, match.b_in_a
    return int(round(length * share)) if share is not None else length


def _new_evidence() -> dict[str, Any]:
    ev: dict[str, Any] = {"matches": 0, **{k: 0 for k in KINDS}, "shared_chars": 0, "best_score": 0.0}
    return ev


def _add(ev: dict[str, Any], match: Match, chars: int) -> None:
    ev["matches"] += 1
    if match.kind in KINDS:
        ev[match.kind] += 1
    else:  # a kind this version does not know still counts, under its own name
        ev[match.kind] = ev.get(match.kind, 0) + 1
    ev["shared_chars"] += chars
    ev["best_score"] = max(ev["best_score"], float(match.score))


def _set(attrs: dict[str, Any], name: str, value: Any) -> None:
    if value is not None and value != "":
        attrs[name] = value


def _doc_attrs(doc: DocumentInfo, cluster: int | None) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for name, value in (("source", doc.source), ("title", doc.title), ("date", doc.date), ("url", doc.url)):
        _set(attrs, name, value)
    for name, count in (("words", doc.words), ("length", doc.length)):
        if count is not None and count >= 0:
            attrs[name] = count
    if cluster is not None:
        attrs["cluster"] = cluster
    return attrs


def document_graph(view: ScanResult) -> nx.DiGraph:
    """One node per matched document, one edge per pair sharing text (see module docstring).

    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> text = "the same wire story about grain exports rising again this year"
    >>> docs = [Document("a", text, source="wire", date="2020-01-01"),
    ...         Document("b", text, source="paper", date="2020-01-02")]
    >>> with scan(docs) as result:
    ...     g = document_graph(result)
    >>> list(g.edges(data="directed"))
    [('a', 'b', True)]
    """
    cluster_of: dict[str, int] = {}
    for c in view.clusters:
        for member in c.members:
            cluster_of.setdefault(member, c.id)
    g = nx.DiGraph(kind="documents", tool=f"overlap {__version__}")
    moments: dict[str, Moment | None] = {}

    def node(doc_id: str) -> None:
        if doc_id in g:
            return
        doc = view.document(doc_id)
        moments[doc_id] = moment(doc.date)
        g.add_node(doc_id, **_doc_attrs(doc, cluster_of.get(doc_id)),
                   matches=0, **{k: 0 for k in KINDS}, within_source_matches=0, cross_source_matches=0)

    for m in view.matches:
        a, b = m.a.doc, m.b.doc
        node(a)
        node(b)
        order = earlier(moments[a], moments[b])
        if order > 0:
            a, b = b, a
        if not g.has_edge(a, b) and g.has_edge(b, a):
            a, b = b, a  # undated evidence joins an existing edge of the pair
        if not g.has_edge(a, b):
            src_a, src_b = g.nodes[a].get("source"), g.nodes[b].get("source")
            g.add_edge(a, b, **_new_evidence(), directed=order != 0, within_source=src_a == src_b)
            both = [moments[a], moments[b]]
            if all(both):
                _set(g.edges[a, b], "date", max(x.day for x in both if x).isoformat())  # type: ignore[union-attr]
        edge = g.edges[a, b]
        _add(edge, m, shared_chars(m))
        edge["weight"] = edge["matches"]
        for d in {a, b}:
            nd = g.nodes[d]
            nd["matches"] += 1
            nd[m.kind] = nd.get(m.kind, 0) + 1
            nd["within_source_matches" if edge["within_source"] else "cross_source_matches"] += 1
    return g


def source_graph(view: ScanResult, docs: nx.DiGraph | None = None) -> nx.DiGraph:
    """Outlets and the text they share, from the document graph (see module docstring).

    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> text = "the same wire story about grain exports rising again this year"
    >>> docs = [Document("a", text, source="wire", date="2020-01-01"),
    ...         Document("b", text, source="paper", date="2020-01-02")]
    >>> with scan(docs) as result:
    ...     g = source_graph(result)
    >>> [(s, t, d["matches"], d["dated_matches"]) for s, t, d in g.edges(data=True)]
    [('wire', 'paper', 1, 1)]
    """
    docs = document_graph(view) if docs is None else docs
    g = nx.DiGraph(kind="sources", tool=f"overlap {__version__}")
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for d in view.documents:
        name = outlet(d.source, d.id)
        counts[name] = counts.get(name, 0) + 1
        m = moment(d.date)
        if m is not None:
            day = m.day.isoformat()
            if name not in first or day < first[name]:
                first[name] = day
    matched: dict[str, int] = {}
    for doc_id, data in docs.nodes(data=True):
        name = outlet(data.get("source"), doc_id)
        matched[name] = matched.get(name, 0) + 1

    def node(name: str) -> None:
        if name not in g:
            attrs: dict[str, Any] = {
                "documents": counts.get(name, 0), "matched_documents": matched.get(name, 0),
                "within_source_matches": 0, "cross_source_matches": 0,
                "reused_by_others": 0, "reused_from_others": 0, "undated_cross_matches": 0,
            }
            _set(attrs, "date", first.get(name))
            g.add_node(name, **attrs)

    for name in sorted(counts):
        if name in matched:
            node(name)
    for a, b, ev in docs.edges(data=True):
        s = outlet(docs.nodes[a].get("source"), a)
        t = outlet(docs.nodes[b].get("source"), b)
        node(s)
        node(t)
        dated = ev["directed"]
        if not dated and s > t:
            s, t = t, s
        if not g.has_edge(s, t):
            g.add_edge(s, t, **_new_evidence(), dated_matches=0, undated_matches=0, document_pairs=0,
                       within_source=s == t)
        edge = g.edges[s, t]
        for key in ("matches", *KINDS, "shared_chars"):
            edge[key] = edge.get(key, 0) + ev.get(key, 0)
        for key in ev:
            if key not in edge and isinstance(ev[key], int) and not isinstance(ev[key], bool) and key != "weight":
                edge[key] = ev[key]  # an unknown match kind
        edge["best_score"] = max(edge["best_score"], ev["best_score"])
        edge["dated_matches" if dated else "undated_matches"] += ev["matches"]
        edge["document_pairs"] += 1
        edge["directed"] = edge["undated_matches"] == 0
        edge["weight"] = edge["matches"]
        if "date" in ev and (edge.get("date") is None or ev["date"] < edge["date"]):
            edge["date"] = ev["date"]  # when the outlets first shared text
        if s == t:
            g.nodes[s]["within_source_matches"] += ev["matches"]
        else:
            for n in (s, t):
                g.nodes[n]["cross_source_matches"] += ev["matches"]
            if dated:
                g.nodes[s]["reused_by_others"] += ev["matches"]
                g.nodes[t]["reused_from_others"] += ev["matches"]
            else:
                g.nodes[s]["undated_cross_matches"] += ev["matches"]
                g.nodes[t]["undated_cross_matches"] += ev["matches"]
    return g


def layout(g: nx.DiGraph, *, seed: int = 7) -> dict[Any, tuple[float, float]]:
    """Deterministic node positions in [0, 1]² for drawing (spring layout, fixed seed)."""
    if g.number_of_nodes() == 0:
        return {}
    if g.number_of_nodes() == 1:
        return {next(iter(g)): (0.5, 0.5)}
    und = nx.Graph()
    und.add_nodes_from(sorted(g.nodes, key=str))
    for s, t, d in g.edges(data=True):
        if s != t:
            w = und.get_edge_data(s, t, {"weight": 0})["weight"] + d.get("weight", 1)
            und.add_edge(s, t, weight=w)
    pos = nx.spring_layout(und, seed=seed, k=1.5 / max(1, und.number_of_nodes()) ** 0.5, iterations=100)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    return {n: (round(float((p[0] - x0) / sx), 4), round(float((p[1] - y0) / sy), 4)) for n, p in pos.items()}
