"""Read a finished scan directory back, so reports and graphs re-render without rescanning.

A scan directory holds what :func:`overlap.report.write_scan` wrote:

=================  ==========================================================
``matches.jsonl``  every match with both sides' spans, text, source, date,
                   title (and url when known): the evidence
``clusters.json``  duplicate clusters, with member metadata
``summary.json``   counts, parameters, LSH settings, boilerplate (first 100),
                   skipped documents by reason, ingest counts
=================  ==========================================================

:func:`load_scan` turns them into a :class:`FinishedScan`, which offers the
parts of :class:`~overlap.pipeline.ScanResult` that renderers use
(``matches``, ``clusters``, ``documents``, ``document()``, ``excerpt()``,
``counts``, ``params``, ``boilerplate``, ``skipped``). What the files do not
keep is not invented: documents are only those named in a match or a cluster,
full texts only those a whole-document match carried, skipped documents only
as counts per reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from .errors import InputError
from .model import Boilerplate, Cluster, Match, MatchSide, Skipped, Span

__all__ = ["FinishedScan", "DocInfo", "load_scan", "render_report", "render_html_report", "write_report_pages",
           "write_graphs", "REQUIRED_FILES", "REPORT_FORMATS"]

REQUIRED_FILES = ("matches.jsonl", "clusters.json", "summary.json")


@dataclass(slots=True)
class DocInfo:
    """Metadata of a document as a scan directory records it."""

    id: str
    source: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    length: int | None = None
    words: int | None = None


class _Params:
    """The recorded parameters, with the ``to_dict()`` that renderers call."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._data))


@dataclass
class FinishedScan:
    """A scan read back from its directory (see the module docstring for what it holds)."""

    path: Path
    matches: list[Match]
    clusters: list[Cluster]
    summary: dict[str, Any]
    _docs: dict[str, DocInfo] = field(repr=False)
    _texts: dict[tuple[str, int, int], str] = field(repr=False)
    claim_clusters: list[Any] | None = None
    _spans_of: dict[str, list[tuple[str, int, int]]] | None = field(default=None, repr=False)

    @property
    def documents(self) -> list[DocInfo]:
        return list(self._docs.values())

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.summary.get("counts", {}))

    @property
    def params(self) -> _Params:
        return _Params(self.summary.get("parameters", {}))

    @property
    def lsh(self) -> dict[str, Any]:
        return dict(self.summary.get("lsh", {}))

    @property
    def timings(self) -> dict[str, float]:
        return dict(self.summary.get("timings_seconds", {}))

    @property
    def boilerplate(self) -> tuple[Boilerplate, ...]:
        return tuple(
            Boilerplate(b["text"], b.get("source"), int(b.get("documents", 0)), b.get("reason", ""))
            for b in self.summary.get("boilerplate", [])
        )

    @property
    def skipped(self) -> list[Skipped]:
        """Skipped documents as the summary keeps them: one entry per reason with its count."""
        return [Skipped(f"{n} documents", reason) for reason, n in self.summary.get("skipped_by_reason", {}).items()]

    def document(self, doc_id: str) -> DocInfo:
        return self._docs[doc_id]

    def excerpt(self, doc_id: str, span: Span) -> str:
        """The text of a span that a match recorded (``KeyError`` for any other span)."""
        return self._texts[(doc_id, span.start, span.end)]

    def text(self, doc_id: str) -> str:
        """The whole text when a whole-document match recorded it, else the longest recorded span."""
        doc = self._docs[doc_id]
        if self._spans_of is None:
            self._spans_of = {}
            for key in self._texts:
                self._spans_of.setdefault(key[0], []).append(key)
        best = ""
        for key in self._spans_of.get(doc_id, ()):
            text = self._texts[key]
            if key[1] == 0 and doc.length is not None and key[2] == doc.length:
                return text
            if len(text) > len(best):
                best = text
        return best

    def close(self) -> None:
        """Nothing to release; present so a FinishedScan can stand in for a ScanResult."""

    def __enter__(self) -> "FinishedScan":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), None, "missing: not a finished scan directory "
                         f"(expected {', '.join(REQUIRED_FILES)})") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), exc.lineno, f"invalid JSON: {exc.msg}") from None


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        f = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), None, "missing: not a finished scan directory "
                         f"(expected {', '.join(REQUIRED_FILES)})") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    with f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(path), n, f"invalid JSON: {exc.msg}") from None
            if not isinstance(obj, dict):
                raise InputError(str(path), n, "expected a JSON object")
            yield n, obj


def _optional_float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def load_scan(directory: str | Path) -> FinishedScan:
    """Read ``matches.jsonl``, ``clusters.json`` and ``summary.json`` from a scan directory.

    Raises :class:`~overlap.errors.InputError` naming the file (and line)
    when one is missing or malformed.

    >>> import tempfile
    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> from overlap.report import write_scan
    >>> out = tempfile.mkdtemp()
    >>> docs = [Document(f"d{i}", "the same wire story about grain exports rising again this year") for i in range(2)]
    >>> with scan(docs) as result:
    ...     _ = write_scan(result, out)
    >>> [m.kind for m in load_scan(out).matches]
    ['duplicate']
    """
    root = Path(directory)
    if not root.is_dir():
        raise InputError(str(root), None, "not a directory (expected a finished scan's output directory)")
    summary = _read_json(root / "summary.json")
    if not isinstance(summary, dict):
        raise InputError(str(root / "summary.json"), None, "expected a JSON object")
    docs: dict[str, DocInfo] = {}
    texts: dict[tuple[str, int, int], str] = {}
    matches: list[Match] = []

    def note(side: Mapping[str, Any], path: Path, line: int | None) -> MatchSide:
        try:
            doc_id = str(side["doc"])
            span = Span(int(side.get("start", 0)), int(side.get("end", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(str(path), line, f"bad match side: {exc}") from None
        info = docs.get(doc_id)
        if info is None:
            info = docs[doc_id] = DocInfo(doc_id)
        for attr, key in (("source", "source"), ("title", "title"), ("date", "date"), ("url", "url")):
            if getattr(info, attr) is None and side.get(key) is not None:
                setattr(info, attr, str(side[key]))
        if "text" in side and isinstance(side["text"], str):
            texts[(doc_id, span.start, span.end)] = side["text"]
        return MatchSide(doc_id, span)

    path = root / "matches.jsonl"
    for n, rec in _iter_jsonl(path):
        try:
            a = note(rec["a"], path, n)
            b = note(rec["b"], path, n)
            match = Match(
                kind=str(rec["kind"]), score=float(rec["score"]), a=a, b=b,
                jaccard=_optional_float(rec.get("jaccard")), a_in_b=_optional_float(rec.get("a_in_b")),
                b_in_a=_optional_float(rec.get("b_in_a")), details=dict(rec.get("details") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(str(path), n, f"bad match record: missing or invalid {exc}") from None
        if match.kind == "duplicate" and match.a.span.start == 0:
            for side in (match.a, match.b):
                if docs[side.doc].length is None:
                    docs[side.doc].length = side.span.end
        matches.append(match)

    cpath = root / "clusters.json"
    cdoc = _read_json(cpath)
    clusters: list[Cluster] = []
    try:
        for c in cdoc.get("clusters", []):
            for m in c.get("member_details", []):
                info = docs.setdefault(str(m["doc"]), DocInfo(str(m["doc"])))
                info.source = info.source or m.get("source")
                info.title = info.title or m.get("title")
                info.date = info.date or m.get("date")
            for member in c["members"]:
                docs.setdefault(str(member), DocInfo(str(member)))
            clusters.append(Cluster(int(c["id"]), str(c["representative"]), tuple(str(x) for x in c["members"]),
                                    float(c.get("min_jaccard", 0.0)), float(c.get("mean_jaccard", 0.0))))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(str(cpath), None, f"bad cluster record: {exc}") from None
    for m in cdoc.get("documents", []) if isinstance(cdoc, dict) else []:
        if isinstance(m, dict) and "doc" in m:
            info = docs.setdefault(str(m["doc"]), DocInfo(str(m["doc"])))
            info.source = info.source or m.get("source")
            info.title = info.title or m.get("title")
            info.date = info.date or m.get("date")
            for key in ("words", "length"):
                if isinstance(m.get(key), int) and not isinstance(m.get(key), bool):
                    setattr(info, key, m[key])
    claims = cdoc.get("claim_clusters") if isinstance(cdoc, dict) else None
    return FinishedScan(root, matches, clusters, summary, docs, texts,
                        claim_clusters=claims if isinstance(claims, list) else None)


REPORT_FORMATS = ("md", "html", "json")


def render_report(scan_dir: str | Path, fmt: str = "md") -> str:
    """Re-render a finished scan directory as Markdown, HTML or one JSON document, without rescanning.

    ``json`` is ``{"summary", "clusters", "matches"}``: the three files in one
    object. Markdown and HTML are rendered from :func:`load_scan`'s view, so
    they show what the files keep (see the module docstring).
    """
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(REPORT_FORMATS)}")
    view = load_scan(scan_dir)
    if fmt == "json":
        root = Path(scan_dir)
        doc = {
            "summary": view.summary,
            "clusters": _read_json(root / "clusters.json"),
            "matches": [rec for _, rec in _iter_jsonl(root / "matches.jsonl")],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return render_html_report(view)["report.html"]
    from .report import render_markdown

    ingest = view.summary.get("ingest")
    return render_markdown(view, extra={"ingest": ingest} if ingest else None)  # type: ignore[arg-type]


def render_html_report(scan: "str | Path | FinishedScan", stem: str = "report") -> dict[str, str]:
    """``{stem}.html`` and the further pages its lists continue on, re-rendered from a scan directory.

    The pages link to each other by name (``{stem}-reuse-2.html``, ...), so
    they are written together, into one folder
    (:func:`overlap.html_report.render_html_pages`).
    """
    from .html_report import render_html_pages

    view = scan if isinstance(scan, FinishedScan) else load_scan(scan)
    return render_html_pages(view, stem=stem)


def write_report_pages(scan_dir: str | Path, output: str | Path) -> list[Path]:
    """Re-render ``report.html`` of a scan directory into the file ``output``, with its further pages beside it.

    The further pages are named after ``output`` (``again.html`` ->
    ``again-reuse-2.html``); pages of that name left from an earlier, longer
    report are removed, so no link leads to a page of another scan.
    """
    from .atomic import write_file, write_folder
    from .html_report import is_report_page

    out = Path(output)
    stem = out.name[:-5] if out.name.endswith(".html") else out.name
    pages = render_html_report(scan_dir, stem)
    files = {(out.name if name == f"{stem}.html" else name): page.encode("utf-8") for name, page in pages.items()}
    folder = out.parent if str(out.parent) else Path(".")
    stale = [p.name for p in folder.iterdir() if is_report_page(p.name, stem) and p.name not in files] \
        if folder.is_dir() else []
    if len(files) == 1 and not stale:
        return [write_file(out, files[out.name])]
    return write_folder(folder, files, remove=stale)  # the pages link to each other: all of them, or none


def write_graphs(scan_dir: str | Path, formats: Iterable[str], out_dir: str | Path | None = None) -> list[Path]:
    """Build the reuse graphs from a finished scan directory and write them in the given formats.

    The folder is replaced in one step (:func:`overlap.atomic.write_folder`),
    keeping everything in it but the graph files written now.
    """
    from .atomic import write_folder
    from .graph import graph_files

    view = load_scan(scan_dir)
    return write_folder(out_dir or scan_dir, graph_files(view, formats))
