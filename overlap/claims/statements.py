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

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..model import Document, Passage, Span
from ..params import ParaphraseParams
from ..text.quotes import clauses, sentences_and_quotes
from .signals import Lexicon, Prepared, prepare

__all__ = ["statements", "Parts", "statement_parts"]


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

    passages: list[Passage]
    lexicon: Lexicon
    owner: list[int]
    full: Sequence[Prepared] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "full", _FullyPrepared(self.passages))

    def of_statement(self) -> dict[int, list[int]]:
        """Each statement's parts, the statement itself first, then its clauses."""
        out: dict[int, list[int]] = {}
        for k, o in enumerate(self.owner):
            out.setdefault(o, []).append(k)
        return out


class _FullyPrepared(Sequence[Prepared]):
    """Parts fully prepared on first access, each kept once prepared."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = passages
        self.done: dict[int, Prepared] = {}

    def __len__(self) -> int:
        return len(self.passages)

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
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
    return Parts(parts, Lexicon.of(prep), owner)
