"""The streaming filter: verdicts equal a brute-force sequential oracle; emit+flush before commit."""

from __future__ import annotations

import pytest

from dedup_corpus import corpus, sequential_oracle
from overlap import open_index
from overlap.index.decide import decide
from overlap.index.filter import FilterStats, filter_documents
from overlap.model import Decision, Document


def run(location, docs, **kw):
    out: list[tuple[Document, Decision]] = []
    with open_index(location) as idx:
        stats = filter_documents(docs, idx, lambda d, v: out.append((d, v)), **kw)
    return out, stats


@pytest.mark.parametrize("mode, threshold", [("whole", 0.8), ("whole", 0.6), ("containment", 0.8)])
def test_verdicts_match_sequential_oracle(tmp_path, mode, threshold):
    docs = corpus(seed=21)
    out, stats = run(str(tmp_path / "i.db"), docs, mode=mode, threshold=threshold, batch_size=16, commit_every=40)
    oracle = sequential_oracle(docs, threshold, mode)
    got = {d.id: v.duplicate_of for d, v in out}
    assert [d.id for d, _ in out] == [d.id for d in docs]  # every document, in input order
    # LSH may (very rarely) miss a pair; it may never invent one
    mismatched = [i for i in got if got[i] != oracle[i]]
    assert len(mismatched) <= 1, mismatched
    assert stats.read == len(docs) and stats.new + stats.duplicates == len(docs)
    assert stats.duplicates == sum(v is not None for v in got.values())
    for d, v in out:
        assert v.mode == ("new" if v.is_new else mode)
        assert 0.0 <= v.score <= 1.0 and (v.is_new or v.score >= threshold)


def test_batching_does_not_change_verdicts(tmp_path):
    docs = corpus(seed=4)
    results = []
    for i, (bs, ce) in enumerate([(1, 1), (7, 3), (16, 1000), (500, 500)]):
        out, _ = run(str(tmp_path / f"i{i}.db"), docs, batch_size=bs, commit_every=ce, mode="containment")
        results.append([(d.id, v) for d, v in out])
    assert all(r == results[0] for r in results[1:])


def test_second_run_emits_nothing_and_ids_are_identity(tmp_path):
    docs = corpus(seed=8)
    path = str(tmp_path / "i.db")
    first, s1 = run(path, docs)
    second, s2 = run(path, docs)
    assert s1.new > 0 and s2.new == 0 and s2.duplicates + s2.seen == len(docs)
    kept_first = {d.id for d, v in first if v.is_new}
    assert {d.id for d, v in second if v.mode == "id"} == kept_first
    # a new text under an already-indexed id is the same document: not news
    again, _ = run(path, [Document(sorted(kept_first)[0], "completely different words in this text now")])
    assert again[0][1] == Decision(sorted(kept_first)[0], sorted(kept_first)[0], 1.0, "id")


def test_duplicates_within_one_batch(tmp_path):
    text = "one two three four five six seven eight nine ten eleven twelve"
    docs = [Document("a", text), Document("b", text), Document("a", text + " thirteen"), Document("c", "unrelated words only here")]
    out, stats = run(str(tmp_path / "i.db"), docs, batch_size=256)
    assert [(d.id, v.duplicate_of, v.mode) for d, v in out] == [
        ("a", None, "new"), ("b", "a", "whole"), ("a", "a", "id"), ("c", None, "new"),
    ]
    assert (stats.new, stats.duplicates, stats.seen) == (2, 1, 1)


def test_documents_without_words_are_skipped(tmp_path):
    skipped = []
    out, stats = run(str(tmp_path / "i.db"), [Document("e", "  ... !!! "), Document("w", "some words")],
                     on_skip=lambda d, why: skipped.append((d.id, why)))
    assert [d.id for d, _ in out] == ["w"] and skipped == [("e", "no words to compare")] and stats.skipped == 1


def test_output_is_flushed_before_the_index_records_it(tmp_path):
    """The crash guarantee's core: every committed id was emitted and flushed first."""
    docs = corpus(seed=9)
    events: list[tuple[str, object]] = []
    emitted_unflushed: set[str] = set()
    flushed: set[str] = set()
    with open_index(str(tmp_path / "i.db")) as idx:
        real_add = idx._store.add

        def add(preps):
            ids = {p.id for p in preps}
            assert ids <= flushed, "committed before its output was flushed"
            events.append(("add", ids))
            return real_add(preps)

        idx._store.add = add

        def emit(d, v):
            emitted_unflushed.add(d.id)

        def flush():
            flushed.update(emitted_unflushed)
            emitted_unflushed.clear()
            events.append(("flush", None))

        filter_documents(docs, idx, emit, flush=flush, batch_size=10, commit_every=25)
    assert any(e[0] == "add" for e in events)


class Crash(Exception):
    pass


@pytest.mark.parametrize("crash_at", [0, 5, 37, 90, 129])
def test_interrupted_run_then_rerun_loses_nothing(tmp_path, crash_at):
    """An exception while writing (e.g. a broken pipe) commits only what was flushed."""
    docs = corpus(seed=13)
    clean, _ = run(str(tmp_path / "clean.db"), docs, batch_size=8, commit_every=16)
    kept = {d.id for d, v in clean if v.is_new}
    dropped = {d.id for d, v in clean if not v.is_new}

    path = str(tmp_path / "crash.db")
    written: list[str] = []
    buffer: list[str] = []
    count = 0

    def emit(d, v):
        nonlocal count
        count += 1
        if count > crash_at:
            raise Crash()
        if v.is_new:
            buffer.append(d.id)

    def flush():
        written.extend(buffer)
        buffer.clear()

    with open_index(path) as idx:
        with pytest.raises(Crash):
            filter_documents(docs, idx, emit, flush=flush, batch_size=8, commit_every=16)
    rerun, _ = run(path, docs, batch_size=8, commit_every=16)
    emitted = set(written) | {d.id for d, v in rerun if v.is_new}
    assert emitted == kept and not emitted & dropped


def test_decide_needs_words_and_a_mode(tmp_path):
    with open_index(str(tmp_path / "i.db")) as idx:
        with pytest.raises(ValueError, match="mode"):
            decide(idx, [], 0.8, "fuzzy")
        with pytest.raises(ValueError, match="words"):
            decide(idx, idx.prepare([Document("e", "")]), 0.8)
        with pytest.raises(ValueError, match="no words"):
            idx.check(Document("e", "..."))


@pytest.mark.redis
def test_redis_gives_the_same_verdicts(tmp_path, redis_url):
    docs = corpus(seed=17)
    local, _ = run(str(tmp_path / "i.db"), docs, mode="containment", batch_size=32)
    shared, _ = run(redis_url, docs, mode="containment", batch_size=32)
    assert [(d.id, v) for d, v in local] == [(d.id, v) for d, v in shared]
    again, stats = run(redis_url, docs, mode="containment", batch_size=32)
    assert stats.new == 0


def test_filter_stats_summary():
    assert FilterStats(5, 2, 1, 1, 1).summary() == "5 read, 2 new, 1 near-duplicates, 1 already indexed, 1 skipped (no words)"


def test_line_output_writes_batches_whole_or_cuts_them_back(tmp_path):
    """A batch that cannot be written whole is taken off a regular file again: it ends with whole lines."""
    import errno
    import io

    from overlap.index.filter import LineOutput
    from overlap.errors import OverlapError

    class Small(io.FileIO):  # a real file on a disk with 100 bytes of room, short writes then ENOSPC
        def write(self, b):
            room = 100 - self.tell()
            if room <= 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(bytes(b[:room]))

    path = tmp_path / "out.jsonl"
    with Small(path, "wb") as f:
        out = LineOutput(f, "out.jsonl")
        out.write(b'{"id": "a"}\n')
        out.write(b'{"id": "b"}\n')
        out.flush()
        for i in range(10):
            out.write(b'{"id": "%d"}\n' % i)
        with pytest.raises(OverlapError, match="^out.jsonl: cannot write: No space left on device$"):
            out.flush()
    assert path.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n'


def test_id_check_keeps_the_ids_an_index_may_remember(tmp_path):
    # the check lived in cli.py; the library now offers it, warnings and progress through callbacks
    from dataclasses import replace

    from overlap.ingest import IngestStats, document_from_record
    from overlap.index.filter import IdCheck

    docs = [replace(document_from_record(rec, origin=f"/in/feed.jsonl:{n}"), record=rec)
            for n, rec in enumerate([{"id": 7, "text": "a b c"}, {"text": "no id here"}, {"id": "8", "text": "d e"},
                                     {"id": 9, "text": "f g"}], 1)]
    stats, warned, seen = IngestStats(), [], []
    check = IdCheck("id", stats, warned.append, lambda stage, n, total: seen.append(n))
    with open_index(str(tmp_path / "i.db")) as idx:
        kept = [d.id for d in check.checked(docs, idx)]
    assert kept == ["7", "9"] and check.number_ids and stats.bad_records == 2 and seen == [1, 2, 3, 4]
    assert warned == [
        "/in/feed.jsonl:2: no 'id' field: the filter needs ids to remember documents; skipped",
        "/in/feed.jsonl:3: id '8' is a string but this index keys number ids (8 and \"8\" would be the same key); skipped",
    ]
