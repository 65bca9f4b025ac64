"""``overlap score``: JSON lines in, one JSON line out per line, errors naming file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from overlap.cli import main
from overlap.engine import dask_installed
from overlap.errors import OverlapError
from overlap.claims.pair_model import PAIR_MODEL_ID
from overlap.claims.scorer import load_scorer

SAME = {"a": "The company sold 500 cars in 2003, the report said.", "b": "In 2003 the company sold 500 cars, said the report."}
OTHER = {"a": "The company sold 500 cars in 2003, the report said.", "b": "The weather in the mountains was cold all week."}


def _run(args: list[str], **kw):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kw)


def test_score_file_one_line_out_per_line_in_order(tmp_path: Path) -> None:
    src = tmp_path / "pairs.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in (SAME, OTHER, SAME)) + "\n", encoding="utf-8")
    result = _run(["score", str(src), "--lexical"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["paraphrase"] for r in rows] == [True, False, True]
    assert rows[0]["model"] == "lexical"
    assert rows[0]["threshold"] == round(load_scorer(lexical_only=True).threshold, 4)
    assert rows[0]["score"] == rows[2]["score"] > rows[1]["score"]
    assert {"scored", "score", "paraphrase", "threshold", "claim_score", "claim", "claim_threshold", "containment",
            "signals", "model", "figures", "roles"} == set(rows[0])
    assert all(0.0 <= r["claim_score"] <= 1.0 and r["claim"] == (r["claim_score"] >= r["claim_threshold"]) for r in rows)


def test_score_stdin_and_threshold_option() -> None:
    result = _run(["score", "-", "--lexical", "--threshold", "0.0"], input=json.dumps(OTHER) + "\n")
    assert result.exit_code == 0
    row = json.loads(result.stdout)
    assert row["paraphrase"] is True and row["threshold"] == 0.0


def test_bad_line_is_skipped_with_error_line_and_warning(tmp_path: Path) -> None:
    src = tmp_path / "pairs.jsonl"
    src.write_text(json.dumps(SAME) + "\n{broken\n" + json.dumps(OTHER) + "\n", encoding="utf-8")
    result = _run(["score", str(src), "--lexical"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[1] == {"error": "invalid JSON: Expecting property name enclosed in double quotes at column 2", "line": 2}
    assert result.stderr == (
        f"overlap: warning: {src}:2: invalid JSON: Expecting property name enclosed in double quotes at column 2\n"
    )


def test_bad_line_stops_with_exit_1_on_request(tmp_path: Path) -> None:
    src = tmp_path / "pairs.jsonl"
    src.write_text(json.dumps(SAME) + "\n" + json.dumps({"a": "only a"}) + "\n" + json.dumps(SAME) + "\n")
    result = _run(["score", str(src), "--lexical", "--on-bad-line", "fail"])
    assert result.exit_code == 1
    assert result.stderr == f"overlap: error: {src}:2: missing field(s) 'b': expected \"a\" and \"b\" texts\n"
    assert len(result.stdout.splitlines()) == 1  # the line before the bad one was written


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(["score", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl" in result.stderr


def test_default_model_is_named(tmp_path: Path) -> None:
    result = _run(["score", "-"], input=json.dumps(SAME) + "\n")
    assert result.exit_code == 0
    row = json.loads(result.stdout)
    fitted = load_scorer().path
    assert fitted.startswith(("embedding", "lexical ("))
    # the pair model checks the fitted scores where it can load (the embedding path only)
    assert row["model"] in (fitted, f"{fitted}; checked by pair model ({PAIR_MODEL_ID})")
    assert ("pair_check" in row) == row["model"].endswith("checked by pair model ({})".format(PAIR_MODEL_ID))
    unchecked = json.loads(_run(["score", "--no-pair-check", "-"], input=json.dumps(SAME) + "\n").stdout)
    assert unchecked["model"] == fitted
    judged = json.loads(_run(["score", "--pair-model", "-"], input=json.dumps(SAME) + "\n").stdout)
    assert judged["model"] in (fitted, f"pair model ({PAIR_MODEL_ID}); signals from {fitted}")


def test_two_empty_strings_are_not_scored_not_the_same_statement() -> None:
    # main scored this 0.55, "the same statement" (claim score 1.0)
    result = _run(["score", "-"], input=json.dumps({"a": "", "b": ""}) + "\n")
    assert result.exit_code == 0 and result.stderr == ""
    row = json.loads(result.stdout)
    assert row["scored"] is False and row["not_scored"] == {"a": "empty", "b": "empty"}
    assert row["score"] is None and row["paraphrase"] is False and row["claim"] is False


def test_pairs_the_models_cannot_read_say_why_per_side() -> None:
    lines = [
        {"a": "Die Bundesregierung hat am Mittwoch ein neues Klimaschutzgesetz beschlossen.",
         "b": "Russia is ready to cooperate with the United States on terrorism."},
        {"a": "Smith, Jones, Brown, Taylor, Evans", "b": "Smith, Jones, Brown, Taylor, Evans"},
        {"a": "Chelsea 2-1 Arsenal, Everton 0-0 Leeds", "b": "12 34 56"},
        {"a": "Russia is ready to talk.", "b": "Moscow says it is open to dialogue."},
    ]
    result = _run(["score", "-", "--lexical"], input="".join(json.dumps(x) + "\n" for x in lines))
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("not_scored") for r in rows] == [
        {"a": "not English (de)"}, {"a": "list of names", "b": "list of names"},
        {"a": "score line", "b": "numbers only"}, None]
    assert [r["scored"] for r in rows] == [False, False, False, True]
    assert not any(r["paraphrase"] or r["claim"] for r in rows[:3])


@pytest.mark.skipif(not dask_installed(), reason="overlap[dask] not installed")
def test_score_with_workers_writes_the_same_lines(tmp_path: Path) -> None:
    """``--workers 2``: each batch of lines is scored on a local cluster; the same lines out, in order, and a bad
    line still reported here in its place."""
    lines = [SAME, OTHER, {"a": "Russia accused Ukraine of shelling the plant.", "b": "Ukraine accused Russia of shelling the plant."},
             {"a": "Shares of Hartford rose $2.88 to $46.50.", "b": "Shares of Hartford were up $2.28 to $45.90."},
             {"a": "Russia is ready to cooperate with the United States.", "b": "Moscow wants to work with Washington."}]
    src = tmp_path / "pairs.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines * 3) + "[1]\n" + json.dumps(SAME) + "\n", encoding="utf-8")
    here = _run(["score", str(src)])
    there = _run(["score", str(src), "--workers", "2"])
    assert here.exit_code == there.exit_code == 0, there.stderr
    assert there.stdout == here.stdout and len(here.stdout.splitlines()) == 17
    assert json.loads(there.stdout.splitlines()[15])["line"] == 16 and f"{src}:16:" in there.stderr


def test_score_with_workers_without_dask_is_one_line(tmp_path: Path, monkeypatch) -> None:
    import overlap.engine.cluster as cluster

    monkeypatch.setattr(cluster, "_require", lambda: (_ for _ in ()).throw(OverlapError("dask is not installed")))
    src = tmp_path / "pairs.jsonl"
    src.write_text(json.dumps(SAME) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(src), "--workers", "2"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == ["overlap: error: dask is not installed"]
