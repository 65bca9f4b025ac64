"""Who reused whom: matches + documents -> a document graph and a source graph.

This is the only module that imports networkx. It builds two ``nx.DiGraph``:

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

Exports: :func:`gexf_bytes` writes GEXF 1.3 itself (networkx writes
1.2draft) with ``start`` dates (day granularity) on nodes and edges, so
Gephi's timeline shows the text spreading; :func:`graphml_bytes`,
:func:`node_link_bytes` and :func:`edge_csv_bytes` write the other formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping, Protocol, Sequence

import networkx as nx

from ._version import __version__
from .escape import csv_cell
from .model import Cluster, Match

__all__ = [
    "KINDS",
    "NO_SOURCE",
    "outlet",
    "GRAPH_FORMATS",
    "document_graph",
    "source_graph",
    "shared_chars",
    "publication_order",
    "publication_days",
    "gexf_bytes",
    "graphml_bytes",
    "node_link_bytes",
    "edge_csv_bytes",
    "graph_files",
    "EDGE_CSV_COLUMNS",
    "GRAPH_FILES",
]

KINDS = ("duplicate", "reuse", "paraphrase")
NO_SOURCE = "(no source)"


def outlet(source: str | None, doc_id: str) -> str:
    """The source-graph node of a document: its source, else its own unknown outlet.

    >>> outlet("TASS", "a"), outlet(None, "b")
    ('TASS', '(no source: b)')
    """
    return source or f"{NO_SOURCE[:-1]}: {doc_id})"
GRAPH_FORMATS = ("gexf", "graphml", "json", "csv")
GEXF_NS = "http://gexf.net/1.3"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_RESERVED = {"id", "label", "start", "end"}

EDGE_CSV_COLUMNS = (
    "source", "target", "directed", "within_source", "matches", *KINDS,
    "shared_chars", "best_score", "date", "source_date", "target_date",
)


class _Doc(Protocol):
    id: str
    source: str | None
    title: str | None
    date: str | None
    url: str | None


class ScanView(Protocol):
    """What the graph needs of a scan: a :class:`~overlap.pipeline.ScanResult` or a loaded scan directory."""

    matches: Sequence[Match]
    clusters: Sequence[Cluster]
    documents: Sequence[Any]

    def document(self, doc_id: str) -> Any: ...


# --- dates -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Moment:
    day: date
    at: datetime | None  # naive UTC when the date carried a time of day


def _moment(published: str | None) -> _Moment | None:
    if not published:
        return None
    try:
        dt = datetime.fromisoformat(published)
    except ValueError:
        return None
    has_time = len(published) > 10
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return _Moment(dt.date() if has_time else date.fromisoformat(published[:10]), dt if has_time else None)


def publication_order(a: str | None, b: str | None) -> int:
    """-1 if ISO date ``a`` is earlier than ``b``, 1 if later, 0 if unknown or the same moment.

    Dates with a time of day compare as instants (offsets honoured); a date
    without one compares by day only, so "2017-01-15" and
    "2017-01-15T08:00:00+00:00" have no known order.

    >>> publication_order("2017-01-15T08:00:00+00:00", "2017-01-15T11:30:00+02:00")
    -1
    >>> publication_order("2017-01-15", "2017-01-15T08:00:00+00:00"), publication_order(None, "2017-01-15")
    (0, 0)
    """
    return _earlier(_moment(a), _moment(b))


def publication_days(published: str | None) -> float | None:
    """An ISO date as days since 1970-01-01 (UTC), for placing it on a time axis; ``None`` if unknown.

    A date without a time of day sits at the start of its day. Only for
    drawing: to order two dates, use :func:`publication_order`, which does not
    pretend that a bare date is midnight.

    >>> publication_days("1970-01-02"), publication_days("1970-01-01T12:00:00+00:00"), publication_days("soon")
    (1.0, 0.5, None)
    """
    m = _moment(published)
    if m is None:
        return None
    at = m.at if m.at is not None else datetime(m.day.year, m.day.month, m.day.day)
    return (at - datetime(1970, 1, 1)).total_seconds() / 86400


def _earlier(a: _Moment | None, b: _Moment | None) -> int:
    """-1 if a was published first, 1 if b was, 0 if unknown or simultaneous."""
    if a is None or b is None:
        return 0
    if a.at is not None and b.at is not None:
        x, y = a.at, b.at
    else:  # a date without a time of day is only comparable by day
        x, y = a.day, b.day  # type: ignore[assignment]
    return -1 if x < y else (1 if x > y else 0)


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


def _doc_attrs(doc: Any, cluster: int | None) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    _set(attrs, "source", getattr(doc, "source", None))
    _set(attrs, "title", getattr(doc, "title", None))
    _set(attrs, "date", getattr(doc, "date", None))
    _set(attrs, "url", getattr(doc, "url", None))
    for name in ("words", "length"):
        value = getattr(doc, name, None)
        if isinstance(value, int) and value >= 0:
            attrs[name] = value
    if cluster is not None:
        attrs["cluster"] = cluster
    return attrs


def document_graph(view: ScanView) -> nx.DiGraph:
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
    moments: dict[str, _Moment | None] = {}

    def node(doc_id: str) -> None:
        if doc_id in g:
            return
        doc = view.document(doc_id)
        moments[doc_id] = _moment(getattr(doc, "date", None))
        g.add_node(doc_id, **_doc_attrs(doc, cluster_of.get(doc_id)),
                   matches=0, **{k: 0 for k in KINDS}, within_source_matches=0, cross_source_matches=0)

    for m in view.matches:
        a, b = m.a.doc, m.b.doc
        node(a)
        node(b)
        order = _earlier(moments[a], moments[b])
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


def source_graph(view: ScanView, docs: nx.DiGraph | None = None) -> nx.DiGraph:
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
        name = outlet(getattr(d, "source", None), d.id)
        counts[name] = counts.get(name, 0) + 1
        m = _moment(getattr(d, "date", None))
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


# --- exports -----------------------------------------------------------------


_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _attr_types(items: Iterable[Mapping[str, Any]], skip: set[str]) -> dict[str, str]:
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            if name in skip:
                continue
            if name in _RESERVED:
                raise ValueError(f"attribute name {name!r} is reserved in GEXF")
            if value is None:
                raise ValueError(f"attribute {name!r} is None: leave it unset instead")
            t = _GEXF_TYPES.get(type(value))
            if t is None:
                raise ValueError(f"attribute {name!r} has unsupported type {type(value).__name__}")
            if name == "url" and t == "string":
                t = "anyURI"
            if types.setdefault(name, t) != t:
                raise ValueError(f"attribute {name!r} has more than one type ({types[name]}, {t})")
    return types


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)


def _gexf_day(value: Any) -> str | None:
    m = _moment(value) if isinstance(value, str) else None
    return m.day.isoformat() if m else None


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                              "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _q(value: Any) -> str:
    """A quoted XML attribute value; characters XML 1.0 cannot hold become U+FFFD."""
    text = value if isinstance(value, str) else _format(value)
    return '"' + _XML_BAD.sub("\ufffd", text).translate(_XML_ESCAPES) + '"'


def xml_id(value: Any) -> str:
    r"""A node id (doc id or source name) as GEXF and GraphML write it: the id itself, reversibly escaped if need be.

    XML 1.0 cannot hold some characters even as references (most C0
    controls, lone surrogates, U+FFFE/U+FFFF). An id with one of them, or
    one that starts with a double quote, is written as a JSON string literal
    (ASCII, with its quotes), so every id stays joinable with the ``doc`` of
    ``matches.jsonl``: ``json.loads(node_id) if node_id.startswith('"') else node_id``.

    >>> xml_id("reuters-1"), xml_id("a\x01b"), xml_id('"quoted"')
    ('reuters-1', '"a\\u0001b"', '"\\"quoted\\""')
    """
    text = value if isinstance(value, str) else str(value)
    if text.startswith('"') or _XML_BAD.search(text):
        return json.dumps(text, ensure_ascii=True)
    return text


def _qid(value: Any) -> str:
    return _q(xml_id(value))


def gexf_bytes(g: nx.DiGraph, *, description: str = "") -> bytes:
    """GEXF 1.3 for Gephi: attributes declared per class, weights, day-granular ``start`` dates.

    Nodes take their ``label`` from ``title`` (else the id) and their
    ``start`` from ``date``; edges their ``weight`` from ``weight`` and
    ``start`` from ``date``. Intervals are open-ended (text stays published),
    so Gephi's timeline shows documents and links appearing day by day.
    Every edge is ``type="directed"``; ``directed=false`` marks the ones
    whose order is unknown (networkx cannot read mixed graphs back).
    Written as text directly: ElementTree's serializer took 14 s for 35,000
    edges, this takes about a tenth of that.
    """
    node_types = _attr_types((d for _, d in g.nodes(data=True)), set())
    edge_types = _attr_types((d for _, _, d in g.edges(data=True)), {"weight"})
    dated = any(_gexf_day(d.get("date")) for _, d in g.nodes(data=True)) or any(
        _gexf_day(d.get("date")) for _, _, d in g.edges(data=True)
    )
    default_description = f"overlap {g.graph.get('kind', 'reuse')} graph"
    creator = g.graph.get("tool", f"overlap {__version__}")
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gexf xmlns="{GEXF_NS}" xmlns:xsi="{_XSI}" xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.3">',
        "  <meta>",
        f"    <creator>{_q(creator)[1:-1]}</creator>",
        f"    <description>{_q(description or default_description)[1:-1]}</description>",
        "  </meta>",
        '  <graph defaultedgetype="directed" idtype="string" '
        + ('mode="dynamic" timeformat="date" timerepresentation="interval">' if dated else 'mode="static">'),
    ]
    for cls, types in (("node", node_types), ("edge", edge_types)):
        out.append(f'    <attributes class="{cls}" mode="static">')
        out += [f'      <attribute id={_q(n)} title={_q(n)} type="{t}" />' for n, t in types.items()]
        out.append("    </attributes>")

    prefix = {n: f"          <attvalue for={_q(n)} value=" for n in {**node_types, **edge_types}}

    def value(v: Any) -> str:
        if isinstance(v, str):
            return _q(v)
        if v is True or v is False:
            return '"true"' if v else '"false"'
        return f'"{v}"' if isinstance(v, int) else f'"{_format(v)}"'

    def attvalues(data: Mapping[str, Any], types: Mapping[str, str]) -> None:
        values = [f"{prefix[k]}{_qid(v) if k == 'source' else value(v)} />" for k, v in data.items() if k in types]
        if values:
            out.append("        <attvalues>")
            out.extend(values)
            out.append("        </attvalues>")

    out.append(f'    <nodes count="{g.number_of_nodes()}">')
    for n, data in g.nodes(data=True):
        label = " ".join(str(data.get("title") or n).split())
        day = _gexf_day(data.get("date"))
        out.append(f'      <node id={_qid(n)} label={_q(label)}' + (f' start="{day}">' if day else ">"))
        attvalues(data, node_types)
        out.append("      </node>")
    out.append("    </nodes>")
    out.append(f'    <edges count="{g.number_of_edges()}">')
    for i, (s, t, data) in enumerate(g.edges(data=True)):
        head = f'      <edge id="{i}" source={_qid(s)} target={_qid(t)} type="directed"'
        if "weight" in data:
            head += f' weight="{_format(float(data["weight"]))}"'
        day = _gexf_day(data.get("date"))
        out.append(head + (f' start="{day}">' if day else ">"))
        attvalues(data, edge_types)
        out.append("      </edge>")
    out += ["    </edges>", "  </graph>", "</gexf>", ""]
    return "\n".join(out).encode("utf-8")


_GRAPHML_TYPES = {"boolean": "boolean", "long": "long", "double": "double", "string": "string", "anyURI": "string"}


def graphml_bytes(g: nx.DiGraph) -> bytes:
    """GraphML with typed keys (one type per attribute), as ``networkx.read_graphml`` reads it.

    Written as text for the same reason as :func:`gexf_bytes` (networkx's
    ElementTree writer took 20 s for 35,000 edges).
    """
    node_types = _attr_types((d for _, d in g.nodes(data=True)), set())
    edge_types = _attr_types((d for _, _, d in g.edges(data=True)), set())
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    keys: dict[tuple[str, str], str] = {}
    for cls, types in (("node", node_types), ("edge", edge_types)):
        for name, t in types.items():
            key = keys[cls, name] = f"{cls[0]}{len(keys)}"
            out.append(f'  <key id="{key}" for="{cls}" attr.name={_q(name)} attr.type="{_GRAPHML_TYPES[t]}" />')
    out.append('  <graph edgedefault="directed">')

    def value(v: Any) -> str:
        if isinstance(v, str):
            return _q(v)[1:-1]
        return _format(v)

    for n, data in g.nodes(data=True):
        out.append(f"    <node id={_qid(n)}>")
        out += [f'      <data key="{keys["node", k]}">{_qid(v)[1:-1] if k == "source" else value(v)}</data>'
                for k, v in data.items()]
        out.append("    </node>")
    for s, t, data in g.edges(data=True):
        out.append(f"    <edge source={_qid(s)} target={_qid(t)}>")
        out += [f'      <data key="{keys["edge", k]}">{value(v)}</data>' for k, v in data.items()]
        out.append("    </edge>")
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out).encode("utf-8")


def node_link_bytes(g: nx.DiGraph) -> bytes:
    """Node-link JSON (``nodes``, ``edges``), as read by ``networkx.node_link_graph(data, edges="edges")``."""
    data = nx.node_link_data(g, edges="edges")
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def edge_csv_bytes(g: nx.DiGraph) -> bytes:
    """One CSV row per edge: the evidence columns of :data:`EDGE_CSV_COLUMNS`.

    Ids, names and dates come from the input, so they pass through
    :func:`overlap.escape.csv_cell` (a leading ``'`` where a spreadsheet
    would run a formula); counts and scores are numbers and are written as
    they are. Lines end in CRLF (RFC 4180, what spreadsheets expect), so a
    cell holding a carriage return is quoted like one holding a newline.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180; with "\n" a lone "\r" in a cell went unquoted
    w.writerow(EDGE_CSV_COLUMNS)
    for s, t, d in g.edges(data=True):
        text = [csv_cell(str(v)) for v in (s, t)]
        dates = [csv_cell(v) for v in (d.get("date", ""), g.nodes[s].get("date", ""), g.nodes[t].get("date", ""))]
        w.writerow([
            *text, _format(d.get("directed", False)), _format(d.get("within_source", False)), d.get("matches", 0),
            *(d.get(k, 0) for k in KINDS), d.get("shared_chars", 0), _format(float(d.get("best_score", 0.0))),
            *dates,
        ])
    return buf.getvalue().encode("utf-8")


_WRITERS = {"gexf": gexf_bytes, "graphml": graphml_bytes, "json": node_link_bytes, "csv": edge_csv_bytes}
_NAMES = {
    ("documents", "gexf"): "graph.gexf", ("documents", "graphml"): "graph.graphml",
    ("documents", "json"): "graph.json", ("documents", "csv"): "graph_edges.csv",
    ("sources", "gexf"): "sources.gexf", ("sources", "graphml"): "sources.graphml",
    ("sources", "json"): "sources.json", ("sources", "csv"): "sources_edges.csv",
}
#: Every graph file name overlap writes, whatever the format.
GRAPH_FILES = tuple(_NAMES.values())


def graph_files(view: ScanView, formats: Iterable[str] = ("gexf",)) -> dict[str, bytes]:
    """File name -> contents for the document and source graphs in the given formats.

    ``graph.*`` is the document graph, ``sources.*`` the source graph;
    the CSV edge lists are ``graph_edges.csv`` and ``sources_edges.csv``.
    """
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in _WRITERS]
    if unknown:
        raise ValueError(f"unknown graph format(s) {unknown}: expected {', '.join(GRAPH_FORMATS)}")
    docs = document_graph(view)
    sources = source_graph(view, docs)
    out: dict[str, bytes] = {}
    for level, g in (("documents", docs), ("sources", sources)):
        for fmt in formats:
            out[_NAMES[level, fmt]] = _WRITERS[fmt](g)
    return out


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
