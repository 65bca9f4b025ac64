"""Statements: the sentences and quotes of a corpus that may carry a claim, and their clauses.

The first stage of the claims tier. A statement is a unit of
:func:`overlap.text.quotes.sentences_and_quotes` (a sentence or a quoted sentence, with its
speaker); units touching boilerplate never become statements (sign-ups are
not claims), and two bounds keep one document from setting the tier's cost.
A statement's *parts* are the statement itself and its clauses
(:func:`overlap.text.quotes.clauses`, attributions dropped): a talking point is
often one clause of a longer sentence.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..batches import Lazy
from ..model import Document, Passage, Span
from ..params import ParaphraseParams
from ..spill import MappedColumns, SpilledRows, SpillStore
from ..text.quotes import clauses, sentences_and_quotes
from .signals import Lexicon, Prepared, prepare

__all__ = ["statements", "Parts", "PassageTable", "statement_parts"]


def statements(
    documents: Sequence[Document],
    params: ParaphraseParams,
    exclude: Mapping[str, list[Span]] | None = None,
) -> tuple[list[Passage], dict[str, int]]:
    """All units of all documents that may carry a claim (boilerplate and fragments left out), and the counts.

    ``exclude`` maps a document id to its boilerplate spans: a unit touching
    one is left out. A unit longer than ``params.max_statement_chars`` is a
    table or text that lost its punctuation, not a statement, and every
    signal of a pair costs in proportion to the product of the two lengths:
    it is left out (counted as ``statements_too_long``). A document gives at
    most ``params.max_statements_per_document`` statements (its first ones,
    the rest counted as ``statements_over_document_cap``), so no single
    document sets the tier's cost.

    >>> docs = [Document("a", "Prices of bread rose by five percent in May, the bureau said.")]
    >>> found, counts = statements(docs, ParaphraseParams())
    >>> [u.text for u in found], counts
    (['Prices of bread rose by five percent in May, the bureau said.'], {'statements_too_long': 0, 'statements_over_document_cap': 0})
    """
    out: list[Passage] = []
    too_long = over_cap = 0
    for doc in documents:
        banned = sorted((exclude or {}).get(doc.id, []), key=lambda s: s.start)
        kept = 0
        for unit in sentences_and_quotes(doc.id, doc.text, params.min_words):
            if any(unit.span.overlaps(b) for b in banned):
                continue
            if len(unit.span) > params.max_statement_chars:
                too_long += 1
                continue
            if kept >= params.max_statements_per_document:
                over_cap += 1
                continue
            kept += 1
            out.append(unit)
    return out, {"statements_too_long": too_long, "statements_over_document_cap": over_cap}


class PassageTable(Lazy[Passage], MappedColumns):
    """Passages held as columns, each made into a :class:`~overlap.model.Passage` when asked for.

    The claims tier keeps every statement and clause of a corpus until its
    candidates are scored (1.1 million at 128,000 generated articles). As
    objects (a Passage, its Span, two ints and a str each) they cost about
    350 bytes apiece; here a passage costs 25 bytes of columns, and its
    UTF-8 text, which is in memory (``text``) or, once the table is spilled
    (:meth:`spill`), in a :class:`~overlap.spill.SpillStore` from
    offset ``base`` on, read back for the passages asked for: the tier reads
    the texts of the candidates' parts only, a few of the corpus's.
    Documents and speakers are stored once each.
    """

    def __init__(self, docs: list[str], names: list[str | None], doc: np.ndarray, start: np.ndarray, end: np.ndarray,
                 kind: np.ndarray, speaker: np.ndarray, offsets: np.ndarray, text: bytes,
                 store: SpillStore | None = None, base: int = 0, files: Sequence[SpilledRows] = ()) -> None:
        self.docs, self.names = docs, names  # distinct document ids; distinct kinds and speakers (None among them)
        self.doc, self.start, self.end, self.kind, self.speaker = doc, start, end, kind, speaker
        self.offsets, self.text = offsets, text
        self.store, self.base = store, base  # where the text is when spilled (then ``text`` is empty)
        self.files = files  # the files the columns are mapped from, when they are (see :meth:`concat`)

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> PassageTable:
        docs: dict[str, int] = {}
        names: dict[str | None, int] = {}
        n = len(passages)
        doc = np.fromiter((docs.setdefault(p.doc, len(docs)) for p in passages), dtype=np.int32, count=n)
        kind = np.fromiter((names.setdefault(p.kind, len(names)) for p in passages), dtype=np.int32, count=n)
        speaker = np.fromiter((names.setdefault(p.speaker, len(names)) for p in passages), dtype=np.int32, count=n)
        start = np.fromiter((p.span.start for p in passages), dtype=np.int64, count=n)
        end = np.fromiter((p.span.end for p in passages), dtype=np.int64, count=n)
        encoded = [p.text.encode("utf-8") for p in passages]
        offsets = np.cumsum([0] + [len(e) for e in encoded], dtype=np.int64)
        return cls(list(docs), list(names), doc, start, end, kind, speaker, offsets, b"".join(encoded))

    def spill(self, store: SpillStore) -> PassageTable:
        """This table with its text appended to ``store`` instead of in memory (the columns stay)."""
        if self.store is not None:
            raise ValueError("this table is spilled already")
        base, _ = store.put(self.text)
        return PassageTable(self.docs, self.names, self.doc, self.start, self.end, self.kind, self.speaker,
                            self.offsets, b"", store, base)

    @classmethod
    def concat(cls, tables: Sequence[PassageTable], directory: str | None = None, *, files: bool = False) -> PassageTable:
        """One table of several, in order (the batches of a map over documents).

        Tables spilled one after the other to one store (nothing else written
        between them) make a spilled table; tables in memory, one in memory.
        With ``files``, the columns are written to files in ``directory`` (the
        system's temp folder by default) and mapped from them
        (:class:`~overlap.spill.SpilledRows`), as the claims tier keeps them:
        at 36 bytes a part they were about 0.3 kB of a scan's memory for every
        generated article; :meth:`close` removes them.
        """
        docs: dict[str, int] = {}
        names: dict[str | None, int] = {}
        dtypes = (np.int32, np.int64, np.int64, np.int32, np.int32)
        cols: list[list[np.ndarray]] | list[SpilledRows] = (
            [SpilledRows(d, directory=directory) for d in dtypes] if files else [[] for _ in range(5)])
        offsets: list[np.ndarray] | SpilledRows = SpilledRows(np.int64, directory=directory) if files else []
        offsets.append(np.zeros(1, dtype=np.int64))
        texts, base = [], 0
        stores = {id(t.store) for t in tables}
        if len(stores) > 1:
            raise ValueError("tables to concatenate must all be in memory, or all spilled to one store")
        for t in tables:
            to_doc = np.fromiter((docs.setdefault(d, len(docs)) for d in t.docs), dtype=np.int32, count=len(t.docs))
            to_name = np.fromiter((names.setdefault(n, len(names)) for n in t.names), dtype=np.int32, count=len(t.names))
            for col, values in zip(cols, (to_doc[t.doc], t.start, t.end, to_name[t.kind], to_name[t.speaker])):
                col.append(values)
            if t.store is not None and t.base != tables[0].base + base:
                raise ValueError("spilled tables to concatenate must follow each other in their store")
            offsets.append(t.offsets[1:] + base)
            texts.append(t.text)
            base += int(t.offsets[-1])
        store = tables[0].store if tables else None
        where = tables[0].base if store is not None else 0
        if isinstance(offsets, SpilledRows):
            spilled = [*cols, offsets]
            return cls(list(docs), list(names), *(c.view() for c in spilled), b"".join(texts), store, where,
                       files=spilled)  # type: ignore[union-attr]
        return cls(list(docs), list(names), *(np.concatenate(c) if c else np.empty(0, dtype=d) for c, d in zip(cols, dtypes)),
                   np.concatenate(offsets), b"".join(texts), store, where)

    def __len__(self) -> int:
        return len(self.doc)

    def _at(self, k: int) -> Passage:
        start, end = int(self.offsets[k]), int(self.offsets[k + 1])
        data = self.text[start:end] if self.store is None else self.store.get((self.base + start, end - start))
        return Passage(self.docs[self.doc[k]], Span(int(self.start[k]), int(self.end[k])), data.decode("utf-8"),
                       self.names[self.kind[k]], self.names[self.speaker[k]])


class Statements(Lazy[Passage]):
    """The statements of :class:`Parts`: statement ``i`` is part ``first[i]`` (a statement comes before its
    clauses), so statements are not stored twice."""

    def __init__(self, parts: PassageTable | Sequence[Passage], first: Sequence[int]) -> None:
        self.parts, self.first = parts, first

    def __len__(self) -> int:
        return len(self.first)

    def _at(self, i: int) -> Passage:
        return self.parts[self.first[i]]


@dataclass(frozen=True)
class Parts:
    """Statements and their clauses in one list, each with the index of its statement.

    ``passages[k]`` is a statement or one of its clauses, ``lexicon`` their
    words as ids (:class:`overlap.claims.signals.Lexicon`: what candidates
    and filters read of every part) and ``owner[k]`` the index of its
    statement; a statement comes before its clauses. ``full[k]`` is part
    ``k`` fully prepared (:func:`overlap.claims.signals.prepare`), made when
    first asked for and kept: only the parts a decision reads (those of the
    matched pairs, a few thousand) are ever prepared so. Preparing every part
    of every scored pair up front held 200 MB at 32,000 generated articles.
    """

    passages: Sequence[Passage]
    lexicon: Lexicon
    owner: Sequence[int]
    full: Sequence[Prepared] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "full", _FullyPrepared(self.passages))

    def release(self) -> None:
        """Drop the pages of the columns and word ids read so far from memory, where they are mapped from
        files (what :func:`~overlap.claims.find.find_claims` keeps): between the tier's steps."""
        for held in (self.passages, self.lexicon):
            if hasattr(held, "release"):
                held.release()

    def close(self) -> None:
        """Remove the files the columns and word ids are mapped from, if any."""
        for held in (self.passages, self.lexicon):
            if hasattr(held, "close"):
                held.close()

    def bounds(self) -> np.ndarray:
        """Where each statement's parts begin, and where the last one's end: statement ``i``'s parts are
        ``bounds[i]`` to ``bounds[i + 1]`` (a statement, then its clauses, each statement's parts in a row)."""
        owner = np.asarray(self.owner, dtype=np.int64)
        return np.searchsorted(owner, np.arange(int(owner[-1]) + 2 if len(owner) else 1))

    def of_statement(self) -> Sequence[range]:
        """Each statement's parts, the statement itself first, then its clauses (no list a statement: a
        corpus has a million of them)."""
        return _Ranges(self.bounds().tolist())


class _Ranges(Lazy[range]):
    """``self[i]`` is ``range(bounds[i], bounds[i + 1])``."""

    def __init__(self, bounds: list[int]) -> None:
        self.bounds = bounds

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def _at(self, i: int) -> range:
        return range(self.bounds[i], self.bounds[i + 1])


class _FullyPrepared(Lazy[Prepared]):
    """Parts fully prepared on first access, each kept once prepared."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = passages
        self.done: dict[int, Prepared] = {}

    def __len__(self) -> int:
        return len(self.passages)

    def _at(self, k: int) -> Prepared:
        found = self.done.get(k)
        if found is None:
            found = self.done[k] = prepare(self.passages[k].text)
        return found


def statement_parts(
    statements_: Sequence[Passage], prepared: Sequence[Prepared], params: ParaphraseParams
) -> Parts:
    """Statements and their clauses (:func:`overlap.text.quotes.clauses`), prepared, each with its statement's index.

    A clause needs ``params.min_clause_words`` words and
    ``params.min_clause_content`` content words; with ``params.clauses`` off
    a statement is its only part.
    """
    parts: list[Passage] = []
    prep: list[Prepared] = []
    owner: list[int] = []
    for i, u in enumerate(statements_):
        parts.append(u)
        prep.append(prepared[i])
        owner.append(i)
        if not params.clauses:
            continue
        for c in clauses(u, params.min_clause_words):
            pc = prepare(c.text, full=False)
            if len(pc.content) >= params.min_clause_content:
                parts.append(c)
                prep.append(pc)
                owner.append(i)
    return Parts(PassageTable.of(parts), Lexicon.of(prep), array("i", owner))
