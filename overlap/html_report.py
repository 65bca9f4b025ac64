"""``report.html``: one self-contained page a person reads, and can archive.

No scripts, fonts, images or styles from anywhere else: the page is one file
with an inline style sheet and an inline SVG picture of the source graph, so
it opens offline and years later. A Content-Security-Policy meta tag forbids
scripts and every outside fetch as a second line of defence; the first is
that every piece of article text, id, title and source is HTML-escaped
before it is written (articles are untrusted input).

Sections: summary counts, the source graph (SVG drawn here from a seeded
spring layout, so the same scan draws the same picture) with its strongest
links, duplicate clusters, claim clusters when the scan has them, every match
with its two passages side by side and the shared words highlighted
(:mod:`overlap.highlight`), boilerplate, skipped documents, parameters.

Large scans stay readable and small: lists are capped (:class:`HtmlLimits`)
and each cut says how much was left out and where the rest is
(``matches.jsonl``, ``clusters.json``). With the defaults the page stays
under about 2 MB whatever the size of the scan.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape
from typing import Any, Iterable, Sequence

from .graph import KINDS, layout, publication_order, source_graph
from .escape import label
from .highlight import shared_segments
from .model import Match, MatchSide, Span

__all__ = ["HtmlLimits", "render_html", "source_graph_svg"]


@dataclass(frozen=True, slots=True)
class HtmlLimits:
    """Caps that keep the page small for large scans (each cut is stated on the page)."""

    matches: int = 300
    clusters: int = 200
    members: int = 25
    claim_clusters: int = 100
    statements: int = 25
    passage_chars: int = 1500
    graph_sources: int = 40
    graph_edges: int = 50
    boilerplate: int = 50
    skipped: int = 50


_CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#d8dce4;--bg:#fff;--soft:#f5f6f9;--mark:#ffe27a;--dup:#3b6fd8;--reuse:#d8663b;--para:#2e9d6a}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px;border-bottom:1px solid var(--line);background:var(--soft)}h1{margin:0 0 6px;font-size:22px}
nav a{margin-right:14px;color:var(--dup);text-decoration:none}main{padding:8px 28px 40px;max-width:1400px}
h2{margin:28px 0 10px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{margin:0;font-size:15px}
table{border-collapse:collapse;margin:6px 0 10px}td,th{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:var(--muted);font-style:italic}.muted{color:var(--muted)}
.match{border:1px solid var(--line);border-radius:6px;margin:14px 0;padding:10px 12px}
.match>h3 .kind{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-size:12px;margin-right:6px}
.k-duplicate{background:var(--dup)}.k-reuse{background:var(--reuse)}.k-paraphrase{background:var(--para)}.k-other{background:var(--muted)}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:8px}
.side{min-width:0}.meta{font-size:13px;color:var(--muted);margin-bottom:4px;overflow-wrap:anywhere}
.meta b{color:var(--fg)}.badge{font-size:11px;border:1px solid var(--muted);border-radius:8px;padding:0 5px;margin-left:4px}
.passage{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);padding:8px;border-radius:4px;font-size:14px;max-height:28em;overflow:auto}
mark{background:var(--mark);padding:0 1px}
pre{background:var(--soft);padding:8px;overflow:auto;font-size:13px}
svg{max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
svg text{font:12px system-ui,sans-serif;fill:var(--fg)}
.nw{white-space:nowrap}.claim li{margin:4px 0}.speaker{font-weight:600}
@media (max-width:800px){.pair{grid-template-columns:1fr}}
"""

_COUNT_LABELS = (
    ("documents_read", "documents read"),
    ("documents_scanned", "documents scanned"),
    ("documents_skipped", "documents skipped"),
    ("boilerplate_lines", "boilerplate lines"),
    ("candidate_pairs", "LSH candidate pairs"),
    ("verified_pairs", "verified pairs"),
    ("exact_copies", "exact copies"),
    ("clusters", "duplicate clusters"),
    ("documents_in_clusters", "documents in clusters"),
)


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _l(value: Any) -> str:
    """An untrusted label (id, source, title, date, speaker): one line, no bidi controls, isolated.

    ``<bdi>`` keeps a right-to-left name from reordering the text around it.
    """
    text = label(value)
    return f"<bdi>{_e(text)}</bdi>" if text else ""


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _num(value: Any, fmt: str = "{:.2f}") -> str:
    return fmt.format(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _marked(text: str, spans: Iterable[Span]) -> str:
    """Escaped text with the given ranges wrapped in ``<mark>``."""
    out: list[str] = []
    pos = 0
    for s in spans:
        start, end = max(s.start, pos), min(s.end, len(text))
        if start >= end:
            continue
        out.append(_e(text[pos:start]))
        out.append(f"<mark>{_e(text[start:end])}</mark>")
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _excerpt(view: Any, side: MatchSide) -> str:
    try:
        return view.excerpt(side.doc, side.span)
    except (KeyError, AttributeError):
        try:
            return view.text(side.doc)[side.span.start : side.span.end]
        except (KeyError, AttributeError):
            return ""


def _doc(view: Any, doc_id: str) -> Any:
    try:
        return view.document(doc_id)
    except KeyError:
        return None


def _cut(total: int, shown: int, what: str, where: str) -> str:
    if total <= shown:
        return ""
    return f'<p class="note">Showing {shown:,} of {total:,} {what}; the other {total - shown:,} are in {where}.</p>'


# --- the source graph picture ------------------------------------------------


def source_graph_svg(view: Any, limits: HtmlLimits = HtmlLimits()) -> tuple[str, str]:
    """The source graph as inline SVG (empty when nothing is shared), and a note on what was cut."""
    return _svg(source_graph(view), limits)


def _svg(g: Any, limits: HtmlLimits) -> tuple[str, str]:
    if g.number_of_edges() == 0:
        return "", ""
    def weight(n: str) -> tuple[int, str]:
        d = g.nodes[n]
        return (-(d["cross_source_matches"] + d["within_source_matches"]), n)
    keep = sorted(g.nodes, key=weight)[: limits.graph_sources]
    note = ""
    if g.number_of_nodes() > len(keep):
        note = (f"The picture shows the {len(keep)} sources with the most shared text "
                f"of {g.number_of_nodes():,}; the full graph is in graph.gexf and sources.gexf.")
    sub = g.subgraph(keep)
    pos = layout(sub)
    n = sub.number_of_nodes()
    w, h, left, right, m = 960, 160 if n <= 2 else (400 if n <= 8 else 600), 40, 190, 50  # labels go right
    xy = {n: (left + p[0] * (w - left - right), m + p[1] * (h - 2 * m)) for n, p in pos.items()}
    most = max((d["matched_documents"] for _, d in sub.nodes(data=True)), default=1) or 1

    def radius(n: str) -> float:
        return 6 + 16 * math.sqrt(sub.nodes[n]["matched_documents"] / most)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="Sources and the text they share">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#6b7385"/></marker></defs>',
    ]
    edges = sorted(sub.edges(data=True), key=lambda e: (-e[2]["matches"], str(e[0]), str(e[1])))
    for s, t, d in edges:
        kinds = ", ".join(f"{d.get(k, 0)} {k}" for k in KINDS if d.get(k))
        arrow = "→" if d["directed"] else "–"
        title = f"{label(s)} {arrow} {label(t)}: {d['matches']} matches ({kinds}); {d['undated_matches']} of unknown direction"
        width = min(1 + math.log2(d["matches"]), 8)
        if s == t:
            x, y = xy[s]
            r = radius(s)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y - r - 7:.1f}" r="8" fill="none" stroke="#9aa2b1" '
                f'stroke-width="{width:.1f}"><title>{_e(title)}</title></circle>'
            )
            continue
        (x1, y1), (x2, y2) = xy[s], xy[t]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        r1, r2 = radius(s), radius(t) + 2
        ox, oy = (-dy / dist * 4, dx / dist * 4) if sub.has_edge(t, s) else (0.0, 0.0)  # both ways: side by side
        ax, ay = x1 + dx * r1 / dist + ox, y1 + dy * r1 / dist + oy
        bx, by = x2 - dx * r2 / dist + ox, y2 - dy * r2 / dist + oy
        style = 'marker-end="url(#arrow)"' if d["directed"] else 'stroke-dasharray="5 4"'
        parts.append(
            f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="#6b7385" '
            f'stroke-opacity="0.75" stroke-width="{width:.1f}" {style}><title>{_e(title)}</title></line>'
        )
    for n in sorted(sub.nodes, key=str):
        d = sub.nodes[n]
        x, y = xy[n]
        r = radius(n)
        title = (f"{label(n)}: {d['documents']} documents, {d['matched_documents']} with matches; "
                 f"{d['cross_source_matches']} cross-source, {d['within_source_matches']} within-source matches")
        name = label(n)
        name = name if len(name) <= 28 else name[:27] + "…"
        parts.append(
            f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#3b6fd8" fill-opacity="0.8" stroke="#fff" '
            f'stroke-width="1.5"><title>{_e(title)}</title></circle>'
            f'<text x="{x + r + 4:.1f}" y="{y + 4:.1f}">{_e(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts), note


# --- sections ----------------------------------------------------------------


def _summary(view: Any) -> list[str]:
    c = dict(view.counts)
    rows = [(label, c[key]) for key, label in _COUNT_LABELS if key in c]
    by_kind: dict[str, int] = {}
    for m in view.matches:
        by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
    rows += [(f"{k} matches", by_kind.get(k, 0)) for k in KINDS]
    rows += [(f"{k} matches", n) for k, n in sorted(by_kind.items()) if k not in KINDS]
    claims = getattr(view, "claim_clusters", None)
    if claims is not None:
        rows.append(("claim clusters", len(claims)))
    out = ['<section id="summary"><h2>Summary</h2><table>']
    out += [f'<tr><th>{_e(k)}</th><td class="n">{v:,}</td></tr>' for k, v in rows]
    out.append("</table></section>")
    return out


def _sources(view: Any, limits: HtmlLimits) -> list[str]:
    out = ['<section id="sources"><h2>Sources sharing text</h2>']
    g = source_graph(view)
    svg, note = _svg(g, limits)
    if not svg:
        out.append("<p>No text is shared between documents, so there is no reuse graph to draw.</p></section>")
        return out
    out.append('<p class="muted">Each circle is a source (outlet), sized by its documents that share text. '
               "An arrow points from the earlier to the later publication; a dashed line joins sources whose "
               "order is unknown (dates missing or equal); a ring marks an outlet repeating itself. "
               "Hover for counts.</p>")
    out.append(svg)
    if note:
        out.append(f'<p class="note">{_e(note)}</p>')
    edges = sorted(g.edges(data=True), key=lambda e: (-e[2]["matches"], str(e[0]), str(e[1])))
    out.append("<table><tr><th>from</th><th></th><th>to</th><th>matches</th>"
               + "".join(f"<th>{k}</th>" for k in KINDS)
               + "<th>shared characters</th><th>best score</th><th>first shared</th></tr>")
    for s, t, d in edges[: limits.graph_edges]:
        arrow = "itself" if s == t else ("→" if d["directed"] else "–")
        out.append(
            f"<tr><td>{_l(s)}</td><td>{arrow}</td><td>{'' if s == t else _l(t)}</td><td class='n'>{d['matches']:,}</td>"
            + "".join(f"<td class='n'>{d.get(k, 0):,}</td>" for k in KINDS)
            + f"<td class='n'>{d['shared_chars']:,}</td><td class='n'>{d['best_score']:.2f}</td>"
            f"<td>{_l(d.get('date', ''))}</td></tr>"
        )
    out.append("</table>")
    out.append(_cut(len(edges), limits.graph_edges, "source links", "sources_edges.csv (overlap graph DIR)"))
    out.append("</section>")
    return out


def _clusters(view: Any, limits: HtmlLimits) -> list[str]:
    out = ['<section id="clusters"><h2>Duplicate clusters</h2>']
    clusters = sorted(view.clusters, key=lambda c: (-len(c.members), c.id))
    if not clusters:
        out.append("<p>No near-duplicate documents found.</p></section>")
        return out
    out.append('<p class="muted">Each cluster is a star: every member is a verified near-duplicate of the '
               "representative, the earliest dated member.</p>")
    for c in clusters[: limits.clusters]:
        out.append(f'<h3>Cluster {c.id}: {len(c.members):,} documents '
                   f'<span class="muted">(Jaccard to representative: min {c.min_score:.2f}, '
                   f'mean {c.mean_score:.2f})</span></h3>')
        out.append("<table><tr><th>document</th><th>source</th><th>date</th><th>title</th></tr>")
        for doc_id in c.members[: limits.members]:
            d = _doc(view, doc_id)
            rep = ' <span class="badge">representative</span>' if doc_id == c.representative else ""
            out.append(f"<tr><td>{_l(doc_id)}{rep}</td><td>{_l(_get(d, 'source'))}</td>"
                       f"<td>{_l(_get(d, 'published'))}</td><td>{_l(_get(d, 'title'))}</td></tr>")
        out.append("</table>")
        out.append(_cut(len(c.members), limits.members, "members", "clusters.json"))
    out.append(_cut(len(clusters), limits.clusters, "clusters", "clusters.json"))
    out.append("</section>")
    return out


def _claims(view: Any, limits: HtmlLimits) -> list[str]:
    claims = getattr(view, "claim_clusters", None)
    if claims is None:
        return []
    out = ['<section id="claims"><h2>Claim clusters</h2>']
    if not claims:
        out.append("<p>No statement was found made in different words by more than one document.</p></section>")
        return out
    out.append('<p class="muted">Statements that say the same thing in different words, earliest first.</p>')
    for cl in list(claims)[: limits.claim_clusters]:
        statements = list(_get(cl, "statements", ()) or ())
        sources = _get(cl, "sources", ()) or ()
        n_docs = len({_get(st, "doc", "") for st in statements})
        where = f"{n_docs} document{'s' if n_docs != 1 else ''}"
        if sources:
            where += f", {len(sources)} source{'s' if len(sources) != 1 else ''}"
        out.append(f'<div class="claim"><h3>Claim {_e(label(_get(cl, "id", "")))}: {len(statements)} statements'
                   f' in {where} <span class="muted">(first {_l(_get(cl, "first_published", "") or "undated")}; '
                   f'score min {_num(_get(cl, "min_score"))}, mean {_num(_get(cl, "mean_score"))})</span></h3><ul>')
        for st in statements[: limits.statements]:
            doc_id = _get(st, "doc", "")
            d = _doc(view, doc_id)
            speaker = _get(st, "speaker")
            who = f'<span class="speaker">{_l(speaker)}</span>: ' if speaker else ""
            out.append(f"<li>{who}“<bdi>{_e(_get(st, 'text', ''))}</bdi>” <span class='muted'>— {_l(doc_id)}"
                       f"{', ' + _l(_get(d, 'source')) if _get(d, 'source') else ''}"
                       f"{', ' + _l(_get(d, 'published')) if _get(d, 'published') else ''}</span></li>")
        out.append("</ul>")
        out.append(_cut(len(statements), limits.statements, "statements", "the scan's claim output"))
        out.append("</div>")
    out.append(_cut(len(claims), limits.claim_clusters, "claim clusters", "the scan's claim output"))
    out.append("</section>")
    return out


def _pick(matches: Sequence[Match], limit: int) -> list[int]:
    """Indices of the matches to show: a fair share per kind, then the rest in scan order."""
    if len(matches) <= limit:
        return list(range(len(matches)))
    by_kind: dict[str, list[int]] = {}
    for i, m in enumerate(matches):
        by_kind.setdefault(m.kind, []).append(i)
    share = limit // max(1, len(by_kind))
    chosen = {i for idx in by_kind.values() for i in idx[:share]}
    for i in range(len(matches)):
        if len(chosen) >= limit:
            break
        chosen.add(i)
    return sorted(chosen)


def _side_html(view: Any, side: MatchSide, text: str, spans: Sequence[Span], full: int, earlier: bool) -> str:
    d = _doc(view, side.doc)
    bits = [f"<b>{_l(side.doc)}</b>"]
    for name in ("source", "published", "title"):
        if _get(d, name):
            bits.append(_l(_get(d, name)))
    badge = '<span class="badge">earlier</span>' if earlier else ""
    rest = ""
    if full > len(text):
        rest = f'\n<span class="note">… {full - len(text):,} more characters not shown</span>'
    return (f'<div class="side"><div class="meta">{" · ".join(bits)}{badge} '
            f'<span class="muted">[{side.span.start:,}–{side.span.end:,}]</span></div>'
            f'<div class="passage" dir="auto">{_marked(text, spans)}{rest}</div></div>')


def _matches(view: Any, limits: HtmlLimits) -> list[str]:
    matches = list(view.matches)
    out = ['<section id="matches"><h2>Matches</h2>']
    if not matches:
        out.append("<p>No matches.</p></section>")
        return out
    out.append('<p class="muted">The two passages of each match side by side; '
               "<mark>highlighted</mark> words occur in both, in the same order.</p>")
    shown = _pick(matches, limits.matches)
    out.append(_cut(len(matches), len(shown), "matches", "matches.jsonl"))
    for n, i in enumerate(shown, start=1):
        m = matches[i]
        ta, tb = _excerpt(view, m.a), _excerpt(view, m.b)
        fa, fb = len(ta), len(tb)
        ta, tb = ta[: limits.passage_chars], tb[: limits.passage_chars]
        h = shared_segments(ta, tb)
        doc_a, doc_b = _doc(view, m.a.doc), _doc(view, m.b.doc)
        order = publication_order(_get(doc_a, "published"), _get(doc_b, "published"))
        within = _get(doc_a, "source") is not None and _get(doc_a, "source") == _get(doc_b, "source")
        kind_class = f"k-{m.kind}" if m.kind in KINDS else "k-other"
        relation = (m.details or {}).get("relation") if m.kind == "paraphrase" else None
        measures = ([{"claim": "same claim", "paraphrase": "same statement"}.get(relation, relation)] if relation else [])
        measures.append(f"score {m.score:.2f}")
        for label, value in (("Jaccard", m.jaccard), ("a in b", m.a_in_b), ("b in a", m.b_in_a)):
            if value is not None:
                measures.append(f"{label} {value:.2f}")
        out.append(f'<article class="match" id="match-{i + 1}"><h3><span class="kind {kind_class}">{_l(m.kind)}</span>'
                   f'#{i + 1} · {" · ".join(measures)}'
                   f'{" <span class=badge>within one source</span>" if within else ""}</h3><div class="pair">')
        out.append(_side_html(view, m.a, ta, h.a, fa, order < 0))
        out.append(_side_html(view, m.b, tb, h.b, fb, order > 0))
        out.append("</div></article>")
    out.append("</section>")
    return out


def _boilerplate(view: Any, limits: HtmlLimits) -> list[str]:
    items = list(view.boilerplate)
    out = ['<section id="boilerplate"><h2>Boilerplate</h2>']
    if not items:
        out.append("<p>No boilerplate recognised.</p></section>")
        return out
    out.append('<p class="muted">Lines treated as boilerplate never count as evidence of reuse.</p>'
               "<table><tr><th>documents</th><th>source</th><th>why</th><th>line</th></tr>")
    for b in items[: limits.boilerplate]:
        out.append(f"<tr><td class='n'>{b.documents:,}</td><td class='nw'>{_l(b.source or '(no source)')}</td>"
                   f"<td class='nw'>{_e(b.reason)}</td><td>{_e(b.text)}</td></tr>")
    out.append("</table>")
    out.append(_cut(len(items), limits.boilerplate, "boilerplate lines", "summary.json (first 100)"))
    out.append("</section>")
    return out


def _skipped(view: Any, limits: HtmlLimits) -> list[str]:
    items = list(view.skipped)
    if not items:
        return []
    out = ['<section id="skipped"><h2>Skipped documents</h2><table><tr><th>document</th><th>reason</th></tr>']
    out += [f"<tr><td>{_l(s.doc)}</td><td>{_e(s.reason)}</td></tr>" for s in items[: limits.skipped]]
    out.append("</table>")
    out.append(_cut(len(items), limits.skipped, "skipped documents", "summary.json (counts by reason)"))
    out.append("</section>")
    return out


def _parameters(view: Any) -> list[str]:
    params = {"parameters": view.params.to_dict(), "lsh": dict(getattr(view, "lsh", {}) or {})}
    return ['<section id="parameters"><h2>Parameters</h2><pre>',
            _e(json.dumps(params, indent=2, ensure_ascii=False, sort_keys=True)), "</pre></section>"]


def render_html(view: Any, *, limits: HtmlLimits = HtmlLimits(), title: str = "overlap scan report") -> str:
    """The whole report page for a :class:`~overlap.pipeline.ScanResult` or a loaded scan directory.

    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> text = "<script>alert(1)</script> the same wire story about grain exports rising for a third month"
    >>> docs = [Document(f"d{i}", text) for i in range(2)]
    >>> with scan(docs) as result:
    ...     page = render_html(result)
    >>> "<script>" in page, "script&gt;alert(1)&lt;/script&gt;" in page
    (False, True)
    """
    sections = ["summary", "sources", "clusters"]
    if getattr(view, "claim_clusters", None) is not None:
        sections.append("claims")
    sections += ["matches", "boilerplate"]
    if list(view.skipped):
        sections.append("skipped")
    sections.append("parameters")
    nav = "".join(f'<a href="#{s}">{s}</a>' for s in sections)
    body: list[str] = []
    body += _summary(view)
    body += _sources(view, limits)
    body += _clusters(view, limits)
    body += _claims(view, limits)
    body += _matches(view, limits)
    body += _boilerplate(view, limits)
    body += _skipped(view, limits)
    body += _parameters(view)
    head = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>"
        f"<header><h1>{_e(title)}</h1><nav>{nav}</nav></header><main>\n"
    )
    return head + "\n".join(part for part in body if part) + "\n</main></body></html>\n"
