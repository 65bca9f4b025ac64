"""A persistent signature index: what the pre-ingest filter remembers between runs.

Every indexed document keeps its MinHash signature, its LSH band keys, a few
*anchor* shingles (for containment) and its exact set of 64-bit shingle
hashes (compressed), so a query is answered in two steps: LSH and anchors
only *propose* candidates, and every candidate is then *verified exactly*
from the very shingles its signature was built from (the advice in
datasketch's own ``MinHashLSH.query`` docstring). An approximate answer is
never returned as a score.

Two stores share one interface (:class:`Index`):

* **SQLite** (default, a file path): WAL mode, one writer and many readers,
  every batch added in one transaction, so a crash (even ``kill -9``) leaves
  either the whole batch or none of it. A second writer is refused at once
  (an advisory lock file beside the index) rather than racing.
* **Redis** (``redis://host:port/db[?prefix=name]``): band buckets live in
  datasketch's own Redis layout (the keys ``MinHashLSH(storage_config={"type":
  "redis", "basename": ...})`` reads and writes; datasketch's LSH over the same
  basename sees every indexed document, and removals go through it), the
  document records and anchors in Redis hashes and sets, so several ingest
  workers on several machines share one index. A batch is added by one Lua
  script, atomically (and ~70x fewer client commands than datasketch's
  insertion session, which spends its time packing commands in Python);
  queries send one ``SUNION`` per document. Workers deciding at the same
  moment never both keep near-duplicates: a kept document is *reserved* (one
  more script, :meth:`Index.reserve`) before its output is written, and a
  reservation another worker made since this one read the index is verified
  first. Any URL ``redis.Redis.from_url`` reads (``rediss://``, ``unix://``,
  ``?password=``) works; printed locations mask user and password. Needs a
  single Redis server (or primary), not Redis Cluster (the scripts touch keys
  they compute).

A *manifest* written when the index is created records everything that
decides what a signature means: overlap's index format, the datasketch
version and MinHash scheme, permutations, seed, LSH bands and rows, shingle
size, normalisation version, anchor window, and a *probe* (the hashes of a
fixed text computed by this very code). Opening an index whose manifest
differs from what this code would write raises :class:`IndexStateError`
naming the difference: mixing signatures made under other settings would
give silently wrong answers.

Containment ("a short piece contained in an earlier long one") cannot be
found through whole-document LSH: the Jaccard similarity of a paragraph and
the article around it is small. Anchors are winnowing fingerprints (Schleimer
et al., 2003): the minimum shingle hash of every window of ``anchor_window``
consecutive shingles. Any run of at least ``anchor_window`` shingles copied
verbatim yields at least one anchor in both documents, so a contained piece
always finds the document it came from as a candidate.

Example::

    >>> from overlap.model import Document
    >>> with open_index(tmp_path / "seen.db") as idx:          # doctest: +SKIP
    ...     idx.add([Document("a", "the text of an article ...")])
    ...     idx.query(Document("b", "the text of an article ..."))
    [('a', 1.0)]
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import xxhash
from numpy.lib.stride_tricks import sliding_window_view

from ._version import __version__
from .errors import ConfigError, IndexStateError
from .model import Decision, Document
from .text.normalize import NORMALIZATION_VERSION
from .params import MinHashParams, ShingleParams
from .text.shingle import fold32, shingle_hashes, text_words, word_hashes
from .minhash.lsh import band_keys, lsh_bands
from .minhash.signatures import DATASKETCH_VERSION, SCHEME, Signer
from .minhash.verify import MODES, mode_score

__all__ = [
    "INDEX_FORMAT",
    "MODES",
    "IndexSettings",
    "IndexStats",
    "Prepared",
    "Index",
    "open_index",
]

#: Version of the on-disk layout; bumped when records or keys change shape.
INDEX_FORMAT = 1

# Most anchor candidates verified per document: ranked by shared anchors, so
# the true source (which shares many) comes first; the cap bounds the work a
# piece of boilerplate shared by thousands of documents can cause.
_MAX_ANCHOR_CANDIDATES = 64
_PROBE_TEXT = (
    "Moscow\u2019s \u201cspecial\u201d envoy said on Tuesday \u2014 d\u00e9j\u00e0 vu \u2014 that the "
    "talks in Geneva would resume next week, according to REUTERS and TASS."
)


@dataclass(frozen=True)
class IndexSettings:
    """The creation settings of an index; fixed for its lifetime.

    ``lsh_threshold`` decides the LSH bands and rows (datasketch's own
    optimiser): a filter threshold below it would lose recall, so it is the
    lowest threshold the index can serve. 0.5 gives >99.9% LSH recall for
    pairs at Jaccard 0.8 with 128 permutations (25 bands of 5 rows).
    ``anchor_window``: smaller finds shorter contained pieces, stores more;
    0 stores no anchors (a smaller, faster index for whole-document matching
    only: containment mode is then refused).
    """

    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 5
    lsh_threshold: float = 0.5
    anchor_window: int = 12

    def __post_init__(self) -> None:
        MinHashParams(num_perm=self.num_perm, seed=self.seed, lsh_threshold=self.lsh_threshold)
        ShingleParams(size=self.shingle_size)
        if not 0 <= self.anchor_window <= 1000:
            raise ConfigError(f"anchor_window must be between 0 (no anchors) and 1000, got {self.anchor_window!r}")

    @property
    def bands_rows(self) -> tuple[int, int]:
        """LSH (bands, rows) as datasketch's ``MinHashLSH(threshold, num_perm)`` would choose."""
        return lsh_bands(self.lsh_threshold, self.num_perm)

    def manifest(self) -> dict[str, Any]:
        """The manifest an index created with these settings carries."""
        bands, rows = self.bands_rows
        return {
            "format": "overlap-index",
            "format_version": INDEX_FORMAT,
            "overlap_version": __version__,
            "datasketch_version": DATASKETCH_VERSION,
            "scheme": SCHEME,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "lsh_threshold": self.lsh_threshold,
            "bands": bands,
            "rows": rows,
            "shingle_size": self.shingle_size,
            "normalization_version": NORMALIZATION_VERSION,
            "anchor_window": self.anchor_window,
            "probe": _probe(self),
        }

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> "IndexSettings":
        try:
            return cls(
                num_perm=int(manifest["num_perm"]),
                seed=int(manifest["seed"]),
                shingle_size=int(manifest["shingle_size"]),
                lsh_threshold=float(manifest["lsh_threshold"]),
                anchor_window=int(manifest["anchor_window"]),
            )
        except (KeyError, TypeError, ValueError, ConfigError) as exc:
            raise IndexStateError(f"index manifest is incomplete or invalid ({exc})") from None


# Manifest keys that must agree for signatures to mean the same thing. The
# overlap version is recorded but not compared: the format version and the
# probe catch every change that matters, and an upgrade should not orphan
# indexes whose contents are still valid.
_COMPARED = (
    "format", "format_version", "datasketch_version", "scheme", "num_perm", "seed",
    "bands", "rows", "shingle_size", "normalization_version", "anchor_window", "probe",
)


def _probe(settings: IndexSettings) -> str:
    """A digest of a fixed text's shingles, anchors, signature and band keys.

    Computed by the running code at every open, so a change anywhere in
    normalisation, hashing or signing (even one nobody versioned) shows up as
    a manifest mismatch instead of as quietly wrong matches.
    """
    prep = _Preparer(settings).prepare([Document("probe", _PROBE_TEXT)])[0]
    h = xxhash.xxh3_64()
    for part in (prep.shingles, prep.anchors, prep.signature, prep.band_keys):
        h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()


def _check_manifest(found: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    diffs = [
        f"{key} {found.get(key)!r} (this overlap uses {expected[key]!r})"
        for key in _COMPARED
        if found.get(key) != expected[key]
    ]
    if diffs:
        raise IndexStateError(
            f"{where}: index was built with other settings: {'; '.join(diffs)}; "
            "refusing to mix signatures (build a new index, or use the overlap/datasketch versions that built it)"
        )


@dataclass(slots=True)
class Prepared:
    """One document made ready for the index: everything derived from its text once."""

    id: str
    shingles: np.ndarray  # sorted distinct uint64 shingle hashes (exact verification)
    anchors: np.ndarray  # sorted distinct int64 winnowing fingerprints (containment)
    signature: np.ndarray  # uint32 MinHash row, bit-identical to datasketch affine32
    band_keys: np.ndarray  # int64, one per LSH band

    @property
    def empty(self) -> bool:
        return len(self.shingles) == 0


class _Preparer:
    """Text -> shingles, anchors, signature and band keys, for batches of documents."""

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        self.signer = Signer(settings.num_perm, settings.seed)
        self.bands, self.rows = settings.bands_rows

    def prepare(self, docs: Sequence[Document]) -> list[Prepared]:
        n, w = self.settings.shingle_size, self.settings.anchor_window
        ordered = [shingle_hashes(word_hashes(text_words(doc.text)), n) for doc in docs]
        sets, anchors = _sets_and_anchors(ordered, w)
        sigs = self.signer.sign([fold32(s) for s in sets])
        keys = self.band_keys(sigs)
        return [
            Prepared(doc.id, s, a, sigs[i], keys[i])
            for i, (doc, s, a) in enumerate(zip(docs, sets, anchors))
        ]

    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """One 64-bit key per (document, band) (:func:`overlap.minhash.lsh.band_keys`)."""
        return band_keys(sigs, self.bands, self.rows)


def _per_doc_unique(seg: np.ndarray, values: np.ndarray, ndocs: int) -> list[np.ndarray]:
    """Sorted distinct values of each document, for a whole batch in one sort."""
    order = np.lexsort((values, seg))
    seg, values = seg[order], values[order]
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = (values[1:] != values[:-1]) | (seg[1:] != seg[:-1])
    seg, values = seg[keep], values[keep]
    bounds = np.cumsum(np.bincount(seg, minlength=ndocs))[:-1]
    return np.split(values, bounds)


def _sorted_sets(ordered: Sequence[np.ndarray], lengths: np.ndarray) -> list[np.ndarray]:
    """Sorted distinct shingles of each document: small per-document sorts, one global dedupe."""
    if not lengths.sum():
        return [o[:0] for o in ordered]
    srt = np.concatenate([np.sort(o) for o in ordered])
    keep = np.ones(len(srt), dtype=bool)
    keep[1:] = srt[1:] != srt[:-1]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    keep[starts[lengths > 0]] = True  # a document's first value is never a repeat of the previous one's
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    return np.split(srt[keep], kept_before[starts + lengths][:-1])


def _sets_and_anchors(ordered: Sequence[np.ndarray], window: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per document: the sorted shingle set, and its winnowing anchors (as int64).

    Anchors are the minimum of every ``window`` consecutive shingles (the
    document's minimum when it has fewer), computed for the whole batch at
    once with a sparse table of power-of-two window minima.
    """
    ndocs = len(ordered)
    if ndocs == 0:
        return [], []
    lengths = np.fromiter((len(o) for o in ordered), dtype=np.int64, count=ndocs)
    allh = np.concatenate(ordered) if lengths.sum() else np.empty(0, dtype=np.uint64)
    seg = np.repeat(np.arange(ndocs, dtype=np.int64), lengths)
    sets = _sorted_sets(ordered, lengths)
    if window == 0:  # an index without anchors (whole-document matching only)
        return sets, [np.empty(0, dtype=np.int64) for _ in range(ndocs)]
    # window minima over the concatenation; keep only windows inside one document
    level, width = allh, 1
    while width * 2 <= window:
        level = np.minimum(level[:-width], level[width:]) if len(level) > width else level[:0]
        width *= 2
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ends = starts + lengths
    if len(level) > window - width:
        mins = np.minimum(level[: len(level) - (window - width)], level[window - width :]) if window > width else level
    else:
        mins = level[:0]
    pos = np.arange(len(mins), dtype=np.int64)
    pos_seg = seg[: len(mins)]
    valid = pos + window <= ends[pos_seg]
    a_vals, a_seg = mins[valid], pos_seg[valid]
    short = np.flatnonzero((lengths > 0) & (lengths < window))
    if len(short):  # documents shorter than a window: their minimum
        short_min = np.array([ordered[i].min() for i in short.tolist()], dtype=np.uint64)
        a_vals = np.concatenate((a_vals, short_min))
        a_seg = np.concatenate((a_seg, short))
    anchors = [a.view(np.int64) for a in _per_doc_unique(a_seg, a_vals, ndocs)]
    return sets, anchors


def _winnow(ordered: np.ndarray, window: int) -> np.ndarray:
    """Winnowing fingerprints of one document (reference form of :func:`_sets_and_anchors`)."""
    if len(ordered) == 0 or window == 0:
        return np.empty(0, dtype=np.int64)
    if len(ordered) <= window:
        return ordered.min(keepdims=True).view(np.int64)
    return np.unique(sliding_window_view(ordered, window).min(axis=1)).view(np.int64)


def _pack_shingles(shingles: np.ndarray) -> bytes:
    """Sorted uint64 hashes as raw bytes.

    Random 64-bit hashes do not compress: zlib over sorted deltas saved 0.6%
    on Reuters at ~100 us a document, so the set is stored as it is.
    """
    return shingles.tobytes()


def _unpack_shingles(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint64)


@dataclass(frozen=True)
class IndexStats:
    """What :meth:`Index.stats` reports."""

    backend: str
    location: str
    documents: int
    band_entries: int
    anchor_entries: int
    bytes: int
    manifest: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------- stores


class _SqliteStore:
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
                    out[n] = (doc_id, _unpack_shingles(blob))
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
                    docs.append((top, p.id, len(p.shingles), p.signature.tobytes(), p.anchors.tobytes(), _pack_shingles(p.shingles)))
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

    def remove(self, ids: Sequence[str], preparer: _Preparer) -> int:
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


#: How long a Redis reservation lives unless its document is indexed first (``?reservation_ttl=`` seconds).
RESERVATION_TTL = 60.0
_OWN_QUERY = ("prefix", "reservation_ttl")


def _redis_settings(url: str) -> tuple[dict[str, Any], str, float, str]:
    """``redis.Redis`` keyword arguments, key prefix, reservation lifetime and a printable location.

    Accepts what ``redis.Redis.from_url`` accepts (``redis://``, ``rediss://``
    for TLS, ``unix://`` sockets; user and password in the URL or as
    ``?password=``; its query options) plus overlap's own ``prefix`` and
    ``reservation_ttl``. The location never shows a password or user name.
    """
    from redis.connection import SSLConnection, UnixDomainSocketConnection, parse_url

    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    own = {k: v for k, v in query if k in _OWN_QUERY}
    prefix = own.get("prefix") or "overlap"
    clean = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k not in _OWN_QUERY])))
    shown = _redact_url(url)
    try:
        conn = parse_url(clean)
    except ValueError as exc:
        raise ConfigError(f"{shown}: not a usable Redis URL ({exc}); e.g. redis://localhost:6379/0?prefix=news") from None
    try:
        ttl = float(own.get("reservation_ttl", RESERVATION_TTL))
        if not 1 <= ttl <= 86400:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{shown}: reservation_ttl must be a number of seconds from 1 to 86400") from None
    cls = conn.pop("connection_class", None)
    cred = "***@" if parts.username or parts.password or "password" in conn else ""
    db = conn.get("db", 0)
    if cls is UnixDomainSocketConnection:
        path = conn.pop("path", None)
        if not path:
            raise ConfigError(f"{shown}: a unix:// Redis URL needs the socket path, e.g. unix:///run/redis.sock")
        conn["unix_socket_path"] = path
        location = f"unix://{cred}{path}?db={db}&prefix={prefix}"
    else:
        if cls is SSLConnection:
            conn["ssl"] = True
        location = f"{parts.scheme}://{cred}{conn.get('host', 'localhost')}:{conn.get('port', 6379)}/{db}?prefix={prefix}"
    conn.setdefault("socket_connect_timeout", 5)
    conn.setdefault("socket_timeout", 60)
    return conn, prefix, ttl, location


def _redact_url(url: str) -> str:
    """The URL with any user:password and ``password=`` value replaced by ``***``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = "***@" + netloc.rsplit("@", 1)[1]
        query = "&".join(
            f"{k}=***" if k.lower() in ("password", "username", "user") else (f"{k}={v}" if v else k)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        )
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return "<a URL that cannot be parsed>"


def _redacted(message: str, conn: Mapping[str, Any]) -> str:
    """An error message with any password or user name of ``conn`` masked (redis-py may quote them)."""
    for key in ("password", "username"):
        secret = conn.get(key)
        if secret and len(str(secret)) >= 4:  # masking "a" everywhere would garble the message
            message = message.replace(str(secret), "***")
    return message


class _RedisStore:
    """The shared store: datasketch's Redis LSH layout plus records and anchors in Redis."""

    kind = "redis"

    def __init__(self, url: str, create: bool, readonly: bool) -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - redis is a declared dependency
            raise IndexStateError("the Python package 'redis' is needed for redis:// indexes") from None
        self._redis_mod = redis
        conn, prefix, ttl, self.location = _redis_settings(url)
        self.prefix = prefix.encode()
        self.readonly = readonly
        self.create = create
        self._conn = conn
        self.reservation_ttl_ms = int(ttl * 1000)
        self._token = os.urandom(16)  # this client's reservations, told apart from other workers'
        try:
            self.r = redis.Redis(**conn)
        except TypeError as exc:  # an option in the URL query redis-py does not know
            raise ConfigError(f"{self.location}: unsupported option in the Redis URL ({exc})") from None
        self._k_manifest = self.prefix + b":manifest"
        self._k_docs = self.prefix + b":docs"
        self._k_anchor = self.prefix + b":anchor:"
        self._k_resv = self.prefix + b":resv:"  # + time slot: hash of band key -> reserving ids
        self._k_resv_doc = self.prefix + b":resvdoc:"  # id -> reserving client's token + record, expiring
        self._k_id_kind = self.prefix + b":id_kind"
        self.lsh = None
        self._add_script = None
        self._reserve_script = None
        try:
            self.r.ping()
        except redis.exceptions.RedisError as exc:
            raise IndexStateError(f"{self.location}: cannot reach Redis ({_redacted(str(exc), conn)})") from None

    def _run(self, fn, *args):
        try:
            return fn(*args)
        except self._redis_mod.exceptions.RedisError as exc:
            raise IndexStateError(f"{self.location}: Redis error: {_redacted(str(exc), self._conn)}") from None

    def attach(self, manifest: dict[str, Any]) -> None:
        """Open datasketch's LSH over the shared Redis keys (bands and rows from the manifest)."""
        from datasketch import MinHashLSH

        self.bands, self.rows = int(manifest["bands"]), int(manifest["rows"])
        self.lsh = MinHashLSH(
            num_perm=int(manifest["num_perm"]),
            params=(self.bands, self.rows),
            storage_config={"type": "redis", "basename": self.prefix + b":lsh", "redis": dict(self._conn)},
            prepickle=False,
        )

    def read_manifest(self) -> dict[str, Any] | None:
        raw = self._run(self.r.get, self._k_manifest)
        return None if raw is None else json.loads(raw)

    def initialise(self, manifest: dict[str, Any]) -> None:
        # SET NX: of several workers creating the same index at once, one wins
        # and the others then read (and check) its manifest.
        self._run(self.r.set, self._k_manifest, json.dumps(manifest, sort_keys=True), None, None, True)

    def _datasketch_keys(self, prep: Prepared) -> list[bytes]:
        hv = prep.signature
        return [self.lsh._H(hv[s:e]) for s, e in self.lsh.hashranges]

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        def known() -> set[str]:
            uniq = list(dict.fromkeys(ids))
            if not uniq:
                return set()
            vals = self.r.hmget(self._k_docs, [i.encode() for i in uniq])
            return {i for i, v in zip(uniq, vals) if v is not None}

        return self._run(known)

    def band_candidates(self, preps: Sequence[Prepared]) -> list[set]:
        def query() -> list[set]:
            # one SUNION per document over its buckets in datasketch's layout
            # (``MinHashLSH.query`` would send two commands per band)
            pipe = self.r.pipeline(transaction=False)
            for p in preps:
                pipe.sunion([table.redis_key(H) for H, table in zip(self._datasketch_keys(p), self.lsh.hashtables)])
            return [set(r) for r in pipe.execute()]

        return self._run(query) if preps else []

    def anchor_candidates(self, preps: Sequence[Prepared]) -> list[Counter]:
        def query() -> list[Counter]:
            pipe = self.r.pipeline(transaction=False)
            for p in preps:
                for k in _anchor_keys(p.anchors):
                    pipe.smembers(self._k_anchor + k)
            res = iter(pipe.execute())
            out = []
            for p in preps:
                c: Counter = Counter()
                for _ in range(len(p.anchors)):
                    c.update(next(res))
                out.append(c)
            return out

        return self._run(query) if preps else []

    def load(self, handles: Iterable) -> dict[Any, tuple[str, np.ndarray]]:
        def load() -> dict[Any, tuple[str, np.ndarray]]:
            handles_l = list(handles)
            if not handles_l:
                return {}
            out = {}
            for h, rec in zip(handles_l, self.r.hmget(self._k_docs, handles_l)):
                if rec is None:  # LSH entry of a worker that died before its record: not indexed
                    continue
                out[h] = (h.decode(), _unpack_shingles(_unpack_record(rec)[3]))
            return out

        return self._run(load)

    # Adds a batch in one atomic script: for each document its LSH entries,
    # written exactly as datasketch's RedisSetStorage/RedisListStorage write
    # them (bucket hash + set per band, key hash + list of band keys), its
    # anchors and, last, its record. Atomic, so no half-written document can
    # exist; one call instead of ~70 commands a document from Python.
    _ADD_SCRIPT = """
    local bands, width = tonumber(ARGV[1]), tonumber(ARGV[2])
    local docs_key, keys_name, anchor_prefix, resv_doc_prefix = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
    local names = {}
    for b = 1, bands do names[b] = ARGV[6 + b] end
    local added = 0
    for i = 7 + bands, #ARGV, 4 do
        local id, record, hblob, ablob = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
        if redis.call('HSETNX', docs_key, id, record) == 1 then
            local hs = {}
            for b = 1, bands do
                local h = string.sub(hblob, (b - 1) * width + 1, b * width)
                redis.call('HSET', names[b], h, names[b] .. h)
                redis.call('SADD', names[b] .. h, id)
                hs[b] = h
            end
            for a = 1, #ablob, 8 do
                redis.call('SADD', anchor_prefix .. string.sub(ablob, a, a + 7), id)
            end
            redis.call('HSET', keys_name, id, keys_name .. id)
            redis.call('DEL', keys_name .. id)
            redis.call('RPUSH', keys_name .. id, unpack(hs))
            added = added + 1
        end
        -- the record now lives in the index; the reservation's bucket entries
        -- stay until they expire, so a worker that read before this commit
        -- and reserves after it still meets this document
        redis.call('DEL', resv_doc_prefix .. id)
    end
    return added
    """

    def add(self, preps: Sequence[Prepared]) -> int:
        def add() -> int:
            if self._add_script is None:
                self._add_script = self.r.register_script(self._ADD_SCRIPT)
            names = [t._name for t in self.lsh.hashtables]
            width = self.rows * 4  # datasketch's bucket key: the band's 32-bit values, big-endian
            head: list[Any] = [len(names), width, self._k_docs, self.lsh.keys._name, self._k_anchor,
                               self._k_resv_doc, *names]
            total = 0
            for start in range(0, len(preps), 256):  # bounded script runs: other workers wait less
                argv = list(head)
                for p in preps[start : start + 256]:
                    keys = self._datasketch_keys(p)
                    assert all(len(k) == width for k in keys)
                    argv += [p.id.encode(), _pack_record(p), b"".join(keys), p.anchors.astype("<i8").tobytes()]
                total += int(self._add_script(args=argv))
            return total

        return self._run(add)

    # Reserves kept documents before their output is written, so that two
    # workers never both keep near-duplicates: for each document in order,
    # atomically, the live reservations sharing one of its LSH bands that the
    # worker has not verified yet (another worker's, or indexed since the
    # worker's read) are returned instead of reserving; the worker verifies
    # them exactly and asks again, or drops the document. Scripts run one at a
    # time, so of two twins the later reservation always sees the earlier.
    # A reservation expires (a killed worker blocks nothing for longer than
    # the reservation lifetime); the commit replaces its record by the
    # indexed one.
    # Reservations of a time slot (the lifetime long) live in one hash, band
    # key -> length-prefixed ids, expiring as a whole two slots later: a
    # few calls per band and no key per bucket (a sorted set per bucket cost
    # twice the Redis CPU and 4.6 kB a document). An entry is alive while its
    # record key (token + record, expiring after the lifetime) exists or its
    # document is indexed.
    _RESERVE_SCRIPT = """
    local ttl, token, docs_key = tonumber(ARGV[1]), ARGV[2], ARGV[3]
    local slot_prefix, doc_prefix = ARGV[4], ARGV[5]
    local t = redis.call('TIME')
    local slot = math.floor((tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) / ttl)
    local cur, prev = slot_prefix .. slot, slot_prefix .. (slot - 1)
    local function enc(s)
        local n = #s
        return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
                           math.floor(n / 256) % 256, n % 256) .. s
    end
    local i, k, touched = 6, 0, false
    while i <= #ARGV do
        k = k + 1
        local id, record, blob, nknown = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
        local skip = {}
        skip[id] = true
        for j = 1, nknown do skip[ARGV[i + 3 + j]] = true end
        i = i + 4 + nknown
        local fields, current, found = {}, {}, {}
        for b = 1, #blob / 8 do
            local field = string.sub(blob, (b - 1) * 8 + 1, b * 8)
            fields[b] = field
            local lists = {redis.call('HGET', cur, field), redis.call('HGET', prev, field)}
            current[b] = lists[1] or ''
            for l = 1, 2 do
                local v = lists[l]
                if v then
                    local pos = 1
                    while pos < #v do
                        local a, b2, c, d = string.byte(v, pos, pos + 3)
                        local n = ((a * 256 + b2) * 256 + c) * 256 + d
                        local other = string.sub(v, pos + 4, pos + 3 + n)
                        pos = pos + 4 + n
                        if not skip[other] then
                            skip[other] = true
                            local rec = redis.call('GET', doc_prefix .. other)
                            if rec then
                                if string.sub(rec, 1, 16) ~= token then
                                    found[#found + 1] = other
                                    found[#found + 1] = string.sub(rec, 17)
                                end
                            else
                                rec = redis.call('HGET', docs_key, other)
                                if rec then
                                    found[#found + 1] = other
                                    found[#found + 1] = rec
                                end
                            end
                        end
                    end
                end
            end
        end
        if #found > 0 then
            if touched then redis.call('PEXPIRE', cur, 2 * ttl + 1000) end
            return {k, found}
        end
        local e = enc(id)
        for b = 1, #fields do
            redis.call('HSET', cur, fields[b], current[b] .. e)
        end
        redis.call('SET', doc_prefix .. id, token .. record, 'PX', ttl)
        touched = true
    end
    if touched then redis.call('PEXPIRE', cur, 2 * ttl + 1000) end
    return {0, {}}
    """

    def reserve(
        self, items: Sequence[tuple[Prepared, set[str]]], anchors: bool = False
    ) -> tuple[int, list[tuple[str, np.ndarray]]] | None:
        def reserve() -> tuple[int, list[tuple[str, np.ndarray]]] | None:
            if self._reserve_script is None:
                self._reserve_script = self.r.register_script(self._RESERVE_SCRIPT)
            head: list[Any] = [self.reservation_ttl_ms, self._token, self._k_docs, self._k_resv,
                               self._k_resv_doc]
            done = 0
            while done < len(items):  # bounded script runs: other workers wait less
                chunk = items[done : done + 256]
                argv = list(head)
                for p, seen in chunk:
                    # band keys and anchors share one bucket space: a chance collision
                    # of the two only costs one more exact verification
                    keys = np.concatenate((p.band_keys, p.anchors)) if anchors else p.band_keys
                    argv += [p.id.encode(), _pack_record(p), keys.astype("<i8").tobytes(), len(seen)]
                    argv += [i.encode() for i in seen]
                k, found = self._reserve_script(args=argv)
                if k:
                    others = [
                        (found[j].decode(), _unpack_shingles(_unpack_record(found[j + 1])[3]))
                        for j in range(0, len(found), 2)
                    ]
                    return done + int(k) - 1, others
                done += len(chunk)
            return None

        return self._run(reserve) if items else None

    def id_kind(self, kind: str) -> str:
        def record() -> str:
            if not self.readonly:
                self.r.set(self._k_id_kind, kind, nx=True)
            got = self.r.get(self._k_id_kind)
            return kind if got is None else got.decode()

        return self._run(record)

    def remove(self, ids: Sequence[str], preparer: _Preparer) -> int:
        def remove() -> int:
            removed = 0
            for doc_id in dict.fromkeys(ids):
                key = doc_id.encode()
                rec = self.r.hget(self._k_docs, key)
                if rec is None:
                    continue
                _, _, anchors, _ = _unpack_record(rec)
                pipe = self.r.pipeline(transaction=True)
                # record first: the document is gone for queries at once; LSH
                # entries left by a crash before lsh.remove are ignored, then swept by compact()
                pipe.hdel(self._k_docs, key)
                for k in _anchor_keys(np.frombuffer(anchors, dtype=np.int64)):
                    pipe.srem(self._k_anchor + k, key)
                pipe.execute()
                if key in self.lsh:
                    self.lsh.remove(key)
                removed += 1
            return removed

        return self._run(remove)

    def stats(self) -> tuple[int, int, int, int]:
        def stats() -> tuple[int, int, int, int]:
            docs = self.r.hlen(self._k_docs)
            bands = docs * len(self.lsh.hashtables)
            anchors = 0
            for key in self.r.scan_iter(match=self._k_anchor + b"*", count=1000):
                anchors += self.r.scard(key)
            mem = int(self.r.info("memory").get("used_memory", 0))
            return docs, bands, anchors, mem

        return self._run(stats)

    def compact(self) -> None:
        """Sweep LSH entries without a record (a removal killed half-way, or written by another client)."""

        def compact() -> None:
            for key in list(self.lsh.keys.keys()):
                if not self.r.hexists(self._k_docs, key):
                    self.lsh.remove(key)

        self._run(compact)

    def close(self) -> None:
        try:
            self.r.close()
        except Exception:  # pragma: no cover - closing a dead connection
            pass


def _anchor_keys(anchors: np.ndarray) -> list[bytes]:
    """Redis key suffixes of anchors: 8 little-endian bytes each (as the add script slices them)."""
    raw = anchors.astype("<i8").tobytes()
    return [raw[i : i + 8] for i in range(0, len(raw), 8)]


def _lean(p: Prepared, store: _RedisStore):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=store.seed, hashvalues=p.signature, scheme=SCHEME)


def _pack_record(p: Prepared) -> bytes:
    sig, anchors, shingles = p.signature.tobytes(), p.anchors.tobytes(), _pack_shingles(p.shingles)
    return struct.pack("<IIII", len(p.shingles), len(sig), len(anchors), len(shingles)) + sig + anchors + shingles


def _unpack_record(rec: bytes) -> tuple[int, bytes, bytes, bytes]:
    count, ls, la, lh = struct.unpack_from("<IIII", rec)
    o = 16
    return count, rec[o : o + ls], rec[o + ls : o + ls + la], rec[o + ls + la : o + ls + la + lh]


# ---------------------------------------------------------------------- index


class Index:
    """A persistent signature index; open it with :func:`open_index`.

    ``check`` is the filter's one-document form: decide, and add the document
    when it is new. ``query`` only looks. Batch forms (``decide``/``add`` on
    prepared documents) are what :mod:`overlap.dedup` streams through.
    """

    def __init__(self, store, settings: IndexSettings, manifest: dict[str, Any]) -> None:
        self._store = store
        self.settings = settings
        self.manifest = manifest
        self._prep = _Preparer(settings)
        self.bands, self.rows = self._prep.bands, self._prep.rows

    # -- context management
    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    @property
    def location(self) -> str:
        return self._store.location

    @property
    def backend(self) -> str:
        return self._store.kind

    @property
    def shared(self) -> bool:
        """Whether other processes may write this index at the same time (Redis), so kept documents are reserved."""
        return self._store.kind == "redis"

    def reserve(
        self, items: Sequence[tuple[Prepared, set[str]]], anchors: bool = False
    ) -> tuple[int, list[tuple[str, np.ndarray]]] | None:
        """Reserve kept documents, in order, against other writers of a shared index.

        ``items`` pairs each document with the ids it was already verified
        against. Returns ``None`` when all are reserved, else ``(i, others)``:
        documents before ``i`` are reserved, document ``i`` is not, because
        ``others`` (id and shingles of documents another writer reserved or
        indexed, sharing an LSH band with it) must be verified first. A
        single-writer index (SQLite) has nobody to race with and reserves nothing.
        Reservations live in LSH band buckets, and also in anchor buckets with
        ``anchors=True`` (containment mode: a piece and the article it was cut
        from may share no band).
        """
        return self._store.reserve(items, anchors)

    def id_kind(self, kind: str) -> str:
        """The JSON type of the ids this index keys ("number" or "string"), recording ``kind`` if it has none.

        Ids are stored as text, so the number 1 and the string "1" would be one
        key; the filter keeps each index to one kind and refuses the other.
        """
        return self._store.id_kind(kind)

    # -- preparation
    def prepare(self, docs: Sequence[Document]) -> list[Prepared]:
        """Shingles, anchors, signatures and band keys of a batch of documents."""
        return self._prep.prepare(list(docs))

    def check_threshold(self, threshold: float, mode: str) -> None:
        """Refuse thresholds the index cannot serve (LSH would drop pairs verify accepts)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {threshold!r}")
        if mode == "containment" and self.settings.anchor_window == 0:
            raise ConfigError(
                f"{self.location}: index was created without anchors (anchor window 0); "
                "containment mode needs an index created with anchors"
            )
        if mode == "whole" and threshold < self.settings.lsh_threshold - 1e-9:
            raise ConfigError(
                f"threshold {threshold} is below the index's LSH threshold {self.settings.lsh_threshold} "
                "(fixed when the index was created): LSH would miss pairs; create an index with a lower LSH threshold"
            )

    # -- reading
    def known_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are already indexed."""
        return self._store.known_ids(ids)

    def __contains__(self, doc_id: str) -> bool:
        return bool(self._store.known_ids([doc_id]))

    def match(self, preps: Sequence[Prepared], threshold: float, mode: str = "whole") -> list[list[tuple[str, float]]]:
        """For each prepared document, the indexed documents it matches, exactly verified.

        Candidates come from LSH bands (and anchors in containment mode); each
        is scored from the stored shingle set. Returns ``(id, score)`` lists,
        best first, then by id; only scores >= ``threshold``.
        """
        return [[m for m in ms if m[1] >= threshold] for ms in self.scored(preps, mode)]

    def scored(self, preps: Sequence[Prepared], mode: str = "whole") -> list[list[tuple[str, float]]]:
        """Every verified candidate of each prepared document with its exact score (any score)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        live = [p for p in preps if not p.empty]
        cands = self._store.band_candidates(live)
        if mode == "containment":
            for c, anchor_counts in zip(cands, self._store.anchor_candidates(live)):
                ranked = sorted(anchor_counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
                c.update(h for h, _ in ranked[:_MAX_ANCHOR_CANDIDATES])
        loaded = self._store.load(set().union(*cands)) if cands else {}
        by_prep: dict[int, list[tuple[str, float]]] = {}
        for p, c in zip(live, cands):
            scores = []
            for h in c:
                got = loaded.get(h)
                if got is not None:
                    scores.append((got[0], mode_score(p.shingles, got[1], mode)))
            scores.sort(key=lambda s: (-s[1], s[0]))
            by_prep[id(p)] = scores
        return [by_prep.get(id(p), []) for p in preps]

    def query(self, doc: Document | str, threshold: float | None = None, mode: str = "whole") -> list[tuple[str, float]]:
        """Indexed documents matching ``doc`` (a Document or a text), with exact scores, best first.

        >>> idx.query("some article text", threshold=0.8)  # doctest: +SKIP
        [('reuters-17', 0.93)]
        """
        if isinstance(doc, str):
            doc = Document("<query>", doc)
        threshold = self.settings.lsh_threshold if threshold is None else threshold
        self.check_threshold(threshold, mode)
        return self.match(self.prepare([doc]), threshold, mode)[0]

    # -- writing
    def add(self, docs: Iterable[Document | Prepared]) -> int:
        """Index documents (one transaction per call); ids already indexed are left as they are.

        Returns how many were added. Documents without any word cannot be
        indexed and raise ``ValueError`` (the filter skips them before this).
        """
        items = list(docs)
        preps = [d for d in items if isinstance(d, Prepared)]
        raw = [d for d in items if not isinstance(d, Prepared)]
        if raw:
            preps = preps + self.prepare(raw)
        empty = [p.id for p in preps if p.empty]
        if empty:
            raise ValueError(f"documents without words cannot be indexed: {', '.join(empty[:3])}")
        if self._store.readonly:
            raise IndexStateError(f"{self.location}: index opened read-only")
        return self._store.add(preps) if preps else 0

    def check(self, doc: Document, threshold: float = 0.8, mode: str = "whole", add: bool = True) -> Decision:
        """The filter's verdict on one document; a new one is added unless ``add=False``.

        >>> with open_index(path) as idx:            # doctest: +SKIP
        ...     idx.check(Document("b", text)).duplicate_of
        'a'
        """
        from .dedup import decide

        self.check_threshold(threshold, mode)
        prep = self.prepare([doc])
        if prep[0].empty:
            raise ValueError(f"document {doc.id!r} has no words to compare")
        decision = decide(self, prep, threshold, mode, reserve=add)[0]
        if add and decision.is_new:
            self.add(prep)
        return decision

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many were indexed."""
        if self._store.readonly:
            raise IndexStateError(f"{self.location}: index opened read-only")
        return self._store.remove(list(ids), self._prep)

    def stats(self) -> IndexStats:
        """Counts and size (file bytes for SQLite, Redis used_memory for Redis)."""
        docs, bands, anchors, size = self._store.stats()
        return IndexStats(self.backend, self.location, docs, bands, anchors, size, dict(self.manifest))

    def compact(self) -> None:
        """Reclaim space (SQLite VACUUM) or sweep half-written entries (Redis)."""
        if self._store.readonly:
            raise IndexStateError(f"{self.location}: index opened read-only")
        self._store.compact()


def open_index(
    target: str | os.PathLike,
    *,
    create: bool = True,
    settings: IndexSettings | Mapping[str, Any] | None = None,
    readonly: bool = False,
) -> Index:
    """Open (or create) the index at a path or ``redis://host:port/db[?prefix=name]``.

    A new SQLite index is created whole (written aside, then renamed); an
    existing file that is empty is refused as damaged, never taken for new.

    ``settings`` apply when the index is created; given for an existing
    index they must agree with its manifest (else :class:`IndexStateError`),
    so a typo in ``--num-perm`` cannot quietly query a different index. A
    mapping gives only some fields (``{"seed": 7}``): the rest are defaults
    when creating and are not compared when opening.

    >>> with open_index("seen.db") as idx:  # doctest: +SKIP
    ...     idx.check(doc)
    Decision(doc='a', duplicate_of=None, score=0.0, mode='new')
    """
    text = os.fspath(target)
    if text.startswith(("redis://", "rediss://", "unix://")):
        store: Any = _RedisStore(text, create, readonly)
    elif "://" in text:
        raise ConfigError(
            f"{_redact_url(text)}: unsupported index location "
            "(a file path, or redis://host:port/db, rediss:// for TLS, unix:///path/to/socket)"
        )
    else:
        store = _SqliteStore(text, create, readonly)
    given: dict[str, Any]
    if settings is None:
        given = {}
    elif isinstance(settings, IndexSettings):
        given = asdict(settings)
    else:
        given = dict(settings)
        unknown = set(given) - {f.name for f in fields(IndexSettings)}
        if unknown:
            raise ValueError(f"unknown index settings: {', '.join(sorted(unknown))}")
    try:
        found = store.read_manifest()
        wanted = IndexSettings(**given)
        if found is None:
            if not create or readonly:
                raise IndexStateError(f"{store.location}: no overlap index here (create it first)")
            store.initialise(wanted.manifest())
            found = store.read_manifest()
            assert found is not None
        actual = IndexSettings.from_manifest(found)
        _check_manifest(found, actual.manifest(), store.location)
        diffs = [f"{k}={getattr(actual, k)!r} (asked {v!r})" for k, v in given.items() if getattr(actual, k) != v]
        if diffs:
            raise IndexStateError(
                f"{store.location}: index exists with other creation settings: {'; '.join(diffs)}"
            )
        if isinstance(store, _RedisStore):
            store.seed = actual.seed
            store.attach(found)
        return Index(store, actual, found)
    except BaseException:
        store.close()
        raise
