"""Hostile titles, sources and ids in every output: CSV formulas, HTML in Markdown, bidi overrides, GEXF ids."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from markdown_it import MarkdownIt

from overlap.report.escape import BIDI_CONTROLS, csv_cell, label, markdown_code, markdown_text
from overlap.report.html import render_html
from overlap.model import Document
from overlap.params import ParaphraseParams, Params
from overlap.pipeline import scan
from overlap.report.folder import write_scan
from overlap.report.markdown import render_markdown
from test_graph import validate_gexf13

TEXT = "the same wire story about grain exports rising again this year and the ministry said more would follow "
HOSTILE_HTML = "<script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3)) ![i](http://x/i.png)"
RLO = "\u202e"
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "'quoted", "-5"]


def _hostile_docs() -> list[Document]:
    docs = []
    for i, name in enumerate(FORMULAS):
        docs.append(Document(name, TEXT * 3 + f" copy {i}", source=f"{RLO}evil wire {i}" if i % 2 else name,
                             title=f"{HOSTILE_HTML} {RLO}title {i}", date=f"2020-01-0{i + 1}"))
    docs.append(Document("ctl\x01id`|x", TEXT * 3 + " control", source="src\x02one", title="t"))
    return docs


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("hostile") / "scan"
    with scan(_hostile_docs(), Params(paraphrase=ParaphraseParams(enabled=False))) as result:
        write_scan(result, out, graph_formats=("gexf", "graphml", "csv"))
        yield result, out


def _unescape_csv(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def test_csv_edge_lists_neutralise_formula_cells_and_keep_numbers(hostile) -> None:
    result, out = hostile
    ids = {d.id for d in result.documents}
    sources = {d.source for d in result.documents}
    for name, names in (("graph_edges.csv", ids), ("sources_edges.csv", sources)):
        rows = list(csv.DictReader(io.StringIO((out / name).read_bytes().decode("utf-8"))))
        assert rows
        for row in rows:
            for col in ("source", "target", "date", "source_date", "target_date"):
                assert not row[col].startswith(("=", "+", "-", "@", "\t", "\r")), (name, col, row[col])
            assert {_unescape_csv(row["source"]), _unescape_csv(row["target"])} <= names  # reversible
            float(row["best_score"]), int(row["matches"]), int(row["shared_chars"])  # numbers stay numbers
    raw = (out / "graph_edges.csv").read_bytes().decode("utf-8")
    cells = {c for row in csv.reader(io.StringIO(raw)) for c in row}
    assert "'-5" in cells and "''quoted" in cells and "'=cmd|' /C calc'!A0" in cells


def test_csv_cell_prefixes_text_only() -> None:
    assert [csv_cell(v) for v in ("=1", "-1", -1, -0.5, 3, "", "a=b")] == ["'=1", "'-1", -1, -0.5, 3, "", "a=b"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, attrs))


def _markdown_html(md: str) -> str:
    """report.md as a Markdown viewer that renders raw HTML shows it (CommonMark with GFM tables)."""
    return MarkdownIt("commonmark").enable("table").render(md)


def test_report_md_renders_no_html_from_the_input(hostile) -> None:
    result, out = hostile
    md = (out / "report.md").read_text(encoding="utf-8")
    page = _markdown_html(md)
    parser = _Tags()
    parser.feed(page)
    tags = {t for t, _ in parser.tags}
    assert tags <= {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "br", "blockquote",
                    "em", "pre"}, tags
    assert not any(name.startswith("on") for _, attrs in parser.tags for name, _ in attrs)
    assert "<script>" not in md and "<img" not in md and not re.search(r"(?<!\\)\]\(javascript:", md)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, not dropped
    # tables stay intact: every row has as many cells as its header, whatever the ids and titles hold
    for table in re.findall(r"<table>.*?</table>", page, flags=re.S):
        widths = [len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)]
        assert len(set(widths)) == 1, widths


def test_markdown_code_span_holds_the_id_exactly() -> None:
    page = _markdown_html(f"| a |\n|---|\n| {markdown_code('x`y|<b>z</b>')} |\n")
    assert "<code>x`y|&lt;b&gt;z&lt;/b&gt;</code>" in page
    assert _markdown_html(markdown_text("*not* _em_ # [a](b) <i>x</i> & -")).strip() == \
        "<p>*not* _em_ # [a](b) &lt;i&gt;x&lt;/i&gt; &amp; -</p>"


def test_bidi_controls_never_reach_a_label(hostile) -> None:
    result, out = hostile
    for name in ("report.html", "report.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert not set(BIDI_CONTROLS) & set(text), name
    page = render_html(result)
    assert "<bdi>evil wire 1</bdi>" in page  # isolated, the override gone
    assert re.search(r'<div class="passage" dir="auto">', page)
    assert label(f"a{RLO}b\u2066c\u200fd\x1b[2Je") == "abcd [2Je"


def test_bidi_override_in_an_article_is_isolated_not_leaked() -> None:
    text = f"{TEXT * 3} {RLO}reversed tail"
    docs = [Document("a", text, source="wire"), Document("b", text + " more", source="paper")]
    with scan(docs, Params(paraphrase=ParaphraseParams(enabled=False))) as result:
        page = render_html(result)
        md = render_markdown(result)
    assert RLO in page  # article text is kept as written (Arabic and Hebrew need their marks) ...
    for passage in re.findall(r'<div class="passage" dir="auto">.*?</div>', page, flags=re.S):
        assert passage  # ... inside a block of its own, so it cannot reorder what follows
    assert RLO not in md  # Markdown cannot isolate text: there the controls are removed


def test_gexf_and_graphml_ids_join_with_matches_jsonl(hostile) -> None:
    result, out = hostile
    docs = {json.loads(line)[side]["doc"] for line in (out / "matches.jsonl").read_text(encoding="utf-8").splitlines()
            for side in ("a", "b")}
    assert "ctl\x01id`|x" in docs

    def unescape(node_id: str) -> str:
        return json.loads(node_id) if node_id.startswith('"') else node_id

    for name in ("graph.gexf", "sources.gexf"):
        validate_gexf13((out / name).read_bytes())
    for name, read in (("graph.gexf", lambda p: nx.read_gexf(p, version="1.3")), ("graph.graphml", nx.read_graphml)):
        g = read(out / name)
        assert {unescape(n) for n in g.nodes} == docs, name
    sources = nx.read_gexf(out / "sources.gexf", version="1.3")
    g = nx.read_gexf(out / "graph.gexf", version="1.3")
    assert {g.nodes[n]["source"] for n in g.nodes} <= set(sources.nodes)  # document -> source joins too
    assert {unescape(n) for n in sources.nodes} == {d.source for d in result.documents}

