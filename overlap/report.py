"""Render a :class:`~overlap.pipeline.ScanResult` for people and programs.

Renderers are pure: result in, text out. :func:`write_scan` then replaces
the whole scan folder in one step (:func:`overlap.atomic.write_folder`): the
complete new folder is written beside the old one and swapped in, so an
error, Ctrl-C, SIGTERM or ``kill -9`` never leaves a partial report, a mix of
two scans, or half a file. Files an earlier scan wrote that this one does
not (graph formats not asked for again) are removed; anything else in the
folder is kept.

Output is byte-stable: no wall-clock time unless ``timings=True`` is asked
for, stable ordering everywhere, ``sort_keys`` where key order is not
already fixed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping, Sequence

from .atomic import Content
from .escape import markdown_code, markdown_text
from .journey import claim_journey, widest_first
from .model import ClaimCluster, Match, MatchSide, ScanResult
from .pipeline import versions

__all__ = [
    "match_record",
    "iter_match_lines",
    "clusters_document",
    "summary_document",
    "render_markdown",
    "render_terminal",
    "write_scan",
    "SCAN_FILES",
]

#: The files every scan folder holds (with the default graph format). Long lists add further report pages
#: beside ``report.html`` (``report-reuse-2.html``, ...: :func:`overlap.html_report.is_report_page`).
SCAN_FILES = ("matches.jsonl", "clusters.json", "summary.json", "report.md", "report.html", "graph.gexf",
              "sources.gexf")
_EXCERPT = 280


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


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


def clusters_document(result: ScanResult) -> dict[str, Any]:
    """``clusters.json``: duplicate clusters with members, representative and scores."""
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
    doc["documents"] = [
        {"doc": d.id, "source": d.source, "date": d.date, "title": d.title,
         **{k: getattr(d, k) for k in ("words", "length") if isinstance(getattr(d, k, None), int)}}
        for d in result.documents
    ]
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
    for n, st in enumerate(c.statements):
        rec = {"doc": st.doc, "start": st.span.start, "end": st.span.end, "kind": st.kind, "speaker": st.speaker,
               "text": st.text, "anchor": n == 0}
        if n and n - 1 < len(c.links):
            link = c.links[n - 1]
            rec.update(relation=link.relation, score=link.score, within_document=link.within_document)
        statements.append(rec)
    first = c.first or c.statements[0]
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


def set_aside_text(info: Mapping[str, Any]) -> str | None:
    """One sentence on the statements the paraphrase tier set aside unscored, or ``None`` if none were.

    >>> set_aside_text({"set_aside": {"not English": 3, "list of names": 2}, "languages": {"de": 2, "fr": 1}})
    'Statements set aside, never scored or matched: 3 not English (de 2, fr 1); 2 list of names.'
    """
    reasons = info.get("set_aside") or {}
    if not reasons:
        return None
    langs = info.get("languages") or {}
    parts = []
    for reason, n in reasons.items():
        if reason == "not English" and langs:
            parts.append(f"{n:,} {reason} ({', '.join(f'{k} {v:,}' for k, v in langs.items())})")
        else:
            parts.append(f"{n:,} {reason}")
    return "Statements set aside, never scored or matched: " + "; ".join(parts) + "."


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


def _clip(text: str, limit: int = _EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _kind_label(m: Any) -> str:
    """``paraphrase`` matches say which relation they are: same statement, or same claim."""
    relation = (m.details or {}).get("relation") if m.kind == "paraphrase" else None
    if not relation:
        return m.kind
    within = ", within document" if (m.details or {}).get("within_document") else ""
    return f"{m.kind} ({'same claim' if relation == 'claim' else 'same statement'}{within})"


_md_cell = markdown_text  # every untrusted text in report.md goes through these two (see overlap.escape)
_md_code = markdown_code


def _link_label(st: Mapping[str, Any]) -> str:
    """How a claim-cluster statement is joined: ``anchor``, or its accepted pair with the anchor."""
    if st.get("anchor"):
        return "anchor"
    if "relation" not in st:
        return ""
    label = f"{'same claim' if st['relation'] == 'claim' else 'same statement'} {st['score']:.2f}"
    return label + (", within document" if st.get("within_document") else "")


def _claims_markdown(result: Any, limit: int) -> list[str]:
    """The claim clusters section: statements that say the same thing, earliest known first.

    Works on a live :class:`ScanResult` and on a scan read back from its
    directory alike: both are a :class:`~overlap.model.ScanResult`.
    """
    claims = result.claim_clusters
    if claims is None:
        return ["## Claim clusters", "", "The paraphrase tier did not run in this scan, so no claim clusters were formed.",
                ""]
    info = result.paraphrase
    out = ["## Claim clusters", ""]
    out += [
        f"Statements (sentences or quotes) that say the same thing in different words, scored by the "
        f"{_md_cell(info.get('path') or '?')} model: *same statement* (paraphrase score, MRPC-fitted, threshold "
        f"{info.get('threshold')}) or *same claim* (claim score over statements and their clauses, "
        f"STS-B-fitted, threshold {info.get('claim_threshold')}). "
        "Verbatim copies are reported as reuse, not here.",
        "",
    ]
    aside = set_aside_text(info)
    if aside:
        out += [aside, ""]
    if info.get("within_document") is False:
        out += ["Pairs within one document are not counted (`--no-within-document`).", ""]
    if not claims:
        return out + ["No claim clusters found.", ""]
    out += ["The claims carried by the most outlets and documents come first. Each cluster is a star around its "
            "anchor (the first statement listed): every other statement was accepted by the model against the "
            "anchor (link), so no claim joins through a third statement.", ""]
    for cl in (claim_record(c) for c in widest_first(claims)[:limit]):
        who = ", ".join(cl["speakers"]) if cl["speakers"] else "no attributed speaker"
        journey = claim_journey([st["doc"] for st in cl["statements"]], result.document)
        first = cl.get("first_publication") or {}
        sources = ", ".join(cl.get("sources") or []) or "no source given"
        out += [
            f"### Claim {_md_cell(cl['id'])}: {len(cl['statements'])} statements in {len(cl['documents'])} document(s) "
            f"(score min {cl['min_score']:.2f}, mean {cl['mean_score']:.2f}; speakers: {_md_cell(who)})",
            "",
            f"Journey: {_md_cell(journey.describe())}",
            "",
            f"First published: {_md_code(first.get('doc'))} [{first.get('start')}:{first.get('end')}], "
            f"{_md_cell(first.get('date') or 'undated')}; sources: {_md_cell(sources)}.",
            "",
            "| link | date | document | source | speaker | statement |",
            "|---|---|---|---|---|---|",
        ]
        for st in cl["statements"]:
            d = result.document(st["doc"])
            out.append(
                f"| {_link_label(st)} | {_md_cell(d.date)} | {_md_code(st['doc'])} [{st['start']}:{st['end']}] "
                f"| {_md_cell(d.source)} | {_md_cell(st['speaker'])} | {_md_cell(_clip(st['text'], 300))} |"
            )
        out.append("")
    if len(claims) > limit:
        out += [f"*{len(claims) - limit} more claim clusters in `clusters.json` and on the pages of `report.html`.*", ""]
    return out


def _match_table(matches: list[Any], limit: int, title: str) -> list[str]:
    """A table of matches (documents, scores, containment); nothing when there are none."""
    if not matches:
        return []
    out = [f"### {title}", "", "| kind | a | b | score | a in b | b in a |", "|---|---|---|---:|---:|---:|"]
    for m in matches[:limit]:
        a_in_b = f"{m.a_in_b:.2f}" if m.a_in_b is not None else ""
        b_in_a = f"{m.b_in_a:.2f}" if m.b_in_a is not None else ""
        out.append(
            f"| {_md_cell(_kind_label(m))} | {_md_code(m.a.doc)} | {_md_code(m.b.doc)} | {m.score:.2f} | {a_in_b} | {b_in_a} |"
        )
    out.append("")
    if len(matches) > limit:
        out += [f"*{len(matches) - limit} more in `matches.jsonl` and on the pages of `report.html`.*", ""]
    return out


def _outlets_markdown(result: Any, limit: int) -> list[str]:
    """Which outlets share text, the links with the most shared characters first (the source graph's edges)."""
    from .graph import NO_SOURCE, source_graph

    g = source_graph(result)
    out = ["## Outlets sharing text", ""]
    if g.number_of_edges() == 0:
        return out + ["No text is shared between documents.", ""]
    out += [f"A document without an outlet is an outlet of its own, {NO_SOURCE[:-1]}: ID); → points from the earlier to the later "
            "publication, – joins outlets whose order is unknown. The picture is in `report.html`, the graph in "
            "`sources.gexf`.", "",
            "| from | | to | shared characters | matches | first shared |", "|---|---|---|---:|---:|---|"]
    edges = sorted(g.edges(data=True), key=lambda e: (-e[2]["shared_chars"], -e[2]["matches"], str(e[0]), str(e[1])))
    for a, b, d in edges[:limit]:
        arrow = "itself" if a == b else ("→" if d["directed"] else "–")
        out.append(f"| {_md_cell(a)} | {arrow} | {'' if a == b else _md_cell(b)} | {d['shared_chars']:,} "
                   f"| {d['matches']:,} | {_md_cell(d.get('date', ''))} |")
    out.append("")
    if len(edges) > limit:
        out += [f"*{len(edges) - limit} more links in `sources.gexf` and on the pages of `report.html`.*", ""]
    return out


def render_markdown(result: ScanResult, *, limit: int = 50, extra: Mapping[str, Any] | None = None) -> str:
    """``report.md``: what a person reads first."""
    c = result.counts
    out: list[str] = ["# overlap scan report", ""]
    out += [
        "| | |",
        "|---|---:|",
        f"| documents read | {c.get('documents_read', 0)} |",
        f"| documents scanned | {c.get('documents_scanned', 0)} |",
        f"| documents skipped | {c.get('documents_skipped', 0)} |",
        f"| duplicate clusters | {c.get('clusters', 0)} |",
        f"| documents in clusters | {c.get('documents_in_clusters', 0)} |",
        f"| duplicate matches | {c.get('duplicate_matches', 0)} |",
        f"| shared passages (reuse) | {c.get('reuse_matches', 0)} |",
        f"| exact copies | {c.get('exact_copies', 0)} |",
        f"| LSH candidate pairs / verified | {c.get('candidate_pairs', 0)} / {c.get('verified_pairs', 0)} |",
        f"| boilerplate lines | {c.get('boilerplate_lines', 0)} |",
        *(
            [f"| paraphrase tier | skipped: {c['paraphrase_skipped_documents_over_limit']} documents over the limit |"]
            if c.get("paraphrase_skipped_documents_over_limit")
            else []
        ),
        f"| paraphrase matches / claim clusters | {c.get('paraphrase_matches', 0)} / {c.get('claim_clusters', 0)} |",
        f"| same statement / same claim | {c.get('paraphrase_same_statement', 0)} / {c.get('paraphrase_same_claim', 0)} |",
        *([f"| paraphrase matches within one document | {c['paraphrase_within_document']} |"]
          if "paraphrase_within_document" in c else []),
        *([f"| statements set aside (not scored) / not English | {c['paraphrase_set_aside']} / "
           f"{c.get('paraphrase_not_english', 0)} |"] if "paraphrase_set_aside" in c else []),
        "",
    ]

    out += _outlets_markdown(result, limit)
    out += _claims_markdown(result, limit)
    out += _match_table([m for m in result.matches if m.kind == "paraphrase"], limit, "Paraphrase matches")
    reuse = [m for m in result.matches if m.kind == "reuse"]
    out += ["## Shared passages", ""]
    if not reuse:
        out += ["No passage of one document was found in another.", ""]
    else:
        out += ["| a | b | score |", "|---|---|---:|"]
        for m in sorted(reuse, key=lambda m: -m.score)[:limit]:
            cells = []
            for side, share in ((m.a, m.a_in_b), (m.b, m.b_in_a)):
                where = f"{_md_code(side.doc)} {side.span.start}-{side.span.end}"
                if share is not None:
                    where += f" ({share:.0%} of it)"
                cells.append(f"{where}<br>{_md_cell(_clip(result.excerpt(side.doc, side.span)))}")
            out.append(f"| {cells[0]} | {cells[1]} | {m.score:.2f} |")
        out.append("")
        if len(reuse) > limit:
            out += [f"*{len(reuse) - limit} more shared passages in `matches.jsonl`.*", ""]

    out += ["## Duplicate clusters", ""]
    clusters = sorted(result.clusters, key=lambda cl: (-len(cl.members), cl.id))
    if not clusters:
        out += ["No near-duplicate documents found.", ""]
    for cl in clusters[:limit]:
        rep = result.document(cl.representative)
        out += [
            f"### Cluster {cl.id}: {len(cl.members)} documents "
            f"(Jaccard to representative: min {cl.min_jaccard:.2f}, mean {cl.mean_jaccard:.2f})",
            "",
            f"> {_md_cell(_clip(result.text(rep.id)))}",
            "",
            "| document | source | date | title |",
            "|---|---|---|---|",
        ]
        for doc_id in cl.members:
            d = result.document(doc_id)
            mark = " (representative)" if doc_id == cl.representative else ""
            out.append(f"| {_md_code(doc_id)}{mark} | {_md_cell(d.source)} | {_md_cell(d.date)} | {_md_cell(d.title)} |")
        out.append("")
    if len(clusters) > limit:
        out += [f"*{len(clusters) - limit} more clusters in `clusters.json`.*", ""]

    out += _match_table([m for m in result.matches if m.kind == "duplicate"], limit, "Near-duplicate pairs")
    out += _match_table([m for m in result.matches if m.kind not in ("duplicate", "reuse", "paraphrase")], limit,
                        "Other matches")

    out += ["## Boilerplate", ""]
    if result.boilerplate:
        out += [
            "Lines treated as boilerplate never count as evidence of reuse.",
            "",
            "| documents | source | why | line |",
            "|---:|---|---|---|",
        ]
        for b in result.boilerplate[:limit]:
            out.append(
                f"| {b.documents} | {_md_cell(b.source or '(no source)')} | {_md_cell(b.reason)} | {_md_cell(_clip(b.text, 120))} |"
            )
        out.append("")
        if len(result.boilerplate) > limit:
            out += [f"*{len(result.boilerplate) - limit} more in `summary.json` (first 100).*", ""]
    else:
        out += ["No boilerplate recognised.", ""]

    if result.skipped:
        out += ["## Skipped documents", "", "| document | reason |", "|---|---|"]
        for s in result.skipped[:limit]:
            out.append(f"| {_md_code(s.doc)} | {_md_cell(s.reason)} |")
        out.append("")
        if len(result.skipped) > limit:
            out += [f"*{len(result.skipped) - limit} more skipped documents.*", ""]

    if extra and extra.get("ingest"):
        out += ["## Input", "", "```json", json.dumps(extra["ingest"], indent=2, ensure_ascii=False), "```", ""]
    out += ["## Parameters", "", "```json", json.dumps(result.params.to_dict(), indent=2), "```", ""]
    return "\n".join(out)


def render_terminal(result: ScanResult, out_dir: str | None = None, *, timings: bool = True,
                    files: Sequence[str] | None = None) -> str:
    """The summary printed after a scan: a small table in three groups, then where the report is.

    Numbers are right-aligned with thousands separators; matches are broken
    down by kind and the sources that share text are counted, so the reader
    sees at a glance whether to open ``report.html``. Only known sources
    count: two documents without one may or may not share an outlet.
    ``files`` (the names written) makes the last line name every one.
    """
    c = result.counts
    by_kind = Counter(m.kind for m in result.matches)
    pairs = [(result.document(m.a.doc).source, result.document(m.b.doc).source) for m in result.matches]
    sources = {s for pair in pairs for s in pair if s}
    cross = sum(1 for sa, sb in pairs if sa and sb and sa != sb)
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        ("input", [
            ("documents read", f"{c.get('documents_read', 0):,}"),
            ("scanned", f"{c.get('documents_scanned', 0):,}"),
            ("skipped", f"{c.get('documents_skipped', 0):,}"),
            ("boilerplate lines", f"{c.get('boilerplate_lines', 0):,}"),
        ]),
        ("near-duplicates", [
            ("candidate pairs", f"{c.get('candidate_pairs', 0):,}"),
            ("verified pairs", f"{c.get('verified_pairs', 0):,}"),
            ("exact copies", f"{c.get('exact_copies', 0):,}"),
            ("duplicate clusters", f"{c.get('clusters', 0):,}"),
            ("documents in clusters", f"{c.get('documents_in_clusters', 0):,}"),
        ]),
        ("matches", [
            *((kind, f"{by_kind.get(kind, 0):,}") for kind in ("duplicate", "reuse", "paraphrase")),
            *((f"  {label}", f"{c.get(key, 0):,}") for label, key in (
                ("same statement", "paraphrase_same_statement"), ("same claim", "paraphrase_same_claim"),
                ("within document", "paraphrase_within_document"))
              if by_kind.get("paraphrase")),
            *((("statements set aside", f"{c['paraphrase_set_aside']:,}"),
               ("  not English", f"{c.get('paraphrase_not_english', 0):,}"))
              if c.get("paraphrase_set_aside") else ()),
            *((("claim clusters", f"{c.get('claim_clusters', 0):,}"),) if by_kind.get("paraphrase") else ()),
            *((kind, f"{n:,}") for kind, n in sorted(by_kind.items()) if kind not in ("duplicate", "reuse", "paraphrase")),
            ("matches", f"{len(result.matches):,}"),
            ("across sources", f"{cross:,}"),
            ("sources involved", f"{len(sources):,}"),
        ]),
    ]
    if timings and result.timings:
        groups.append(("", [("time", f"{sum(result.timings.values()):.2f}s")]))
    width = max(len(k) for _, rows in groups for k, _ in rows) + 2
    vwidth = max(9, max(len(v) for _, rows in groups for _, v in rows))
    rule = "-" * (width + vwidth + 2)
    lines: list[str] = []
    for title, rows in groups:
        lines.append(f"{title} {rule[len(title) + 1:]}" if title else rule)
        lines += [f"  {k:<{width - 2}}  {v:>{vwidth}}" for k, v in rows]
    if out_dir:
        others = [f for f in files if f != "report.html"] if files is not None else ["report.md", "matches.jsonl"]
        lines.append(f"report: {os.path.join(out_dir, 'report.html')} (also {', '.join(others)})")
    return "\n".join(lines)


def write_scan(
    result: ScanResult,
    out_dir: str | os.PathLike[str],
    *,
    timings: bool = False,
    extra: Mapping[str, Any] | None = None,
    graph_formats: Iterable[str] = ("gexf",),
) -> list[Path]:
    """Write the scan's files into ``out_dir`` atomically; return their paths.

    Besides the JSON and Markdown files: ``report.html`` (:mod:`overlap.html_report`)
    and the reuse graphs in ``graph_formats`` (:func:`overlap.graph.graph_files`:
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
    from .atomic import write_folder
    from .graph import GRAPH_FILES, graph_files
    from .html_report import is_report_page, render_html_pages

    def matches_jsonl(f: IO[bytes]) -> None:
        for line in iter_match_lines(result):
            f.write(line.encode("utf-8"))

    files: dict[str, Content] = {
        "matches.jsonl": matches_jsonl,
        "clusters.json": _dumps(clusters_document(result)).encode("utf-8"),
        "summary.json": _dumps(summary_document(result, timings=timings, extra=extra)).encode("utf-8"),
        "report.md": render_markdown(result, extra=extra).encode("utf-8"),
        **{name: page.encode("utf-8") for name, page in render_html_pages(result).items()},
        **graph_files(result, graph_formats),
    }
    # a scan rewrites the whole set: graph files of an earlier scan in other formats would not match, nor
    # the report pages of an earlier, longer scan
    target = Path(out_dir)
    pages = [p.name for p in target.iterdir() if is_report_page(p.name)] if target.is_dir() else []
    return write_folder(out_dir, files, remove=[n for n in (*SCAN_FILES, *GRAPH_FILES, *pages) if n not in files])
