"""The streaming pre-ingest filter: keep what is new, drop (or mark) what was seen.

For each incoming :class:`~overlap.model.Document`: normalise, shingle, sign,
query the persistent index (:mod:`overlap.index.facade`), verify candidates
exactly, decide (a :class:`~overlap.model.Decision`), hand the verdict to the
caller's ``emit``, and only then add the new documents to the index. The
index is updated as the stream goes, so duplicates *within* the input are
caught too (a document is compared with every earlier kept one, in the index
or earlier in the same batch).

Why this order (nothing lost on a crash): a batch's output is emitted and
flushed *before* the batch is committed to the index, and a commit is one
transaction. After ``kill -9`` at any moment the index therefore holds the
kept documents of a prefix of the stream, all of which were already written
out. Rerunning the same input against the same index then

* skips the documents of that prefix whose *id* is indexed (they were
  emitted: ``mode="id"``),
* re-decides everything else against exactly the index state a clean run had
  at that point, so it emits every document a clean run keeps and never one
  it drops. A document of the last, uncommitted batch may come out twice
  (same id, same record); downstream ingestion should upsert by id.

What an already-indexed id means: *the same document, seen before*. The id
is the identity of a record; re-sending it (a rerun, a retry, yesterday's
file again) is not news, so a second clean run of the same input emits
nothing. A changed text under an old id is therefore also not emitted; use
:meth:`Index.remove` first to replace a document.

Batching (``batch_size`` documents) is what makes this fast: signatures for a
batch are one numpy computation and the index answers a batch in a few
queries; it keeps the guarantee because the flush precedes the commit. A
producer that writes one line at a time and waits for the answer wants
``batch_size=1``.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Iterator

import numpy as np

from ..batches import batched
from ..errors import OverlapError
from ..ingest import IngestStats, fallback_id
from ..model import Decision, Document
from .decide import Pending, decide
from .facade import Index
from .prepare import Prepared

__all__ = ["FilterStats", "IdCheck", "LineOutput", "filter_documents"]

_NONE = np.zeros(1, dtype=np.uint64)  # stands in for the shingles of documents known by id


@dataclass
class FilterStats:
    """Counts of one filter run."""

    read: int = 0
    new: int = 0
    duplicates: int = 0  # near-duplicates of an indexed or earlier document
    seen: int = 0  # id already indexed (same document seen before)
    skipped: int = 0  # no words to compare: neither emitted nor indexed
    batches: int = 0

    def count(self, decision: Decision) -> None:
        """Count one emitted verdict."""
        if decision.mode == "id":
            self.seen += 1
        elif decision.is_new:
            self.new += 1
        else:
            self.duplicates += 1

    def summary(self) -> str:
        return (
            f"{self.read} read, {self.new} new, {self.duplicates} near-duplicates, "
            f"{self.seen} already indexed, {self.skipped} skipped (no words)"
        )


class LineOutput:
    """The filter's output: lines collected per batch, written whole by :meth:`flush` or the run stops.

    Why not ``sys.stdout.buffer``: under ``PYTHONUNBUFFERED`` it is a raw
    file whose ``write`` may write part of a line when the disk fills and
    report it only as a count; the filter then recorded a document whose line
    was cut. Here every write is checked and repeated until the batch is out;
    a failure raises :class:`~overlap.errors.OverlapError` (``BrokenPipeError``
    as itself), so the batch is never committed. On a regular file nobody
    else wrote to meanwhile, the part of the batch that was written is cut
    off again, so the file ends with whole lines and a rerun appends cleanly.

    >>> out = LineOutput(sys.stdout.buffer)  # doctest: +SKIP
    >>> out.write(b'{"id": "a"}\\n'); out.flush()  # doctest: +SKIP
    """

    def __init__(self, stream: BinaryIO, name: str = "<stdout>") -> None:
        if hasattr(stream, "flush"):
            stream.flush()  # anything written before goes first
        self._raw = getattr(stream, "raw", stream)  # below any buffer: every count is seen
        self.name = name
        self._lines: list[bytes] = []

    def write(self, line: bytes) -> None:
        self._lines.append(line)

    def flush(self) -> None:
        data = memoryview(b"".join(self._lines))
        self._lines.clear()
        start = self._position()
        done = 0
        try:
            while done < len(data):
                n = self._raw.write(data[done:])
                if n is None:  # a non-blocking stream that would block
                    raise BlockingIOError(errno.EAGAIN, "output would block")
                done += n
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._cut_back(start, done)
            raise OverlapError(f"{self.name}: cannot write: {exc.strerror or exc}") from None

    def _position(self) -> int | None:
        try:
            fd = self._raw.fileno()
            return os.lseek(fd, 0, os.SEEK_CUR) if stat.S_ISREG(os.fstat(fd).st_mode) else None
        except (OSError, ValueError, AttributeError):
            return None

    def _cut_back(self, start: int | None, written: int) -> None:
        if start is None or not written:
            return
        try:
            fd = self._raw.fileno()
            if os.fstat(fd).st_size == start + written:  # only our bytes after start
                os.ftruncate(fd, start)
                os.lseek(fd, start, os.SEEK_SET)
        except (OSError, ValueError):
            pass  # the error being raised says what matters


class IdCheck:
    """Which documents the filter may remember: each needs an id of its own, of the index's kind.

    ingest names a record without an id after its file and line; a persistent index must not
    remember "<stdin>:5" (tomorrow's line 5 would look already seen), so such records are counted
    bad and skipped. Ids are stored as text: the number 1 and the string "1" would be one key, so
    an index holds one kind and the other is refused. Each refusal is counted in ``ingest_stats``
    and said through ``warn``; ``progress("filter", n, None)`` follows the documents read.
    """

    def __init__(self, id_field: str, ingest_stats: IngestStats, warn: Callable[[str], None],
                 progress: Callable[[str, int, int | None], None]) -> None:
        self.id_field, self.ingest_stats, self.warn, self.progress = id_field, ingest_stats, warn, progress
        self.number_ids = False  # the index keys JSON numbers: write duplicate_of back as one

    def checked(self, docs: Iterable[Document], idx: Index) -> Iterator[Document]:
        """The documents the index may remember, lazily; the first id read fixes the index's kind."""
        kind = None
        for n, doc in enumerate(docs, 1):
            self.progress("filter", n, None)
            if _fallback_named(doc):
                self.ingest_stats.bad_records += 1
                self.warn(f"{doc.origin}: no {self.id_field!r} field: the filter needs ids to remember documents; skipped")
                continue
            raw = doc.record.get(self.id_field) if doc.record is not None else doc.id
            this = "number" if isinstance(raw, (int, float)) and not isinstance(raw, bool) else "string"
            if kind is None:
                kind = idx.id_kind(this)
                self.number_ids = kind == "number"
            if this != kind:
                self.ingest_stats.bad_records += 1
                self.warn(f"{doc.origin or doc.id}: id {raw!r} is a {this} but this index keys {kind} ids "
                          f"({doc.id} and \"{doc.id}\" would be the same key); skipped")
                continue
            yield doc


def _fallback_named(doc: Document) -> bool:
    """Whether ingest named this record ``<file>:<line>`` because it had no id."""
    origin = doc.origin or ""
    _, sep, line = origin.rpartition(":")
    return bool(sep) and line.isdigit() and doc.id == fallback_id(origin)


def _prepare_batch(
    index: Index, batch: list[Document], pending: Pending, stats: FilterStats,
    on_skip: Callable[[Document, str], None] | None,
) -> tuple[list[Document], list[Prepared], set[str]]:
    """The batch's documents with words, prepared, and the ids among them already seen.

    Ids seen before (indexed, or kept earlier in this run) need no shingles:
    a rerun after a crash skips them cheaply. Documents without words go to
    ``on_skip``.
    """
    known = index.known_ids([d.id for d in batch]) | (pending.ids & {d.id for d in batch})
    todo = [d for d in batch if d.id not in known]
    preps = dict(zip(map(id, todo), index.prepare(todo)))
    live_docs: list[Document] = []
    live: list[Prepared] = []
    for doc in batch:
        if doc.id in known:
            live_docs.append(doc)
            live.append(Prepared(doc.id, _NONE, _NONE, _NONE, _NONE))
            continue
        p = preps[id(doc)]
        if p.empty:
            stats.skipped += 1
            if on_skip is not None:
                on_skip(doc, "no words to compare")
        else:
            live_docs.append(doc)
            live.append(p)
    return live_docs, live, known


def filter_documents(
    docs: Iterable[Document],
    index: Index,
    emit: Callable[[Document, Decision], None],
    *,
    flush: Callable[[], None] = lambda: None,
    threshold: float = 0.8,
    mode: str = "whole",
    batch_size: int = 256,
    commit_every: int = 4096,
    on_skip: Callable[[Document, str], None] | None = None,
    stats: FilterStats | None = None,
) -> FilterStats:
    """Stream documents through the index: decide, ``emit``, ``flush``, then commit the new ones.

    ``emit(doc, decision)`` is called for every document with words, in input
    order; the caller writes what it wants (the new ones, or all with their
    verdicts). ``flush()`` is called after each batch's emits; new documents
    are committed to the index only after the flush that followed their
    emit, every ``commit_every`` documents and at the end. ``flush`` must make
    the output durable enough for the caller's crash model (a pipe or file
    flush survives ``kill -9``). Documents without words go to ``on_skip``
    and are neither emitted nor indexed.

    >>> kept = []
    >>> filter_documents(docs, idx, lambda d, v: v.is_new and kept.append(d))  # doctest: +SKIP
    """
    if batch_size < 1 or commit_every < 1:
        raise ValueError("batch_size and commit_every must be at least 1")
    index.check_threshold(threshold, mode)
    stats = stats if stats is not None else FilterStats()
    pending = Pending(mode)
    flushed = 0  # pending documents whose output has been flushed: safe to commit

    def commit(upto: int) -> None:
        nonlocal flushed
        if upto:
            index.add(pending.docs[:upto])
        pending.clear()
        flushed = 0

    try:
        for batch in batched(docs, batch_size):
            stats.read += len(batch)
            live_docs, live, known = _prepare_batch(index, batch, pending, stats, on_skip)
            decisions = decide(index, live, threshold, mode, pending, known=known)
            for doc, d in zip(live_docs, decisions):
                emit(doc, d)
                stats.count(d)
            flush()
            flushed = len(pending)
            stats.batches += 1
            # a shared index commits every batch: its reservations must not
            # outlive a slow stream (and Redis gains nothing from waiting)
            if flushed >= commit_every or (flushed and index.shared):
                commit(flushed)
    except BaseException:
        # Interrupted (Ctrl-C, a broken pipe, a bad record with on_error=fail):
        # keep what was already written out, never what was not.
        try:
            commit(flushed)
        except Exception:  # the index itself failing: the original error matters more
            pass
        raise
    commit(flushed)
    return stats
