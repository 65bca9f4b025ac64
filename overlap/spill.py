"""Append-only spill storage for per-document arrays and texts.

A scan needs every document's text (for excerpts) and shingle set (for
exact verification) after it has read the whole input, but holding them as
Python objects costs far more than their size (the notes measured 3 GB of
5-gram strings at 100k articles). Here they go to an anonymous temporary
file as raw bytes; only an offset and a length per item stay in memory, and
the operating system's page cache keeps hot items fast.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from .model import Span
from .text.boilerplate import UnitRef, unit_spans

__all__ = ["SpillStore", "SpilledTexts"]


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
