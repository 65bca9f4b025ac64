"""``overlap filter``: stdout records, stderr counts, exit codes, and a real kill -9 mid-stream."""

from __future__ import annotations

import errno
import gzip
import io
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
    m = json.loads(con.execute("SELECT value FROM manifest WHERE key='manifest'").fetchone()[0])
    m["datasketch_version"] = "1.6.5"
    con.execute("UPDATE manifest SET value=? WHERE key='manifest'", (json.dumps(m),))
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


# ------------------------------------------------------------- hardening


class _FullDisk(io.RawIOBase):
    """A raw stdout on a disk that fills after ``room`` bytes: a short write, then ENOSPC (as FileIO does)."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        if self.room == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = min(len(b), self.room)
        self.data += bytes(b[:n])
        self.room -= n
        return n


def _whole_lines(data: bytes, field: str = "id") -> list:
    return [json.loads(line)[field] for line in data.split(b"\n")[:-1]]


@pytest.mark.parametrize("cut", ["mid-batch", "last line of a batch"])
def test_a_full_disk_stops_the_run_and_loses_no_document(tmp_path, docs, monkeypatch, capsys, cut):
    """PYTHONUNBUFFERED makes stdout a raw file whose writes can be cut short: the index must not record those."""
    src = write_jsonl(tmp_path / "in.jsonl", docs)
    clean = invoke("--index", tmp_path / "clean.db", src)
    kept = ids(clean.stdout)
    size = {i: len(line.encode()) + 1 for i, line in zip(kept, clean.stdout.splitlines())}
    if cut == "mid-batch":
        room = 5_000
    else:  # the disk fills 3 bytes before the end of the 4th batch's output (8 documents a batch)
        room = sum(size[d.id] for d in docs[:32] if d.id in size) - 3
        assert docs[31].id in size or docs[30].id in size
    disk = _FullDisk(room)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(disk, write_through=True))
    db = tmp_path / "seen.db"
    with pytest.raises(SystemExit) as stop:
        main(["filter", "--index", str(db), "--batch-size", "8", "--commit-every", "8", str(src)])
    monkeypatch.undo()
    assert stop.value.code == 1
    assert capsys.readouterr().err == "overlap: error: <stdout>: cannot write: No space left on device\n"
    written = _whole_lines(bytes(disk.data))
    assert 0 < len(written) < len(kept)
    with open_index(db, create=False) as idx:
        indexed = {d.id for d in docs if d.id in idx}
    assert indexed <= set(written)  # nothing recorded whose line was not whole
    rerun = invoke("--index", db, src)
    assert rerun.exit_code == 0
    assert sorted(set(written) | set(ids(rerun.stdout))) == sorted(kept)


def _closed(fd: int, args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "overlap", "filter", *args], preexec_fn=lambda: os.close(fd),
                          stdin=subprocess.DEVNULL if fd != 0 else None,
                          stdout=subprocess.PIPE if fd != 1 else None, stderr=subprocess.PIPE, env=env, cwd=ROOT,
                          timeout=120)


def test_closed_stdout_and_stdin_are_one_line(tmp_path, docs):
    src = write_jsonl(tmp_path / "in.jsonl", docs[:5])
    r = _closed(1, ["--index", str(tmp_path / "a.db"), str(src)])
    assert r.returncode == 1
    assert r.stderr.decode() == (
        "overlap: error: standard output is closed: the filter writes the new records there "
        "(redirect it to a file or pipe)\n"
    )
    r = _closed(0, ["--index", str(tmp_path / "b.db")])
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.decode() == (
        "overlap: error: standard input is closed: give INPUT files, or pipe JSONL records into the filter\n"
    )
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()


def test_unwritable_index_folder_and_bad_redis_port_are_one_line(tmp_path, docs, monkeypatch):
    src = write_jsonl(tmp_path / "in.jsonl", docs[:5])
    real_open = os.open

    def denied(path, *a, **k):  # tests run as root: a read-only folder is simulated
        if str(path).endswith("-lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr(os, "open", denied)
    db = tmp_path / "seen.db"
    r = invoke("--index", db, src)
    monkeypatch.undo()
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == f"overlap: error: {db}: cannot open the index for writing: {db}-lock: Permission denied\n"
    r = invoke("--index", "redis://host:notaport/0", src)
    assert r.exit_code == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith("overlap: error: redis://host:notaport/0: not a usable Redis URL (Port could not")
    r = invoke("--index", "rediss://:s3cretpw@127.0.0.1:1/0?prefix=x", src)
    assert r.exit_code == 1 and "s3cretpw" not in r.stderr and len(r.stderr.splitlines()) == 1


def test_output_records_are_the_input_records(tmp_path, docs):
    """Integer ids stay integers; key order and every field are as they came."""
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"title": f"t{i}", "newid": i + 1, "body": d.text, "extra": [1, None, {"x": 1.5}]})
             for i, d in enumerate(docs)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = invoke("--index", tmp_path / "seen.db", "--id-field", "newid", "--text-field", "body", src)
    assert r.exit_code == 0
    oracle = sequential_oracle(docs, 0.8, "whole")
    assert r.stdout.splitlines() == [line for line, d in zip(lines, docs) if oracle[d.id] is None]
    m = invoke("--index", tmp_path / "mark.db", "--mark", "--id-field", "newid", "--text-field", "body", src)
    recs = [json.loads(line) for line in m.stdout.splitlines()]
    by_doc = {d.id: i + 1 for i, d in enumerate(docs)}
    assert [r["newid"] for r in recs] == list(range(1, len(docs) + 1))
    assert {r["newid"]: r["duplicate_of"] for r in recs} == {
        by_doc[k]: (None if v is None else by_doc[v]) for k, v in oracle.items()
    }


def test_an_integer_id_and_its_string_never_collide_silently(tmp_path):
    text = "an article about the harbour strike that closed the port for a week in the spring"
    other = "completely different words about a football match and the weather on saturday afternoon"
    db = tmp_path / "seen.db"
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": 1, "text": text}) + "\n", encoding="utf-8")
    assert ids(invoke("--index", db, first).stdout) == [1]
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps({"id": "1", "text": other}) + "\n" + json.dumps({"id": 2, "text": other}) + "\n",
                      encoding="utf-8")
    r = invoke("--index", db, second)
    assert r.exit_code == 0 and ids(r.stdout) == [2]
    assert r.stderr.splitlines() == [
        f"overlap: warning: {second}:1: id '1' is a string but this index keys number ids "
        '(1 and "1" would be the same key); skipped',
        "overlap filter: 1 read, 1 new, 0 near-duplicates, 0 already indexed, 0 skipped (no words), 1 bad records",
    ]
    strings = tmp_path / "strings.db"  # and the other way round, within one input
    r = invoke("--index", strings, second)
    assert ids(r.stdout) == ["1"] and "id 2 is a number but this index keys string ids" in r.stderr


@pytest.mark.redis
@pytest.mark.parametrize("workers", [2, 4])
def test_workers_racing_on_one_redis_index_never_both_keep_twins(redis_url, workers):
    """Workers fed the same texts line by line in lockstep (each under its own ids): every text kept once."""
    import random
    import threading

    rng = random.Random(workers)
    texts = [" ".join(f"w{rng.randrange(3000)}" for _ in range(rng.randint(40, 90))) for _ in range(150)]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-m", "overlap", "filter", "--index", redis_url, "-q",
                               "--batch-size", "4"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, cwd=ROOT) for _ in range(workers)]
    outs: list = [[] for _ in range(workers)]
    warm = [threading.Event() for _ in range(workers)]

    def read(k):
        for line in procs[k].stdout:
            outs[k].append(line)
            if len(outs[k]) == 4:
                warm[k].set()

    readers = [threading.Thread(target=read, args=(k,)) for k in range(workers)]
    for t in readers:
        t.start()
    for k, p in enumerate(procs):  # a first batch of unrelated texts: every worker is up before the race
        for j in range(4):
            p.stdin.write((json.dumps({"id": f"warm{k}{j}", "text": f"warm up {k} {j} " * 20}) + "\n").encode())
        p.stdin.flush()
    for e in warm:
        assert e.wait(timeout=120)
    for i, text in enumerate(texts):
        for k, p in enumerate(procs):
            p.stdin.write((json.dumps({"id": f"{k}-{i}", "text": text}) + "\n").encode())
            p.stdin.flush()
    for p in procs:
        p.stdin.close()
    for t in readers:
        t.join(timeout=300)
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read().decode()
        p.stderr.close()
        p.stdout.close()
    outs = [b"".join(o[4:]) for o in outs]
    kept = [json.loads(line)["id"].split("-")[1] for out in outs for line in out.splitlines()]
    assert sorted(kept, key=int) == [str(i) for i in range(len(texts))]  # each text once, none lost
