"""Read a finished scan directory back, so reports and graphs re-render without rescanning.

A scan directory holds what :func:`overlap.report.write_scan` wrote:

=================  ==========================================================
``matches.jsonl``  every match with both sides' spans, text, source, date,
                   title (and url when known): the evidence
``clusters.json``  duplicate clusters, with member metadata
``summary.json``   counts, parameters, LSH settings, boilerplate (first 100),
                   skipped documents by reason, ingest counts
=================  ==========================================================

:func:`load_scan` turns them into a :class:`~overlap.model.ScanResult`, the
type a live scan returns, so every renderer takes either without asking
which. What the files do not keep is not invented: documents are only those
named in a match, a cluster or the document list, full texts only those a
whole-document match carried, skipped documents only as counts per reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from .errors import ConfigError, InputError
from .model import (Boilerplate, ClaimCluster, ClaimLink, Cluster, DocumentInfo, Match, MatchSide, Passage, ScanResult,
                    Skipped, Span)
from .params import Params

__all__ = ["RecordedTexts", "load_scan", "render_report", "render_html_report", "write_report_pages",
           "write_graphs", "REQUIRED_FILES", "REPORT_FORMATS"]

REQUIRED_FILES = ("matches.jsonl", "clusters.json", "summary.json")


@dataclass
class RecordedTexts:
    """The texts a scan folder keeps: the span of each match side (:class:`~overlap.model.Texts`)."""

    spans: dict[tuple[str, int, int], str]  # (document, start, end) -> text
    lengths: dict[str, int]  # documents whose whole length is known
    _by_doc: dict[str, list[tuple[str, int, int]]] | None = field(default=None, repr=False)

    def excerpt(self, doc_id: str, span: Span) -> str:
        """The text of a span that a match recorded (``KeyError`` for any other span)."""
        return self.spans[(doc_id, span.start, span.end)]

    def text(self, doc_id: str) -> str:
        """The whole text when a whole-document match recorded it, else the longest recorded span."""
        if self._by_doc is None:
            self._by_doc = {}
            for key in self.spans:
                self._by_doc.setdefault(key[0], []).append(key)
        best = ""
        length = self.lengths.get(doc_id)
        for key in self._by_doc.get(doc_id, ()):
            text = self.spans[key]
            if key[1] == 0 and key[2] == length:
                return text
            if len(text) > len(best):
                best = text
        return best

    def boilerplate_spans(self, doc_id: str) -> list[Span]:
        """The folder does not record boilerplate spans: none."""
        return []

    def close(self) -> None:
        """Nothing to release."""


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


class _Docs:
    """Document metadata gathered from the three files, first value seen wins, in order of first mention."""

    def __init__(self) -> None:
        self.known: dict[str, dict[str, Any]] = {}

    def note(self, doc_id: str, values: Mapping[str, Any], keys: Iterable[str] = ("source", "title", "date")) -> None:
        info = self.known.setdefault(doc_id, {})
        for key in keys:
            if info.get(key) is None and values.get(key) is not None:
                info[key] = str(values[key])

    def count(self, doc_id: str, key: str, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.known[doc_id][key] = value

    def documents(self) -> list[DocumentInfo]:
        return [DocumentInfo(doc_id, **info) for doc_id, info in self.known.items()]


def _match_side(side: Mapping[str, Any], docs: _Docs, texts: dict[tuple[str, int, int], str], path: Path,
                line: int | None) -> MatchSide:
    try:
        doc_id = str(side["doc"])
        span = Span(int(side.get("start", 0)), int(side.get("end", 0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(str(path), line, f"bad match side: {exc}") from None
    docs.note(doc_id, side, ("source", "title", "date", "url"))
    if "text" in side and isinstance(side["text"], str):
        texts[(doc_id, span.start, span.end)] = side["text"]
    return MatchSide(doc_id, span)


def _read_matches(path: Path, docs: _Docs, texts: dict[tuple[str, int, int], str]) -> list[Match]:
    matches: list[Match] = []
    for n, rec in _iter_jsonl(path):
        try:
            a = _match_side(rec["a"], docs, texts, path, n)
            b = _match_side(rec["b"], docs, texts, path, n)
            match = Match(
                kind=str(rec["kind"]), score=float(rec["score"]), a=a, b=b,
                jaccard=_optional_float(rec.get("jaccard")), a_in_b=_optional_float(rec.get("a_in_b")),
                b_in_a=_optional_float(rec.get("b_in_a")), details=dict(rec.get("details") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(str(path), n, f"bad match record: missing or invalid {exc}") from None
        if match.kind == "duplicate" and match.a.span.start == 0:
            for side in (match.a, match.b):  # a whole-document match: the document's length
                if docs.known[side.doc].get("length") is None:
                    docs.known[side.doc]["length"] = side.span.end
        matches.append(match)
    return matches


def _read_clusters(cdoc: Any, docs: _Docs, path: Path) -> list[Cluster]:
    clusters: list[Cluster] = []
    try:
        for c in cdoc.get("clusters", []):
            for m in c.get("member_details", []):
                docs.note(str(m["doc"]), m)
            for member in c["members"]:
                docs.note(str(member), {})
            clusters.append(Cluster(int(c["id"]), str(c["representative"]), tuple(str(x) for x in c["members"]),
                                    float(c.get("min_jaccard", 0.0)), float(c.get("mean_jaccard", 0.0))))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(str(path), None, f"bad cluster record: {exc}") from None
    for m in cdoc.get("documents", []) if isinstance(cdoc, dict) else []:
        if isinstance(m, dict) and "doc" in m:
            docs.note(str(m["doc"]), m)
            for key in ("words", "length"):
                docs.count(str(m["doc"]), key, m.get(key))
    return clusters


def claim_cluster(rec: Mapping[str, Any]) -> ClaimCluster:
    """A claim cluster from its ``clusters.json`` record: the inverse of :func:`overlap.report.claim_record`.

    ``KeyError``, ``TypeError`` or ``ValueError`` when the record is malformed.
    """
    statements: list[Passage] = []
    links: list[ClaimLink] = []
    for st in rec["statements"]:
        statements.append(Passage(str(st["doc"]), Span(int(st["start"]), int(st["end"])), str(st["text"]),
                                  str(st.get("kind", "passage")), st.get("speaker")))
        if statements[1:] and "relation" in st and len(links) == len(statements) - 2:
            links.append(ClaimLink(float(st["score"]), str(st["relation"]), bool(st.get("within_document", False))))
    first = rec.get("first_publication") or {}
    at = (first.get("doc"), first.get("start"), first.get("end"))
    return ClaimCluster(
        id=int(rec["id"]), statements=tuple(statements), documents=tuple(rec["documents"]),
        sources=tuple(rec["sources"]), speakers=tuple(rec["speakers"]), first_published=rec.get("first_published"),
        min_score=float(rec["min_score"]), mean_score=float(rec["mean_score"]), links=tuple(links),
        first=next((st for st in statements if (st.doc, st.span.start, st.span.end) == at), None),
    )


def _read_claims(cdoc: Any, path: Path) -> list[ClaimCluster] | None:
    claims = cdoc.get("claim_clusters") if isinstance(cdoc, dict) else None
    if not isinstance(claims, list):
        return None
    try:
        return [claim_cluster(c) for c in claims]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(str(path), None, f"bad claim cluster record: {exc}") from None


def _params(summary: Mapping[str, Any], path: Path) -> Params:
    try:
        return Params.from_dict(summary.get("parameters", {}))
    except (ConfigError, TypeError, ValueError) as exc:
        raise InputError(str(path), None, f"parameters this version of overlap cannot read: {exc}") from None


def load_scan(directory: str | Path) -> ScanResult:
    """Read ``matches.jsonl``, ``clusters.json`` and ``summary.json`` from a scan directory.

    The result is a :class:`~overlap.model.ScanResult`, as a live scan's is,
    holding what the files keep (see the module docstring). Raises
    :class:`~overlap.errors.InputError` naming the file (and line) when one
    is missing or malformed.

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
    docs = _Docs()
    texts: dict[tuple[str, int, int], str] = {}
    matches = _read_matches(root / "matches.jsonl", docs, texts)
    cdoc = _read_json(root / "clusters.json")
    clusters = _read_clusters(cdoc, docs, root / "clusters.json")
    documents = docs.documents()
    return ScanResult(
        params=_params(summary, root / "summary.json"),
        documents=documents,
        matches=matches,
        clusters=clusters,
        boilerplate=tuple(Boilerplate(b["text"], b.get("source"), int(b.get("documents", 0)), b.get("reason", ""))
                          for b in summary.get("boilerplate", [])),
        # the summary keeps skipped documents as counts per reason: one entry per reason
        skipped=[Skipped(f"{n} documents", reason) for reason, n in summary.get("skipped_by_reason", {}).items()],
        counts=dict(summary.get("counts", {})),
        timings=dict(summary.get("timings_seconds", {})),
        lsh=dict(summary.get("lsh", {})),
        texts=RecordedTexts(texts, {d.id: d.length for d in documents if d.length is not None}),
        claim_clusters=_read_claims(cdoc, root / "clusters.json"),
        paraphrase=dict(summary.get("paraphrase") or {}),
        ingest=summary.get("ingest") or None,
    )


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
            "summary": _read_json(root / "summary.json"),
            "clusters": _read_json(root / "clusters.json"),
            "matches": [rec for _, rec in _iter_jsonl(root / "matches.jsonl")],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return render_html_report(view)["report.html"]
    from .report import render_markdown

    return render_markdown(view, extra={"ingest": view.ingest} if view.ingest else None)


def render_html_report(scan: "str | Path | ScanResult", stem: str = "report") -> dict[str, str]:
    """``{stem}.html`` and the further pages its lists continue on, re-rendered from a scan directory.

    The pages link to each other by name (``{stem}-reuse-2.html``, ...), so
    they are written together, into one folder
    (:func:`overlap.html_report.render_html_pages`).
    """
    from .html_report import render_html_pages

    view = scan if isinstance(scan, ScanResult) else load_scan(scan)
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
