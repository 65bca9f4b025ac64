"""Finished scan directories read back: re-rendered reports, graphs, and clear errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from overlap.cli import main
from overlap.errors import InputError
from overlap.ingest import read_documents
from overlap.pipeline import scan
from overlap.report.html import is_report_page
from overlap.model import Match
from overlap.report.folder import SCAN_FILES, load_scan, render_report, write_scan
from overlap.report.markdown import render_markdown
from reuse_scenario import HOSTILE, scenario

ROOT = Path(__file__).parent.parent
CORPORA = Path(__file__).parent / "corpora"


def _run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize("corpus", ["seeds", "wire-reprint-match", "same-outlet-boilerplate-nomatch"])
def test_markdown_and_html_re_render_identically(corpus: str, tmp_path: Path) -> None:
    source = ROOT / "seeds" if corpus == "seeds" else CORPORA / corpus / "articles.jsonl"
    with scan(read_documents([source])) as result:
        write_scan(result, tmp_path)
    assert render_report(tmp_path, "md") == (tmp_path / "report.md").read_text(encoding="utf-8")
    assert render_report(tmp_path, "html") == (tmp_path / "report.html").read_text(encoding="utf-8")


def test_loaded_scan_keeps_matches_spans_texts_and_metadata(tmp_path: Path) -> None:
    with scenario() as result:
        write_scan(result, tmp_path)
        live = list(result.matches)
        texts = {(m.a.doc, m.a.span): result.excerpt(m.a.doc, m.a.span) for m in live}
    loaded = load_scan(tmp_path)
    assert [(m.kind, m.a, m.b, m.score) for m in loaded.matches] == [(m.kind, m.a, m.b, m.score) for m in live]
    for (doc, span), text in texts.items():
        assert loaded.excerpt(doc, span) == text
    w = loaded.document("wire-1")
    assert (w.source, w.title, w.date, w.url) == (
        "wire", "Patrushev on ties", "2017-01-15T08:00:00+00:00", "https://wire.example/1")
    assert loaded.document(f"evil-{HOSTILE}").source == f"src {HOSTILE}"
    assert [c.members for c in loaded.clusters] == [c.members for c in result.clusters]
    page = render_report(tmp_path, "html")
    assert page.count('<article class="match"') == len(live) and "<script" not in page


def test_json_report_holds_the_three_files(tmp_path: Path) -> None:
    with scenario() as result:
        write_scan(result, tmp_path)
    result = _run(["report", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["summary"] == json.loads((tmp_path / "summary.json").read_text())
    assert doc["clusters"] == json.loads((tmp_path / "clusters.json").read_text())
    assert doc["matches"] == [json.loads(l) for l in (tmp_path / "matches.jsonl").read_text().splitlines()]


def test_report_command_writes_a_file_atomically(tmp_path: Path) -> None:
    with scenario() as result:
        write_scan(result, tmp_path / "scan")
    out = tmp_path / "out" / "again.html"
    result = _run(["report", str(tmp_path / "scan"), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == render_report(tmp_path / "scan", "html")
    assert sorted(p.name for p in out.parent.iterdir()) == ["again.html"]


def test_graph_command_writes_every_format(tmp_path: Path) -> None:
    with scenario() as result:
        write_scan(result, tmp_path / "scan")
    result = _run(["graph", str(tmp_path / "scan"), "-o", str(tmp_path / "g")])
    assert result.exit_code == 0
    names = sorted(Path(line).name for line in result.stdout.splitlines())
    assert names == sorted(p.name for p in (tmp_path / "g").iterdir()) and len(names) == 8
    result = _run(["graph", str(tmp_path / "scan"), "--format", "csv"])
    assert [Path(l).name for l in result.stdout.splitlines()] == ["graph_edges.csv", "sources_edges.csv"]


def test_scan_graph_format_option(tmp_path: Path) -> None:
    src = str(CORPORA / "wire-reprint-match" / "articles.jsonl")
    result = _run(["scan", src, "-o", str(tmp_path / "o"), "-q", "--graph-format", "graphml", "--graph-format", "csv"])
    assert result.exit_code == 0
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert {"graph.graphml", "sources_edges.csv", "report.html"} <= names and "graph.gexf" not in names


def test_not_a_scan_directory_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = _run(["report", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == f"overlap: error: {tmp_path / 'summary.json'}: missing: not a finished scan directory " \
                            "(expected matches.jsonl, clusters.json, summary.json)\n"
    result = _run(["graph", str(tmp_path / "nope")])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "not a directory" in result.stderr


def test_bad_match_line_names_file_and_line(tmp_path: Path) -> None:
    with scenario() as result:
        write_scan(result, tmp_path)
    lines = (tmp_path / "matches.jsonl").read_text().splitlines()
    lines[2] = "{not json"
    (tmp_path / "matches.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        load_scan(tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'matches.jsonl'}:3: invalid JSON")
    result = _run(["report", str(tmp_path), "--format", "md"])
    assert result.exit_code == 1 and ":3: invalid JSON" in result.stderr and result.stdout == ""


def test_markdown_from_a_loaded_scan_matches_the_live_one(tmp_path: Path) -> None:
    with scenario() as result:
        write_scan(result, tmp_path)
        live = render_markdown(result)
    assert render_markdown(load_scan(tmp_path)) == live  # type: ignore[arg-type]


def test_scan_can_write_no_graph(tmp_path: Path) -> None:
    src = str(CORPORA / "wire-reprint-match" / "articles.jsonl")
    assert _run(["scan", src, "-o", str(tmp_path / "o"), "-q", "--graph-format", "none"]).exit_code == 0
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert "report.html" in names and not any(n.startswith(("graph.", "sources.")) for n in names)


@pytest.mark.parametrize("corpus", ["seeds", "wire-reprint-match", "scenario"])
def test_graph_command_rewrites_the_scans_own_graph_byte_for_byte(corpus: str, tmp_path: Path) -> None:
    """One graph from a scan, live or loaded: ``overlap graph DIR`` keeps every node attribute (words, length)."""
    if corpus == "scenario":
        with scenario() as result:
            write_scan(result, tmp_path)
    else:
        source = ROOT / "seeds" if corpus == "seeds" else CORPORA / corpus / "articles.jsonl"
        with scan(read_documents([source])) as result:
            write_scan(result, tmp_path)
    written = {name: (tmp_path / name).read_bytes() for name in ("graph.gexf", "sources.gexf")}
    assert _run(["graph", str(tmp_path), "--format", "gexf"]).exit_code == 0
    for name, data in written.items():
        assert (tmp_path / name).read_bytes() == data, name
    assert b'<attvalue for="words"' in written["graph.gexf"] and b'<attvalue for="length"' in written["graph.gexf"]


def _many(result) -> None:
    """Every scenario match 120 times over: more than a page of shared passages."""
    result.matches.extend(Match(m.kind, m.score, m.a, m.b) for m in list(result.matches) for _ in range(120))


def test_report_pages_are_written_with_the_scan_and_stale_ones_removed(tmp_path: Path) -> None:
    with scenario() as result:
        _many(result)
        write_scan(result, tmp_path)
    pages = sorted(p.name for p in tmp_path.iterdir() if is_report_page(p.name))
    assert "report-reuse-2.html" in pages and "report-duplicate-pairs-2.html" in pages
    assert render_report(tmp_path, "html") == (tmp_path / "report.html").read_text(encoding="utf-8")
    (tmp_path / "notes-2.html").write_text("mine")
    with scenario() as result:  # a shorter scan into the same folder: no link may lead to the old pages
        write_scan(result, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*SCAN_FILES, "notes-2.html"])


def test_report_command_writes_the_further_pages_beside_the_file(tmp_path: Path) -> None:
    with scenario() as result:
        _many(result)
        write_scan(result, tmp_path / "scan")
    out = tmp_path / "out" / "again.html"
    result = _run(["report", str(tmp_path / "scan"), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    names = sorted(p.name for p in out.parent.iterdir())
    assert "again.html" in names and "again-reuse-2.html" in names and all(
        n == "again.html" or is_report_page(n, "again") for n in names)
    assert 'href="again-reuse-2.html"' in out.read_text(encoding="utf-8")
    assert len(names) == len([p for p in (tmp_path / "scan").iterdir() if p.name.startswith("report") and
                              p.name.endswith(".html")])
    result = _run(["report", str(tmp_path / "scan"), "--format", "html"])
    assert result.exit_code == 0 and result.stdout == (tmp_path / "scan" / "report.html").read_text(encoding="utf-8")
    assert result.stderr.startswith("overlap: report.html links to ") and "write them beside it with -o FILE" in result.stderr


def test_a_loaded_scan_is_the_live_result_type_with_the_same_claim_clusters(tmp_path: Path) -> None:
    """One data model: a scan read back is a ScanResult whose claim clusters and documents equal the live ones."""
    from overlap.model import ScanResult
    from reuse_scenario import claim_clusters

    with scenario() as result:
        result.claim_clusters = claim_clusters()
        result.paraphrase = {"path": "model", "threshold": 0.5, "claim_threshold": 0.6}
        write_scan(result, tmp_path)
        live_docs = {d.id: d for d in result.documents}
    loaded = load_scan(tmp_path)
    assert type(loaded) is ScanResult
    # a scan always names each claim's first publication; the hand-made clusters leave it to the anchor
    assert loaded.claim_clusters == [dataclasses.replace(c, first=c.statements[0]) for c in claim_clusters()]
    assert loaded.params == result.params and loaded.paraphrase == result.paraphrase
    for doc in loaded.documents:  # what the folder keeps of each document, as the live scan had it
        live = live_docs[doc.id]
        assert (doc.source, doc.title, doc.date, doc.url, doc.words, doc.length) == (
            live.source, live.title, live.date, live.url, live.words, live.length)
