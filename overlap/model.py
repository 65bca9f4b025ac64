"""The plain data types every stage of overlap shares.

Stages exchange these small frozen dataclasses rather than dicts so that a
change of shape is a type error, not a silent ``KeyError`` three stages later.
Only the I/O edges (ingest, report) turn them into or out of JSON.

Every :class:`Span` is a half-open character range into the *original*
document text, so ``doc.text[span.start:span.end]`` always shows what
matched, whatever normalisation happened in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from .params import Params


def reduce_by_fields(self: Any) -> tuple[type, tuple[Any, ...]]:
    """Pickle a frozen slotted dataclass as its class and field values, in field order.

    The default path for ``slots=True`` goes through the ``__getstate__`` that
    dataclasses write in Python, a call per object: a span took 6 µs to
    pickle and 5.5 to unpickle, and the documents, passages and matches
    that travel between a scan's driver and its workers are many small
    objects (pickling batches was the largest share of the driver's time in
    a profile of a two-worker Reuters scan). This way is about twice as fast
    to pickle and three times as fast to unpickle. A stage's own types that
    travel in volume use it too (``__reduce__ = reduce_by_fields``).
    """
    return type(self), tuple(map(self.__getattribute__, self.__slots__))


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of characters in an original text.

    >>> text = "Grain exports rose."
    >>> s = Span(0, 5)
    >>> text[s.start:s.end], len(s)
    ('Grain', 5)
    """

    __reduce__ = reduce_by_fields

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Document:
    """One article as read from the input.

    ``date`` is an ISO 8601 string (date or date-time) when the input
    carried a date overlap could parse, else ``None``; keeping it a string
    keeps output byte-stable and sorts chronologically.
    ``origin`` says where the record came from (``file:line``) for messages.
    ``record`` is the input record exactly as parsed, kept only when the
    reader was asked to (the filter writes it back unchanged: ``"newid": 1``
    stays a number, key order and every field stay as they came).

    >>> d = Document("a1", "Grain exports rose.", source="TASS", date="2017-01-15")
    >>> d.id, d.source, d.date, d.meta
    ('a1', 'TASS', '2017-01-15', {})
    """

    __reduce__ = reduce_by_fields

    id: str
    text: str
    source: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    origin: str | None = None
    record: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What a scan keeps of a document: its metadata, not its text.

    A scan holds every document's text in a spill file, not in memory, so a
    result lists documents by this; :meth:`ScanResult.text` reads a text back.
    The same type describes a document of a live scan and of one read back
    from its folder, where ``length``, ``words`` and ``origin`` are ``None``
    when the folder did not record them. A document's position in
    :attr:`ScanResult.documents` is its order in the input.

    >>> DocumentInfo("a1", source="TASS", length=19, words=3).words
    3
    """

    __reduce__ = reduce_by_fields

    id: str
    source: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    length: int | None = None
    words: int | None = None
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of a document (line, sentence, window, quote) with its span."""

    __reduce__ = reduce_by_fields

    doc: str
    span: Span
    text: str
    kind: str = "passage"
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two documents (or passages) LSH proposes; carries no score on purpose.

    Candidates are only proposals: ``verify`` decides, from the same shingles
    the signatures were built from, whether a pair becomes a :class:`Match`.
    ``a < b`` always, so a pair has one canonical form.
    """

    __reduce__ = reduce_by_fields

    a: int
    b: int

    def __post_init__(self) -> None:
        if not self.a < self.b:
            raise ValueError("CandidatePair needs a < b")


@dataclass(frozen=True, slots=True)
class MatchSide:
    """One side of a match: a document and the span of it that matched."""

    __reduce__ = reduce_by_fields

    doc: str
    span: Span


@dataclass(frozen=True, slots=True)
class Match:
    """A verified overlap between two documents.

    ``kind`` is ``duplicate`` (whole documents), ``reuse`` (shared passages)
    or ``paraphrase`` (same statement, different words). ``score`` is in
    [0, 1]. Directional measures name their direction: ``a_in_b`` is the
    share of a's shingles (or characters) that are found in b.

    >>> m = Match("reuse", 0.9, MatchSide("a", Span(0, 40)), MatchSide("b", Span(10, 52)), a_in_b=0.5, b_in_a=0.2)
    >>> m.kind, m.a.doc, (m.b.span.start, m.b.span.end)
    ('reuse', 'a', (10, 52))
    """

    __reduce__ = reduce_by_fields

    kind: str
    score: float
    a: MatchSide
    b: MatchSide
    jaccard: float | None = None
    a_in_b: float | None = None
    b_in_a: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Cluster:
    """Documents linked by verified duplicate matches around a representative.

    >>> c = Cluster(0, "a", ("a", "b"), min_jaccard=0.8, mean_jaccard=0.9)
    >>> c.representative, c.members
    ('a', ('a', 'b'))
    """

    id: int
    representative: str
    members: tuple[str, ...]
    min_jaccard: float
    mean_jaccard: float


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """A line treated as boilerplate: it never counts as evidence of reuse."""

    text: str
    source: str | None
    documents: int
    reason: str = "repeated across documents of one source"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that was read but not scanned, and why."""

    doc: str
    reason: str
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimLink:
    """Why a statement is in a claim cluster: the accepted pair that joins it to the cluster's centre.

    ``relation`` is ``paraphrase`` (same statement) or ``claim`` (same
    claim); ``within_document`` says the two statements are in one document
    (a reporter restating a quote).
    """

    score: float
    relation: str
    within_document: bool = False


@dataclass(frozen=True, slots=True)
class ClaimCluster:
    """Statements (sentences or quotes) that say the same thing, across documents.

    A star around an anchor (:func:`overlap.claims.claim_clusters`):
    ``statements[0]`` is the anchor, and every other statement was accepted
    by the model as the same statement or claim as the anchor, by the pair in
    ``links`` (one per statement after the anchor, in the same order); they
    follow in order of their document's date where known (undated last), then
    document id and offset. A statement is in at most one cluster.
    ``documents``, ``sources`` and ``speakers`` list the distinct values in
    statement order; ``first`` is the claim's earliest known publication (the
    statement of the earliest dated document, else the first in that order)
    and ``first_published`` its date; ``min_score``/``mean_score`` are over
    ``links``.
    """

    id: int
    statements: tuple[Passage, ...]
    documents: tuple[str, ...]
    sources: tuple[str, ...]
    speakers: tuple[str, ...]
    first_published: str | None
    min_score: float
    mean_score: float
    links: tuple[ClaimLink, ...] = ()
    first: Passage | None = None

    @property
    def first_publication(self) -> Passage:
        """The statement of the claim's earliest known publication (the anchor when ``first`` is unset)."""
        return self.first or self.statements[0]

    def linked(self) -> list[tuple[Passage, ClaimLink | None]]:
        """Each statement with the link that joins it to the anchor (``None`` for the anchor).

        >>> a, b = Passage("d1", Span(0, 4), "ties"), Passage("d2", Span(0, 4), "ties")
        >>> c = ClaimCluster(1, (a, b), ("d1", "d2"), (), (), None, 0.8, 0.8, (ClaimLink(0.8, "claim"),))
        >>> [(st.doc, link and link.relation) for st, link in c.linked()]
        [('d1', None), ('d2', 'claim')]
        """
        return [(st, self.links[n - 1] if 0 < n <= len(self.links) else None) for n, st in enumerate(self.statements)]


@dataclass(frozen=True, slots=True)
class Decision:
    """The pre-ingest filter's verdict on one document (see :mod:`overlap.index.filter`).

    ``mode`` says how the verdict was reached: ``new`` (nothing indexed
    matches), ``whole`` (exact Jaccard of the shingle sets >= threshold),
    ``containment`` (share of *this* document's shingles found in an earlier
    one >= threshold) or ``id`` (this id is already in the index: the same
    document seen before, e.g. by an earlier run). ``duplicate_of`` is the
    indexed document it duplicates (itself for ``id``), ``None`` when new.
    ``score`` is the best exact similarity to any indexed candidate, in
    [0, 1], measured as ``mode`` says (0.0 when there was no candidate).
    """

    doc: str
    duplicate_of: str | None
    score: float
    mode: str

    @property
    def is_new(self) -> bool:
        return self.duplicate_of is None


class Texts(Protocol):
    """Where a :class:`ScanResult` reads document texts from.

    A live scan reads them from its spill file; a scan read back from its
    folder has only the texts its matches recorded. Both answer the same
    four calls, so renderers never ask which kind of result they hold.
    """

    def text(self, doc_id: str) -> str: ...

    def excerpt(self, doc_id: str, span: Span) -> str: ...

    def boilerplate_spans(self, doc_id: str) -> list[Span]: ...

    def close(self) -> None: ...


@dataclass
class ScanResult:
    """Everything a scan found, plus how it was made: the one result type, live or read back.

    :func:`overlap.scan` returns one whose texts stay in a temporary spill
    file (use :meth:`text` to read one, and :meth:`close` or ``with`` when
    done); :func:`overlap.report.folder.load_scan` returns one read from a scan
    folder, which holds only what the folder keeps: documents named in a
    match, a cluster or the document list, the texts matches recorded, and
    skipped documents as one entry per reason (``doc`` says how many).
    ``claim_clusters`` is ``None`` when the paraphrase tier did not run;
    ``ingest`` is what reading the input reported, when the folder recorded it.

    >>> from overlap.pipeline import scan
    >>> docs = [Document("a", "the same wire story about grain exports rising again this year"),
    ...         Document("b", "the same wire story about grain exports rising again this year")]
    >>> with scan(docs, paraphrase=False) as result:
    ...     m = result.matches[0]
    ...     m.kind, result.text(m.a.doc)[m.a.span.start:m.a.span.start + 8], result.counts["documents_read"]
    ('duplicate', 'the same', 2)
    """

    params: Params
    documents: Sequence[DocumentInfo]
    matches: list[Match]
    clusters: list[Cluster]
    boilerplate: tuple[Boilerplate, ...]
    skipped: list[Skipped]
    counts: dict[str, int]
    timings: dict[str, float]
    lsh: dict[str, Any]
    texts: Texts = field(repr=False)
    claim_clusters: list[ClaimCluster] | None = None
    paraphrase: dict[str, Any] = field(default_factory=dict)
    ingest: Mapping[str, Any] | None = None
    _find: Callable[[str], DocumentInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # a live scan's documents wait in its spill file and find one by its id there
        # (:class:`overlap.spill.SpilledRecords`); a list read back from a folder is indexed here
        find = getattr(self.documents, "find", None)
        self._find = find if find is not None else {d.id: d for d in self.documents}.__getitem__

    def document(self, doc_id: str) -> DocumentInfo:
        """A document's metadata (``KeyError`` for an id the scan does not know)."""
        return self._find(doc_id)

    def text(self, doc_id: str) -> str:
        """The original text of a document (read back: the longest text the folder recorded of it)."""
        return self.texts.text(doc_id)

    def excerpt(self, doc_id: str, span: Span) -> str:
        """The text of a span of a document."""
        return self.texts.excerpt(doc_id, span)

    def boilerplate_spans(self, doc_id: str) -> list[Span]:
        """Spans of a document's text treated as boilerplate (excluded from evidence)."""
        return self.texts.boilerplate_spans(doc_id)

    def close(self) -> None:
        self.texts.close()

    def __enter__(self) -> "ScanResult":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
