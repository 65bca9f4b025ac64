"""Reports: golden files for the seeds, atomic writes, escaping of Markdown cells."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.report import folder as report_module
from overlap.ingest import read_documents
from overlap.model import Document
from overlap.pipeline import scan
from overlap.report.folder import SCAN_FILES, write_scan
from overlap.report.markdown import render_markdown

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
CORPORA = Path(__file__).parent / "corpora"


def _normalised(name: str, text: str) -> str:
    """Volatile fields (library versions) replaced, so goldens survive upgrades."""
    if name == "summary.json":
        data = json.loads(text)
        data["versions"] = {k: "<version>" for k in data["versions"]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return text


@pytest.mark.parametrize("corpus", ["seeds", "wire-reprint-match", "same-outlet-boilerplate-nomatch"])
def test_reports_match_golden_files(corpus: str, tmp_path: Path) -> None:
    source = ROOT / "seeds" if corpus == "seeds" else CORPORA / corpus / "articles.jsonl"
    with scan(read_documents([source])) as result:
        write_scan(result, tmp_path / "out")
    golden = GOLDEN / corpus
    update = os.environ.get("OVERLAP_UPDATE_GOLDEN") == "1"
    for name in SCAN_FILES:
        got = _normalised(name, (tmp_path / "out" / name).read_text(encoding="utf-8"))
        if update:
            golden.mkdir(parents=True, exist_ok=True)
            (golden / name).write_text(got, encoding="utf-8")
        assert got == (golden / name).read_text(encoding="utf-8"), f"{corpus}/{name} differs from its golden file"


def test_failed_render_leaves_no_output_and_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(report_module, "render_markdown", broken)
    with scan([Document("a", "some words " * 10)]) as result:
        with pytest.raises(RuntimeError):
            write_scan(result, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_existing_directory_gets_files_replaced_and_keeps_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "report.md").write_text("old")
    with scan([Document("a", "some words " * 10)]) as result:
        write_scan(result, out)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "report.md").read_text().startswith("# overlap scan report")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_markdown_cells_are_escaped() -> None:
    text = "pipe | and <b>tags</b> " + " ".join(f"w{i}" for i in range(30))
    docs = [Document("x|1", text, title="a | b"), Document("x|2", text, title="c\nd")]
    with scan(docs) as result:
        md = render_markdown(result)
    assert "`x\\|1`" in md and "a \\| b" in md and "c d" in md


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                     max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(), _JSON, min_size=1, max_size=4), st.data())
def test_clusters_json_written_entry_by_entry_is_what_json_dumps_gives(doc: dict, data) -> None:
    """clusters.json is written an entry at a time, its list of every document an item at a time (whole,
    it was a scan's largest moment in memory): the same bytes as json.dumps of the whole, lists given as
    iterators or not, whatever the text (line breaks, quotes, any script)."""
    import io

    lazy = {k: iter(v) if isinstance(v, list) and data.draw(st.booleans()) else v for k, v in doc.items()}
    out = io.BytesIO()
    report_module._write_json(out, lazy)
    assert out.getvalue().decode("utf-8") == report_module._dumps(doc)
