"""The persistent signature index: exact answers, manifests refused on mismatch, both stores."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from dedup_corpus import corpus, exact
from overlap import open_index
from overlap.errors import ConfigError, IndexStateError
from overlap.index import IndexSettings
from overlap.minhash.signatures import Signer
from overlap.model import Document

LONG = (
    "The central bank raised its key interest rate by half a point on Tuesday, citing inflation "
    "pressures across the economy and a weaker currency, and said further increases were possible "
    "if prices kept rising faster than wages in the months ahead, according to a statement."
)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "seen.db")
    return request.getfixturevalue("redis_url")


def test_query_scores_are_exact_and_best_first(location):
    docs = corpus(seed=3)
    by_id = {d.id: d for d in docs}
    with open_index(location) as idx:
        assert idx.add(docs) == len(docs)
        for d in docs[:40]:
            got = idx.query(d, threshold=0.5)
            assert (d.id, 1.0) in got and got[0][1] == 1.0
            for other, score in got:
                assert score == pytest.approx(exact(d.text, by_id[other].text))
                assert score >= 0.5
            scores = [s for _, s in got]
            assert scores == sorted(scores, reverse=True)


def test_recall_against_brute_force(location):
    """LSH + verify finds a subset of the brute-force pairs, and at J >= 0.8 all of them here."""
    docs = corpus(seed=11, originals=50, copies=80, pieces=0)
    with open_index(location) as idx:
        idx.add(docs)
        found = {(d.id, o) for d in docs for o, _ in idx.query(d, threshold=0.8) if o != d.id}
    truth = {(a.id, b.id) for a in docs for b in docs if a.id != b.id and exact(a.text, b.text) >= 0.8}
    assert found <= truth
    assert len(truth) > 50
    assert len(found) / len(truth) >= 0.99


def test_containment_finds_piece_of_long_document(location):
    long_doc = Document("long", LONG + " " + LONG.replace("bank", "fund").replace("Tuesday", "Friday"))
    piece = Document("piece", "citing inflation pressures across the economy and a weaker currency, and said further")
    with open_index(location) as idx:
        idx.add([long_doc])
        assert idx.query(piece, threshold=0.5, mode="whole") == []
        assert idx.query(piece, threshold=0.9, mode="containment") == [("long", 1.0)]


def test_check_adds_new_and_reports_duplicates(location):
    with open_index(location) as idx:
        first = idx.check(Document("a", LONG))
        assert first.is_new and first.mode == "new" and first.duplicate_of is None
        again = idx.check(Document("b", LONG + " Reporting by Jane Doe."))
        assert (again.duplicate_of, again.mode) == ("a", "whole")
        assert again.score == pytest.approx(exact(LONG + " Reporting by Jane Doe.", LONG))
        assert "b" not in idx and "a" in idx
        seen = idx.check(Document("a", "a different text under an id already indexed"))
        assert (seen.duplicate_of, seen.mode, seen.score) == ("a", "id", 1.0)


def test_remove_and_stats(location):
    docs = corpus(seed=5, originals=20, copies=0, pieces=0)
    with open_index(location) as idx:
        idx.add(docs)
        st = idx.stats()
        assert st.documents == 20 and st.band_entries == 20 * idx.bands and st.anchor_entries > 0
        assert idx.remove(["o1", "o2", "nope"]) == 2
        assert idx.query(next(d for d in docs if d.id == "o1"), threshold=0.5) == []
        st = idx.stats()
        assert st.documents == 18 and st.band_entries == 18 * idx.bands
        idx.compact()
        assert idx.stats().documents == 18


def test_reopen_keeps_documents_and_checks_settings(location):
    with open_index(location, settings=IndexSettings(num_perm=64, seed=9)) as idx:
        idx.add([Document("a", LONG)])
    with open_index(location) as idx:  # settings come from the manifest
        assert idx.settings.num_perm == 64 and idx.query(LONG) == [("a", 1.0)]
    with open_index(location, settings={"seed": 9}) as idx:
        assert idx.settings.seed == 9
    with pytest.raises(IndexStateError, match=r"num_perm=64 \(asked 128\)"):
        open_index(location, settings={"num_perm": 128})


def test_a_refused_setting_leaves_the_index_free_for_the_next_open(tmp_path):
    """open_index used to take the writer lock before checking the settings, and keep it after refusing them."""
    path = str(tmp_path / "seen.db")
    with pytest.raises(ValueError, match="unknown index settings: bogus"):
        open_index(path, settings={"bogus": 1})
    with pytest.raises(ConfigError, match="anchor_window"):
        open_index(path, settings={"anchor_window": -1})
    with open_index(path) as idx:
        idx.add([Document("a", LONG)])


def test_threshold_below_lsh_threshold_is_refused(location):
    with open_index(location, settings={"lsh_threshold": 0.6}) as idx:
        with pytest.raises(ConfigError, match="below the index's LSH threshold 0.6"):
            idx.query(LONG, threshold=0.5)


def _tamper_sqlite(path, **changes):
    db = sqlite3.connect(path)
    m = json.loads(db.execute("SELECT value FROM manifest WHERE key='manifest'").fetchone()[0])
    m.update(changes)
    db.execute("UPDATE manifest SET value=? WHERE key='manifest'", (json.dumps(m),))
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "change, named",
    [
        ({"datasketch_version": "1.6.5"}, "datasketch_version '1.6.5'"),
        ({"normalization_version": 0}, "normalization_version 0"),
        ({"scheme": "legacy"}, "scheme 'legacy'"),
        ({"format_version": 99}, "format_version 99"),
        ({"probe": "0000"}, "probe '0000'"),
    ],
)
def test_mismatched_manifest_is_refused(tmp_path, change, named):
    path = str(tmp_path / "i.db")
    with open_index(path) as idx:
        idx.add([Document("a", LONG)])
    _tamper_sqlite(path, **change)
    with pytest.raises(IndexStateError, match="built with other settings") as err:
        open_index(path)
    assert named in str(err.value)


@pytest.mark.redis
def test_mismatched_manifest_is_refused_redis(redis_url):
    import redis

    with open_index(redis_url) as idx:
        prefix = idx._store.prefix
    r = redis.Redis.from_url(redis_url.split("?")[0])
    m = json.loads(r.get(prefix + b":manifest"))
    m["datasketch_version"] = "1.6.5"
    r.set(prefix + b":manifest", json.dumps(m))
    with pytest.raises(IndexStateError, match="datasketch_version '1.6.5'"):
        open_index(redis_url)


def test_not_an_index(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(IndexStateError, match="junk.db"):
        open_index(str(junk))
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t(x)")
    db.commit()
    db.close()
    with pytest.raises(IndexStateError, match="not an overlap index"):
        open_index(str(other))
    with pytest.raises(IndexStateError, match="no index here"):
        open_index(str(tmp_path / "missing.db"), create=False)
    with pytest.raises(ConfigError, match="unsupported index location"):
        open_index("http://example.invalid/x")


def test_one_writer_many_readers(tmp_path):
    path = str(tmp_path / "i.db")
    with open_index(path) as writer:
        writer.add([Document("a", LONG)])
        with pytest.raises(IndexStateError, match="open for writing by another process"):
            open_index(path)
        # another process can read while this one writes
        code = (
            "import sys; from overlap import open_index\n"
            f"idx = open_index({path!r}, readonly=True)\n"
            f"print(idx.query({LONG!r}))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "[('a', 1.0)]"
        with open_index(path, readonly=True) as reader:
            with pytest.raises(IndexStateError, match="read-only"):
                reader.add([Document("b", "other words here")])
    with open_index(path) as again:  # the lock goes with the writer
        assert "a" in again


def test_failed_add_leaves_nothing_behind(tmp_path, monkeypatch):
    """A batch is one transaction: an error half-way adds none of it."""
    path = str(tmp_path / "i.db")
    docs = corpus(seed=2, originals=10, copies=0, pieces=0)
    with open_index(path) as idx:
        idx.add(docs[:3])
        store = idx._store
        real = store.db

        class Failing:
            def __init__(self):
                self.calls = 0

            def execute(self, *a):
                return real.execute(*a)

            def executemany(self, sql, rows):
                self.calls += 1
                if "anchors" in sql:
                    raise sqlite3.OperationalError("disk I/O error (simulated)")
                return real.executemany(sql, rows)

        store.db = Failing()
        with pytest.raises(IndexStateError, match="simulated"):
            idx.add(docs[3:])
        store.db = real
        st = idx.stats()
        assert (st.documents, st.band_entries) == (3, 3 * idx.bands)


def test_unreachable_redis_is_a_clear_error():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(IndexStateError, match=f"127.0.0.1:{port}.*cannot reach Redis"):
        open_index(f"redis://127.0.0.1:{port}/0")


@pytest.mark.redis
def test_redis_sweeps_half_written_entries(redis_url):
    """A worker killed between the LSH insert and its record leaves entries queries ignore."""
    with open_index(redis_url) as idx:
        prep = idx.prepare([Document("ghost", LONG)])[0]
        lean = Signer(idx.settings.num_perm, idx.settings.seed).lean(prep.signature)
        idx._store.lsh.insert(b"ghost", lean, check_duplication=False)
        assert idx.query(LONG, threshold=0.5) == []
        assert "ghost" not in idx
        idx.compact()
        assert b"ghost" not in idx._store.lsh
        assert idx.check(Document("ghost", LONG)).is_new


@pytest.mark.redis
def test_redis_buckets_are_datasketch_own_layout(redis_url):
    """datasketch's MinHashLSH over the same Redis keys sees what the index wrote, and the reverse."""
    from datasketch import MinHashLSH

    docs = corpus(seed=6, originals=10, copies=5, pieces=0)
    with open_index(redis_url) as idx:
        idx.add(docs)
        store = idx._store
        theirs = MinHashLSH(
            num_perm=idx.settings.num_perm,
            params=(idx.bands, idx.rows),
            storage_config={"type": "redis", "basename": store.prefix + b":lsh", "redis": dict(store._conn)},
            prepickle=False,
        )
        signer = Signer(idx.settings.num_perm, idx.settings.seed)
        for p in idx.prepare(docs):
            mine = {h.decode() for h in theirs.query(signer.lean(p.signature))}
            assert {o for o, _ in idx.query(next(d for d in docs if d.id == p.id), threshold=0.5)} <= mine
            assert p.id in mine
        assert set(theirs.keys.keys()) == {d.id.encode() for d in docs}
        idx.remove(["o1"])
        assert b"o1" not in theirs


from hypothesis import given, settings, strategies as st  # noqa: E402
import numpy as np  # noqa: E402

from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

from overlap.index.prepare import sets_and_anchors  # noqa: E402


def _winnow(ordered: np.ndarray, window: int) -> np.ndarray:
    """Winnowing fingerprints of one document, the obvious way: the oracle for the batch form."""
    if len(ordered) == 0 or window == 0:
        return np.empty(0, dtype=np.int64)
    if len(ordered) <= window:
        return ordered.min(keepdims=True).view(np.int64)
    return np.unique(sliding_window_view(ordered, window).min(axis=1)).view(np.int64)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=1, max_size=8),
    st.integers(1, 20),
)
def test_batched_sets_and_anchors_equal_the_obvious_per_document_form(docs, window):
    """The vectorised batch form against np.unique and a sliding-window minimum per document."""
    ordered = [np.array(d, dtype=np.uint64) for d in docs]
    sets, anchors = sets_and_anchors(ordered, window)
    assert len(sets) == len(anchors) == len(docs)
    for o, s, a in zip(ordered, sets, anchors):
        assert np.array_equal(s, np.unique(o))
        assert np.array_equal(a, _winnow(o, window))
        if len(o):
            # every run of `window` shingles holds an anchor: the containment guarantee
            for i in range(max(1, len(o) - window + 1)):
                assert set(o[i : i + window].view(np.int64).tolist()) & set(a.tolist())


def test_index_without_anchors_serves_whole_mode_only(tmp_path):
    path = str(tmp_path / "i.db")
    with open_index(path, settings={"anchor_window": 0}) as idx:
        idx.add([Document("a", LONG)])
        assert idx.stats().anchor_entries == 0
        assert idx.query(LONG, threshold=0.8) == [("a", 1.0)]
        with pytest.raises(ConfigError, match="without anchors"):
            idx.query(LONG, threshold=0.8, mode="containment")


# ------------------------------------------------------------- hardening


def test_an_index_truncated_to_zero_bytes_is_refused_not_started_again(tmp_path):
    path = tmp_path / "seen.db"
    with open_index(str(path)) as idx:
        idx.add([Document("a", LONG)])
    for extra in (path.parent / "seen.db-wal", path.parent / "seen.db-shm"):
        extra.unlink(missing_ok=True)
    path.write_bytes(b"")
    with pytest.raises(IndexStateError, match=r"seen.db: the index file is empty \(0 bytes\): damaged or truncated"):
        open_index(str(path))
    with pytest.raises(IndexStateError, match="empty"):
        open_index(str(path), readonly=True)
    assert path.stat().st_size == 0  # left as it was, for the operator to restore


def test_a_new_index_appears_whole_or_not_at_all(tmp_path, monkeypatch):
    """Creation writes the schema and manifest aside and renames: a crash leaves no empty file to be refused."""
    import os as os_module

    path = tmp_path / "new.db"

    def crash(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os_module, "replace", crash)
    with pytest.raises(IndexStateError, match="new.db: cannot create the index: No space left on device"):
        open_index(str(path))
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db-lock"]
    with open_index(str(path)) as idx:
        assert idx.stats().documents == 0
    assert path.stat().st_size > 0


def test_an_index_folder_that_cannot_be_written_is_a_clear_error(tmp_path, monkeypatch):
    """Tests run as root, so the PermissionError a read-only folder gives is simulated."""
    import os as os_module

    real_open = os_module.open

    def denied(path, *a, **k):
        if str(path).endswith("-lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr(os_module, "open", denied)
    with pytest.raises(IndexStateError) as err:
        open_index(str(tmp_path / "seen.db"))
    assert str(err.value) == (
        f"{tmp_path / 'seen.db'}: cannot open the index for writing: {tmp_path / 'seen.db'}-lock: Permission denied"
    )


def test_redis_url_that_cannot_be_parsed_is_a_config_error():
    with pytest.raises(ConfigError, match=r"redis://host:notaport/0: not a usable Redis URL"):
        open_index("redis://host:notaport/0")


@pytest.mark.parametrize(
    "url",
    [
        "rediss://:s3cretpw@127.0.0.1:{port}/0",
        "rediss://alice:s3cretpw@127.0.0.1:{port}/0?prefix=x",
        "redis://127.0.0.1:{port}/0?password=s3cretpw",
        "unix://:s3cretpw@/nonexistent/redis.sock?db=0",
        "redis://alice:s3cretpw@127.0.0.1:notaport/0",
        "http://alice:s3cretpw@example.invalid/?password=s3cretpw",
    ],
)
def test_redis_passwords_are_never_printed(url):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises((IndexStateError, ConfigError)) as err:
        open_index(url.format(port=port))
    assert "s3cretpw" not in str(err.value) and "alice" not in str(err.value)
    assert "***" in str(err.value)


@pytest.mark.redis
def test_redis_url_forms_of_redis_py_are_accepted(redis_url):
    """A user and password as ?username=&password= reach the server (redis-py's from_url), never dropped."""
    import uuid

    import redis

    base, query = redis_url.split("?")
    user = f"u{uuid.uuid4().hex[:8]}"
    admin = redis.Redis.from_url(base)
    admin.acl_setuser(user, enabled=True, passwords=["+s3cretpw"], keys=["*"], commands=["+@all"])
    try:
        with open_index(f"{base}?{query}&username={user}&password=s3cretpw") as idx:
            assert idx.add([Document("a", LONG)]) == 1
        with pytest.raises(IndexStateError) as err:
            open_index(f"{base}?{query}&username={user}&password=wrongpw1")
        assert "wrongpw1" not in str(err.value) and user not in str(err.value)
        assert "cannot reach Redis (invalid username-password pair" in str(err.value)
        host = base.split("//")[1].split("/")[0]
        with pytest.raises(IndexStateError, match="invalid username-password pair"):
            open_index(f"redis://{user}:wrongpw1@{host}/0?{query}")
    finally:
        admin.acl_deluser(user)
        admin.close()
    with open_index(f"{base}?{query}&socket_keepalive=true") as idx:  # redis-py's own query options
        assert "a" in idx
    with pytest.raises(ConfigError, match="unsupported option in the Redis URL"):
        open_index(f"{base}?{query}&no_such_option=1")


def _twin_text(i: int) -> str:
    import random

    rng = random.Random(i)
    return " ".join(f"w{rng.randrange(3000)}" for _ in range(80))


@pytest.mark.redis
def test_two_workers_deciding_at_once_never_both_keep_twins(redis_url):
    """A worker's kept (not yet committed) documents are reserved: another worker sees them at once."""
    from overlap.index.decide import decide

    with open_index(redis_url) as a, open_index(redis_url) as b:
        da = decide(a, a.prepare([Document(f"a{i}", _twin_text(i)) for i in range(20)]), 0.8)
        db = decide(b, b.prepare([Document(f"b{i}", _twin_text(i)) for i in range(20)]), 0.8)
        assert all(d.is_new for d in da)
        assert [(d.duplicate_of, d.score, d.mode) for d in db] == [(f"a{i}", 1.0, "whole") for i in range(20)]
        # within one batch: b's first twin is taken back, so its own copy is decided again without it
        batch = [Document("x1", _twin_text(50)), Document("x2", _twin_text(50))]
        assert decide(a, a.prepare([Document("r", _twin_text(50))]), 0.8)[0].is_new
        got = decide(b, b.prepare(batch), 0.8)
        assert [(d.doc, d.duplicate_of) for d in got] == [("x1", "r"), ("x2", "r")]
        # containment: a piece meets the article another worker just kept through anchors, not bands
        long_doc = Document("long", LONG + " " + LONG.replace("bank", "fund").replace("Tuesday", "Friday"))
        piece = Document("piece", "citing inflation pressures across the economy and a weaker currency, and said further")
        assert decide(a, a.prepare([long_doc]), 0.9, "containment")[0].is_new
        assert decide(b, b.prepare([piece]), 0.9, "containment")[0].duplicate_of == "long"


@pytest.mark.redis
def test_a_dead_workers_reservation_expires_and_its_rerun_takes_it_over(redis_url):
    from overlap.index.decide import decide

    url = redis_url + "&reservation_ttl=1"
    with open_index(url) as dead:
        assert decide(dead, dead.prepare([Document("a", _twin_text(1))]), 0.8)[0].is_new  # reserved, never committed
    with open_index(url) as rerun:  # the same document again (another client): its own id does not block it
        assert decide(rerun, rerun.prepare([Document("a", _twin_text(1))]), 0.8)[0].is_new
    with open_index(url) as other:
        assert decide(other, other.prepare([Document("b", _twin_text(1))]), 0.8)[0].duplicate_of == "a"
    import time

    time.sleep(1.2)
    with open_index(url) as later:  # nobody indexed "a": after the reservation lifetime it blocks nothing
        assert decide(later, later.prepare([Document("b", _twin_text(1))]), 0.8)[0].is_new
    with pytest.raises(ConfigError, match="reservation_ttl"):
        open_index(redis_url + "&reservation_ttl=0")
