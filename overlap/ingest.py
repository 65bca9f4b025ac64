"""Read articles from text files, JSONL, CSV or stdin into :class:`Document` objects.

Ingest is the one place that knows about file formats, so every later stage
sees the same plain :class:`~overlap.model.Document` whatever the input was.
It streams: JSONL and CSV are read a line at a time (``.gz`` through
:func:`gzip.open`), so memory is bounded by the largest record, not the file;
only the set of ids seen so far (to catch duplicates) grows with the input.

Bad input never stops a run silently or with a traceback. A record that
cannot become a document (malformed JSON, no text, duplicate id) is a *bad
record*: skipped with a ``path:line: message`` warning, or raised as
:class:`~overlap.errors.InputError` when the caller asks to fail. Invalid
UTF-8 is decoded with replacement characters and counted, because one
broken byte should not cost the whole article. Dates are normalised to ISO
8601 strings so they sort and compare the same way whatever the source wrote.

Example::

    >>> from overlap.ingest import read_documents, FieldMap, IngestStats
    >>> stats = IngestStats()
    >>> docs = read_documents(["reuters.jsonl.gz"], fields=FieldMap(id="newid", text="body"),
    ...                       stats=stats)
    >>> next(docs).date  # doctest: +SKIP
    '1987-02-26T15:01:01.790'
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import sys
import zlib
from collections import Counter
from dataclasses import dataclass, field, fields as dc_fields, replace
from functools import cached_property
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Literal, Mapping, NamedTuple, Sequence

from .errors import InputError, OverlapError
from .model import Document
from .provenance import INFERRED, infer_source

__all__ = [
    "IngestStats",
    "FieldMap",
    "RecordError",
    "read_documents",
    "iter_jsonl",
    "document_from_record",
    "document_to_record",
    "fallback_id",
    "parse_date",
    "decode_utf8",
    "binary_stdin",
    "parse_json_line",
    "read_text_file",
    "TextFile",
    "FORMATS",
    "SUFFIXES",
]

#: Formats ``fmt`` may name; ``None`` means "decide by the path".
FORMATS = ("jsonl", "csv", "text")
#: File name endings read without ``fmt``, and the format each means.
SUFFIXES = {
    ".txt": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
    ".csv": "csv",
    ".csv.gz": "csv",
}
_TEXT_SUFFIXES = (".txt", ".md")
_STDIN_LABEL = "<stdin>"
_MAX_WARNINGS = 1000
_MAX_FIELDS_FOUND = 200  # distinct field names remembered for the "no document" error
_BOM = b"\xef\xbb\xbf"
# Articles can be long; the csv default of 128 KiB per field is not enough.
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


@dataclass
class IngestStats:
    """Counts for one :func:`read_documents` call, filled in as it streams.

    ``records`` counts every record read (JSONL lines that are not blank, CSV
    rows, text files); ``documents`` those yielded; ``bad_records`` those
    rejected. ``warnings`` keeps the first 1000 ``path:line: message`` lines,
    ``warnings_dropped`` counts the rest so a huge broken file cannot exhaust
    memory through its own error messages.
    """

    files: int = 0
    records: int = 0
    documents: int = 0
    bad_records: int = 0
    decode_errors: int = 0
    dates_unparsed: int = 0
    meta_unmatched: int = 0
    sidecars: list[str] = field(default_factory=list)
    sources_inferred: int = 0
    warnings: list[str] = field(default_factory=list)
    warnings_dropped: int = 0

    def add_warning(self, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self.warnings_dropped += 1


@dataclass(frozen=True)
class FieldMap:
    """Which record field (JSONL key or CSV column) holds each document attribute.

    Reuters-21578, for example, is ``FieldMap(id="newid", text="body")``.
    Fields not named here are passed through in ``Document.meta``.

    >>> from overlap.ingest import document_from_record
    >>> d = document_from_record({"newid": 7, "body": "Grain exports rose.", "topics": ["grain"]},
    ...                          FieldMap(id="newid", text="body"))
    >>> d.id, d.text, d.meta
    ('7', 'Grain exports rose.', {'topics': ['grain']})
    """

    id: str = "id"
    text: str = "text"
    source: str = "source"
    title: str = "title"
    date: str = "date"
    url: str = "url"

    def __post_init__(self) -> None:
        names = [getattr(self, f.name) for f in dc_fields(self)]
        if any(not isinstance(n, str) or not n for n in names):
            raise ValueError(f"FieldMap names must be non-empty strings: {names!r}")
        if len(set(names)) != len(names):
            raise ValueError(f"FieldMap names must be distinct: {names!r}")

    @cached_property
    def names(self) -> frozenset[str]:
        """All six configured field names (computed once: asked for every record)."""
        return frozenset(getattr(self, f.name) for f in dc_fields(self))


class RecordError(OverlapError):
    """A record that cannot become a document; the caller adds path and line."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# ------------------------------------------------------------------ decoding

def decode_utf8(data: bytes) -> tuple[str, int | None]:
    """``data`` as text, with bytes that are not UTF-8 replaced by U+FFFD, never refused.

    The one decoding policy of every reader (text files, JSONL and CSV lines,
    ``compare`` files, ``score`` lines): one broken byte, or an article saved as
    cp1252, should not cost the whole article. Also returns the byte offset of
    the first invalid byte (``None`` when all was UTF-8), for the caller to
    count and report.

    >>> text, bad = decode_utf8(b"caf\\xe9 au lait")
    >>> text == "caf\\ufffd au lait", bad
    (True, 3)
    """
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", "replace"), exc.start


def parse_json_line(text: str) -> Any:
    """One JSON value, or :class:`RecordError` with a one-line reason (the caller adds ``path:line``).

    Catches what :func:`json.loads` raises on hostile lines too: a line of
    100,000 nested brackets exhausts the recursion limit, which must cost
    that line, not the run.

    >>> parse_json_line("[" * 100_000)
    Traceback (most recent call last):
    ...
    overlap.ingest.RecordError: invalid JSON: nested too deeply
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None


class TextFile(NamedTuple):
    """A text file's characters (see :func:`read_text_file`) and where decoding replaced bytes."""

    text: str
    invalid_line: int | None  # 1-based line of the first byte that was not UTF-8, or None


def decode_text_file(data: bytes) -> TextFile:
    """The contents of a text file: a UTF-8 byte-order mark dropped, then :func:`decode_utf8`.

    Line ends stay exactly as they are (no universal newlines), so every
    offset into the text is an offset into the file's characters.
    """
    if data.startswith(_BOM):
        data = data[3:]
    text, bad = decode_utf8(data)
    return TextFile(text, None if bad is None else data.count(b"\n", 0, bad) + 1)


def read_text_file(path: str | os.PathLike[str]) -> TextFile:
    """Read one text file by the one decoding policy; ``OSError`` is the caller's to report."""
    with open(path, "rb") as f:
        return decode_text_file(f.read())


# --------------------------------------------------------------------- dates

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS.update({name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)})
_MONTHS["sept"] = 9
_TIME = r"(?:,?\s+(\d{1,2}):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?)?"
# Each shape is matched by a regex, not tried with strptime: a failed
# strptime costs ~35 us, which a corpus of RFC 2822 dates would pay a dozen
# times per record.
_SHAPES = (
    # Reuters-21578: '26-FEB-1987 15:01:01.79', sometimes with two spaces or
    # SGML debris after it ('27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM').
    ("dmy", re.compile(r"(\d{1,2})-([A-Za-z]{3,9})-(\d{4})" + _TIME + r"(?![\w:.])")),
    # '15 January 2017', '15 Jan. 2017 10:00'
    ("dmy", re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})" + _TIME + r"\s*$")),
    # 'January 15, 2017', 'Jan 15 2017'
    ("mdy", re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})" + _TIME + r"\s*$")),
    # '2017/01/15'
    ("ymd", re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME + r"\s*$")),
    # '15.01.2017' (day first: nobody writes month.day.year)
    ("dmy", re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME + r"\s*$")),
)
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d\d")


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.microsecond == 0:
            spec = "seconds"
        elif value.microsecond % 1000 == 0:
            spec = "milliseconds"
        else:
            spec = "microseconds"
        return value.isoformat(timespec=spec)
    return value.isoformat()


def _from_parts(order: str, groups: tuple[str | None, ...]) -> str | None:
    a, b, c, hh, mm, ss, frac = groups
    assert a is not None and b is not None and c is not None
    if order == "dmy":
        day, month, year = a, b, c
    elif order == "mdy":
        month, day, year = a, b, c
    else:
        year, month, day = a, b, c
    if month.isdigit():
        mon = int(month)
    else:
        mon = _MONTHS.get(month.lower(), 0)
        if not mon:
            return None
    try:
        d = date(int(year), mon, int(day))
        if hh is None:
            return d.isoformat()
        return _iso(datetime(d.year, d.month, d.day, int(hh), int(mm or 0), int(ss or 0),
                             int((frac or "0").ljust(6, "0"))))
    except ValueError:
        return None


def parse_date(value: str) -> str | None:
    """Return ``value`` as an ISO 8601 date or date-time string, or ``None``.

    Accepts ISO 8601, Reuters (``26-FEB-1987 15:01:01.79``), RFC 2822,
    ``January 15, 2017``, ``15 January 2017``, ``2017/01/15`` and
    ``15.01.2017``. A time zone, when given, is kept (``+00:00`` for ``Z``
    and ``GMT``); a date without a time stays a date, so nothing is invented.

    >>> parse_date("26-FEB-1987 15:01:01.79")
    '1987-02-26T15:01:01.790'
    >>> parse_date("Sun, 15 Jan 2017 10:00:00 GMT")
    '2017-01-15T10:00:00+00:00'
    >>> parse_date("January 15, 2017")
    '2017-01-15'
    >>> parse_date("last Tuesday") is None
    True
    """
    s = value.strip()
    if not s:
        return None
    if s[0].isdigit() and len(s) >= 8 and s[4:5] == "-":
        if len(s) <= 10:
            try:
                return date.fromisoformat(s).isoformat()
            except ValueError:
                pass
        try:
            return _iso(datetime.fromisoformat(s))
        except ValueError:
            pass
    if _RFC2822.match(s):
        try:
            return _iso(parsedate_to_datetime(s))
        except (ValueError, TypeError, IndexError, OverflowError):
            pass
    for order, shape in _SHAPES:
        m = shape.match(s)
        if m:
            return _from_parts(order, m.groups())
    return None


# ------------------------------------------------------------------ records

def _text_value(value: Any, name: str) -> str | None:
    """An optional string attribute: strings kept, scalars stringified, blanks dropped."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    raise RecordError(f"field {name!r} must be a string, got {type(value).__name__}")


def fallback_id(origin: str) -> str:
    """The id of a record that has none: its file's name and line (``'feed.jsonl:5'``), from ``origin``.

    Public because the filter must recognise such ids: a persistent index may not remember them.

    >>> fallback_id("/data/feed.jsonl:5")
    'feed.jsonl:5'
    """
    path, sep, line = origin.rpartition(":")
    if not sep:
        return os.path.basename(origin)
    return f"{os.path.basename(path) or path}:{line}"


def _build(obj: Mapping[str, Any], fields: FieldMap, origin: str,
           warnings: list[str] | None) -> Document:
    if fields.text not in obj:
        raise RecordError(f"no {fields.text!r} field")
    text = obj[fields.text]
    if text is None:
        # A record whose text is null (Reuters items without a body) is an
        # empty article, not a broken line: the pipeline counts it as skipped.
        text = ""
    elif not isinstance(text, str):
        raise RecordError(f"field {fields.text!r} must be a string, got {type(text).__name__}")
    raw_id = obj.get(fields.id)
    if raw_id is None or raw_id == "":
        doc_id = fallback_id(origin)
    elif isinstance(raw_id, str):
        doc_id = raw_id
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        doc_id = str(raw_id)
    elif isinstance(raw_id, float) and raw_id.is_integer():
        doc_id = str(int(raw_id))
    else:
        raise RecordError(f"field {fields.id!r} must be a string or an integer, got {raw_id!r}")
    names = fields.names
    meta = {k: v for k, v in obj.items() if k not in names}
    source = _text_value(obj.get(fields.source), fields.source)
    title = _text_value(obj.get(fields.title), fields.title)
    url = _text_value(obj.get(fields.url), fields.url)
    published = None
    raw_date = obj.get(fields.date)
    if raw_date is not None and raw_date != "":
        raw_str = raw_date if isinstance(raw_date, str) else str(raw_date)
        published = parse_date(raw_str)
        if published != raw_date:
            # Kept so the record can be written back as it came
            # (document_to_record), and so an unparsed date is not lost.
            meta["date_raw"] = raw_date
        if published is None and warnings is not None:
            warnings.append(f"unparseable date {raw_str[:80]!r} in field {fields.date!r}")
    return Document(id=doc_id, text=text, source=source, title=title, date=published,
                    url=url, meta=meta, origin=origin)


def document_from_record(obj: Mapping[str, Any], fields: FieldMap = FieldMap(),
                         origin: str = "", *,
                         on_warning: Callable[[str], None] | None = None) -> Document:
    """Turn one parsed record (a JSON object or CSV row) into a :class:`Document`.

    Fields named by ``fields`` become attributes; every other field goes to
    ``meta``. A missing id becomes ``'<file name>:<line>'`` from ``origin``;
    an integer id becomes its decimal string. A date that cannot be parsed is
    kept as ``meta['date_raw']`` with ``date=None`` and reported through
    ``on_warning`` as ``'origin: message'``. Raises :class:`RecordError` when
    the record cannot be a document (no text field, text not a string).

    >>> document_from_record({"newid": 7, "body": "Hi."}, FieldMap(id="newid", text="body"),
    ...                      "r.jsonl:7").id
    '7'
    """
    if not isinstance(obj, Mapping):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    warnings: list[str] = []
    doc = _build(obj, fields, origin, warnings)
    if on_warning is not None:
        for w in warnings:
            on_warning(f"{origin}: {w}")
    return doc


def document_to_record(doc: Document, fields: FieldMap = FieldMap()) -> dict[str, Any]:
    """Rebuild the record a document was read from, for writing it back as JSONL.

    The configured fields come first, then ``meta`` as read. The date is
    written as the input had it when known (``meta['date_raw']``), else as
    ``date``. Ids are written as strings and a null text as ``""``.
    A document read with ``keep_records=True`` gives back its record as it
    came instead (a copy), types and key order included.

    >>> document_to_record(Document(id="a", text="x", meta={"lang": "en"}))
    {'id': 'a', 'text': 'x', 'lang': 'en'}
    """
    if doc.record is not None:
        return dict(doc.record)
    rec: dict[str, Any] = {fields.id: doc.id, fields.text: doc.text}
    for name, value in ((fields.source, doc.source), (fields.title, doc.title)):
        if value is not None:
            rec[name] = value
    meta = dict(doc.meta)
    raw_date = meta.pop("date_raw", None)
    if raw_date is not None:
        rec[fields.date] = raw_date
    elif doc.date is not None:
        rec[fields.date] = doc.date
    if doc.url is not None:
        rec[fields.url] = doc.url
    for k, v in meta.items():
        rec.setdefault(k, v)
    return rec


# ------------------------------------------------------------------ context

class _Context:
    """Shared state of one read: error policy, counts, ids seen, sidecar."""

    def __init__(self, fields: FieldMap, on_error: str, stats: IngestStats,
                 on_warning: Callable[[str], None] | None,
                 seen: dict[str, int] | None, keep_records: bool = False) -> None:
        if on_error not in ("skip", "fail"):
            raise ValueError(f"on_error must be 'skip' or 'fail', got {on_error!r}")
        self.fields = fields
        self.on_error = on_error
        self.stats = stats
        self.on_warning = on_warning
        self.seen = seen
        self.keep_records = keep_records
        self.labels: list[str] = []
        self.sidecar: dict[str, dict[str, Any]] | None = None
        self.sidecar_used: set[str] = set()
        self.infer_sources = False
        self.records = 0  # records offered as documents (not sidecar rows), and documents made of them
        self.documents = 0
        self.missing_text = 0  # records without the text field, and the field names they have
        self.fields_found: Counter[str] = Counter()

    def warn(self, label: str, line: int | None, message: str) -> None:
        text = f"{label}:{line}: {message}" if line is not None else f"{label}: {message}"
        self.stats.add_warning(text)
        if self.on_warning is not None:
            self.on_warning(text)

    def bad(self, label: str, line: int | None, message: str) -> None:
        self.stats.bad_records += 1
        if self.on_error == "fail":
            raise InputError(label, line, message)
        self.warn(label, line, message)

    def decode(self, raw: bytes | str, label: str, line: int) -> str:
        if isinstance(raw, str):
            if raw.isascii():
                return raw
            try:
                raw.encode("utf-8")
                return raw
            except UnicodeEncodeError:
                # A text stream opened with surrogateescape (sys.stdin under a
                # C locale) hands invalid bytes over as lone surrogates.
                raw = raw.encode("utf-8", "surrogateescape")
        text, bad = decode_utf8(raw)
        if bad is not None:
            self.stats.decode_errors += 1
            self.warn(label, line, f"invalid UTF-8 at byte offset {bad}, decoded with replacement")
        return text

    def new_input(self, label: str) -> int:
        self.labels.append(label)
        self.stats.files += 1
        return len(self.labels) - 1

    def emit(self, obj: Mapping[str, Any], label: str, line: int | None,
             input_no: int) -> Document | None:
        """Build, check and count one document; ``None`` if it was bad and skipped."""
        origin = f"{label}:{line}" if line is not None else label
        warnings: list[str] = []
        self.records += 1
        try:
            doc = _build(obj, self.fields, origin, warnings)
        except RecordError as exc:
            if self.fields.text not in obj:
                self.missing_text += 1
                if len(self.fields_found) < _MAX_FIELDS_FOUND:
                    self.fields_found.update(obj.keys())
            self.bad(label, line, exc.message)
            return None
        if self.keep_records:
            doc = replace(doc, record=obj)
        if self.seen is not None:
            first = self.seen.get(doc.id)
            if first is not None:
                first_no, first_line = divmod(first, 1 << 40)
                where = self.labels[first_no] + (f":{first_line}" if first_line else "")
                self.bad(label, line, f"duplicate id {doc.id!r} (first at {where})")
                return None
            self.seen[doc.id] = (input_no << 40) | (line or 0)
        if self.sidecar is not None:
            extra = self.sidecar.get(doc.id)
            if extra is not None:
                self.sidecar_used.add(doc.id)
                doc = _override(doc, extra)
        if self.infer_sources and doc.source is None:
            stated = infer_source(doc.text)
            if stated is not None:
                self.stats.sources_inferred += 1
                doc = replace(doc, source=stated[0] + INFERRED, meta={**doc.meta, "source_evidence": stated[1]})
        for w in warnings:
            if w.startswith("unparseable date"):
                self.stats.dates_unparsed += 1
            self.warn(label, line, w)
        self.stats.documents += 1
        self.documents += 1
        return doc

    def finish(self) -> None:
        """Fail a read in which records came and none made a document (a wrong text field, say).

        Every record was already skipped with a warning; ending with exit 0 and
        an empty report would look like a clean run with nothing in it. The
        error names the fields the records do have, so the right one is easy
        to pick.
        """
        if not self.records or self.documents:
            return
        where = self.labels[0] + (f" (and {len(self.labels) - 1} more inputs)" if len(self.labels) > 1 else "")
        n = f"{self.records:,} record{'s' if self.records != 1 else ''}"
        if not self.missing_text:
            raise InputError(where, None, f"no document read: all {n} were bad (see the warnings)")
        found = ", ".join(repr(k) for k, _ in self.fields_found.most_common(12)) or "none"
        more = ", ..." if len(self.fields_found) > 12 else ""
        lacking = "none" if self.missing_text == self.records else f"{self.missing_text:,}"
        raise InputError(where, None, f"no document read: {lacking} of the {n} has the text field "
                                      f"{self.fields.text!r}; the fields they have: {found}{more}")


def _override(doc: Document, extra: Mapping[str, Any]) -> Document:
    """Fill or override source, title, url and date from the sidecar."""
    meta = doc.meta
    if "date" in extra:
        meta = {k: v for k, v in meta.items() if k != "date_raw"}
        if "date_raw" in extra:
            meta["date_raw"] = extra["date_raw"]
    return Document(id=doc.id, text=doc.text, source=extra.get("source", doc.source),
                    title=extra.get("title", doc.title),
                    date=extra.get("date", doc.date),
                    url=extra.get("url", doc.url), meta=meta, origin=doc.origin, record=doc.record)


# ------------------------------------------------------------------ readers

def _jsonl_objects(lines: Iterable[bytes | str], label: str,
                   ctx: _Context) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, object) per non-blank line; ``None`` after reporting a bad line."""
    for n, raw in enumerate(lines, 1):
        if n == 1:
            if isinstance(raw, bytes) and raw.startswith(_BOM):
                raw = raw[3:]
            elif isinstance(raw, str) and raw.startswith("\ufeff"):
                raw = raw[1:]
        if not raw.strip():
            continue
        ctx.stats.records += 1
        text = ctx.decode(raw, label, n).rstrip("\r\n")
        try:
            obj = parse_json_line(text)
        except RecordError as exc:
            ctx.bad(label, n, exc.message)
            yield n, None
            continue
        if not isinstance(obj, dict):
            ctx.bad(label, n, f"expected a JSON object, got {type(obj).__name__}")
            yield n, None
            continue
        yield n, obj


class _CountingLines:
    """Decoded lines for :mod:`csv` that remember the physical line number."""

    def __init__(self, lines: Iterable[bytes | str], label: str, ctx: _Context) -> None:
        self._lines = iter(lines)
        self.label = label
        self.ctx = ctx
        self.line = 0

    def __iter__(self) -> "_CountingLines":
        return self

    def __next__(self) -> str:
        raw = next(self._lines)
        self.line += 1
        if self.line == 1:
            if isinstance(raw, bytes) and raw.startswith(_BOM):
                raw = raw[3:]
            elif isinstance(raw, str) and raw.startswith("\ufeff"):
                raw = raw[1:]
        return self.ctx.decode(raw, self.label, self.line)


def _csv_objects(lines: Iterable[bytes | str], label: str, ctx: _Context,
                 required: str | None) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(starting line, row as dict) per CSV record; the header row is required."""
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    source = _CountingLines(lines, label, ctx)
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(label, None, "empty file, expected a header row") from None
    except csv.Error as exc:
        raise InputError(label, 1, f"cannot parse the header row: {exc}") from None
    seen_cols: set[str] = set()
    for col in header:
        if col in seen_cols:
            raise InputError(label, 1, f"duplicate column {col!r} in the header row")
        seen_cols.add(col)
    if required is not None and required not in seen_cols:
        found = ", ".join(repr(c) for c in header) or "none"
        raise InputError(label, 1, f"no {required!r} column; columns found: {found}")
    while True:
        start = source.line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            ctx.stats.records += 1
            ctx.bad(label, start, f"invalid CSV: {exc}")
            yield start, None
            continue
        if not row:
            continue
        ctx.stats.records += 1
        if len(row) != len(header):
            ctx.bad(label, start, f"expected {len(header)} fields as in the header, found {len(row)}")
            yield start, None
            continue
        obj: dict[str, Any] = {}
        for col, value in zip(header, row):
            obj[col] = value if value != "" or col == required else None
        yield start, obj


def _open_binary(path: Path, label: str) -> IO[bytes]:
    try:
        if path.name.lower().endswith(".gz"):
            return gzip.open(path, "rb")
        return open(path, "rb")
    except OSError as exc:
        raise InputError(label, None, f"cannot read: {exc.strerror or exc}") from None


def _records(stream: IO[bytes], fmt: str, label: str, ctx: _Context,
             required: str | None) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """Records of one open stream, turning read failures into :class:`InputError`."""
    objects = _jsonl_objects(stream, label, ctx) if fmt == "jsonl" else \
        _csv_objects(stream, label, ctx, required)
    last = 0
    try:
        for last, obj in objects:
            yield last, obj
    except (OSError, EOFError, zlib.error) as exc:
        where = last + 1 if last else None
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise InputError(label, where, f"cannot read: {reason}") from None


def _text_document(content: TextFile, doc_id: str, label: str, ctx: _Context,
                   input_no: int, fields: Mapping[str, Any] | None = None) -> Document | None:
    ctx.stats.records += 1
    if content.invalid_line is not None:
        ctx.stats.decode_errors += 1
        ctx.warn(label, content.invalid_line, "invalid UTF-8, decoded with replacement")
    obj = {**(fields or {}), ctx.fields.id: doc_id, ctx.fields.text: content.text}
    return ctx.emit(obj, label, None, input_no)


def _read_text(path: Path, label: str) -> TextFile:
    try:
        return read_text_file(path)
    except OSError as exc:
        raise InputError(label, None, f"cannot read: {exc.strerror or exc}") from None


def _walk_text_files(root: Path, label: str) -> list[tuple[str, Path]]:
    """(relative posix path, path) of every visible .txt/.md file, sorted."""
    found: list[tuple[str, Path]] = []

    def onerror(exc: OSError) -> None:
        raise InputError(exc.filename or label, None, f"cannot read: {exc.strerror or exc}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or not name.lower().endswith(_TEXT_SUFFIXES):
                continue
            full = Path(dirpath) / name
            found.append((full.relative_to(root).as_posix(), full))
    found.sort(key=lambda item: item[0])
    return found


def _suffix_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return SUFFIXES[suffix]
    return None


def _expected() -> str:
    return "directory, " + ", ".join(SUFFIXES) + ", - (stdin)"


def _plan(inputs: Sequence[str | Path], fmt: str | None) -> list[tuple[str, str, Path | None]]:
    """Check every input before reading any: (label, kind, path) per input."""
    plan: list[tuple[str, str, Path | None]] = []
    for item in inputs:
        label = os.fspath(item)
        if label == "-":
            plan.append((_STDIN_LABEL, fmt or "jsonl", None))
            continue
        path = Path(item)
        try:
            is_dir = path.is_dir()
            if not is_dir:
                path.stat()
        except OSError as exc:
            raise InputError(label, None, f"cannot read: {exc.strerror or exc}") from None
        if not os.access(path, os.R_OK | (os.X_OK if is_dir else 0)):
            raise InputError(label, None, "cannot read: Permission denied")
        if is_dir:
            plan.append((label, "dir", path))
            continue
        kind = fmt or _suffix_format(path)
        if kind is None:
            raise InputError(label, None, f"unknown input format; expected one of: {_expected()}")
        plan.append((label, kind, path))
    return plan


def _load_sidecar(meta: str | Path, ctx: _Context) -> dict[str, dict[str, Any]]:
    """id -> {source, title, url, date, date_raw} from a CSV or JSONL sidecar."""
    label = os.fspath(meta)
    path = Path(meta)
    kind = _suffix_format(path)
    if kind not in ("jsonl", "csv"):
        raise InputError(label, None,
                         "unknown metadata format; expected one of: .jsonl, .ndjson, .csv (.gz)")
    f = ctx.fields
    table: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    records = ctx.stats.records  # sidecar rows are not article records
    with _open_binary(path, label) as stream:
        for line, obj in _records(stream, kind, label, ctx, f.id):
            if obj is None:
                continue
            raw_id = obj.get(f.id)
            if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or raw_id == "":
                ctx.bad(label, line, f"no usable {f.id!r} value")
                continue
            doc_id = str(raw_id)
            if doc_id in first_line:
                ctx.bad(label, line, f"duplicate id {doc_id!r} (first at {label}:{first_line[doc_id]})")
                continue
            first_line[doc_id] = line
            entry: dict[str, Any] = {}
            try:
                for attr, name in (("source", f.source), ("title", f.title), ("url", f.url)):
                    value = _text_value(obj.get(name), name)
                    if value is not None:
                        entry[attr] = value
            except RecordError as exc:
                ctx.bad(label, line, exc.message)
                continue
            raw_date = obj.get(f.date)
            if raw_date is not None and raw_date != "":
                raw_str = raw_date if isinstance(raw_date, str) else str(raw_date)
                published = parse_date(raw_str)
                if published is None:
                    ctx.stats.dates_unparsed += 1
                    ctx.warn(label, line, f"unparseable date {raw_str[:80]!r} in field {f.date!r}; "
                                          "the record's own date is kept")
                else:
                    entry["date"] = published
                    if published != raw_date:
                        entry["date_raw"] = raw_date
            table[doc_id] = entry
    ctx.stats.records = records
    return table


FOLDER_SIDECARS = ("metadata.csv", "metadata.jsonl")


def _folder_sidecar(root: Path, label: str, ctx: _Context) -> dict[str, dict[str, Any]]:
    """The record fields of a text folder's own ``metadata.csv``/``metadata.jsonl``, by file id.

    Text files carry no metadata, so a folder may hold one sidecar beside
    them, keyed by the files' relative paths (the document ids). Its fields
    count as the files' own: an explicit ``--meta`` sidecar still overrides
    them. Where it was found is recorded in ``IngestStats.sidecars`` so the
    report names where sources and dates came from.
    """
    found = [root / name for name in FOLDER_SIDECARS if (root / name).is_file()]
    if not found:
        return {}
    if len(found) > 1:
        raise InputError(label, None, f"both {FOLDER_SIDECARS[0]} and {FOLDER_SIDECARS[1]}: keep one")
    path = found[0]
    side_label = os.path.join(label, path.name)
    f = ctx.fields
    table: dict[str, dict[str, Any]] = {}
    records = ctx.stats.records  # sidecar rows are not article records
    with _open_binary(path, side_label) as stream:
        for line, obj in _records(stream, _suffix_format(path) or "csv", side_label, ctx, f.id):
            if obj is None:
                continue
            raw_id = obj.get(f.id)
            if not isinstance(raw_id, str) or not raw_id:
                ctx.bad(side_label, line, f"no usable {f.id!r} value")
                continue
            if raw_id in table:
                ctx.bad(side_label, line, f"duplicate id {raw_id!r}")
                continue
            table[raw_id] = {k: v for k, v in obj.items() if k not in (f.id, f.text) and v not in (None, "")}
    ctx.stats.records = records
    ctx.stats.sidecars.append(side_label)
    return table


def binary_stdin(stdin: IO | None = None, label: str = _STDIN_LABEL) -> IO:
    """The byte stream under ``stdin`` (default ``sys.stdin``); :class:`InputError` when it is closed."""
    stream = sys.stdin if stdin is None else stdin
    if stream is None or getattr(stream, "closed", False):
        # Python sets sys.stdin to None when file descriptor 0 is closed (``<&-``)
        raise InputError(label, None, "cannot read: standard input is closed")
    return getattr(stream, "buffer", stream)


def read_documents(inputs: Sequence[str | Path], *, fmt: str | None = None,
                   fields: FieldMap = FieldMap(), meta: str | Path | None = None,
                   on_error: Literal["skip", "fail"] = "skip",
                   stats: IngestStats | None = None,
                   on_warning: Callable[[str], None] | None = None,
                   stdin: IO | None = None, infer_sources: bool = True,
                   keep_records: bool = False) -> Iterator[Document]:
    """Stream the documents of every input, one input after another.

    An input is a directory (every visible ``.txt``/``.md`` file below it,
    sorted by relative path, which is also the id), a single ``.txt``/``.md``
    file (id: its file name), ``.jsonl``/``.ndjson`` (optionally ``.gz``),
    ``.csv`` (optionally ``.gz``) or ``-`` for stdin (JSONL unless ``fmt`` is
    ``'csv'`` or ``'text'``). ``fmt`` forces the format of files and stdin.

    A directory may hold its own sidecar, ``metadata.csv`` or
    ``metadata.jsonl`` keyed by the files' ids, whose fields count as the
    files' own (so the bundled ``seeds/`` carry their outlets).
    ``meta`` names a CSV or JSONL sidecar keyed by id whose source, date,
    title and url fill or override those of the documents. A document still
    without a source gets the outlet its text states, if any, marked
    ``"NAME (inferred)"`` (:mod:`overlap.provenance`; ``infer_sources=False``
    turns that off). Bad records are
    skipped with a warning (``on_error='skip'``) or raised as
    :class:`InputError` (``'fail'``). Counts go into ``stats``.
    ``keep_records=True`` keeps each parsed record in ``Document.record``
    (for writing it back unchanged; costs the memory of the records).

    Every input is checked before the first document is yielded, so a
    mistyped path fails at once rather than after an hour of reading.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("The text of an article.")
    >>> _ = (folder / "metadata.csv").write_text("id,source,date\\na.txt,TASS,15 January 2017\\n")
    >>> [(d.id, d.source, d.date) for d in read_documents([folder])]
    [('a.txt', 'TASS', '2017-01-15')]
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS} or None, got {fmt!r}")
    if isinstance(inputs, (str, Path)):
        raise ValueError("inputs must be a sequence of paths, not a single path")
    return _read(list(inputs), fmt, fields, meta, on_error,
                 stats if stats is not None else IngestStats(), on_warning, stdin, infer_sources,
                 keep_records)


def _read(inputs: list[str | Path], fmt: str | None, fields: FieldMap,
          meta: str | Path | None, on_error: str, stats: IngestStats,
          on_warning: Callable[[str], None] | None, stdin: IO | None,
          infer_sources: bool = True, keep_records: bool = False) -> Iterator[Document]:
    ctx = _Context(fields, on_error, stats, on_warning, seen={}, keep_records=keep_records)
    ctx.infer_sources = infer_sources
    plan = _plan(inputs, fmt)
    if meta is not None:
        ctx.sidecar = _load_sidecar(meta, ctx)
    for label, kind, path in plan:
        if kind == "dir":
            assert path is not None
            files = _walk_text_files(path, label)
            if not files:
                raise InputError(label, None, "no .txt or .md files found")
            folder_meta = _folder_sidecar(path, label, ctx)
            for rel, full in files:
                file_label = os.path.join(label, *rel.split("/"))
                no = ctx.new_input(file_label)
                doc = _text_document(_read_text(full, file_label), rel, file_label, ctx, no,
                                     folder_meta.pop(rel, None))
                if doc is not None:
                    yield doc
            if folder_meta:
                shown = ", ".join(repr(k) for k in list(folder_meta)[:3])
                ctx.warn(ctx.stats.sidecars[-1], None,
                         f"{len(folder_meta)} ids match no file ({shown}{', ...' if len(folder_meta) > 3 else ''})")
        elif kind == "text":
            no = ctx.new_input(label)
            if path is None:
                data = binary_stdin(stdin, label).read()
                if isinstance(data, str):
                    data = data.encode("utf-8", "surrogateescape")
                content, doc_id = decode_text_file(data), "stdin"
            else:
                content, doc_id = _read_text(path, label), path.name
            doc = _text_document(content, doc_id, label, ctx, no)
            if doc is not None:
                yield doc
        else:
            no = ctx.new_input(label)
            if path is None:
                stream = binary_stdin(stdin, label)
                for line, obj in _records(stream, kind, label, ctx, fields.text):
                    if obj is not None:
                        doc = ctx.emit(obj, label, line, no)
                        if doc is not None:
                            yield doc
            else:
                with _open_binary(path, label) as stream:
                    for line, obj in _records(stream, kind, label, ctx, fields.text):
                        if obj is not None:
                            doc = ctx.emit(obj, label, line, no)
                            if doc is not None:
                                yield doc
    ctx.finish()
    if ctx.sidecar is not None and meta is not None:
        unmatched = [k for k in ctx.sidecar if k not in ctx.sidecar_used]
        stats.meta_unmatched = len(unmatched)
        if unmatched:
            shown = ", ".join(repr(k) for k in unmatched[:3])
            more = ", ..." if len(unmatched) > 3 else ""
            ctx.warn(os.fspath(meta), None,
                     f"{len(unmatched)} ids never matched a document ({shown}{more})")


def iter_jsonl(stream: Iterable[bytes | str], label: str, fields: FieldMap = FieldMap(),
               on_error: Literal["skip", "fail"] = "skip", stats: IngestStats | None = None,
               on_warning: Callable[[str], None] | None = None, *,
               check_duplicates: bool = False, keep_records: bool = False) -> Iterator[Document]:
    """Yield documents from JSONL lines as they arrive, for streaming filters.

    ``stream`` is any iterable of lines, bytes or str (``sys.stdin``,
    ``sys.stdin.buffer``, an open file); nothing is read beyond the line
    whose document is being yielded, so a filter can answer each record
    before the next one is typed. ``label`` names the stream in messages.
    Duplicate ids are only checked when asked, since the set of ids seen
    grows without bound on an endless stream.

    >>> [d.id for d in iter_jsonl(['{"id": "a", "text": "x"}\\n'], "<stdin>")]
    ['a']
    """
    ctx = _Context(fields, on_error, stats if stats is not None else IngestStats(), on_warning,
                   seen={} if check_duplicates else None, keep_records=keep_records)
    no = ctx.new_input(label)
    for line, obj in _jsonl_objects(stream, label, ctx):
        if obj is not None:
            doc = ctx.emit(obj, label, line, no)
            if doc is not None:
                yield doc
    ctx.finish()
