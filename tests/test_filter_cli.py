"""``overlap filter``: stdout records, stderr counts, exit codes, and a real kill -9 mid-stream."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup_corpus import corpus, sequential_oracle
from overlap import open_index
from overlap.cli import main

ROOT = Path(__file__).resolve().parents[1]


def write_jsonl(path: Path, docs, id_field="id", text_field="text") -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({id_field: d.id, text_field: d.text, "lang": "en"}) + "\n")
    return path


def ids(stdout: str) -> list[str]:
    return [json.loads(line)["id"] for line in stdout.splitlines()]


def invoke(*args, input=None):
    return CliRunner().invoke(main, ["filter", *map(str, args)], input=input, catch_exceptions=False)


@pytest.fixture
def docs():
    return corpus(seed=31)


def test_writes_new_records_and_counts(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    db = tmp_path / "seen.db"
    r = invoke("--index", db, src)
    assert r.exit_code == 0
    oracle = sequential_oracle(docs, 0.8, "whole")
    kept = [d.id for d in docs if oracle[d.id] is None]
    assert ids(r.stdout) == kept
    first = json.loads(r.stdout.splitlines()[0])
    assert first == {"id": kept[0], "text": next(d.text for d in docs if d.id == kept[0]), "lang": "en"}
    assert r.stderr == (
        f"overlap filter: {len(docs)} read, {len(kept)} new, {len(docs) - len(kept)} near-duplicates, "
        "0 already indexed, 0 skipped (no words), 0 bad records\n"
    )
    with open_index(db, create=False) as idx:  # checked through the library
        assert idx.stats().documents == len(kept)
        assert all(k in idx for k in kept)
    again = invoke("--index", db, src)
    assert again.exit_code == 0 and again.stdout == ""
    assert f"0 new, {len(docs) - len(kept)} near-duplicates, {len(kept)} already indexed" in again.stderr


def test_mark_writes_every_record_with_its_verdict(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    r = invoke("--index", tmp_path / "seen.db", "--mark", "--mode", "containment", src)
    assert r.exit_code == 0
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    oracle = sequential_oracle(docs, 0.8, "containment")
    assert [x["id"] for x in recs] == [d.id for d in docs]
    assert {x["id"]: x["duplicate_of"] for x in recs} == oracle
    assert all((x["score"] >= 0.8) == (x["duplicate_of"] is not None) for x in recs)


def test_stdin_gzip_and_text_folder(tmp_path, docs):
    db = tmp_path / "seen.db"
    lines = "".join(json.dumps({"newid": d.id, "body": d.text}) + "\n" for d in docs[:50])
    r = invoke("--index", db, "--id-field", "newid", "--text-field", "body", input=lines)
    assert r.exit_code == 0
    assert ids_field(r.stdout, "newid")[:3] == [d.id for d in docs[:3]]
    gz = tmp_path / "more.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"newid": d.id, "body": d.text}) + "\n")
    r2 = invoke("--index", db, "--id-field", "newid", "--text-field", "body", gz)
    assert r2.exit_code == 0
    assert not set(ids_field(r2.stdout, "newid")) & {d.id for d in docs[:50]}
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "copy.txt").write_text(docs[0].text, encoding="utf-8")
    (folder / "fresh.txt").write_text("an entirely fresh article about something else", encoding="utf-8")
    r3 = invoke("--index", db, folder)
    assert r3.exit_code == 0 and ids(r3.stdout) == ["fresh.txt"]


def ids_field(stdout: str, field: str) -> list[str]:
    return [json.loads(line)[field] for line in stdout.splitlines()]


def test_bad_records_are_counted_and_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = Path("bad.jsonl")
    src.write_text(
        '{"id": "a", "text": "a perfectly fine article with enough words"}\n'
        "this is not json\n"
        '{"id": "b"}\n'
        '{"id": "c", "text": ""}\n'
        '{"text": "a record without any id at all"}\n',
        encoding="utf-8",
    )
    db = tmp_path / "seen.db"
    r = invoke("--index", db, "bad.jsonl")
    assert r.exit_code == 0
    assert ids(r.stdout) == ["a"]
    assert r.stderr.splitlines() == [
        "overlap: warning: bad.jsonl:2: invalid JSON: Expecting value at column 1",
        "overlap: warning: bad.jsonl:3: no 'text' field",
        "overlap: warning: bad.jsonl:5: no 'id' field: the filter needs ids to remember documents; skipped",
        "overlap: warning: bad.jsonl:4: skipped: no words to compare",
        "overlap filter: 2 read, 1 new, 0 near-duplicates, 0 already indexed, 1 skipped (no words), 3 bad records",
    ]
    with open_index(db, create=False) as idx:
        assert idx.stats().documents == 1


def test_fail_on_bad_record_keeps_index_consistent_with_output(tmp_path, docs):
    lines = [json.dumps({"id": d.id, "text": d.text}) for d in docs[:40]] + ["{broken"] + [
        json.dumps({"id": d.id, "text": d.text}) for d in docs[40:]
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "seen.db"
    r = invoke("--index", db, "--on-bad-record", "fail", "--batch-size", "8", src)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1].startswith("overlap: error: ") and "in.jsonl:41" in r.stderr
    written = set(ids(r.stdout))
    with open_index(db, create=False) as idx:
        indexed = {d.id for d in docs if d.id in idx}
    assert indexed <= written  # nothing recorded that was not written out


def test_wrong_index_settings_and_versions_are_one_line_errors(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs[:5])
    db = tmp_path / "seen.db"
    assert invoke("--index", db, "--num-perm", "64", src).exit_code == 0
    r = invoke("--index", db, "--num-perm", "128", src)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == f"overlap: error: {db}: index exists with other creation settings: num_perm=64 (asked 128)\n"
    import sqlite3

    con = sqlite3.connect(db)
    m = json.loads(con.execute("SELECT value FROM manifest").fetchone()[0])
    m["datasketch_version"] = "1.6.5"
    con.execute("UPDATE manifest SET value=?", (json.dumps(m),))
    con.commit()
    con.close()
    r = invoke("--index", db, src)
    assert r.exit_code == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1
    assert "datasketch_version '1.6.5' (this overlap uses '2.0.0')" in r.stderr
    r = invoke("--index", tmp_path / "missing.db", "--no-create", src)
    assert r.exit_code == 1 and "no index here" in r.stderr and not (tmp_path / "missing.db").exists()


def test_threshold_below_the_index_lsh_threshold_is_refused(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs[:5])
    r = invoke("--index", tmp_path / "seen.db", "--threshold", "0.3", src)
    assert r.exit_code == 1 and "below the index's LSH threshold 0.5" in r.stderr and r.stdout == ""


def test_unreachable_redis_is_one_line(tmp_path, docs):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = write_jsonl(tmp_path / "in.jsonl", docs[:5])
    r = invoke("--index", f"redis://127.0.0.1:{port}/0", src)
    assert r.exit_code == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1
    assert "cannot reach Redis" in r.stderr


@pytest.mark.redis
def test_redis_index_shared_by_two_runs(tmp_path, docs, redis_url):
    a = write_jsonl(tmp_path / "a.jsonl", docs[:70])
    b = write_jsonl(tmp_path / "b.jsonl", docs[70:])
    r1 = invoke("--index", redis_url, a)
    r2 = invoke("--index", redis_url, b)  # a second worker, later
    assert r1.exit_code == r2.exit_code == 0
    oracle = sequential_oracle(docs, 0.8, "whole")
    assert ids(r1.stdout) + ids(r2.stdout) == [d.id for d in docs if oracle[d.id] is None]


# ------------------------------------------------------------------ kill -9


def _filter_process(args, stdout):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    err = open(stdout.name + ".err", "wb")
    try:
        return subprocess.Popen([sys.executable, "-m", "overlap", "filter", *map(str, args)],
                                stdout=stdout, stderr=err, env=env, cwd=ROOT)
    finally:
        err.close()  # the child has its own copy


def _err(out) -> str:
    return Path(out.name + ".err").read_text()


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend, kill_after_lines",
    [("sqlite", 1), ("sqlite", 150), ("sqlite", 400), pytest.param("redis", 250, marks=pytest.mark.redis)],
)
def test_kill_9_mid_stream_then_rerun_loses_nothing(request, tmp_path, backend, kill_after_lines):
    """A real SIGKILL of a running filter, then the same input again: every kept record, no dropped one."""
    docs = corpus(seed=41, originals=900, copies=700, pieces=60)
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    opts = ["--batch-size", "16", "--commit-every", "48"]
    if backend == "sqlite":
        clean_db, crash_db = tmp_path / "clean.db", tmp_path / "crash.db"
    else:
        url = request.getfixturevalue("redis_url")
        clean_db, crash_db = url + "clean", url + "crash"
    with open(tmp_path / "clean.out", "wb") as out:
        p = _filter_process(["--index", clean_db, *opts, src], out)
        assert p.wait(timeout=300) == 0, _err(out)
    kept = ids((tmp_path / "clean.out").read_text())
    dropped = {d.id for d in docs} - set(kept)
    assert len(kept) > 500 and len(dropped) > 300

    first = tmp_path / "first.out"
    with open(first, "wb") as out:
        p = _filter_process(["--index", crash_db, *opts, src], out)
        deadline = time.monotonic() + 120
        while first.stat().st_size == 0 or first.read_text().count("\n") < kill_after_lines:
            assert p.poll() is None, "filter finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    assert p.returncode == -signal.SIGKILL
    before = ids("".join(line for line in first.read_text().splitlines(keepends=True) if line.endswith("\n")))
    assert 0 < len(before) < len(kept)

    with open(tmp_path / "second.out", "wb") as out:
        p = _filter_process(["--index", crash_db, *opts, src], out)
        assert p.wait(timeout=300) == 0, _err(out)
    after = ids((tmp_path / "second.out").read_text())
    assert set(before) | set(after) == set(kept)  # nothing a clean run keeps is lost
    assert not (set(before) | set(after)) & dropped  # nothing a clean run drops is emitted
    assert len(after) == len(set(after))

    with open(tmp_path / "third.out", "wb") as out:  # and a clean rerun then emits nothing
        p = _filter_process(["--index", crash_db, *opts, src], out)
        assert p.wait(timeout=300) == 0
    assert (tmp_path / "third.out").read_text() == ""


def test_anchor_window_zero_refuses_containment(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs[:5])
    db = tmp_path / "seen.db"
    assert invoke("--index", db, "--anchor-window", "0", src).exit_code == 0
    r = invoke("--index", db, "--mode", "containment", src)
    assert r.exit_code == 1 and "created without anchors" in r.stderr and r.stdout == ""
