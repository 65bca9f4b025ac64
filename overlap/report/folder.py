"""The scan folder: written and read back here, and nowhere else.

A scan folder holds what :func:`write_scan` writes:

=================  ==========================================================
``matches.jsonl``  every match with both sides' spans, text, source, date,
                   title (and url when known): the evidence
``clusters.json``  duplicate clusters with member metadata, every scanned
                   document's metadata, and the claim clusters
``summary.json``   counts, parameters, LSH settings, boilerplate (first 100),
                   skipped documents by reason, ingest counts
``report.md``,     the reports (:mod:`overlap.report.markdown`,
``report.html``    :mod:`overlap.report.html`), and the reuse graphs
=================  ==========================================================

Every record's writer and reader are in this module (a match, a cluster,
a claim cluster, the summary), so the format changes in one place. :func:`write_scan` replaces the whole folder in one step
(:func:`overlap.atomic.write_folder`): the complete new folder is written
beside the old one and swapped in, so an error, Ctrl-C, SIGTERM or
``kill -9`` never leaves a partial report, a mix of two scans, or half a
file. Files an earlier scan wrote that this one does not (graph formats not
asked for again) are removed; anything else in the folder is kept. Output is
byte-stable: no wall-clock time unless ``timings=True`` is asked for, stable
ordering everywhere.

:func:`load_scan` reads a folder back into a :class:`~overlap.model.ScanResult`,
the type a live scan returns, so every renderer takes either without asking
which. What the files do not keep is not invented: documents are only those
named in a match, a cluster or the document list, full texts only those a
whole-document match carried, skipped documents only as counts per reason.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping

from ..atomic import Content, write_file, write_folder
from ..errors import ConfigError, InputError
from ..graph.build import document_graph, source_graph
from ..graph.formats import GRAPH_FILES, graph_files, graph_makers
from ..model import (Boilerplate, ClaimCluster, ClaimLink, Cluster, DocumentInfo, Match, MatchSide, Passage, ScanResult,
                     Skipped, Span)
from ..params import Params
from ..pipeline import versions
from .html import is_report_page, render_html_pages
from .markdown import render_markdown

__all__ = ["SCAN_FILES", "REQUIRED_FILES", "REPORT_FORMATS", "write_scan", "load_scan", "match_record",
           "iter_match_lines", "clusters_document", "claim_record", "claim_cluster", "summary_document",
           "RecordedTexts", "render_report", "render_html_report", "write_report_pages", "write_graphs"]

#: The files every scan folder holds (with the default graph format). Long lists add further report pages
#: beside ``report.html`` (``report-reuse-2.html``, ...: :func:`overlap.report.html.is_report_page`).
SCAN_FILES = ("matches.jsonl", "clusters.json", "summary.json", "report.md", "report.html", "graph.gexf",
              "sources.gexf")
REQUIRED_FILES = ("matches.jsonl", "clusters.json", "summary.json")


# --- writing -------------------------------------------------------------------


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _write_json(f: IO[bytes], doc: Mapping[str, Any]) -> None:
    """``_dumps(doc)`` of a (non-empty) dict, byte for byte, written an entry at a time, and a value that is an
    iterator an item at a time: ``clusters.json`` lists every scanned document, and made whole (the
    list of dicts, then its text) it was the driver's largest moment of a scan of 128,000 generated
    articles. Strings in JSON hold no raw line break, so indenting a dumped value is adding spaces
    after each of its line breaks."""
    for n, (key, value) in enumerate(doc.items()):
        f.write(b"{" if n == 0 else b",")
        f.write(f"\n  {json.dumps(key, ensure_ascii=False)}: ".encode("utf-8"))
        if not isinstance(value, Iterator):
            f.write(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ").encode("utf-8"))
            continue
        empty = True
        for item in value:
            f.write(b"[" if empty else b",")
            f.write(("\n    " + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")).encode("utf-8"))
            empty = False
        f.write(b"[]" if empty else b"\n  ]")
    f.write(b"\n}\n")


def _side(result: ScanResult, side: MatchSide, text: str | None = None) -> dict[str, Any]:
    doc = result.document(side.doc)
    full = result.text(side.doc) if text is None else text
    return {
        "doc": side.doc,
        "start": side.span.start,
        "end": side.span.end,
        "text": full[side.span.start : side.span.end],
        "source": doc.source,
        "date": doc.date,
        "title": doc.title,
        **({"url": doc.url} if doc.url else {}),
    }


def match_record(result: ScanResult, match: Match) -> dict[str, Any]:
    """One match as the JSON object written to ``matches.jsonl``."""
    record: dict[str, Any] = {
        "kind": match.kind,
        "score": match.score,
        "a": _side(result, match.a),
        "b": _side(result, match.b),
    }
    for name in ("jaccard", "a_in_b", "b_in_a"):
        value = getattr(match, name)
        if value is not None:
            record[name] = value
    if match.details:
        record["details"] = dict(match.details)
    return record


def iter_match_lines(result: ScanResult) -> Iterator[str]:
    """``matches.jsonl`` line by line (streamed: matches can be many)."""
    for match in result.matches:
        yield json.dumps(match_record(result, match), ensure_ascii=False) + "\n"


def clusters_document(result: ScanResult, *, stream: bool = False) -> dict[str, Any]:
    """``clusters.json``: duplicate clusters with members, representative and scores.

    With ``stream``, its ``documents`` list (every scanned document: the
    file's bulk) is an iterator made as :func:`_write_json` writes it.
    """
    clusters = []
    for c in result.clusters:
        members = []
        for doc_id in c.members:
            d = result.document(doc_id)
            members.append({"doc": doc_id, "source": d.source, "date": d.date, "title": d.title})
        clusters.append(
            {
                "id": c.id,
                "representative": c.representative,
                "size": len(c.members),
                "members": list(c.members),
                "member_details": members,
                "min_jaccard": c.min_jaccard,
                "mean_jaccard": c.mean_jaccard,
            }
        )
    doc: dict[str, Any] = {"count": len(clusters), "clusters": clusters}
    # every scanned document's metadata, so a re-rendered report counts documents per source as the live one
    # (with words and length, so `overlap graph DIR` rebuilds the scan's own graph.gexf byte for byte)
    documents = (
        {"doc": d.id, "source": d.source, "date": d.date, "title": d.title,
         **{k: n for k, n in (("words", d.words), ("length", d.length)) if n is not None}}
        for d in result.documents
    )
    doc["documents"] = documents if stream else list(documents)
    if result.claim_clusters is not None:
        doc["claim_clusters"] = [claim_record(c) for c in result.claim_clusters]
    return doc


def claim_record(c: ClaimCluster) -> dict[str, Any]:
    """One claim cluster as written to ``clusters.json`` (``claim_clusters``).

    ``statements[0]`` is the anchor (``"anchor": true``); every other
    statement carries the accepted pair that joins it to the anchor:
    ``relation``, ``score`` and ``within_document``. ``first_publication``
    (document, span, date) is the claim's earliest known publication.
    """
    statements = []
    for n, (st, link) in enumerate(c.linked()):
        rec = {"doc": st.doc, "start": st.span.start, "end": st.span.end, "kind": st.kind, "speaker": st.speaker,
               "text": st.text, "anchor": n == 0}
        if link is not None:
            rec.update(relation=link.relation, score=link.score, within_document=link.within_document)
        statements.append(rec)
    first = c.first_publication
    return {
        "id": c.id,
        "statements": statements,
        "documents": list(c.documents),
        "sources": list(c.sources),
        "speakers": list(c.speakers),
        "first_published": c.first_published,
        "first_publication": {"doc": first.doc, "start": first.span.start, "end": first.span.end,
                              "date": c.first_published},
        "min_score": c.min_score,
        "mean_score": c.mean_score,
    }


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


def summary_document(
    result: ScanResult, *, timings: bool = False, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``summary.json``: counts per stage, parameters, versions (and timings if asked)."""
    skipped = Counter(s.reason.split(" (")[0] for s in result.skipped)
    doc: dict[str, Any] = {
        "tool": "overlap",
        "versions": versions(),
        "parameters": result.params.to_dict(),
        "lsh": dict(result.lsh),
        "counts": dict(result.counts),
        "paraphrase": dict(result.paraphrase),
        "skipped_by_reason": dict(sorted(skipped.items())),
        "boilerplate": [
            {"text": b.text, "source": b.source, "documents": b.documents, "reason": b.reason}
            for b in result.boilerplate[:100]
        ],
    }
    if extra:
        doc.update(extra)
    if timings:
        doc["timings_seconds"] = dict(result.timings)
    return doc


def write_scan(
    result: ScanResult,
    out_dir: str | os.PathLike[str],
    *,
    timings: bool = False,
    extra: Mapping[str, Any] | None = None,
    graph_formats: Iterable[str] = ("gexf",),
) -> list[Path]:
    """Write the scan's files into ``out_dir`` atomically; return their paths.

    Besides the JSON and Markdown files: ``report.html`` (:mod:`overlap.report.html`)
    and the reuse graphs in ``graph_formats`` (:func:`overlap.graph.formats.graph_files`:
    ``graph.gexf`` and ``sources.gexf`` by default).

    >>> import tempfile, pathlib
    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> docs = [Document(f"d{i}", "the same wire story about grain exports rising again this year")
    ...         for i in range(2)]
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with scan(docs, paraphrase=False) as result:
    ...     names = sorted(p.name for p in write_scan(result, out))
    >>> "matches.jsonl" in names and "report.html" in names
    True
    """
    def matches_jsonl(f: IO[bytes]) -> None:
        for line in iter_match_lines(result):
            f.write(line.encode("utf-8"))

    docs = document_graph(result)
    sources = source_graph(result, docs)  # drawn once for every report and graph file
    html = render_html_pages(result, sources=sources)
    # each file is made as it is written, and let go; clusters.json (every scanned document) an entry at a
    # time and GEXF a block of lines at a time: made whole, those two were the driver's largest moment of
    # a scan of 128,000 generated articles (writing the files 858 -> 688 MiB, bench/driver_memory.py)
    files: dict[str, Content] = {
        "matches.jsonl": matches_jsonl,
        "clusters.json": lambda f: _write_json(f, clusters_document(result, stream=True)),
        "summary.json": _dumps(summary_document(result, timings=timings, extra=extra)).encode("utf-8"),
        "report.md": _made(lambda: render_markdown(result, extra=extra, sources=sources)),
        **{name: _made(lambda name=name: html.pop(name)) for name in list(html)},
        **graph_makers(result, graph_formats, graphs=(docs, sources)),
    }
    # a scan rewrites the whole set: graph files of an earlier scan in other formats would not match, nor
    # the report pages of an earlier, longer scan
    target = Path(out_dir)
    pages = [p.name for p in target.iterdir() if is_report_page(p.name)] if target.is_dir() else []
    return write_folder(out_dir, files, remove=[n for n in (*SCAN_FILES, *GRAPH_FILES, *pages) if n not in files])


def _made(make: Callable[[], str]) -> Callable[[IO[bytes]], None]:
    """A file's text made when it is written (:func:`~overlap.atomic.write_folder` writes one file at a time)."""
    def write(f: IO[bytes]) -> None:
        f.write(make().encode("utf-8"))
    return write


# --- reading -------------------------------------------------------------------


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
    return render_markdown(view, extra={"ingest": view.ingest} if view.ingest else None)


def render_html_report(scan: "str | Path | ScanResult", stem: str = "report") -> dict[str, str]:
    """``{stem}.html`` and the further pages its lists continue on, re-rendered from a scan directory.

    The pages link to each other by name (``{stem}-reuse-2.html``, ...), so
    they are written together, into one folder
    (:func:`overlap.report.html.render_html_pages`).
    """
    view = scan if isinstance(scan, ScanResult) else load_scan(scan)
    return render_html_pages(view, stem=stem)


def write_report_pages(scan_dir: str | Path, output: str | Path) -> list[Path]:
    """Re-render ``report.html`` of a scan directory into the file ``output``, with its further pages beside it.

    The further pages are named after ``output`` (``again.html`` ->
    ``again-reuse-2.html``); pages of that name left from an earlier, longer
    report are removed, so no link leads to a page of another scan.
    """
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
    view = load_scan(scan_dir)
    return write_folder(out_dir or scan_dir, graph_files(view, formats))
