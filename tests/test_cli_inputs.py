"""Hostile and mistaken input on the command line: one line naming the place, never a traceback.

Binary files in a text folder, closed stdin, JSON nested 100,000 deep, a config
file with a misspelt key or a value of the wrong type, a wrong --text-field, and
files that are not UTF-8 (issue 13, items 5-8).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from overlap.cli import main

ROOT = Path(__file__).parent.parent
SEEDS = ROOT / "seeds"
DEEP = '{"a": ' + "[" * 100_000 + "]" * 100_000 + ', "b": "x"}'


def _run(args: list[str], **kw):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kw)


def _closed_stdin(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The overlap command in a fresh process whose file descriptor 0 is closed (``<&-``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "overlap", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, preexec_fn=lambda: os.close(0), timeout=300)


# ---------------------------------------------------------------- item 5

def test_a_binary_file_in_a_text_folder_is_set_aside_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    for seed in sorted(SEEDS.iterdir()):
        (folder / seed.name).write_bytes(seed.read_bytes())
    # `cp /bin/ls d/ls.txt` held the paraphrase tier for over ten minutes
    (folder / "ls.txt").write_bytes(Path(os.path.realpath(sys.executable)).read_bytes()[:150_000])
    out = tmp_path / "out"
    result = _run(["scan", str(folder), "-o", str(out), "--lexical-paraphrase"])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"overlap: warning: {folder / 'ls.txt'}:1: invalid UTF-8, decoded with replacement"
    assert lines[1].startswith(f"overlap: warning: {folder / 'ls.txt'}: set aside: not text: binary (")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["documents_read"] == 6 and summary["counts"]["documents_scanned"] == 5
    assert summary["skipped_by_reason"] == {"not text: binary": 1}
    assert all("ls.txt" not in (m["a"]["doc"], m["b"]["doc"])
               for m in map(json.loads, (out / "matches.jsonl").read_text().splitlines()))


def test_max_chars_is_an_option_with_its_default_in_the_help(tmp_path: Path) -> None:
    assert "e.g. 5000000 for book-length texts. [default: 1000000;" in " ".join(_run(["scan", "--help"]).stdout.split())
    out = tmp_path / "out"
    result = _run(["scan", str(SEEDS), "-o", str(out), "--max-chars", "3000", "--no-paraphrase", "-q"])
    assert result.exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    sizes = [len(p.read_text(encoding="utf-8")) for p in SEEDS.iterdir()]
    assert summary["skipped_by_reason"] == {"too long": sum(n > 3000 for n in sizes)}
    assert summary["parameters"]["duplicates"]["max_chars"] == 3000


# ---------------------------------------------------------------- item 6

def test_scan_with_stdin_closed_is_one_line(tmp_path: Path) -> None:
    result = _closed_stdin(["scan", "-", "-o", "x"], tmp_path)
    assert (result.returncode, result.stderr) == (1, "overlap: error: <stdin>: cannot read: standard input is closed\n")
    assert not (tmp_path / "x").exists()


def test_score_with_stdin_closed_is_one_line(tmp_path: Path) -> None:
    result = _closed_stdin(["score", "-", "--lexical"], tmp_path)
    assert (result.returncode, result.stderr) == (1, "overlap: error: <stdin>: cannot read: standard input is closed\n")


def test_score_skips_a_line_nested_too_deeply_and_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "pairs.jsonl"
    src.write_text(DEEP + "\n" + json.dumps({"a": "The cat sat on the warm mat.", "b": "The cat sat on the warm mat."}) + "\n", encoding="utf-8")
    result = _run(["score", str(src), "--lexical"])
    assert result.exit_code == 0
    assert result.stderr == f"overlap: warning: {src}:1: invalid JSON: nested too deeply\n"
    first, second = map(json.loads, result.stdout.splitlines())
    assert first == {"error": "invalid JSON: nested too deeply", "line": 1} and second["paraphrase"] is True


def test_scan_skips_a_record_nested_too_deeply(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(DEEP + "\n" + json.dumps({"id": "a", "text": "word " * 20}) + "\n", encoding="utf-8")
    result = _run(["scan", str(src), "-o", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["ingest"]["bad_records"] == 1 and summary["counts"]["documents_read"] == 1


@pytest.mark.parametrize(("config", "message"), [
    ("[scan]\nthreshold = [1, 2]\n", "[scan] threshold = [1, 2]: not a valid float range"),
    ("scan = 3\n", "[scan] must be a table of options, got 3"),
    ("[scan]\nthreshhold = 0.9\n", "[scan] unknown option 'threshhold' (did you mean 'threshold'?)"),
    ("[scna]\nthreshold = 0.9\n", "unknown command [scna]; expected one of: compare, filter, graph, report, scan, score"),
    ("[scan]\ngraph-format = \"svg\"\n", "[scan] graph-format = 'svg':"),
])
def test_config_errors_name_the_file_and_the_key(tmp_path: Path, config: str, message: str) -> None:
    path = tmp_path / "overlap.toml"
    path.write_text(config, encoding="utf-8")
    result = _run(["--config", str(path), "scan", str(SEEDS), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"Invalid value for '--config': {path}: {message}" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_config_keys_are_option_names_as_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "overlap.json"
    path.write_text(json.dumps({"scan": {"format": "text", "graph-format": ["csv"], "no_passages": True,
                                         "no-paraphrase": True, "quiet": True}}), encoding="utf-8")
    out = tmp_path / "out"
    result = _run(["--config", str(path), "scan", str(SEEDS / "000_83b71f5e76b5d5c2.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and (out / "graph_edges.csv").exists() and not (out / "graph.gexf").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["parameters"]["passages"]["enabled"] is False


# ---------------------------------------------------------------- item 7

def test_a_wrong_text_field_is_exit_1_naming_the_fields_the_records_have(tmp_path: Path) -> None:
    src = tmp_path / "reuters.jsonl"
    src.write_text("".join(json.dumps({"newid": i, "body": f"story {i} " * 20, "title": "t"}) + "\n"
                           for i in range(1000)), encoding="utf-8")
    result = _run(["scan", str(src), "-o", str(tmp_path / "out"), "--id-field", "newid"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"overlap: warning: {src}:1: no 'text' field",
        f"overlap: warning: {src}:2: no 'text' field",
        f"overlap: warning: {src}:3: no 'text' field",
        "overlap: warning: 997 more like: no 'text' field",
        f"overlap: error: {src}: no document read: none of the 1,000 records has the text field 'text'; "
        "the fields they have: 'newid', 'body', 'title'",
    ]
    assert not (tmp_path / "out").exists()
    good = _run(["scan", str(src), "-o", str(tmp_path / "out"), "--id-field", "newid", "--text-field", "body",
                 "--no-paraphrase", "-q"])
    assert good.exit_code == 0 and good.stderr == ""


def test_records_that_are_all_bad_otherwise_are_exit_1_too(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": 5}\n{"text": ["a"]}\n', encoding="utf-8")
    result = _run(["scan", str(src), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"overlap: error: {src}: no document read: all 2 records were bad (see the warnings)"


# ---------------------------------------------------------------- item 8

def test_compare_pairs_reads_cp1252_files_as_scan_does(tmp_path: Path) -> None:
    shared = ("Le ministre des Finances a déclaré mardi que le déficit public atteindrait cette année un niveau "
              "inconnu depuis la crise financière. Selon les chiffres publiés à Paris, les recettes fiscales ont "
              "baissé de quatre pour cent en un an. Le gouvernement prévoit de présenter un budget rectificatif au "
              "parlement avant la fin du mois de juin. Les syndicats ont annoncé une journée de grève nationale "
              "pour protester contre les coupes budgetaires. ")
    (tmp_path / "a.txt").write_bytes(("Premier article du matin. " + shared).encode("cp1252"))
    (tmp_path / "b.txt").write_bytes(("Second article sur le même sujet. " + shared).encode("utf-8"))
    (tmp_path / "pairs.txt").write_text("a.txt b.txt\n", encoding="utf-8")
    result = _run(["compare", "--pairs", str(tmp_path / "pairs.txt"), "--root", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "overlap: warning: a.txt:1: invalid UTF-8, decoded with replacement\n"
    (match,) = map(json.loads, result.stdout.splitlines())
    assert match["a"]["doc"] == "a.txt" and "d\ufffdclar\ufffd" in match["a"]["text"]
    # scan reads the same file the same way
    scanned = _run(["scan", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "--no-paraphrase"])
    assert scanned.exit_code == 0
    assert scanned.stderr.startswith(f"overlap: warning: {tmp_path / 'a.txt'}:1: invalid UTF-8, decoded with replacement\n")
