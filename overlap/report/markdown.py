"""``report.md``: the scan as a Markdown document, what a person reads first in a terminal or a repository.

Renderers are pure: a :class:`~overlap.model.ScanResult` in, text out, the
same for a live scan and one read back from its folder. Every piece of
untrusted text (ids, titles, sources, article text) goes through
:func:`~overlap.report.escape.markdown_text` or
:func:`~overlap.report.escape.markdown_code`.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from ..graph.build import NO_SOURCE, Graph, source_graph
from ..model import ClaimCluster, Match, ScanResult
from .escape import markdown_code, markdown_text
from .journey import claim_journey, widest_first
from .phrases import checks_texts, link_label, relation_label, restated_text, set_aside_text

__all__ = ["render_markdown"]

_EXCERPT = 280

_md_cell = markdown_text  # every untrusted text in report.md goes through these two (see overlap.report.escape)
_md_code = markdown_code


def _clip(text: str, limit: int = _EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _more(total: int, limit: int, where: str) -> list[str]:
    """The line after a list cut at ``limit``: how many more, and where they are."""
    return [f"*{total - limit} {where}*", ""] if total > limit else []


def _kind_label(m: Match) -> str:
    """``paraphrase`` matches say which relation they are: same statement, or same claim."""
    relation = (m.details or {}).get("relation") if m.kind == "paraphrase" else None
    if not relation:
        return m.kind
    within = ", within document" if (m.details or {}).get("within_document") else ""
    restated = restated_text(m.details)
    return f"{m.kind} ({relation_label(relation)}{within}{', ' + restated if restated else ''})"


def _counts(c: Mapping[str, int]) -> list[str]:
    """The table of counts the report opens with."""
    return [
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
        *([f"| of which a reporter restating a quote (\u201cwe\u201d read as the party named) | {c['paraphrase_restated']} |"]
          if c.get("paraphrase_restated") else []),
        *([f"| statements set aside (not scored) / not English | {c['paraphrase_set_aside']} / "
           f"{c.get('paraphrase_not_english', 0)} |"] if "paraphrase_set_aside" in c else []),
        "",
    ]


def _outlets(result: ScanResult, g: Graph, limit: int) -> list[str]:
    """Which outlets share text, the links with the most shared characters first (the source graph's edges)."""
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
    out += _more(len(edges), limit, "more links in `sources.gexf` and on the pages of `report.html`.")
    return out


def _claim(result: ScanResult, cl: ClaimCluster) -> list[str]:
    """One claim cluster: a heading, its journey, its first publication and a table of its statements."""
    who = ", ".join(cl.speakers) if cl.speakers else "no attributed speaker"
    journey = claim_journey([st.doc for st in cl.statements], result.document)
    first = cl.first_publication
    sources = ", ".join(cl.sources) or "no source given"
    out = [
        f"### Claim {_md_cell(cl.id)}: {len(cl.statements)} statements in {len(cl.documents)} document(s) "
        f"(score min {cl.min_score:.2f}, mean {cl.mean_score:.2f}; speakers: {_md_cell(who)})",
        "",
        f"Journey: {_md_cell(journey.describe())}",
        "",
        f"First published: {_md_code(first.doc)} [{first.span.start}:{first.span.end}], "
        f"{_md_cell(cl.first_published or 'undated')}; sources: {_md_cell(sources)}.",
        "",
        "| link | date | document | source | speaker | statement |",
        "|---|---|---|---|---|---|",
    ]
    for n, (st, link) in enumerate(cl.linked()):
        d = result.document(st.doc)
        how = "anchor" if n == 0 else (link_label(link) if link else "")
        out.append(
            f"| {how} | {_md_cell(d.date)} | {_md_code(st.doc)} [{st.span.start}:{st.span.end}] "
            f"| {_md_cell(d.source)} | {_md_cell(st.speaker)} | {_md_cell(_clip(st.text, 300))} |"
        )
    out.append("")
    return out


def _claims(result: ScanResult, limit: int) -> list[str]:
    """The claim clusters section: statements that say the same thing, the most widely carried first."""
    claims = result.claim_clusters
    if claims is None:
        return ["## Claim clusters", "", "The paraphrase tier did not run in this scan, so no claim clusters were formed.",
                ""]
    info = result.paraphrase
    out = ["## Claim clusters", ""]
    out += [
        f"Statements (sentences or quotes) that say the same thing in different words, judged by "
        f"{_md_cell(info.get('path') or '?')}: *same statement* (paraphrase score at least "
        f"{info.get('threshold')}) or *same claim* (claim score over statements and their clauses at least "
        f"{info.get('claim_threshold')}). "
        "Verbatim copies are reported as reuse, not here.",
        "",
    ]
    aside = set_aside_text(info)
    if aside:
        out += [aside, ""]
    for checked in checks_texts(info, result.counts):
        out += [_md_cell(checked), ""]
    if info.get("within_document") is False:
        out += ["Pairs within one document are not counted (`--no-within-document`).", ""]
    if not claims:
        return out + ["No claim clusters found.", ""]
    out += ["The claims carried by the most outlets and documents come first. Each cluster is a star around its "
            "anchor (the first statement listed): every other statement was accepted by the model against the "
            "anchor (link), so no claim joins through a third statement.", ""]
    for cl in widest_first(claims)[:limit]:
        out += _claim(result, cl)
    out += _more(len(claims), limit, "more claim clusters in `clusters.json` and on the pages of `report.html`.")
    return out


def _match_table(matches: Sequence[Match], limit: int, title: str) -> list[str]:
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
    out += _more(len(matches), limit, "more in `matches.jsonl` and on the pages of `report.html`.")
    return out


def _passages(result: ScanResult, limit: int) -> list[str]:
    """Shared passages, the best first, with an excerpt of each side."""
    reuse = [m for m in result.matches if m.kind == "reuse"]
    out = ["## Shared passages", ""]
    if not reuse:
        return out + ["No passage of one document was found in another.", ""]
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
    out += _more(len(reuse), limit, "more shared passages in `matches.jsonl`.")
    return out


def _clusters(result: ScanResult, limit: int) -> list[str]:
    """Duplicate clusters, the largest first, each with its representative's opening and its members."""
    out = ["## Duplicate clusters", ""]
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
    out += _more(len(clusters), limit, "more clusters in `clusters.json`.")
    return out


def _boilerplate(result: ScanResult, limit: int) -> list[str]:
    out = ["## Boilerplate", ""]
    if not result.boilerplate:
        return out + ["No boilerplate recognised.", ""]
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
    out += _more(len(result.boilerplate), limit, "more in `summary.json` (first 100).")
    return out


def _skipped(result: ScanResult, limit: int) -> list[str]:
    if not result.skipped:
        return []
    out = ["## Skipped documents", "", "| document | reason |", "|---|---|"]
    for s in result.skipped[:limit]:
        out.append(f"| {_md_code(s.doc)} | {_md_cell(s.reason)} |")
    out.append("")
    out += _more(len(result.skipped), limit, "more skipped documents.")
    return out


def _json_block(title: str, data: Any, **dumps: Any) -> list[str]:
    return [f"## {title}", "", "```json", json.dumps(data, indent=2, **dumps), "```", ""]


def render_markdown(result: ScanResult, *, limit: int = 50, extra: Mapping[str, Any] | None = None,
                    sources: Graph | None = None) -> str:
    """``report.md``: counts, outlets, claims, shared passages, clusters, boilerplate, skipped, parameters.

    Each list shows its first ``limit`` items and says where the rest are.
    ``extra["ingest"]`` (what reading the input reported) is shown when given.
    ``sources`` is the result's source graph when the caller has it already.

    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> docs = [Document(f"d{i}", "the same wire story about grain exports rising again this year") for i in range(2)]
    >>> with scan(docs, paraphrase=False) as result:
    ...     report = render_markdown(result)
    >>> report.splitlines()[0], "### Cluster 1: 2 documents" in report
    ('# overlap scan report', True)
    """
    out: list[str] = ["# overlap scan report", ""]
    out += _counts(result.counts)
    out += _outlets(result, source_graph(result) if sources is None else sources, limit)
    out += _claims(result, limit)
    out += _match_table([m for m in result.matches if m.kind == "paraphrase"], limit, "Paraphrase matches")
    out += _passages(result, limit)
    out += _clusters(result, limit)
    out += _match_table([m for m in result.matches if m.kind == "duplicate"], limit, "Near-duplicate pairs")
    out += _match_table([m for m in result.matches if m.kind not in ("duplicate", "reuse", "paraphrase")], limit,
                        "Other matches")
    out += _boilerplate(result, limit)
    out += _skipped(result, limit)
    if extra and extra.get("ingest"):
        out += _json_block("Input", extra["ingest"], ensure_ascii=False)
    out += _json_block("Parameters", result.params.to_dict())
    return "\n".join(out)
