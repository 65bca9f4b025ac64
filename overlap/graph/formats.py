"""The graphs as files: GEXF 1.3, GraphML, node-link JSON and CSV edge lists.

:func:`gexf_bytes` writes GEXF 1.3 itself (networkx writes 1.2draft) with
``start`` dates (day granularity) on nodes and edges, so Gephi's timeline
shows the text spreading; :func:`graphml_bytes`, :func:`node_link_bytes` and
:func:`edge_csv_bytes` write the other formats. Every writer refuses what its
format cannot hold (``None`` values, an attribute with two types, the names
GEXF reserves) rather than writing a file a tool cannot read back.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import partial
from typing import IO, Any, Callable, Iterable, Iterator, Mapping

import networkx as nx

from .._version import __version__
from ..batches import batched
from . import GRAPH_FORMATS
from ..report.escape import csv_cell
from ..model import ScanResult
from .build import KINDS, document_graph, source_graph
from .dates import moment

__all__ = ["GRAPH_FORMATS", "GRAPH_FILES", "EDGE_CSV_COLUMNS", "gexf_bytes", "gexf_lines", "write_gexf", "graphml_bytes",
           "node_link_bytes", "edge_csv_bytes", "graph_files", "graph_makers", "xml_id"]

GEXF_NS = "http://gexf.net/1.3"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_RESERVED = {"id", "label", "start", "end"}

EDGE_CSV_COLUMNS = (
    "source", "target", "directed", "within_source", "matches", *KINDS,
    "shared_chars", "best_score", "date", "source_date", "target_date",
)


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
    m = moment(value) if isinstance(value, str) else None
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


_LINES = 4_096  # GEXF lines encoded and written at once


def gexf_bytes(g: nx.DiGraph, *, description: str = "") -> bytes:
    """GEXF 1.3 for Gephi (:func:`gexf_lines`), as one ``bytes``."""
    out = io.BytesIO()
    write_gexf(g, out, description=description)
    return out.getvalue()


def write_gexf(g: nx.DiGraph, f: IO[bytes], *, description: str = "") -> None:
    """:func:`gexf_bytes` written to ``f`` a block of lines at a time: the document graph of 128,000
    generated articles is a 59 MB file, made whole from 1.5 million line strings at a peak of 218 MB."""
    for block in batched(gexf_lines(g, description=description), _LINES):
        f.write("".join(f"{line}\n" for line in block).encode("utf-8"))


def gexf_lines(g: nx.DiGraph, *, description: str = "") -> Iterator[str]:
    """GEXF 1.3 for Gephi, line by line: attributes declared per class, weights, day-granular ``start`` dates.

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
    yield from [
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
        yield f'    <attributes class="{cls}" mode="static">'
        yield from (f'      <attribute id={_q(n)} title={_q(n)} type="{t}" />' for n, t in types.items())
        yield "    </attributes>"

    prefix = {n: f"          <attvalue for={_q(n)} value=" for n in {**node_types, **edge_types}}

    def value(v: Any) -> str:
        if isinstance(v, str):
            return _q(v)
        if v is True or v is False:
            return '"true"' if v else '"false"'
        return f'"{v}"' if isinstance(v, int) else f'"{_format(v)}"'

    def attvalues(data: Mapping[str, Any], types: Mapping[str, str]) -> list[str]:
        values = [f"{prefix[k]}{_qid(v) if k == 'source' else value(v)} />" for k, v in data.items() if k in types]
        return ["        <attvalues>", *values, "        </attvalues>"] if values else []

    yield f'    <nodes count="{g.number_of_nodes()}">'
    for n, data in g.nodes(data=True):
        label = " ".join(str(data.get("title") or n).split())
        day = _gexf_day(data.get("date"))
        yield f'      <node id={_qid(n)} label={_q(label)}' + (f' start="{day}">' if day else ">")
        yield from attvalues(data, node_types)
        yield "      </node>"
    yield "    </nodes>"
    yield f'    <edges count="{g.number_of_edges()}">'
    for i, (s, t, data) in enumerate(g.edges(data=True)):
        head = f'      <edge id="{i}" source={_qid(s)} target={_qid(t)} type="directed"'
        if "weight" in data:
            head += f' weight="{_format(float(data["weight"]))}"'
        day = _gexf_day(data.get("date"))
        yield head + (f' start="{day}">' if day else ">")
        yield from attvalues(data, edge_types)
        yield "      </edge>"
    yield from ("    </edges>", "  </graph>", "</gexf>")


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
    :func:`overlap.report.escape.csv_cell` (a leading ``'`` where a spreadsheet
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


def graph_files(view: ScanResult, formats: Iterable[str] = ("gexf",), *,
                graphs: tuple[nx.DiGraph, nx.DiGraph] | None = None) -> dict[str, bytes]:
    """File name -> contents for the document and source graphs in the given formats.

    ``graph.*`` is the document graph, ``sources.*`` the source graph;
    the CSV edge lists are ``graph_edges.csv`` and ``sources_edges.csv``.
    ``graphs`` is ``(document graph, source graph)`` of ``view`` when the
    caller has them already (a scan folder's reports are drawn from the same).
    """
    out = {}
    for name, write in graph_makers(view, formats, graphs=graphs).items():
        buffer = io.BytesIO()
        write(buffer)
        out[name] = buffer.getvalue()
    return out


def graph_makers(view: ScanResult, formats: Iterable[str] = ("gexf",), *,
                 graphs: tuple[nx.DiGraph, nx.DiGraph] | None = None) -> dict[str, Callable[[IO[bytes]], None]]:
    """:func:`graph_files` as writers, each making its file's contents as it writes them to the file it is
    given: a folder written one file at a time holds one graph file in memory, not all (the document
    graph of a large scan is tens of MB), and GEXF not even one (:func:`write_gexf`)."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in _WRITERS]
    if unknown:
        raise ValueError(f"unknown graph format(s) {unknown}: expected {', '.join(GRAPH_FORMATS)}")
    if graphs is None:
        docs = document_graph(view)
        graphs = (docs, source_graph(view, docs))
    docs, sources = graphs
    out: dict[str, Callable[[IO[bytes]], None]] = {}
    for level, g in (("documents", docs), ("sources", sources)):
        for fmt in formats:
            out[_NAMES[level, fmt]] = partial(_write_graph, fmt, g)
    return out


def _write_graph(fmt: str, g: nx.DiGraph, f: IO[bytes]) -> None:
    if fmt == "gexf":
        write_gexf(g, f)
    else:
        f.write(_WRITERS[fmt](g))
