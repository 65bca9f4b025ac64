"""The command line: exit codes, stderr lines, files written (checked through the library)."""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path

from click.testing import CliRunner

from overlap.cli import main
from overlap.report.folder import SCAN_FILES

ROOT = Path(__file__).parent.parent
CORPORA = Path(__file__).parent / "corpora"


def _run(args: list[str], **kw):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kw)


def test_scan_seeds_writes_all_files_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = _run(["scan", str(ROOT / "seeds"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(SCAN_FILES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["documents_read"] == 5
    assert "timings_seconds" not in summary
    assert "documents read" in result.stdout and "report:" in result.stdout
    # nothing on stderr but, on a machine too busy to finish a stage in the progress display's first
    # seconds, that stage's progress lines ("overlap: paraphrase embedding: 96 of 155 statements, ...")
    noise = [line for line in result.stderr.splitlines() if not re.match(r"overlap: [a-z ]+: [\d,]+ (of [\d,]+ )?\w", line)]
    assert noise == []


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    src = str(CORPORA / "wire-reprint-match" / "articles.jsonl")
    _run(["scan", src, "-o", str(tmp_path / "one"), "-q"])
    _run(["scan", src, "-o", str(tmp_path / "two"), "-q"])
    for name in SCAN_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_matches_carry_offsets_text_source_and_date(tmp_path: Path) -> None:
    src = CORPORA / "wire-reprint-match" / "articles.jsonl"
    assert _run(["scan", str(src), "-o", str(tmp_path / "o"), "-q"]).exit_code == 0
    (line,) = (tmp_path / "o" / "matches.jsonl").read_text().splitlines()
    match = json.loads(line)
    assert match["kind"] == "duplicate" and 0 <= match["score"] <= 1
    texts = {json.loads(l)["id"]: json.loads(l)["text"] for l in src.read_text().splitlines()}
    for side in ("a", "b"):
        s = match[side]
        assert texts[s["doc"]][s["start"] : s["end"]] == s["text"]
        assert s["source"] in {"wire", "outlet-b"} and s["date"].startswith("2017-01-15")


def test_missing_input_is_one_line_exit_1_and_no_output(tmp_path: Path) -> None:
    result = _run(["scan", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("overlap: error: ")
    assert "nope.jsonl" in result.stderr
    assert not (tmp_path / "out").exists()


def test_malformed_line_is_skipped_with_file_and_line_or_fails_on_request(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = json.dumps({"id": "a", "text": "word " * 20})
    src.write_text(good + "\n{not json\n")
    result = _run(["scan", str(src), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert f"{src}:2:" in result.stderr and result.stderr.startswith("overlap: warning: ")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["ingest"]["bad_records"] == 1
    result = _run(["scan", str(src), "-o", str(tmp_path / "out2"), "--on-bad-record", "fail"])
    assert result.exit_code == 1 and f"{src}:2:" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out2").exists()


def test_fail_on_duplicates_exit_code(tmp_path: Path) -> None:
    src = str(CORPORA / "wire-reprint-match" / "articles.jsonl")
    assert _run(["scan", src, "-o", str(tmp_path / "o"), "-q", "--fail-on-duplicates"]).exit_code == 3
    src = str(CORPORA / "same-outlet-boilerplate-nomatch" / "articles.jsonl")
    assert _run(["scan", src, "-o", str(tmp_path / "p"), "-q", "--fail-on-duplicates"]).exit_code == 0


def test_bad_option_values_are_usage_errors(tmp_path: Path) -> None:
    result = _run(["scan", str(ROOT / "seeds"), "--threshold", "1.5", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "1.5" in result.stderr
    result = _run(["scan", str(ROOT / "seeds"), "--threshold", "0.3", "--lsh-threshold", "0.6", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "lsh_threshold" in result.stderr


def test_stdin_gzip_field_names_env_and_config(tmp_path: Path) -> None:
    recs = [{"newid": i, "body": "the same wire story about grain exports rising again this year"} for i in range(3)]
    data = "".join(json.dumps(r) + "\n" for r in recs)
    result = _run(["scan", "-", "--id-field", "newid", "--text-field", "body", "-o", str(tmp_path / "a"), "-q"],
                  input=data)
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "a" / "clusters.json").read_text())["clusters"][0]["members"] == ["0", "1", "2"]
    gz = tmp_path / "in.jsonl.gz"
    with gzip.open(gz, "wt") as f:
        f.write(data)
    config = tmp_path / "overlap.toml"
    config.write_text('[scan]\nid-field = "newid"\ntext_field = "body"\nthreshold = 0.9\n')
    result = _run(["--config", str(config), "scan", str(gz), "-o", str(tmp_path / "b"), "-q"],
                  env={"OVERLAP_SCAN_NUM_PERM": "64"})
    assert result.exit_code == 0, result.stderr
    params = json.loads((tmp_path / "b" / "summary.json").read_text())["parameters"]
    assert params["duplicates"]["threshold"] == 0.9 and params["minhash"]["num_perm"] == 64


def test_timings_only_when_asked(tmp_path: Path) -> None:
    assert _run(["scan", str(ROOT / "seeds"), "-o", str(tmp_path / "o"), "-q", "--timings"]).exit_code == 0
    assert "timings_seconds" in json.loads((tmp_path / "o" / "summary.json").read_text())


def test_paraphrase_tier_is_skipped_over_its_document_limit_and_says_so(tmp_path: Path) -> None:
    result = _run(["scan", str(ROOT / "seeds"), "-o", str(tmp_path / "o"), "--paraphrase-max-docs", "4"])
    assert result.exit_code == 0
    assert "paraphrase tier skipped: 5 documents" in result.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["counts"]["paraphrase_skipped_documents_over_limit"] == 5
    assert "paraphrase tier | skipped" in (tmp_path / "o" / "report.md").read_text()


def _para(out: Path) -> list[dict]:
    lines = (out / "matches.jsonl").read_text(encoding="utf-8").splitlines()
    return [m for m in map(json.loads, lines) if m["kind"] == "paraphrase"]


def test_within_document_switch_marks_and_drops_same_article_pairs(tmp_path: Path) -> None:
    on, off = tmp_path / "on", tmp_path / "off"
    result = _run(["scan", str(ROOT / "seeds"), "-o", str(on), "--lexical-paraphrase"])
    assert result.exit_code == 0
    within = [m for m in _para(on) if m["a"]["doc"] == m["b"]["doc"]]
    assert within and all(m["details"]["within_document"] is True for m in within)
    assert all("within_document" not in m["details"] for m in _para(on) if m["a"]["doc"] != m["b"]["doc"])
    assert re.search(rf"^    within document +{len(within)}$", result.stdout, re.M), result.stdout
    assert re.search(r"paraphrase \(same (claim|statement), within document\)", (on / "report.md").read_text(encoding="utf-8"))
    assert "within one document</span>" in (on / "report.html").read_text(encoding="utf-8")
    summary = json.loads((on / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["paraphrase_within_document"] == len(within)
    assert summary["paraphrase"]["within_document"] is True
    result = _run(["scan", str(ROOT / "seeds"), "-o", str(off), "--lexical-paraphrase", "--no-within-document"])
    assert result.exit_code == 0
    assert all(m["a"]["doc"] != m["b"]["doc"] for m in _para(off))
    assert json.loads((off / "summary.json").read_text(encoding="utf-8"))["parameters"]["paraphrase"]["within_document"] is False
    assert "(`--no-within-document`)" in (off / "report.md").read_text(encoding="utf-8")


def test_statements_in_other_languages_are_counted_in_every_output(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [{"id": "de1", "text": "Die Bundesregierung hat am Mittwoch ein neues Klimaschutzgesetz für die Industrie "
                                  "beschlossen. Tausende Menschen demonstrierten am Samstag in Berlin für höhere Löhne."},
            {"id": "en1", "text": "The Zorvath mining consortium will close its Quellbrook smelter in June after losses "
                                  "mounted for three years."}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "o"
    result = _run(["scan", str(src), "-o", str(out), "--lexical-paraphrase"])
    assert result.exit_code == 0
    assert "  statements set aside" in result.stdout and "    not English" in result.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["paraphrase"]["set_aside"] == {"not English": 2} and summary["paraphrase"]["languages"] == {"de": 2}
    assert summary["counts"]["paraphrase_not_english"] == 2
    aside = "Statements set aside, never scored or matched: 2 not English (de 2)."
    assert aside in (out / "report.md").read_text(encoding="utf-8")
    assert aside in (out / "report.html").read_text(encoding="utf-8")
    re_rendered = _run(["report", str(out), "--format", "md"])
    assert aside in re_rendered.stdout


def _expanded(names: list[str]) -> list[str]:
    """The summary's file names with each page range (``report-reuse-2..5.html``) as its pages."""
    out = []
    for name in names:
        found = re.fullmatch(r"(.+)-(\d+)\.\.(\d+)\.html", name)
        out += [f"{found[1]}-{n}.html" for n in range(int(found[2]), int(found[3]) + 1)] if found else [name]
    return out


def test_the_summary_names_many_pages_as_ranges_and_every_file_still() -> None:
    """Regression: a scan of 320,000 articles ended its summary with one line naming 1,400 pages."""
    from overlap.report.terminal import _compact

    pages = [f"report-reuse-{n}.html" for n in range(2, 265)] + [f"report-links-{n}.html" for n in (2, 3)]
    files = ["matches.jsonl", *sorted(pages), "graph.gexf", "report-skipped-2.html", "report-claims-4.html",
             "report-claims-6.html", "report-claims-5.html"]
    got = _compact(files)
    assert got == ["matches.jsonl", "report-links-2.html", "report-links-3.html", "report-reuse-2..264.html",
                   "graph.gexf", "report-skipped-2.html", "report-claims-4..6.html"]
    assert sorted(_expanded(got)) == sorted(files)
    assert _compact(["report-claims-2.html", "report-claims-4.html", "report-claims-5.html"]) == [
        "report-claims-2.html", "report-claims-4.html", "report-claims-5.html"]  # a gap: each named


def test_scan_summary_names_every_file_written_and_counts_known_sources(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = _run(["scan", str(ROOT / "seeds"), "-o", str(out), "--graph-format", "gexf", "--graph-format", "csv"])
    assert result.exit_code == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    written = sorted(p.name for p in out.iterdir())
    assert last.startswith(f"report: {out / 'report.html'} (also ")
    named = _expanded(last.split("(also ", 1)[1].rstrip(")").split(", "))
    assert sorted(named + ["report.html"]) == written
    # the seeds' sidecar names three outlets; two documents have none and are not counted as one
    assert "sources involved               3" in result.stdout


def test_scan_output_dash_is_refused_not_a_folder_named_dash(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", str(ROOT / "seeds"), "-o", "-"])
    assert result.exit_code == 2
    assert "-o - would make a folder named '-'" in result.stderr
    assert not (tmp_path / "-").exists()


def test_verbose_and_log_level_send_diagnostics_to_stderr(tmp_path: Path) -> None:
    src = str(CORPORA / "wire-reprint-match" / "articles.jsonl")
    quiet = _run(["scan", src, "-o", str(tmp_path / "a"), "-q"])
    assert quiet.stderr == ""
    loud = _run(["scan", src, "-o", str(tmp_path / "b"), "-q", "-v"])
    assert "overlap: INFO: overlap.pipeline: stage read took" in loud.stderr
    assert loud.stdout == ""
    level = _run(["scan", src, "-o", str(tmp_path / "c"), "-q", "--log-level", "warning"])
    assert "INFO" not in level.stderr
    again = _run(["scan", src, "-o", str(tmp_path / "d"), "-q"])  # nothing left over from the runs before
    assert again.stderr == ""


def test_progress_lines_give_unit_rate_and_eta_when_not_a_terminal() -> None:
    import io

    from overlap.cli import _Progress

    stream = io.StringIO()
    progress = _Progress(True, stream=stream, delay=0, interval=0)
    progress("passages", 0, 200)
    time.sleep(0.01)
    progress("passages", 50, 200)
    progress("passages", 200, 200)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "overlap: passages: 0 of 200 candidate pairs"
    assert lines[1].startswith("overlap: passages: 50 of 200 candidate pairs, ")
    assert lines[1].endswith(" left") and "/s" in lines[1]
    assert lines[2].startswith("overlap: passages: 200 of 200 candidate pairs, ")
    late = io.StringIO()
    slow = _Progress(True, stream=late, delay=60, interval=0)
    slow("read", 5, 5)  # a stage that ends within the delay prints nothing
    assert late.getvalue() == ""
    silent = io.StringIO()
    _Progress(False, stream=silent, delay=0, interval=0)("read", 5, 5)
    assert silent.getvalue() == ""


def test_progress_of_stages_side_by_side_keeps_each_stage_its_own_lines() -> None:
    """A scan's passages and paraphrase tiers report from two threads at once on a cluster: each stage
    keeps its start, rate and delay (one stage's events never restart the other's)."""
    import io
    import threading

    from overlap.cli import _Progress

    stream = io.StringIO()
    progress = _Progress(True, stream=stream, delay=0.05, interval=0)
    progress("passages", 0, 100)
    side = threading.Thread(target=progress, args=("paraphrase signals", 0, 10))
    side.start()
    side.join()
    time.sleep(0.06)
    progress("passages", 50, 100)  # past its delay, though the other thread began a stage meanwhile
    side = threading.Thread(target=progress, args=("paraphrase signals", 5, 10))
    side.start()
    side.join()
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["passages", "paraphrase signals"], lines
    assert lines[0].startswith("overlap: passages: 50 of 100 candidate pairs, ") and "left" in lines[0]
    assert lines[1].startswith("overlap: paraphrase signals: 5 of 10 statement pairs, ")


def test_progress_is_a_bar_per_stage_on_a_terminal() -> None:
    import io

    from overlap.cli import _Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = _Progress(True, stream=stream, delay=0)
    progress("paraphrase signals", 10, 40)
    progress("paraphrase signals", 40, 40)
    progress("paraphrase embedding", 3, 9)
    progress.close()
    out = stream.getvalue()
    assert "overlap: paraphrase signals" in out and "40/40" in out and "statement pairs" in out
    assert "overlap: paraphrase embedding" in out and "statements" in out


def test_a_command_runs_with_the_collector_tuned_and_gives_the_thresholds_back(tmp_path: Path, monkeypatch) -> None:
    """The cycle collector walks a scan's live objects less often (README, "Benchmarks"), and a CLI run
    inside another program (these tests) leaves that program's thresholds as they were."""
    import gc

    import overlap.report.folder as folder
    from overlap.cli import GC_THRESHOLD

    seen = []
    write_scan = folder.write_scan
    monkeypatch.setattr(folder, "write_scan", lambda *a, **kw: (seen.append(gc.get_threshold()), write_scan(*a, **kw))[1])
    before = gc.get_threshold()
    assert before != GC_THRESHOLD
    result = CliRunner().invoke(main, ["scan", "seeds/", "-o", str(tmp_path / "out"), "-q", "--no-paraphrase"])
    assert result.exit_code == 0, result.output
    assert seen == [GC_THRESHOLD]
    assert gc.get_threshold() == before
