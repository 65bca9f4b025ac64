"""The embedded store: one SQLite file in WAL mode.

One writer and many readers; every batch added in one transaction, so a
crash (even ``kill -9``) leaves either the whole batch or none of it. A
second writer is refused at once (an advisory lock file beside the index)
rather than racing. A new index is created whole (written aside, then
renamed); an existing file that is empty is refused as damaged, never taken
for new.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..errors import IndexStateError
from .prepare import Prepared, Preparer
from .store import pack_shingles, unpack_shingles

__all__ = ["SqliteStore"]


class SqliteStore:
    """The embedded store: one SQLite file in WAL mode."""

    kind = "sqlite"
    _SCHEMA = (
        "CREATE TABLE manifest(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE docs(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, shingle_count INTEGER NOT NULL,"
        " signature BLOB NOT NULL, anchors BLOB NOT NULL, shingles BLOB NOT NULL)",
        "CREATE TABLE bands(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID",
        "CREATE TABLE anchors(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID",
    )

    def __init__(self, path: str | os.PathLike, create: bool, readonly: bool) -> None:
        import sqlite3

        self._sqlite3 = sqlite3
        self.path = Path(path)
        self.location = os.fspath(path)
        self.readonly = readonly
        self._lock_fd: int | None = None
        self.db = None
        if not readonly:
            if not self.path.parent.is_dir():
                raise IndexStateError(f"{self.location}: folder {self.path.parent} does not exist")
            self._lock()
        # Checked under the lock: a writer that finished creating the index a
        # moment ago must not be mistaken for "no index here".
        self._new = not self.path.exists()
        if self._new:
            if not create or readonly:
                self.close()
                raise IndexStateError(f"{self.location}: no index here (create it first)")
            return  # created whole by initialise(), never half-made at this path
        try:
            empty = self.path.stat().st_size == 0
        except OSError as exc:
            self.close()
            raise IndexStateError(f"{self.location}: cannot read the index: {exc.strerror or exc}") from None
        if empty:
            # An index is never empty (it is created whole, with its manifest):
            # an empty file is a truncated one, and using it as a new index
            # would silently forget everything it held.
            self.close()
            raise IndexStateError(
                f"{self.location}: the index file is empty (0 bytes): damaged or truncated, not a new index; "
                "restore it from a backup, or delete it to start a new index"
            )
        self._connect()

    def _connect(self) -> None:
        sqlite3 = self._sqlite3
        try:
            if self.readonly:
                uri = "file:" + os.path.abspath(self.location) + "?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                self.db = sqlite3.connect(self.location, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout=30000")
            if not self.readonly:
                mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise IndexStateError(f"{self.location}: cannot switch the index to WAL mode (got {mode})")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA cache_size=-65536")  # 64 MiB, whatever the index size
            self.db.execute("PRAGMA temp_store=MEMORY")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise IndexStateError(f"{self.location}: not a usable SQLite index ({exc})") from None
        except BaseException:
            self.close()
            raise

    def _lock(self) -> None:
        lock_path = self.location + "-lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexStateError(
                f"{self.location}: cannot open the index for writing: {lock_path}: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexStateError(
                f"{self.location}: index is open for writing by another process (one writer at a time; readers may use readonly=True)"
            ) from None
        self._lock_fd = fd

    def _run(self, fn, *args):
        try:
            return fn(*args)
        except self._sqlite3.DatabaseError as exc:
            raise IndexStateError(f"{self.location}: {exc}") from None

    def read_manifest(self) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            if self.db is None:  # a new index, not created yet
                return None
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "manifest" not in tables:
                raise IndexStateError(f"{self.location}: an SQLite file, but not an overlap index")
            row = self.db.execute("SELECT value FROM manifest WHERE key='manifest'").fetchone()
            if row is None:
                raise IndexStateError(f"{self.location}: overlap index without a manifest")
            return json.loads(row[0])

        return self._run(read)

    def initialise(self, manifest: dict[str, Any]) -> None:
        """Create the new index whole: schema and manifest in a temporary file, then one rename.

        A crash at any point leaves either no index or a complete empty one,
        never an empty file that a later run could not tell from a truncated index.
        """
        if not self._new or self.db is not None:
            raise IndexStateError(f"{self.location}: exists but is not an overlap index")
        tmp = f"{self.location}.{os.getpid()}.new"
        try:
            con = self._sqlite3.connect(tmp, isolation_level=None)
            try:
                con.execute("BEGIN IMMEDIATE")
                for stmt in self._SCHEMA:
                    con.execute(stmt)
                con.execute("INSERT INTO manifest VALUES ('manifest', ?)", (json.dumps(manifest, sort_keys=True),))
                con.execute("COMMIT")
            finally:
                con.close()
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.location)
        except (OSError, self._sqlite3.DatabaseError) as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            reason = getattr(exc, "strerror", None) or exc
            raise IndexStateError(f"{self.location}: cannot create the index: {reason}") from None
        self._new = False
        self._connect()

    def attach(self, manifest: dict[str, Any]) -> None:
        """Nothing to set up: the tables serve any manifest."""

    def id_kind(self, kind: str) -> str:
        def record() -> str:
            if not self.readonly:
                self.db.execute("INSERT OR IGNORE INTO manifest VALUES ('id_kind', ?)", (kind,))
            row = self.db.execute("SELECT value FROM manifest WHERE key='id_kind'").fetchone()
            return kind if row is None else row[0]

        return self._run(record)

    def reserve(self, items: Sequence[tuple[Prepared, set[str]]], anchors: bool = False) -> None:
        """One writer at a time (the lock file): nobody to race with, nothing to reserve."""
        return None

    @staticmethod
    def _chunks(values: list, size: int = 900) -> Iterator[list]:
        for i in range(0, len(values), size):
            yield values[i : i + size]

    def _lookup(self, table: str, keys: np.ndarray) -> dict[int, list[int]]:
        hits: dict[int, list[int]] = defaultdict(list)
        uniq = np.unique(keys).tolist()
        for chunk in self._chunks(uniq):
            q = f"SELECT key, doc FROM {table} WHERE key IN ({','.join('?' * len(chunk))})"
            for key, doc in self.db.execute(q, chunk):
                hits[key].append(doc)
        return hits

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        def known() -> set[str]:
            found: set[str] = set()
            for chunk in self._chunks(list(set(ids))):
                q = f"SELECT id FROM docs WHERE id IN ({','.join('?' * len(chunk))})"
                found.update(r[0] for r in self.db.execute(q, chunk))
            return found

        return self._run(known)

    def band_candidates(self, preps: Sequence[Prepared]) -> list[set]:
        if not preps:
            return []
        keys = np.stack([p.band_keys for p in preps])
        hits = self._run(self._lookup, "bands", keys)
        return [set().union(*(hits.get(k, ()) for k in row)) for row in keys.tolist()]

    def anchor_candidates(self, preps: Sequence[Prepared]) -> list[Counter]:
        if not preps:
            return []
        allkeys = np.concatenate([p.anchors for p in preps])
        hits = self._run(self._lookup, "anchors", allkeys)
        out = []
        for p in preps:
            c: Counter = Counter()
            for k in p.anchors.tolist():
                c.update(hits.get(k, ()))
            out.append(c)
        return out

    def load(self, handles: Iterable) -> dict[Any, tuple[str, np.ndarray]]:
        def load() -> dict[Any, tuple[str, np.ndarray]]:
            out = {}
            for chunk in self._chunks(list(handles)):
                q = f"SELECT n, id, shingles FROM docs WHERE n IN ({','.join('?' * len(chunk))})"
                for n, doc_id, blob in self.db.execute(q, chunk):
                    out[n] = (doc_id, unpack_shingles(blob))
            return out

        return self._run(load)

    def add(self, preps: Sequence[Prepared]) -> int:
        def add() -> int:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                known = set()
                ids = [p.id for p in preps]
                for chunk in self._chunks(list(set(ids))):
                    q = f"SELECT id FROM docs WHERE id IN ({','.join('?' * len(chunk))})"
                    known.update(r[0] for r in self.db.execute(q, chunk))
                top = self.db.execute("SELECT coalesce(max(n), 0) FROM docs").fetchone()[0]
                docs, fresh = [], []
                for p in preps:
                    if p.id in known:
                        continue
                    known.add(p.id)
                    top += 1
                    fresh.append(p)
                    docs.append((top, p.id, len(p.shingles), p.signature.tobytes(), p.anchors.tobytes(), pack_shingles(p.shingles)))
                ns = np.arange(top - len(fresh) + 1, top + 1, dtype=np.int64)
                bands = _posting_rows([p.band_keys for p in fresh], ns)
                anchors = _posting_rows([p.anchors for p in fresh], ns)
                self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", docs)
                self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", bands)
                self.db.executemany("INSERT OR IGNORE INTO anchors VALUES (?, ?)", anchors)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return len(docs)

        return self._run(add)

    def remove(self, ids: Sequence[str], preparer: Preparer) -> int:
        def remove() -> int:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                removed = 0
                for doc_id in dict.fromkeys(ids):
                    row = self.db.execute("SELECT n, signature, anchors FROM docs WHERE id=?", (doc_id,)).fetchone()
                    if row is None:
                        continue
                    n, sig, anchors = row
                    keys = preparer.band_keys(np.frombuffer(sig, dtype=np.uint32)[None, :])[0]
                    self.db.executemany("DELETE FROM bands WHERE key=? AND doc=?", [(k, n) for k in keys.tolist()])
                    self.db.executemany(
                        "DELETE FROM anchors WHERE key=? AND doc=?",
                        [(k, n) for k in np.frombuffer(anchors, dtype=np.int64).tolist()],
                    )
                    self.db.execute("DELETE FROM docs WHERE n=?", (n,))
                    removed += 1
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return removed

        return self._run(remove)

    def stats(self) -> tuple[int, int, int, int]:
        def stats() -> tuple[int, int, int, int]:
            docs = self.db.execute("SELECT count(*) FROM docs").fetchone()[0]
            bands = self.db.execute("SELECT count(*) FROM bands").fetchone()[0]
            anchors = self.db.execute("SELECT count(*) FROM anchors").fetchone()[0]
            size = sum(
                os.path.getsize(p) for p in (self.location, self.location + "-wal") if os.path.exists(p)
            )
            return docs, bands, anchors, size

        return self._run(stats)

    def compact(self) -> None:
        def compact() -> None:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.execute("VACUUM")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        self._run(compact)

    def close(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            db.close()
            self.db = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _posting_rows(keys: list[np.ndarray], ns: np.ndarray) -> Iterable[tuple[int, int]]:
    """``(key, doc)`` rows sorted by key: neighbouring inserts then share B-tree pages (2x faster)."""
    if not keys:
        return []
    k = np.concatenate(keys)
    d = np.repeat(ns, [len(x) for x in keys])
    order = np.argsort(k, kind="stable")
    return zip(k[order].tolist(), d[order].tolist())

