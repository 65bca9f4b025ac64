"""`overlap compare`: two files for a person, or a pairs file to JSON lines."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from _textgen import sentences
from overlap.cli import main


def _files(tmp_path: Path) -> tuple[Path, Path, str]:
    rng = random.Random(21)
    src = sentences(rng, 12)
    shared = " ".join(src[3:7])
    a = tmp_path / "wire.txt"
    b = tmp_path / "local.txt"
    a.write_text(" ".join(src), encoding="utf-8")
    b.write_text(" ".join(sentences(rng, 5)) + " " + shared + " " + " ".join(sentences(rng, 4)), encoding="utf-8")
    return a, b, shared


def test_compare_two_files_prints_both_excerpts_and_offsets(tmp_path: Path) -> None:
    a, b, shared = _files(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    start_a = a.read_text().index(shared)
    start_b = b.read_text().index(shared)
    assert f"1 shared passage(s) between {a} (A) and {b} (B):" in result.stdout
    assert f"A {start_a}-{start_a + len(shared)}" in result.stdout
    assert f"B {start_b}-{start_b + len(shared)}" in result.stdout
    assert shared.split(".")[0][:40] in result.stdout.replace("\n    ", " ")
    assert result.stderr == ""


def test_compare_two_files_json(tmp_path: Path) -> None:
    a, b, shared = _files(tmp_path)
    result = CliRunner().invoke(main, ["compare", "--json", str(a), str(b)])
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    rec = json.loads(line)
    assert rec["kind"] == "reuse" and rec["a"]["doc"] == str(a) and rec["b"]["text"] == shared
    assert rec["a"]["text"] == shared and 0 < rec["score"] <= 1


def test_compare_unrelated_files(tmp_path: Path) -> None:
    rng = random.Random(22)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(" ".join(sentences(rng, 10)), encoding="utf-8")
    b.write_text(" ".join(sentences(rng, 10)), encoding="utf-8")
    result = CliRunner().invoke(main, ["compare", str(a), str(b)])
    assert result.exit_code == 0
    assert result.stdout == f"No shared passages between {a} and {b}.\n"


def _pairs(tmp_path: Path) -> Path:
    rng = random.Random(23)
    src = sentences(rng, 15)
    corpus = tmp_path / "corpus"
    (corpus / "src").mkdir(parents=True)
    (corpus / "src" / "s.txt").write_text(" ".join(src), encoding="utf-8")
    for k in range(4):
        body = sentences(rng, 6)
        if k != 1:
            body[2:2] = src[k : k + 4]
        (corpus / f"d{k}.txt").write_text("\x19 ".join(body), encoding="utf-8")
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("d0.txt src/s.txt\nd1.txt  src/s.txt\nnope.txt src/s.txt\n\nd2.txt\tsrc/s.txt\nd3.txt src/s.txt extra\n", encoding="utf-8")
    return pairs


def test_compare_pairs_writes_json_lines_and_reports_bad_lines(tmp_path: Path) -> None:
    pairs = _pairs(tmp_path)
    root = tmp_path / "corpus"
    result = CliRunner().invoke(main, ["compare", "--pairs", str(pairs), "--root", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"overlap: error: {pairs}:3: no such file: nope.txt\n"
        f"overlap: error: {pairs}:6: expected two paths separated by white space, got 3 field(s)\n"
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["a"]["doc"] for r in records] == ["d0.txt", "d2.txt"]
    for r in records:
        assert r["kind"] == "reuse" and r["b"]["doc"] == "src/s.txt"
        text_a = (root / r["a"]["doc"]).read_text(encoding="utf-8")
        text_b = (root / r["b"]["doc"]).read_text(encoding="utf-8")
        assert text_a[r["a"]["start"] : r["a"]["end"]] == r["a"]["text"]
        assert text_b[r["b"]["start"] : r["b"]["end"]] == r["b"]["text"]
    two = CliRunner().invoke(main, ["compare", "--pairs", str(pairs), "--root", str(root), "--workers", "2"])
    assert (two.exit_code, two.stdout, two.stderr) == (result.exit_code, result.stdout, result.stderr)


def test_compare_pairs_all_good_exits_zero(tmp_path: Path) -> None:
    pairs = _pairs(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text("".join(line + "\n" for line in pairs.read_text().splitlines()[:2]), encoding="utf-8")
    result = CliRunner().invoke(main, ["compare", "--pairs", str(good), "--root", str(tmp_path / "corpus")])
    assert result.exit_code == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == 1


def test_usage_errors_have_no_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["compare", "--pairs", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 1
    assert missing.stderr.startswith(f"overlap: error: {tmp_path / 'nope.txt'}: cannot read pairs file")
    assert "Traceback" not in missing.output
    one = runner.invoke(main, ["compare", str(_files(tmp_path)[0])])
    assert one.exit_code == 2 and "give two files" in one.stderr
    absent = runner.invoke(main, ["compare", str(tmp_path / "x.txt"), str(tmp_path / "y.txt")])
    assert absent.exit_code == 2 and "does not exist" in absent.stderr
    both = runner.invoke(main, ["compare", "--pairs", "p.txt", str(_files(tmp_path)[0]), str(_files(tmp_path)[1])])
    assert both.exit_code == 2
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    # not UTF-8: decoded with replacement and said so, as scan does (one policy everywhere)
    bad = runner.invoke(main, ["compare", str(binary), str(binary)])
    assert bad.exit_code == 0 and bad.stderr == f"overlap: warning: {binary}:1: invalid UTF-8, decoded with replacement\n" * 2


def test_scan_no_passages_flag(tmp_path: Path) -> None:
    rng = random.Random(24)
    wire = sentences(rng, 12)
    local = sentences(rng, 5) + wire[3:7] + sentences(rng, 4)
    corpus = tmp_path / "in.jsonl"
    corpus.write_text(
        json.dumps({"id": "wire", "text": " ".join(wire)}) + "\n" + json.dumps({"id": "local", "text": " ".join(local)}) + "\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    on = runner.invoke(main, ["scan", str(corpus), "-o", str(tmp_path / "on"), "-q"])
    off = runner.invoke(main, ["scan", str(corpus), "-o", str(tmp_path / "off"), "-q", "--no-passages"])
    assert on.exit_code == 0 and off.exit_code == 0, on.output + off.output
    kinds_on = [json.loads(x)["kind"] for x in (tmp_path / "on" / "matches.jsonl").read_text().splitlines()]
    assert kinds_on == ["reuse"]
    assert (tmp_path / "off" / "matches.jsonl").read_text() == ""


def test_compare_reads_one_side_from_stdin(tmp_path: Path) -> None:
    a, b, shared = _files(tmp_path)
    from_file = CliRunner().invoke(main, ["compare", "--json", str(a), str(b)])
    from_stdin = CliRunner().invoke(main, ["compare", "--json", str(a), "-"], input=b.read_bytes())
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout.replace('"doc": "-"', f'"doc": "{b}"') == from_file.stdout
    assert shared in json.loads(from_stdin.stdout.splitlines()[0])["b"]["text"]
    both = CliRunner().invoke(main, ["compare", "-", "-"], input="x")
    assert both.exit_code == 2 and "only one of A and B can be '-'" in both.stderr
