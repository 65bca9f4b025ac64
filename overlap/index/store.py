"""What every index store does: the one interface the SQLite and Redis stores implement.

As datasketch keeps ``MinHashLSH`` apart from its storage classes, the index
(:mod:`overlap.index.facade`) prepares, verifies and decides, and a store
only keeps documents and answers look-ups by bucket key. A store's
*handles* are its own keys for documents (SQLite row numbers, Redis ids);
the index passes them back to :meth:`Store.load` and never reads them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Hashable, Iterable, Mapping, Protocol, Sequence

import numpy as np

from .prepare import Prepared, Preparer

__all__ = ["MAX_ANCHOR_CANDIDATES", "Store", "pack_shingles", "strongest", "unpack_shingles"]

# Most anchor candidates verified per document: ranked by shared anchors, so
# the true source (which shares many) comes first; the cap bounds the work a
# piece of boilerplate shared by thousands of documents can cause.
MAX_ANCHOR_CANDIDATES = 64


def strongest(counts: Mapping[Hashable, int], tiebreak: Callable[[Any], Any]) -> list[Hashable]:
    """The ``MAX_ANCHOR_CANDIDATES`` candidates sharing the most anchors (ties: by ``tiebreak``).

    >>> strongest({"b": 2, "a": 2, "c": 5}, str)
    ['c', 'a', 'b']
    """
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], tiebreak(kv[0])))
    return [h for h, _ in ranked[:MAX_ANCHOR_CANDIDATES]]


def pack_shingles(shingles: np.ndarray) -> bytes:
    """Sorted uint64 hashes as raw bytes.

    Random 64-bit hashes do not compress: zlib over sorted deltas saved 0.6%
    on Reuters at ~100 us a document, so the set is stored as it is.
    """
    return shingles.tobytes()


def unpack_shingles(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint64)



class Store(Protocol):
    """A place documents are indexed: an SQLite file or a Redis server.

    ``kind`` is ``"sqlite"`` or ``"redis"``; ``location`` is printable (never
    a password). Every method raises :class:`~overlap.errors.IndexStateError`
    for a problem of the store itself (a damaged file, an unreachable server).
    """

    kind: str
    location: str
    readonly: bool

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or ``None`` where no index exists yet."""

    def initialise(self, manifest: dict[str, Any]) -> None:
        """Create the index with ``manifest`` (whole, or not at all)."""

    def attach(self, manifest: dict[str, Any]) -> None:
        """Get ready to serve the index ``manifest`` describes (after it was checked)."""

    def id_kind(self, kind: str) -> str:
        """The JSON type of the ids the index keys, recording ``kind`` if it has none."""

    def reserve(
        self, items: Sequence[tuple[Prepared, set[str]]], anchors: bool = False
    ) -> tuple[int, list[tuple[str, np.ndarray]]] | None:
        """Reserve kept documents against other writers (see :meth:`overlap.index.facade.Index.reserve`)."""

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are indexed."""

    def band_candidates(self, preps: Sequence[Prepared]) -> list[set]:
        """For each document, the handles of the indexed documents sharing one of its band keys."""

    def anchor_candidates(self, preps: Sequence[Prepared]) -> list[Counter]:
        """For each document, how many of its anchors each indexed document (handle) shares."""

    def load(self, handles: Iterable) -> dict[Any, tuple[str, np.ndarray]]:
        """Id and shingle set of each handle still indexed."""

    def add(self, preps: Sequence[Prepared]) -> int:
        """Index documents atomically; ids already indexed are left as they are. Returns how many were added."""

    def remove(self, ids: Sequence[str], preparer: Preparer) -> int:
        """Remove documents by id; returns how many were indexed."""

    def stats(self) -> tuple[int, int, int, int]:
        """Documents, band entries, anchor entries and size in bytes."""

    def compact(self) -> None:
        """Reclaim space or sweep half-written entries."""

    def close(self) -> None:
        """Release the connection (and the writer's lock)."""
