"""Append-only spill storage for per-document arrays and texts.

A scan needs every document's text (for excerpts) and shingle set (for
exact verification) after it has read the whole input, but holding them as
Python objects costs far more than their size (the notes measured 3 GB of
5-gram strings at 100k articles). Here they go to an anonymous temporary
file as raw bytes; only an offset and a length per item stay in memory, and
the operating system's page cache keeps hot items fast.
"""

from __future__ import annotations

import json
import mmap
import os
import tempfile
import threading
from array import array
from dataclasses import dataclass
from typing import BinaryIO, Collection, Iterator, Mapping, Sequence

import numpy as np
from xxhash import xxh3_64_intdigest

from .batches import Lazy
from .model import DocumentInfo, Span
from .text.boilerplate import UnitRef, every_occurrence, unit_spans

__all__ = ["SpillStore", "SpillKeys", "SpilledRows", "MappedColumns", "SpilledRecords", "SpilledUnits", "SpilledTexts",
           "BoilerplateEverywhere"]


class SpillStore:
    """Bytes, strings and numpy arrays appended to one temporary file.

    Safe to share between threads (a scan's tiers may run side by side and
    read the texts at once): a put or get seeks and reads or writes under a lock.

    >>> s = SpillStore()
    >>> k = s.put_text("Привет")
    >>> s.get_text(k)
    'Привет'
    >>> a = s.put_array(np.arange(3, dtype=np.uint64))
    >>> s.get_array(a, np.uint64).tolist()
    [0, 1, 2]
    >>> s.close()
    """

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory  # where the file is (None: the system's temp folder), for others of the scan's
        self._file: BinaryIO = tempfile.TemporaryFile(dir=directory)  # removed by the OS on close
        self._size = 0
        self._writing = True
        self._lock = threading.Lock()

    def put(self, data: bytes) -> tuple[int, int]:
        with self._lock:
            if not self._writing:
                self._file.seek(0, os.SEEK_END)
                self._writing = True
            self._file.write(data)
            key = (self._size, len(data))
            self._size += len(data)
        return key

    def get(self, key: tuple[int, int]) -> bytes:
        offset, length = key
        if length == 0:
            return b""
        with self._lock:
            if self._writing:
                self._file.flush()
                self._writing = False
            self._file.seek(offset)
            return self._file.read(length)

    def put_text(self, text: str) -> tuple[int, int]:
        return self.put(text.encode("utf-8", "surrogatepass"))

    def get_text(self, key: tuple[int, int]) -> str:
        return self.get(key).decode("utf-8", "surrogatepass")

    def put_array(self, array: np.ndarray) -> tuple[int, int]:
        return self.put(np.ascontiguousarray(array).tobytes())

    def get_array(self, key: tuple[int, int], dtype: type) -> np.ndarray:
        return np.frombuffer(self.get(key), dtype=dtype)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "SpillStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SpilledRows:
    """A numpy array built by appending rows, kept in a temporary file of its own and read back memory-mapped.

    Why: arrays with an entry for every passage window (its 16-bit sketch,
    its owner, its word ids) are read at random, a block of candidate pairs
    at a time, which a :class:`SpillStore` key per item cannot serve. Held
    in memory they made the driver grow with the corpus (about 1.5 kB a
    generated article). Here appending writes to the file (the page cache,
    not this process, holds the bytes), :meth:`view` maps it read-only, and
    :meth:`release` drops the pages read so far from the process's resident
    memory: they stay in the page cache, which the system may reclaim, and
    are read again from it when needed.

    >>> rows = SpilledRows(np.uint16, 2)
    >>> rows.append(np.array([[1, 2], [3, 4]]))
    >>> rows.append(np.array([[5, 6]]))
    >>> rows.view()[[2, 0]].tolist()
    [[5, 6], [1, 2]]
    >>> rows.release()
    >>> len(rows), rows.view()[1].tolist()
    (3, [3, 4])
    >>> rows.close()
    """

    def __init__(self, dtype: type | np.dtype, width: int | None = None, directory: str | None = None) -> None:
        self.dtype, self.width = np.dtype(dtype), width
        self._file: BinaryIO = tempfile.TemporaryFile(dir=directory)  # removed by the OS once closed and unmapped
        self._rows = 0
        self._view: np.ndarray | None = None
        self._map: mmap.mmap | None = None

    def append(self, rows: np.ndarray) -> None:
        """Rows at the end (``(k, width)``, or ``(k,)`` values without a width), converted to the dtype."""
        block = np.ascontiguousarray(rows, dtype=self.dtype)
        if block.size:
            self._file.write(memoryview(block).cast("B"))
        self._rows += len(block)
        self._view = self._map = None  # the next view maps the file as it now is

    def __len__(self) -> int:
        return self._rows

    def view(self) -> np.ndarray:
        """Every row appended so far, read-only, mapped from the file (an empty array when there are none)."""
        shape = (self._rows,) if self.width is None else (self._rows, self.width)
        if self._rows == 0 or self.dtype.itemsize * (self.width or 1) == 0:
            return np.empty(shape, dtype=self.dtype)
        if self._view is None:
            self._file.flush()
            count = self._rows * (self.width or 1)
            self._map = mmap.mmap(self._file.fileno(), count * self.dtype.itemsize, access=mmap.ACCESS_READ)
            # a plain array over the mapping, not np.memmap, whose indexing runs Python code on every access
            self._view = np.frombuffer(self._map, dtype=self.dtype, count=count).reshape(shape)
        return self._view

    def release(self) -> None:
        """Drop the mapped pages read so far from this process's resident memory (not from the page cache)."""
        if self._map is not None and hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        """Close the file (removed once no array reads its mapping any more)."""
        self._view = self._map = None  # the mapping is unmapped when the last array over it goes
        self._file.close()


class MappedColumns:
    """What holds arrays mapped from :class:`SpilledRows` files (``files``; none when its arrays are in
    memory): :meth:`release` drops the pages read so far, :meth:`close` removes the files (then the
    arrays cannot be read)."""

    files: Sequence[SpilledRows] = ()

    def release(self) -> None:
        for f in self.files:
            f.release()

    def close(self) -> None:
        for f in self.files:
            f.close()


class SpillKeys(Collection[int]):
    """Where the item of each position is in a :class:`SpillStore`: two integers a position (16 bytes).

    Why: a key per document (its text, its shingle set) held as a dictionary
    of tuples cost about 200 bytes a document. Positions may be set in any
    order and left unset; ``in`` says whether one is set.

    >>> keys = SpillKeys()
    >>> keys[2] = (10, 4)
    >>> 2 in keys, 0 in keys, keys[2], len(keys), list(keys)
    (True, False, (10, 4), 1, [2])
    """

    def __init__(self) -> None:
        self._keys = array("q")  # (offset, length) of each position; offset -1: not set
        self._count = 0

    def __setitem__(self, i: int, key: tuple[int, int]) -> None:
        if 2 * i >= len(self._keys):
            self._keys.extend((-1, 0) * (i + 1 - len(self._keys) // 2))
        if self._keys[2 * i] < 0:
            self._count += 1
        self._keys[2 * i : 2 * i + 2] = array("q", key)

    def __getitem__(self, i: int) -> tuple[int, int]:
        if i not in self:
            raise KeyError(i)
        return self._keys[2 * i], self._keys[2 * i + 1]

    def __contains__(self, i: object) -> bool:
        return isinstance(i, int) and 0 <= 2 * i < len(self._keys) and self._keys[2 * i] >= 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        return (i for i in range(len(self._keys) // 2) if self._keys[2 * i] >= 0)

    def positions(self) -> np.ndarray:
        """The positions set, in order."""
        offsets = np.array(self._keys, dtype=np.int64)[0::2]  # a copy: appending to an array lent out fails
        return np.flatnonzero(offsets >= 0)


def _id_hash(raw: bytes) -> int:
    """The 64-bit hash that finds a document's position by its id (ids that share one are compared)."""
    return xxh3_64_intdigest(raw)


class SpilledRecords(Lazy[DocumentInfo]):
    """Every document of a scan, in input order: its metadata record and its text, in the scan's spill store.

    Why: a scan lists every document it read (``clusters.json``, the graphs,
    the reports), but needs a record in memory only when a match, a cluster
    or an output names it. As Python objects the records and the map from
    each id to its text cost the driver about 690 bytes a generated article
    (88 MB at 128,000, ``tracemalloc``), the largest part of what it held for
    every document. Here each record is a line of JSON in the store, read
    back when asked for; what stays in memory is 48 bytes a document (where
    its record and text are, and a hash of its id) and its id's UTF-8 bytes
    in one buffer, so ids and positions are answered without the store.

    Not thread-safe for appending; reading is (the store locks, and the id
    lookup is built under a lock), so tiers running side by side may share it.

    >>> store = SpillStore()
    >>> docs = SpilledRecords(store)
    >>> docs.append(DocumentInfo("a1", source="TASS", length=5, words=1), "Hello")
    0
    >>> docs.append(DocumentInfo("b2", length=3), None)
    1
    >>> len(docs), docs.id(1), docs.position("a1"), docs.position("zz"), docs.texts
    (2, 'b2', 0, None, 1)
    >>> docs[0].source, docs.text_at(0), docs.text_at(1), docs.find("b2").length
    ('TASS', 'Hello', '', 3)
    >>> store.close()
    """

    def __init__(self, store: SpillStore) -> None:
        self.store = store
        self.chars = 0  # the records' text lengths, summed
        self._ids = bytearray()
        self._id_end = array("q")
        self._hash = array("Q")
        self._record = SpillKeys()  # where each record is in the store
        self._text = SpillKeys()  # where each kept text is in the store
        self._lookup: tuple[np.ndarray, np.ndarray] | None = None  # sorted id hashes, their positions (remade
        # when asked for after more documents came)
        self._lock = threading.Lock()

    def append(self, record: DocumentInfo, text: str | None) -> int:
        """Keep a document (its text, unless ``None``: set aside as not text); returns its position."""
        fields = [record.id, record.source, record.title, record.date, record.url, record.length, record.words,
                  record.origin]
        self._record[len(self)] = self.store.put(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        if text is not None:
            self._text[len(self)] = self.store.put_text(text)
        raw = record.id.encode("utf-8", "surrogatepass")
        self._ids += raw
        self._id_end.append(len(self._ids))
        self._hash.append(_id_hash(raw))
        self.chars += record.length or 0
        return len(self._id_end) - 1

    def __len__(self) -> int:
        return len(self._id_end)

    def _at(self, i: int) -> DocumentInfo:
        fields = json.loads(self.store.get(self._record[i]))
        return DocumentInfo(*fields)

    def id(self, i: int) -> str:
        start = self._id_end[i - 1] if i else 0
        return self._ids[start : self._id_end[i]].decode("utf-8", "surrogatepass")

    @property
    def texts(self) -> int:
        """How many documents' texts are kept."""
        return len(self._text)

    def has_text(self, i: int) -> bool:
        return i in self._text

    def with_text(self) -> np.ndarray:
        """The positions of the documents whose text is kept, in order."""
        return self._text.positions()

    def text_at(self, i: int) -> str:
        """Document ``i``'s text ("" for one set aside as not text)."""
        return self.store.get_text(self._text[i]) if i in self._text else ""

    def position(self, doc_id: str) -> int | None:
        """The position of the document with this id, else ``None``."""
        h = _id_hash(doc_id.encode("utf-8", "surrogatepass"))
        hashes, order = self._sorted()
        k = int(np.searchsorted(hashes, np.uint64(h)))
        while k < len(hashes) and int(hashes[k]) == h:  # ids whose hashes collide: compare the ids
            i = int(order[k])
            if self.id(i) == doc_id:
                return i
            k += 1
        return None

    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._lookup is None or len(self._lookup[0]) != len(self):
                hashes = np.frombuffer(self._hash, dtype=np.uint64) if len(self) else np.empty(0, np.uint64)
                order = np.argsort(hashes, kind="stable")
                self._lookup = (hashes[order], order)
            return self._lookup

    def find(self, doc_id: str) -> DocumentInfo:
        """The record of the document with this id (``KeyError`` for an id the scan does not know)."""
        i = self.position(doc_id)
        if i is None:
            raise KeyError(doc_id)
        return self._at(i)

    def text(self, doc_id: str) -> str:
        """The text of the document with this id (``KeyError`` for an unknown id or a text not kept)."""
        i = self.position(doc_id)
        if i is None or not self.has_text(i):
            raise KeyError(doc_id)
        return self.text_at(i)


class SpilledUnits:
    """The boilerplate units left out of each document, by its position, in a :class:`SpillStore`.

    Why: most pages of crawled news carry some boilerplate, and as a
    dictionary from each such document's id to a list of tuples the units
    cost the driver about 500 bytes a document (two units; ``tracemalloc``),
    kept to the scan's end. Here a document with units costs 16 bytes
    (:class:`SpillKeys`), and its units are read back when a stage asks.

    >>> with SpillStore() as store:
    ...     units = SpilledUnits(store)
    ...     units[3] = [(0, 10, 2, 1), (40, 52, 3, 2)]
    ...     units[3], units.get(0), 3 in units, len(units), units.positions().tolist()
    ([(0, 10, 2, 1), (40, 52, 3, 2)], None, True, 1, [3])
    """

    def __init__(self, store: SpillStore) -> None:
        self.store = store
        self._keys = SpillKeys()

    def __setitem__(self, i: int, units: Sequence[UnitRef]) -> None:
        self._keys[i] = self.store.put_array(np.asarray(units, dtype=np.int64))

    def __getitem__(self, i: int) -> list[UnitRef]:
        rows = self.store.get_array(self._keys[i], np.int64).reshape(-1, 4).tolist()
        return [(a, b, c, d) for a, b, c, d in rows]

    def get(self, i: int) -> list[UnitRef] | None:
        return self[i] if i in self._keys else None

    def __contains__(self, i: object) -> bool:
        return i in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def positions(self) -> np.ndarray:
        """The positions of the documents with units, in order."""
        return self._keys.positions()


@dataclass(frozen=True, slots=True)
class SpilledTexts:
    """A live scan's texts: in the spill file, read back one at a time (:class:`~overlap.model.Texts`)."""

    records: SpilledRecords  # every document, with its text (none for documents set aside)
    dropped: SpilledUnits  # the boilerplate units of each document, by position

    def text(self, doc_id: str) -> str:
        return self.records.text(doc_id)

    def excerpt(self, doc_id: str, span: Span) -> str:
        return self.text(doc_id)[span.start : span.end]

    def boilerplate_spans(self, doc_id: str) -> list[Span]:
        i = self.records.position(doc_id)
        return self.boilerplate_spans_at(i) if i is not None else []

    def boilerplate_spans_at(self, i: int) -> list[Span]:
        """The boilerplate spans of the document at position ``i`` (none: ``[]``)."""
        refs = self.dropped.get(i)
        return unit_spans(self.records.text_at(i), refs) if refs else []

    def boilerplate_everywhere(self) -> "BoilerplateEverywhere":
        """Each document's boilerplate at every place its text repeats it, by id, read when asked."""
        return BoilerplateEverywhere(self)

    def close(self) -> None:
        self.records.store.close()


class BoilerplateEverywhere(Mapping[str, list[Span]]):
    """Document id -> every occurrence in its text of its boilerplate units (a repeated title's first
    one too), for the documents that have any: what the claims tier leaves out of its statements.

    Why a mapping computed when asked: a dictionary of every such document's spans, made before the tier,
    held them all for its whole run."""

    def __init__(self, texts: SpilledTexts) -> None:
        self._texts = texts

    def _position(self, doc_id: object) -> int | None:
        i = self._texts.records.position(doc_id) if isinstance(doc_id, str) else None
        return i if i is not None and i in self._texts.dropped else None

    def __getitem__(self, doc_id: str) -> list[Span]:
        i = self._position(doc_id)
        if i is None:
            raise KeyError(doc_id)
        text = self._texts.records.text_at(i)  # read once: the spans and every occurrence both need it
        return every_occurrence(text, unit_spans(text, self._texts.dropped[i]))

    def __contains__(self, doc_id: object) -> bool:
        return self._position(doc_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (self._texts.records.id(int(i)) for i in self._texts.dropped.positions())

    def __len__(self) -> int:
        return len(self._texts.dropped)
