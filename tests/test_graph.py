"""Reuse graphs: evidence counts add up to the matches, directions follow dates, every export reads back."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.graph.build import KINDS, document_graph, outlet, shared_chars, source_graph
from overlap.graph.formats import (
    EDGE_CSV_COLUMNS,
    GRAPH_FORMATS,
    gexf_bytes,
    graph_files,
    graphml_bytes,
)
from overlap.model import DocumentInfo, Match, MatchSide, Span
from overlap.report.folder import load_scan, write_graphs, write_scan
from reuse_scenario import scenario

NS = "{http://gexf.net/1.3}"


def _match_counts(matches) -> Counter:
    return Counter(m.kind for m in matches)


def _edge_counts(g) -> Counter:
    total: Counter = Counter()
    for _, _, d in g.edges(data=True):
        for k in KINDS:
            total[k] += int(d.get(k, 0))
        total["matches"] += int(d["matches"])
    return total


def test_every_match_counted_once_on_each_graph() -> None:
    with scenario() as result:
        docs = document_graph(result)
        sources = source_graph(result, docs)
        expected = _match_counts(result.matches)
        expected["matches"] = len(result.matches)
        assert _edge_counts(docs) == expected
        assert _edge_counts(sources) == expected
        assert sum(d["shared_chars"] for _, _, d in docs.edges(data=True)) == sum(
            shared_chars(m) for m in result.matches
        )
        assert sum(d["dated_matches"] + d["undated_matches"] for _, _, d in sources.edges(data=True)) == len(
            result.matches
        )


def test_edges_point_from_earlier_to_later_and_unknown_order_is_marked() -> None:
    with scenario() as result:
        g = document_graph(result)
    assert g.edges["wire-1", "paper-1"]["directed"] is True  # same day, 08:00 before 11:30
    assert not g.has_edge("paper-1", "wire-1")
    assert g.edges["paper-1", "paper-2"]["directed"] is True  # 15th (with time) before the 16th (date only)
    assert g.edges["paper-2", "agro-1"]["directed"] is False  # both 2017-01-16, no time: unknown
    assert g.edges["wire-1", "blog-1"]["directed"] is False  # blog-1 has no date
    for s, t, d in g.edges(data=True):
        if d["directed"]:
            assert g.nodes[s]["date"][:10] <= g.nodes[t]["date"][:10]
            assert d["date"] == max(g.nodes[s]["date"][:10], g.nodes[t]["date"][:10])


def test_within_source_reuse_is_kept_apart_from_cross_source() -> None:
    with scenario() as result:
        docs = document_graph(result)
        g = source_graph(result, docs)
    assert docs.edges["paper-1", "paper-2"]["within_source"] is True
    assert g.edges["paper", "paper"]["within_source"] is True
    assert g.nodes["paper"]["within_source_matches"] == 1
    cross = sum(d["matches"] for s, t, d in g.edges(data=True) if s != t and "paper" in (s, t))
    assert g.nodes["paper"]["cross_source_matches"] == cross
    for n, d in g.nodes(data=True):
        assert d["reused_by_others"] + d["reused_from_others"] + d["undated_cross_matches"] == d["cross_source_matches"]
    assert g.nodes["wire"]["reused_by_others"] == 1 and g.nodes["wire"]["reused_from_others"] == 0
    assert g.nodes["paper"]["documents"] == 2 and g.nodes["wire"]["documents"] == 1


def test_nodes_carry_metadata_and_no_none_or_reserved_names() -> None:
    with scenario() as result:
        docs = document_graph(result)
        sources = source_graph(result, docs)
    w = docs.nodes["wire-1"]
    assert (w["source"], w["title"], w["date"], w["url"]) == (
        "wire", "Patrushev on ties", "2017-01-15T08:00:00+00:00", "https://wire.example/1")
    assert "date" not in docs.nodes["blog-1"] and "cluster" in docs.nodes["wire-1"]
    for g in (docs, sources):
        for _, d in list(g.nodes(data=True)) + [(None, e) for *_, e in g.edges(data=True)]:
            assert None not in d.values()
            assert not {"id", "label", "start", "end"} & set(d)


# --- GEXF 1.3 structure, after gephi/gexf 1.3/gexf.rnc and dynamics ----------

_ATTR_TYPES = {"integer", "long", "double", "float", "boolean", "bigdecimal", "biginteger", "byte", "char", "short",
               "string", "anyURI", "liststring", "listboolean", "listinteger", "listlong", "listfloat",
               "listdouble", "listbyte", "listshort", "listbigdecimal", "listbiginteger", "listchar"}
_NUM = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _check_value(t: str, v: str) -> None:
    if t in {"integer", "long", "short", "byte", "biginteger"}:
        int(v)
    elif t in {"double", "float", "bigdecimal"}:
        assert _NUM.match(v), v
    elif t == "boolean":
        assert v in {"true", "false"}, v


def validate_gexf13(data: bytes) -> ET.Element:
    """Check a GEXF file against the rules of the GEXF 1.3 schema that apply to what overlap writes."""
    root = ET.fromstring(data)
    assert root.tag == f"{NS}gexf" and root.get("version") == "1.3"
    assert set(root.attrib) <= {"version", "variant", "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"}
    children = [c.tag for c in root]
    assert children in ([f"{NS}meta", f"{NS}graph"], [f"{NS}graph"])
    meta = root.find(f"{NS}meta")
    if meta is not None:
        assert {c.tag for c in meta} <= {f"{NS}creator", f"{NS}keywords", f"{NS}description"}
    graph = root.find(f"{NS}graph")
    assert set(graph.attrib) <= {"defaultedgetype", "idtype", "mode", "timeformat", "timerepresentation",
                                 "timezone", "start", "end", "timestamp"}
    assert graph.get("defaultedgetype") in {None, "directed", "undirected", "mutual"}
    assert graph.get("mode") in {None, "static", "dynamic", "slice"}
    assert graph.get("timeformat") in {None, "integer", "double", "date", "dateTime"}
    order = [c.tag for c in graph]
    n_attr = order.count(f"{NS}attributes")
    assert order == [f"{NS}attributes"] * n_attr + [f"{NS}nodes", f"{NS}edges"], order
    declared: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for attrs in graph.findall(f"{NS}attributes"):
        cls = attrs.get("class")
        assert cls in declared and attrs.get("mode") in {None, "static", "dynamic"}
        for a in attrs:
            assert a.tag == f"{NS}attribute" and a.get("id") and a.get("title") is not None
            assert a.get("type") in _ATTR_TYPES
            declared[cls][a.get("id")] = a.get("type")

    def check_time(el: ET.Element) -> None:
        for key in ("start", "end"):
            if el.get(key) is not None:
                assert graph.get("timeformat") == "date"
                date.fromisoformat(el.get(key))  # xs:date

    def check_attvalues(el: ET.Element, cls: str) -> None:
        holders = el.findall(f"{NS}attvalues")
        assert len(holders) <= 1
        for holder in holders:
            for av in holder:
                assert av.tag == f"{NS}attvalue" and set(av.attrib) <= {"for", "value", "start", "end", "timestamp"}
                _check_value(declared[cls][av.get("for")], av.get("value"))

    nodes = graph.find(f"{NS}nodes")
    ids = [n.get("id") for n in nodes]
    assert all(n.tag == f"{NS}node" for n in nodes) and len(ids) == len(set(ids)) and None not in ids
    assert nodes.get("count") in (None, str(len(ids)))
    for n in nodes:
        assert set(n.attrib) <= {"id", "label", "pid", "start", "end", "intervals", "timestamp", "timestamps"}
        check_time(n)
        check_attvalues(n, "node")
    edges = graph.find(f"{NS}edges")
    known = set(ids)
    edge_ids = [e.get("id") for e in edges]
    assert len(edge_ids) == len(set(edge_ids)) and edges.get("count") in (None, str(len(edge_ids)))
    for e in edges:
        assert e.tag == f"{NS}edge"
        assert set(e.attrib) <= {"id", "type", "label", "source", "target", "weight", "kind", "start", "end",
                                 "intervals", "timestamp", "timestamps"}
        assert e.get("source") in known and e.get("target") in known
        assert e.get("type") in {None, "directed", "undirected", "mutual"}
        if e.get("weight") is not None:
            float(e.get("weight"))
        check_time(e)
        check_attvalues(e, "edge")
    return root


def test_gexf_is_gexf_13_and_reads_back_into_networkx(tmp_path: Path) -> None:
    with scenario() as result:
        docs = document_graph(result)
        data = gexf_bytes(docs)
    root = validate_gexf13(data)
    graph = root.find(f"{NS}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    (tmp_path / "g.gexf").write_bytes(data)
    back = nx.read_gexf(tmp_path / "g.gexf", version="1.3")
    assert set(back.nodes) == set(docs.nodes)
    assert {(s, t) for s, t, _ in back.edges(data=True)} == set(docs.edges)
    for s, t, d in back.edges(data=True):
        orig = docs.edges[s, t]
        for key in ("matches", *KINDS, "shared_chars", "directed", "within_source"):
            assert d[key] == orig[key], key
        assert d["best_score"] == pytest.approx(orig["best_score"])
        assert d["weight"] == orig["matches"]
        assert d.get("start") == orig.get("date")
    assert back.nodes["wire-1"]["start"] == "2017-01-15" and back.nodes["wire-1"]["label"] == "Patrushev on ties"
    assert "start" not in back.nodes["blog-1"]


def test_gexf_refuses_none_mixed_types_and_reserved_names() -> None:
    for bad in ({"x": None}, {"label": "a"}, {"start": "2020-01-01"}):
        g = nx.DiGraph()
        g.add_node("a", **bad)
        with pytest.raises(ValueError):
            gexf_bytes(g)
    g = nx.DiGraph()
    g.add_node("a", n=1)
    g.add_node("b", n="one")
    with pytest.raises(ValueError, match="more than one type"):
        gexf_bytes(g)


def _matches_from_jsonl(path: Path) -> Counter:
    counts: Counter = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        counts[json.loads(line)["kind"]] += 1
    counts["matches"] = sum(counts.values())
    return counts


def test_every_export_of_a_scan_directory_reads_back_and_sums_to_matches_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "scan"
    with scenario() as result:
        write_scan(result, out)
    written = write_graphs(out, GRAPH_FORMATS)
    assert sorted(p.name for p in written) == sorted(
        ["graph.gexf", "graph.graphml", "graph.json", "graph_edges.csv",
         "sources.gexf", "sources.graphml", "sources.json", "sources_edges.csv"])
    expected = _matches_from_jsonl(out / "matches.jsonl")
    assert expected["reuse"] == 4 and expected["paraphrase"] == 1 and expected["duplicate"] >= 1
    for level in ("graph", "sources"):
        validate_gexf13((out / f"{level}.gexf").read_bytes())
        gexf = nx.read_gexf(out / f"{level}.gexf", version="1.3")
        graphml = nx.read_graphml(out / f"{level}.graphml")
        linked = nx.node_link_graph(json.loads((out / f"{level}.json").read_text()), edges="edges")
        for g in (gexf, graphml, linked):
            assert _edge_counts(g) == expected, (level, type(g))
        with open(out / f"{level}_edges.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert tuple(rows[0]) == EDGE_CSV_COLUMNS
        assert _edge_counts(SimpleNamespace(edges=lambda data: [(r["source"], r["target"], r) for r in rows])) \
            == expected
        assert len(rows) == graphml.number_of_edges() == gexf.number_of_edges()
    # the graphs from the directory equal the graphs from the live result in everything the files keep
    with scenario() as result:
        live = document_graph(result)
    back = nx.read_graphml(out / "graph.graphml")
    assert set(back.edges) == set(live.edges)
    for s, t, d in live.edges(data=True):
        assert {k: back.edges[s, t][k] for k in ("matches", *KINDS, "directed")} == {
            k: d[k] for k in ("matches", *KINDS, "directed")}


def test_graph_files_are_byte_identical_across_runs() -> None:
    with scenario() as result:
        one = graph_files(result, GRAPH_FORMATS)
    with scenario() as result:
        two = graph_files(result, GRAPH_FORMATS)
    assert one == two


def test_hostile_names_survive_every_format(tmp_path: Path) -> None:
    with scenario() as result:
        files = graph_files(result, GRAPH_FORMATS)
    evil = next(n for n in nx.read_graphml(io.BytesIO(files["graph.graphml"])) if n.startswith("evil-"))
    assert "<script>" in evil  # kept exactly, as data
    (tmp_path / "g.gexf").write_bytes(files["graph.gexf"])
    assert evil in nx.read_gexf(tmp_path / "g.gexf", version="1.3")


# --- property: counts add up for any set of matches -------------------------


@st.composite
def _views(draw):
    n = draw(st.integers(2, 7))
    dates = draw(st.lists(st.sampled_from([None, "2020-01-01", "2020-01-02", "2020-01-02T10:00:00+00:00",
                                           "2020-01-02T09:00:00-03:00", "2020-01-03"]), min_size=n, max_size=n))
    sources = draw(st.lists(st.sampled_from([None, "s1", "s2", "s3"]), min_size=n, max_size=n))
    docs = [DocumentInfo(f"d{i}", source=sources[i], date=dates[i], words=10, length=100) for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(KINDS),
                                    st.floats(0, 1), st.integers(0, 100), st.integers(0, 100)), max_size=25))
    matches = [Match(kind, score, MatchSide(f"d{i}", Span(0, la)), MatchSide(f"d{j}", Span(0, lb)))
               for i, j, kind, score, la, lb in pairs if i != j]
    by_id = {d.id: d for d in docs}
    return SimpleNamespace(matches=matches, clusters=[], documents=docs, document=by_id.__getitem__)


@settings(max_examples=60, deadline=None)
@given(_views())
def test_counts_add_up_and_directions_follow_dates_for_any_matches(view) -> None:
    docs = document_graph(view)
    sources = source_graph(view, docs)
    expected = _match_counts(view.matches)
    expected["matches"] = len(view.matches)
    assert _edge_counts(docs) == expected and _edge_counts(sources) == expected
    for s, t, d in docs.edges(data=True):
        assert not docs.has_edge(t, s) or s == t  # one edge per pair
        if d["directed"]:
            assert docs.nodes[s]["date"][:10] <= docs.nodes[t]["date"][:10]
    for n, d in sources.nodes(data=True):
        assert d["reused_by_others"] + d["reused_from_others"] + d["undated_cross_matches"] == d["cross_source_matches"]
        assert n in {"s1", "s2", "s3"} or n in {outlet(None, d.id) for d in view.documents if d.source is None}
    validate_gexf13(gexf_bytes(docs))
    validate_gexf13(gexf_bytes(sources))


def test_gexf_survives_control_characters_and_newlines(tmp_path: Path) -> None:
    g = nx.DiGraph()
    g.add_node("a\x19", title="it\x19s\nnew <b>&", source="x\ty")
    g.add_node("b")
    g.add_edge("a\x19", "b", matches=1, weight=1)
    data = gexf_bytes(g)
    validate_gexf13(data)
    (tmp_path / "g.gexf").write_bytes(data)
    back = nx.read_gexf(tmp_path / "g.gexf", version="1.3")
    escaped = '"a\\u0019"'  # XML 1.0 cannot hold U+0019: the id is written as a JSON string literal
    assert set(back.nodes) == {escaped, "b"} and json.loads(escaped) == "a\x19"
    node = back.nodes[escaped]
    assert node["title"] == "it\ufffds\nnew <b>&" and node["source"] == "x\ty"  # display text: U+FFFD
    assert node["label"] == "it\ufffds new <b>&"
    back = nx.read_graphml(io.BytesIO(graphml_bytes(g)))
    assert back.nodes[escaped]["title"] == "it\ufffds\nnew <b>&" and back.edges[escaped, "b"]["matches"] == 1


def test_gexf_written_a_block_of_lines_at_a_time_is_gexf_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan folder's GEXF files are written a block of lines at a time (made whole, the document graph of
    128,000 generated articles peaked at 218 MB for a 59 MB file): the same bytes, whatever the block."""
    from overlap.graph import formats

    with scenario() as result:
        g = document_graph(result)
    whole = formats.gexf_bytes(g)
    for lines in (1, 3, 4096):
        monkeypatch.setattr(formats, "_LINES", lines)
        out = io.BytesIO()
        formats.write_gexf(g, out)
        assert out.getvalue() == whole
    assert whole.endswith(b"</gexf>\n") and g.number_of_nodes() > 1
