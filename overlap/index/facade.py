"""The index itself: :func:`open_index` and what an open :class:`Index` does.

Every indexed document keeps its MinHash signature, its LSH band keys, a few
*anchor* shingles (for containment) and its exact set of 64-bit shingle
hashes, so a query is answered in two steps: LSH and anchors only *propose*
candidates, and every candidate is then *verified exactly* from the very
shingles its signature was built from (the advice in datasketch's own
``MinHashLSH.query`` docstring). An approximate answer is never returned as
a score. Where the documents live is a :class:`~overlap.index.store.Store`:
an SQLite file (:mod:`overlap.index.sqlite_store`, the default, a path) or a
Redis server shared by several workers (:mod:`overlap.index.redis_store`,
``redis://host:port/db[?prefix=name]``).

Example::

    >>> from overlap.model import Document
    >>> with open_index(tmp_path / "seen.db") as idx:          # doctest: +SKIP
    ...     idx.add([Document("a", "the text of an article ...")])
    ...     idx.query(Document("b", "the text of an article ..."))
    [('a', 1.0)]
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..errors import ConfigError, IndexStateError
from ..minhash.verify import MODES, mode_score
from ..model import Decision, Document
from .decide import decide
from .manifest import check_manifest, manifest_for
from .prepare import Prepared, Preparer
from .redis_store import RedisStore, redact_url
from .settings import IndexSettings
from .sqlite_store import SqliteStore
from .store import Store, strongest

__all__ = ["Index", "IndexStats", "open_index"]


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


class Index:
    """A persistent signature index; open it with :func:`open_index`.

    ``check`` is the filter's one-document form: decide, and add the document
    when it is new. ``query`` only looks. Batch forms (``decide``/``add`` on
    prepared documents) are what :mod:`overlap.index.filter` streams through.
    """

    def __init__(self, store: Store, settings: IndexSettings, manifest: dict[str, Any]) -> None:
        self._store = store
        self.settings = settings
        self.manifest = manifest
        self._prep = Preparer(settings)
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
                c.update(strongest(anchor_counts, str))
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
    given = _given_settings(settings)
    store = _open_store(os.fspath(target), create, readonly)
    try:
        found = store.read_manifest()
        if found is None:
            if not create or readonly:
                raise IndexStateError(f"{store.location}: no overlap index here (create it first)")
            store.initialise(manifest_for(IndexSettings(**given)))
            found = store.read_manifest()
            assert found is not None
        actual = IndexSettings.from_manifest(found)
        check_manifest(found, manifest_for(actual), store.location)
        diffs = [f"{k}={getattr(actual, k)!r} (asked {v!r})" for k, v in given.items() if getattr(actual, k) != v]
        if diffs:
            raise IndexStateError(
                f"{store.location}: index exists with other creation settings: {'; '.join(diffs)}"
            )
        store.attach(found)
        return Index(store, actual, found)
    except BaseException:
        store.close()
        raise


def _given_settings(settings: IndexSettings | Mapping[str, Any] | None) -> dict[str, Any]:
    """The creation settings the caller named (all of them for an :class:`IndexSettings`), checked."""
    if settings is None:
        return {}
    if isinstance(settings, IndexSettings):
        return asdict(settings)
    given = dict(settings)
    unknown = set(given) - {f.name for f in fields(IndexSettings)}
    if unknown:
        raise ValueError(f"unknown index settings: {', '.join(sorted(unknown))}")
    IndexSettings(**given)  # a bad value is refused before anything is opened
    return given


def _open_store(text: str, create: bool, readonly: bool) -> Store:
    """The store a location names: Redis for its URLs, SQLite for a path."""
    if text.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(text, create, readonly)
    if "://" in text:
        raise ConfigError(
            f"{redact_url(text)}: unsupported index location "
            "(a file path, or redis://host:port/db, rediss:// for TLS, unix:///path/to/socket)"
        )
    return SqliteStore(text, create, readonly)
