"""Append-only spill storage for per-document arrays and texts.

A scan needs every document's text (for excerpts) and shingle set (for
exact verification) after it has read the whole input, but holding them as
Python objects costs far more than their size (the notes measured 3 GB of
5-gram strings at 100k articles). Here they go to an anonymous temporary
file as raw bytes; only an offset and a length per item stay in memory, and
the operating system's page cache keeps hot items fast.
"""

from __future__ import annotations

import mmap
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import BinaryIO, Sequence

import numpy as np

from .model import Span
from .text.boilerplate import UnitRef, unit_spans

__all__ = ["SpillStore", "SpilledRows", "MappedColumns", "SpilledTexts"]


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


@dataclass(frozen=True, slots=True)
class SpilledTexts:
    """A live scan's texts: in the spill file, read back one at a time (:class:`~overlap.model.Texts`)."""

    store: SpillStore
    keys: dict[str, tuple[int, int]]  # document id -> its text in the store (none for documents set aside)
    dropped: dict[str, list[UnitRef]]  # document id -> its boilerplate units

    def text(self, doc_id: str) -> str:
        return self.store.get_text(self.keys[doc_id])

    def excerpt(self, doc_id: str, span: Span) -> str:
        return self.text(doc_id)[span.start : span.end]

    def boilerplate_spans(self, doc_id: str) -> list[Span]:
        refs = self.dropped.get(doc_id)
        return unit_spans(self.text(doc_id), refs) if refs else []

    def close(self) -> None:
        self.store.close()
