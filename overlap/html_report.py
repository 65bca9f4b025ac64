"""``report.html``: the page a person reads first, and the pages it links to.

It leads with the answer to "who reused whom, and when": a short summary,
the outlets (source) graph, the claims made in other words (each with a
timeline of the outlets that carried it), shared passages, then duplicate
clusters, boilerplate and parameters. Long sections are folded in
``<details>`` whose summary line says what is inside and how many.

Nothing is silently cut: a list longer than a page (:class:`HtmlLimits`)
continues on static pages beside ``report.html`` (``report-reuse-2.html``,
``report-claims-3.html``, ...), linked from a pager on every page, so every
match and every cluster is reachable from ``report.html`` by links.
:func:`render_html_pages` returns the whole set; :func:`render_html` the
first page alone.

No scripts, fonts, images or styles from anywhere else: each page is one
file with an inline style sheet and inline SVG pictures (the source graph
from a seeded spring layout, each claim's timeline), so the set opens
offline and years later. A Content-Security-Policy meta tag forbids scripts
and every outside fetch as a second line of defence; the first is that every
piece of article text, id, title and source is HTML-escaped before it is
written (articles are untrusted input).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable, Iterable, Sequence

from .escape import label
from .graph import KINDS, NO_SOURCE, layout, publication_order, source_graph
from .highlight import shared_segments
from .journey import Journey, claim_journey, claim_reach, widest_first
from .model import Match, MatchSide, Span
from .report import claim_record, set_aside_text

__all__ = ["HtmlLimits", "render_html", "render_html_pages", "is_report_page", "source_graph_svg",
           "journey_svg"]


@dataclass(frozen=True, slots=True)
class HtmlLimits:
    """Page sizes: a longer list continues on further pages, never cut.

    ``matches``, ``clusters``, ``claim_clusters``, ``graph_edges`` and
    ``skipped`` are items per page. ``members`` and ``statements`` are shown
    before the rest of a cluster folds away (on the same page).
    ``passage_chars`` cuts a very long passage (the page says how much is not
    shown; ``matches.jsonl`` has it whole), ``graph_sources`` and
    ``timeline_outlets`` keep the pictures legible (the tables below them list
    everything).
    """

    matches: int = 100
    clusters: int = 50
    members: int = 25
    claim_clusters: int = 20
    statements: int = 25
    passage_chars: int = 1500
    graph_sources: int = 40
    graph_edges: int = 100
    timeline_outlets: int = 12
    boilerplate: int = 100
    skipped: int = 100


#: A list of at most this many items is shown open; a longer one starts folded.
OPEN_UP_TO = 10

_CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#d8dce4;--bg:#fff;--soft:#f5f6f9;--mark:#ffe27a;--dup:#3b6fd8;--reuse:#d8663b;--para:#2e9d6a}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px;border-bottom:1px solid var(--line);background:var(--soft)}h1{margin:0 0 6px;font-size:22px}
nav a{margin-right:14px;color:var(--dup);text-decoration:none}main{padding:8px 28px 40px;max-width:1400px}
h2{margin:28px 0 10px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{margin:0;font-size:15px}
table{border-collapse:collapse;margin:6px 0 10px}td,th{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:var(--muted);font-style:italic}.muted{color:var(--muted)}
.findings{font-size:16px;padding-left:20px}.findings li{margin:5px 0}
details{margin:10px 0}details>summary{cursor:pointer;font-weight:600;padding:4px 0}
details.sub>summary{font-weight:normal;color:var(--muted)}
nav.pager{margin:8px 0;font-size:14px}nav.pager a,nav.pager b{margin-right:8px}
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
svg text{font:12px system-ui,sans-serif;fill:var(--fg)}svg text.axis{fill:var(--muted);font-size:11px}
.claim{border:1px solid var(--line);border-radius:6px;margin:14px 0;padding:10px 12px}
.claim svg{margin:8px 0 2px}.journey{font-size:13px;color:var(--muted);margin:2px 0 6px}
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
    ("paraphrase_within_document", "paraphrase matches within one document"),
    ("paraphrase_set_aside", "statements set aside (not scored)"),
    ("paraphrase_not_english", "statements not in English (not scored)"),
)

_SECTIONS = (("summary", "summary"), ("outlets", "outlets"), ("claims", "claims"), ("reuse", "shared passages"),
             ("duplicates", "duplicates"), ("boilerplate", "boilerplate"), ("skipped", "skipped"),
             ("parameters", "parameters"))


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


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _short(text: Any, limit: int) -> str:
    """An untrusted name on one line, without bidi controls (:func:`overlap.escape.label`), cut to ``limit``."""
    text = label(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


# --- pages -------------------------------------------------------------------


_PAGE = re.compile(r"-[a-z]+(?:-[a-z]+)*-[0-9]+\.html")


def is_report_page(name: str, stem: str = "report") -> bool:
    """Whether a file name is one of the further pages of ``{stem}.html`` (``report-reuse-2.html``).

    >>> is_report_page("report-reuse-2.html"), is_report_page("report.html"), is_report_page("notes-1.html")
    (True, False, False)
    """
    return name.startswith(stem) and _PAGE.fullmatch(name[len(stem):]) is not None


@dataclass
class _Pages:
    """The set of pages being written: ``{stem}.html`` and its further pages."""

    stem: str
    title: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def main(self) -> str:
        return f"{self.stem}.html"

    def name(self, section: str, n: int) -> str:
        return self.main if n == 1 else f"{self.stem}-{section}-{n}.html"

    def href(self, section: str, n: int, here: int) -> str:
        """Link to page ``n`` of a list, from page ``here`` of it."""
        if n == 1:
            return f"#{section}" if here == 1 else f"{self.main}#{section}"
        return self.name(section, n)

    def document(self, heading: str, body: Sequence[str], nav: Sequence[str]) -> str:
        head = (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(heading)}</title><style>{_CSS}</style></head>\n<body>"
            f"<header><h1>{_e(heading)}</h1><nav>{''.join(nav)}</nav></header><main>\n"
        )
        return head + "\n".join(part for part in body if part) + "\n</main></body></html>\n"


def _window(current: int, total: int) -> list[int | None]:
    """Page numbers to link (``None`` is a gap): all of them when few, else the ends and the neighbourhood."""
    if total <= 15:
        return list(range(1, total + 1))
    keep = sorted({1, 2, total - 1, total, *range(max(1, current - 2), min(total, current + 2) + 1)})
    out: list[int | None] = []
    for n in keep:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def _pager(pages: _Pages, section: str, current: int, total: int) -> str:
    if total <= 1:
        return ""
    links = []
    if current > 1:
        links.append(f'<a href="{pages.href(section, current - 1, current)}" rel="prev">← previous</a>')
    for n in _window(current, total):
        if n is None:
            links.append("<span>…</span>")
        elif n == current:
            links.append(f"<b>{n}</b>")
        else:
            links.append(f'<a href="{pages.href(section, n, current)}">{n}</a>')
    if current < total:
        links.append(f'<a href="{pages.href(section, current + 1, current)}" rel="next">next →</a>')
    return f'<nav class="pager" aria-label="pages">Pages: {" ".join(links)}</nav>'


def _paged(pages: _Pages, section: str, heading: str, items: Sequence[Any], per_page: int, noun: str,
           render: Callable[[Sequence[Any], int], list[str]]) -> tuple[list[str], int]:
    """The first page of ``items`` (to place on the main page) and the further pages, written into ``pages``.

    ``render(chunk, offset)`` draws one page's items; ``offset`` is the
    index of the chunk's first item in ``items``.
    """
    per_page = max(1, per_page)
    total = max(1, math.ceil(len(items) / per_page))
    for n in range(2, total + 1):
        lo, hi = (n - 1) * per_page, min(len(items), n * per_page)
        body = [f'<section id="{section}"><h2>{_e(heading)}: page {n} of {total}</h2>',
                f'<p class="muted">{_e(noun)} {lo + 1:,}–{hi:,} of {len(items):,}.</p>',
                _pager(pages, section, n, total), *render(items[lo:hi], lo), _pager(pages, section, n, total),
                "</section>"]
        nav = [f'<a href="{pages.main}#{s}">{name}</a>' for s, name in _SECTIONS[:6]]
        pages.files[pages.name(section, n)] = pages.document(f"{pages.title}: {heading}, page {n}", body, nav)
    first = render(items[:per_page], 0)
    pager = _pager(pages, section, 1, total)
    return ([pager, *first, pager] if pager else first), total


def _folded(summary: str, parts: Sequence[str], *, open_: bool, anchor: str | None = None,
            cls: str | None = None) -> list[str]:
    attrs = (f' id="{anchor}"' if anchor else "") + (f' class="{cls}"' if cls else "") + (" open" if open_ else "")
    return [f"<details{attrs}><summary>{summary}</summary>", *parts, "</details>"]


def _count_line(total: int, noun: str, per_page: int, pages_total: int, plural: str | None = None) -> str:
    """``1,234 passages: 100 here, the rest on 12 more pages`` (escaped), for a fold's summary line."""
    if pages_total <= 1:
        return _e(_plural(total, noun, plural))
    return _e(f"{_plural(total, noun, plural)}: {min(total, per_page):,} here, the rest on {pages_total - 1:,} more "
              f"page{'s' if pages_total > 2 else ''}")


# --- the source graph picture ------------------------------------------------


def source_graph_svg(view: Any, limits: HtmlLimits = HtmlLimits()) -> tuple[str, str]:
    """The source graph as inline SVG (empty when nothing is shared), and a note on what was left out."""
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
                f"of {g.number_of_nodes():,}; every link is in the table below, and in sources.gexf.")
    sub = g.subgraph(keep)
    pos = layout(sub)
    n = sub.number_of_nodes()
    w, h, left, right, m = 960, 160 if n <= 2 else (400 if n <= 8 else 600), 40, 190, 50  # labels go right
    xy = {n: (left + p[0] * (w - left - right), m + p[1] * (h - 2 * m)) for n, p in pos.items()}
    most = max((d["matched_documents"] for _, d in sub.nodes(data=True)), default=1) or 1
    widest = max((d["shared_chars"] for _, _, d in sub.edges(data=True)), default=1) or 1

    def radius(n: str) -> float:
        return 6 + 16 * math.sqrt(sub.nodes[n]["matched_documents"] / most)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="Sources and the text they share">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" '
        'markerWidth="14" markerHeight="14" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#6b7385"/>'
        "</marker></defs>",
    ]
    edges = sorted(sub.edges(data=True), key=lambda e: (-e[2]["matches"], str(e[0]), str(e[1])))
    for s, t, d in edges:
        kinds = ", ".join(f"{d.get(k, 0)} {k}" for k in KINDS if d.get(k))
        arrow = "→" if d["directed"] else "–"
        title = (f"{label(s)} {arrow} {label(t)}: {d['shared_chars']:,} characters shared in {d['matches']} matches ({kinds}); "
                 f"{d['undated_matches']} of unknown direction")
        width = 1 + 7 * math.sqrt(d["shared_chars"] / widest)  # the widest link is 8 px, an arrowhead 14
        if s == t:
            x, y = xy[s]
            r = radius(s)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y - r - 7:.1f}" r="8" fill="none" stroke="#9aa2b1" '
                f'stroke-width="{min(width, 6):.1f}"><title>{_e(title)}</title></circle>'
            )
            continue
        (x1, y1), (x2, y2) = xy[s], xy[t]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        r1, r2 = radius(s), radius(t) + 2
        off = 2 + width / 2
        ox, oy = (-dy / dist * off, dx / dist * off) if sub.has_edge(t, s) else (0.0, 0.0)  # both ways: side by side
        ax, ay = x1 + dx * r1 / dist + ox, y1 + dy * r1 / dist + oy
        bx, by = x2 - dx * r2 / dist + ox, y2 - dy * r2 / dist + oy
        style = 'marker-end="url(#arrow)"' if d["directed"] else 'stroke-dasharray="5 4"'
        parts.append(
            f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="#6b7385" '
            f'stroke-opacity="0.7" stroke-width="{width:.1f}" {style}><title>{_e(title)}</title></line>'
        )
    for n in sorted(sub.nodes, key=str):
        d = sub.nodes[n]
        x, y = xy[n]
        r = radius(n)
        title = (f"{label(n)}: {d['documents']} documents, {d['matched_documents']} with matches; "
                 f"{d['cross_source_matches']} cross-source, {d['within_source_matches']} within-source matches")
        name = _short(n, 24)
        parts.append(
            f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#3b6fd8" fill-opacity="0.8" stroke="#fff" '
            f'stroke-width="1.5"><title>{_e(title)}</title></circle>'
            f'<text x="{x + r + 4:.1f}" y="{y + 4:.1f}">{_e(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts), note


# --- a claim's timeline --------------------------------------------------------


def _when(published: str | None) -> str:
    """A date for an axis label: the day, and the time of day to the minute when the input gave one."""
    text = str(published or "")
    return text[:16].replace("T", " ") if len(text) > 10 else text


def journey_svg(journey: Journey, *, key: str = "j", max_outlets: int = 12) -> str:
    """A claim's timeline as inline SVG: one lane per outlet, time left to right, undated documents apart.

    Each document carrying the claim is a dot in its outlet's lane at its
    publication date (a darker ring marks the earliest carriers); arrows go
    from the earliest carrier to each later one. Documents without a date sit
    in a separate "undated" column, in no order and with no arrow; documents
    without an outlet in a "(no source)" lane. ``key`` makes the arrow marker's
    id unique on a page holding several timelines.
    """
    lanes = list(journey.outlets)
    shown = lanes[:max_outlets]
    lane_of = {name: i for i, name in enumerate(shown)}
    dated = [c for c in journey.dated if c.outlet in lane_of]
    undated = [c for c in journey.undated if c.outlet in lane_of]
    w, label_w, pad, lane_h, top = 760, 180, 24, 26, 22
    undated_w = 92 if undated else 0
    x0, x1 = label_w + pad, w - undated_w - pad
    h = top + len(shown) * lane_h + 34
    days = [c.days for c in dated if c.days is not None]
    lo, hi = (min(days), max(days)) if days else (0.0, 0.0)

    def x_of(d: float | None) -> float:
        if d is None:
            return w - undated_w / 2
        return (x0 + x1) / 2 if hi == lo else x0 + (d - lo) / (hi - lo) * (x1 - x0)

    def y_of(outlet: str) -> float:
        return top + lane_of[outlet] * lane_h + lane_h / 2

    groups: dict[tuple[str, int], list[Any]] = {}
    for c in [*dated, *undated]:
        groups.setdefault((c.outlet, round(x_of(c.days))), []).append(c)
    where = {c.doc: (round(x_of(c.days)), c.outlet) for c in [*dated, *undated]}
    marker = f"arrow-{_e(key)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="When each outlet carried the claim">',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#d8663b"/></marker></defs>',
    ]
    for name in shown:
        y = y_of(name)
        parts.append(f'<line x1="{label_w:.1f}" y1="{y:.1f}" x2="{w - 8:.1f}" y2="{y:.1f}" stroke="#eceef3"/>'
                     f'<text x="{label_w - 8}" y="{y + 4:.1f}" text-anchor="end">{_e(_short(name, 24))}'
                     f"<title>{_e(label(name))}</title></text>")
    base = top + len(shown) * lane_h + 6
    if dated:
        parts.append(f'<line x1="{x0 - 6:.1f}" y1="{base:.1f}" x2="{x1 + 6:.1f}" y2="{base:.1f}" stroke="#9aa2b1"/>')
        first, last = dated[0], dated[-1]
        if hi == lo:
            parts.append(f'<text class="axis" x="{x_of(lo):.1f}" y="{base + 16:.1f}" text-anchor="middle">'
                         f"{_e(_when(label(first.date)))}</text>")
        else:
            parts.append(f'<text class="axis" x="{x0:.1f}" y="{base + 16:.1f}" text-anchor="start">'
                         f'{_e(_when(label(first.date)))}</text><text class="axis" x="{x1:.1f}" '
                         f'y="{base + 16:.1f}" text-anchor="end">{_e(_when(label(last.date)))}</text>')
    else:
        parts.append(f'<text class="axis" x="{(x0 + x1) / 2:.1f}" y="{base + 16:.1f}" text-anchor="middle">'
                     "no document carrying this claim has a date</text>")
    if undated:
        ux = w - undated_w
        parts.append(f'<line x1="{ux:.1f}" y1="{top - 14}" x2="{ux:.1f}" y2="{base:.1f}" stroke="#9aa2b1" '
                     f'stroke-dasharray="3 3"/><text class="axis" x="{ux + undated_w / 2:.1f}" y="{top - 6}" '
                     'text-anchor="middle">undated</text>')
    for a, b in journey.arrows:
        if a not in where or b not in where or where[a] == where[b]:
            continue
        (xa, la), (xb, lb) = where[a], where[b]
        ya, yb = y_of(la), y_of(lb)
        dx, dy = xb - xa, yb - ya
        dist = math.hypot(dx, dy) or 1.0
        sx, sy, ex, ey = xa + dx * 7 / dist, ya + dy * 7 / dist, xb - dx * 8 / dist, yb - dy * 8 / dist
        bend = -min(18.0, dist / 4) if la == lb else 0.0  # same lane: arc above it
        cx, cy = (sx + ex) / 2, (sy + ey) / 2 + bend
        parts.append(f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" '
                     f'stroke="#d8663b" stroke-width="1.5" stroke-opacity="0.8" marker-end="url(#{marker})"/>')
    for (outlet, x), members in sorted(groups.items(), key=lambda kv: (lane_of[kv[0][0]], kv[0][1])):
        y = y_of(outlet)
        dated_group = members[0].days is not None
        earliest = any(c.earliest for c in members)
        title = "; ".join(f"{label(c.doc)} ({label(c.outlet)}, {label(c.date) or 'undated'}): "
                          f"{_plural(c.statements, 'statement')}{', earliest carrier' if c.earliest else ''}"
                          for c in members)
        if dated_group:
            style = 'fill="#d8663b" stroke="#7a2e12" stroke-width="2.5"' if earliest else \
                'fill="#3b6fd8" stroke="#fff" stroke-width="1.5"'
        else:
            style = 'fill="#fff" stroke="#5b6475" stroke-width="1.5" stroke-dasharray="2 2"'
        parts.append(f'<g><circle cx="{x}" cy="{y:.1f}" r="6" {style}><title>{_e(title)}</title></circle>'
                     + (f'<text x="{x + 9}" y="{y + 4:.1f}">×{len(members)}</text>' if len(members) > 1 else "")
                     + "</g>")
    parts.append("</svg>")
    return "".join(parts)


# --- sections ----------------------------------------------------------------


def _matches_by_kind(view: Any) -> dict[str, list[int]]:
    by_kind: dict[str, list[int]] = {}
    for i, m in enumerate(view.matches):
        by_kind.setdefault(m.kind, []).append(i)
    return by_kind


def _findings(view: Any, g: Any, by_kind: dict[str, list[int]]) -> list[str]:
    """The answer in a few sentences, each linking to the section that holds the evidence."""
    c = dict(view.counts)
    docs = list(view.documents)
    outlets = {getattr(d, "source", None) for d in docs} - {None, ""}
    no_source = sum(1 for d in docs if not getattr(d, "source", None))
    undated = sum(1 for d in docs if not getattr(d, "date", None))
    scanned = c.get("documents_scanned", len(docs))
    first = f"{_plural(scanned, 'document')} scanned, from {_plural(len(outlets), 'outlet')}"
    missing = [f"{no_source:,} without an outlet"] if no_source else []
    missing += [f"{undated:,} without a date"] if undated else []
    if missing:
        first += f" ({' and '.join(missing)}: shown as such, never guessed)"
    items = [_e(first) + "."]
    cross = [(s, t, d) for s, t, d in g.edges(data=True) if s != t]
    within = sum(d["matches"] for s, t, d in g.edges(data=True) if s == t)
    if cross:
        s, t, d = max(cross, key=lambda e: (e[2]["shared_chars"], e[2]["matches"], str(e[0]), str(e[1])))
        arrow = "→" if d["directed"] else "and"
        items.append(f'<a href="#outlets">Outlets</a>: {_e(_plural(len(cross), "link"))} between different outlets '
                     f"sharing text; the strongest, {_l(s)} {arrow} {_l(t)}: {d['shared_chars']:,} characters in "
                     f"{_e(_plural(d['matches'], 'match', 'matches'))}.")
    else:
        items.append('<a href="#outlets">Outlets</a>: no text shared between different outlets'
                     + (f" ({_e(_plural(within, 'match', 'matches'))} within one outlet)." if within else "."))
    claims = view.claim_clusters
    n_para = len(by_kind.get("paraphrase", ()))
    if claims is None:
        items.append('<a href="#claims">Claims</a>: the paraphrase tier did not run.')
    elif claims:
        widest = widest_first(claims)[0]  # the first claim of the claims section
        n_src, n_docs = claim_reach(widest)
        outlets = _plural(n_src, "outlet") if n_src else "no named outlet"
        items.append(f'<a href="#claims">Claims</a>: {_e(_plural(len(claims), "claim"))} made in different words '
                     f"({_e(_plural(n_para, 'paraphrase match', 'paraphrase matches'))}); the most widely carried, "
                     f'<a href="#claim-{_e(label(_get(widest, "id")))}">claim {_l(_get(widest, "id"))}</a>, is in '
                     f"{_e(_plural(n_docs, 'document'))} from {_e(outlets)}.")
    else:
        items.append('<a href="#claims">Claims</a>: no claim made in different words by more than one statement.')
    n_reuse = len(by_kind.get("reuse", ()))
    reuse_docs = {d for i in by_kind.get("reuse", ()) for d in (view.matches[i].a.doc, view.matches[i].b.doc)}
    items.append(f'<a href="#reuse">Shared passages</a>: {_e(_plural(n_reuse, "passage"))}'
                 + (f" between {_e(_plural(len(reuse_docs), 'document'))}." if n_reuse else "."))
    items.append(f'<a href="#duplicates">Near-duplicates</a>: {_e(_plural(len(view.clusters), "cluster"))} holding '
                 f"{_e(_plural(c.get('documents_in_clusters', sum(len(x.members) for x in view.clusters)), 'document'))}.")
    return items


def _summary(view: Any, g: Any, by_kind: dict[str, list[int]]) -> list[str]:
    c = dict(view.counts)
    rows = [(name, c[key]) for key, name in _COUNT_LABELS if key in c]
    rows += [(f"{k} matches", len(by_kind.get(k, ()))) for k in KINDS]
    rows += [(f"{k} matches", len(v)) for k, v in sorted(by_kind.items()) if k not in KINDS]
    claims = view.claim_clusters
    if claims is not None:
        rows.append(("claim clusters", len(claims)))
    out = ['<section id="summary"><h2>Summary</h2><ul class="findings">']
    out += [f"<li>{item}</li>" for item in _findings(view, g, by_kind)]
    out.append("</ul>")
    table = ["<table>", *(f'<tr><th>{_e(k)}</th><td class="n">{v:,}</td></tr>' for k, v in rows), "</table>"]
    out += _folded(f"All counts ({len(rows)})", table, open_=False, cls="sub")
    out.append("</section>")
    return out


def _outlets(view: Any, g: Any, pages: _Pages, limits: HtmlLimits) -> list[str]:
    out = ['<section id="outlets"><h2>Outlets sharing text</h2>']
    svg, note = _svg(g, limits)
    if not svg:
        out.append("<p>No text is shared between documents, so there is no reuse graph to draw.</p></section>")
        return out
    out.append('<p class="muted">Each circle is an outlet (source), sized by its documents that share text; '
               f"a document without one is an outlet of its own, {_e(NO_SOURCE[:-1])}: ID). A line's width grows with the characters "
               "of text the two outlets share. An arrow points from the earlier to the later publication; a dashed "
               "line joins outlets whose order is unknown (dates missing or equal); a ring marks an outlet "
               "repeating itself. Hover for counts.</p>")
    out.append(svg)
    if note:
        out.append(f'<p class="note">{_e(note)}</p>')
    edges = sorted(g.edges(data=True), key=lambda e: (-e[2]["shared_chars"], -e[2]["matches"], str(e[0]), str(e[1])))

    def render(chunk: Sequence[Any], _offset: int) -> list[str]:
        rows = ["<table><tr><th>from</th><th></th><th>to</th><th>shared characters</th><th>matches</th>"
                + "".join(f"<th>{k}</th>" for k in KINDS) + "<th>best score</th><th>first shared</th></tr>"]
        for s, t, d in chunk:
            arrow = "itself" if s == t else ("→" if d["directed"] else "–")
            rows.append(
                f"<tr><td>{_l(s)}</td><td>{arrow}</td><td>{'' if s == t else _l(t)}</td>"
                f"<td class='n'>{d['shared_chars']:,}</td><td class='n'>{d['matches']:,}</td>"
                + "".join(f"<td class='n'>{d.get(k, 0):,}</td>" for k in KINDS)
                + f"<td class='n'>{d['best_score']:.2f}</td><td>{_l(d.get('date', ''))}</td></tr>"
            )
        rows.append("</table>")
        return rows

    parts, n_pages = _paged(pages, "links", "Links between outlets", edges, limits.graph_edges, "Links", render)
    out += _folded(f"Links between outlets (and within one), strongest first: "
                   f"{_count_line(len(edges), 'link', limits.graph_edges, n_pages)}",
                   parts, open_=len(edges) <= OPEN_UP_TO, anchor="links")
    out.append("</section>")
    return out


def _claim_html(view: Any, cl: Any, n: int, limits: HtmlLimits) -> list[str]:
    cl = claim_record(cl)  # one shape, live or read back: the anchor first, each other statement with its link
    statements = list(_get(cl, "statements", ()) or ())
    sources = _get(cl, "sources", ()) or ()
    n_docs = len({_get(st, "doc", "") for st in statements})
    where = _plural(n_docs, "document")
    if sources:
        where += f", {_plural(len(sources), 'source')}"
    cid = _e(label(_get(cl, "id", "")))
    first = _get(cl, "first_publication") or {}
    first_at = (f"first published in {_l(first.get('doc'))} [{_e(first.get('start'))}:{_e(first.get('end'))}], "
                if first else "first ")
    out = [f'<div class="claim" id="claim-{cid}"><h3>Claim {cid}: {len(statements)} statements'
           f' in {where} <span class="muted">({first_at}{_l(_get(cl, "first_published", "") or "undated")}; '
           f'score min {_num(_get(cl, "min_score"))}, mean {_num(_get(cl, "mean_score"))})</span></h3>']
    journey = claim_journey([_get(st, "doc", "") for st in statements], lambda d: view.document(d))
    if journey.dated:  # without a single date there is no time axis: the sentence below says so
        out.append(journey_svg(journey, key=f"c{n}", max_outlets=limits.timeline_outlets))
    out.append(f'<p class="journey">{_e(label(journey.describe(limits.timeline_outlets)))}</p>')

    def item(st: Any) -> str:
        doc_id = _get(st, "doc", "")
        d = _doc(view, doc_id)
        speaker = _get(st, "speaker")
        who = f'<span class="speaker">{_l(speaker)}</span>: ' if speaker else ""
        if _get(st, "anchor"):
            link = "<span class='badge'>anchor</span> "
        elif _get(st, "relation"):
            link = (f"<span class='badge'>{'same claim' if _get(st, 'relation') == 'claim' else 'same statement'} "
                    f"{_num(_get(st, 'score'))}{', within document' if _get(st, 'within_document') else ''}</span> ")
        else:
            link = ""
        return (f"<li>{link}{who}“<bdi>{_e(_get(st, 'text', ''))}</bdi>” <span class='muted'>— {_l(doc_id)}"
                f"{', ' + _l(_get(d, 'source')) if _get(d, 'source') else ''}"
                f"{', ' + _l(_get(d, 'date')) if _get(d, 'date') else ''}</span></li>")

    out.append("<ul>")
    out += [item(st) for st in statements[: limits.statements]]
    out.append("</ul>")
    rest = statements[limits.statements:]
    if rest:
        out += _folded(_e(f"{_plural(len(rest), 'more statement')}"), ["<ul>", *(item(st) for st in rest), "</ul>"],
                       open_=False, cls="sub")
    out.append("</div>")
    return out


def _claims(view: Any, pages: _Pages, limits: HtmlLimits, by_kind: dict[str, list[int]]) -> list[str]:
    claims = view.claim_clusters
    out = ['<section id="claims"><h2>Claims made in other words</h2>']
    paraphrases = by_kind.get("paraphrase", [])
    info = view.paraphrase
    aside = set_aside_text(info)
    if aside:
        out.append(f'<p class="muted">{_e(aside)}</p>')
    if info.get("within_document") is False:
        out.append('<p class="muted">Pairs within one document are not counted (--no-within-document).</p>')
    if claims is None:
        out.append("<p>The paraphrase tier did not run in this scan, so no claim clusters were formed.</p>")
    elif not claims:
        out.append("<p>No statement was found made in different words by more than one document.</p>")
    else:
        out.append('<p class="muted">Statements that say the same thing in different words, the claims carried by the '
                   "most outlets and documents first, each claim's statements earliest first. "
                   "Each timeline has one lane per outlet and time from left to right; the darker dot is the "
                   "earliest carrier and arrows lead to the later ones. Documents without a date are drawn in "
                   "the undated column, in no order. Each claim is a star around its anchor (the first statement "
                   "listed): every other statement was accepted by the model against the anchor.</p>")

        def render(chunk: Sequence[Any], offset: int) -> list[str]:
            return [part for k, cl in enumerate(chunk) for part in _claim_html(view, cl, offset + k, limits)]

        parts, _ = _paged(pages, "claims", "Claims made in other words", widest_first(claims),
                          limits.claim_clusters, "Claims", render)
        out += parts
    if paraphrases:
        parts, n_pages = _paged(pages, "paraphrases", "Paraphrase matches", paraphrases, limits.matches,
                                "Paraphrase matches", lambda chunk, _o: _match_list(view, chunk, limits))
        out += _folded(f"The paraphrase matches, side by side: "
                       f"{_count_line(len(paraphrases), 'match', limits.matches, n_pages, 'matches')}",
                       parts, open_=len(paraphrases) <= OPEN_UP_TO, anchor="paraphrases")
    out.append("</section>")
    return out


def _side_html(view: Any, side: MatchSide, text: str, spans: Sequence[Span], full: int, earlier: bool) -> str:
    d = _doc(view, side.doc)
    bits = [f"<b>{_l(side.doc)}</b>"]
    for name in ("source", "date", "title"):
        if _get(d, name):
            bits.append(_l(_get(d, name)))
    badge = '<span class="badge">earlier</span>' if earlier else ""
    rest = ""
    if full > len(text):
        rest = f'\n<span class="note">… {full - len(text):,} more characters not shown (whole in matches.jsonl)</span>'
    return (f'<div class="side"><div class="meta">{" · ".join(bits)}{badge} '
            f'<span class="muted">[{side.span.start:,}–{side.span.end:,}]</span></div>'
            f'<div class="passage" dir="auto">{_marked(text, spans)}{rest}</div></div>')


def _match_html(view: Any, i: int, m: Match, limits: HtmlLimits) -> list[str]:
    """One match, numbered by its line in ``matches.jsonl``, both passages side by side."""
    ta, tb = _excerpt(view, m.a), _excerpt(view, m.b)
    fa, fb = len(ta), len(tb)
    ta, tb = ta[: limits.passage_chars], tb[: limits.passage_chars]
    h = shared_segments(ta, tb)
    doc_a, doc_b = _doc(view, m.a.doc), _doc(view, m.b.doc)
    order = publication_order(_get(doc_a, "date"), _get(doc_b, "date"))
    within = _get(doc_a, "source") is not None and _get(doc_a, "source") == _get(doc_b, "source")
    kind_class = f"k-{m.kind}" if m.kind in KINDS else "k-other"
    relation = (m.details or {}).get("relation") if m.kind == "paraphrase" else None
    measures = ([{"claim": "same claim", "paraphrase": "same statement"}.get(relation, relation)] if relation else [])
    measures.append(f"score {m.score:.2f}")
    for name, value in (("Jaccard", m.jaccard), ("a in b", m.a_in_b), ("b in a", m.b_in_a)):
        if value is not None:
            measures.append(f"{name} {value:.2f}")
    return [f'<article class="match" id="match-{i + 1}"><h3><span class="kind {kind_class}">{_l(m.kind)}</span>'
            f'#{i + 1} · {_e(" · ".join(measures))}'
            f'{" <span class=badge>within one source</span>" if within else ""}'
            f'{" <span class=badge>within one document</span>" if (m.details or {}).get("within_document") else ""}'
            '</h3><div class="pair">',
            _side_html(view, m.a, ta, h.a, fa, order < 0),
            _side_html(view, m.b, tb, h.b, fb, order > 0),
            "</div></article>"]


def _match_list(view: Any, indices: Sequence[int], limits: HtmlLimits) -> list[str]:
    matches = view.matches
    return [part for i in indices for part in _match_html(view, i, matches[i], limits)]


def _reuse(view: Any, pages: _Pages, limits: HtmlLimits, by_kind: dict[str, list[int]]) -> list[str]:
    out = ['<section id="reuse"><h2>Shared passages</h2>']
    reuse = by_kind.get("reuse", [])
    other = [i for k, idx in sorted(by_kind.items()) if k not in KINDS for i in idx]
    if not reuse:
        out.append("<p>No passage of one document was found in another.</p>")
    else:
        out.append('<p class="muted">The two passages of each match side by side; '
                   "<mark>highlighted</mark> words occur in both, in the same order.</p>")
        out += _match_pages(view, pages, limits, reuse, ("reuse", "Shared passages", "reuse-list"),
                            "Shared passages", "passage")
    if other:
        out += _match_pages(view, pages, limits, other, ("other", "Other matches", "other"),
                            "Matches of other kinds", "match", "matches")
    out.append("</section>")
    return out


def _match_pages(view: Any, pages: _Pages, limits: HtmlLimits, matches: Sequence[int], where: tuple[str, str, str],
                 summary: str, noun: str, plural: str | None = None) -> list[str]:
    """A folded, paged list of matches side by side; ``where`` is (page section, heading, anchor)."""
    section, heading, anchor = where
    parts, n_pages = _paged(pages, section, heading, matches, limits.matches, heading,
                            lambda chunk, _o: _match_list(view, chunk, limits))
    return _folded(f"{summary}: {_count_line(len(matches), noun, limits.matches, n_pages, plural)}", parts,
                   open_=len(matches) <= OPEN_UP_TO, anchor=anchor)


def _duplicates(view: Any, pages: _Pages, limits: HtmlLimits, by_kind: dict[str, list[int]]) -> list[str]:
    out = ['<section id="duplicates"><h2>Duplicate clusters</h2>']
    clusters = sorted(view.clusters, key=lambda c: (-len(c.members), c.id))
    if not clusters:
        out.append("<p>No near-duplicate documents found.</p>")
    else:
        out.append('<p class="muted">Each cluster is a star: every member is a verified near-duplicate of the '
                   "representative, the earliest dated member.</p>")

        def member_rows(c: Any, members: Sequence[str]) -> list[str]:
            rows = ["<table><tr><th>document</th><th>source</th><th>date</th><th>title</th></tr>"]
            for doc_id in members:
                d = _doc(view, doc_id)
                rep = ' <span class="badge">representative</span>' if doc_id == c.representative else ""
                rows.append(f"<tr><td>{_l(doc_id)}{rep}</td><td>{_l(_get(d, 'source'))}</td>"
                            f"<td>{_l(_get(d, 'date'))}</td><td>{_l(_get(d, 'title'))}</td></tr>")
            rows.append("</table>")
            return rows

        def render(chunk: Sequence[Any], _offset: int) -> list[str]:
            parts: list[str] = []
            for c in chunk:
                parts.append(f'<h3 id="cluster-{c.id}">Cluster {c.id}: {len(c.members):,} documents '
                             f'<span class="muted">(Jaccard to representative: min {c.min_jaccard:.2f}, '
                             f'mean {c.mean_jaccard:.2f})</span></h3>')
                parts += member_rows(c, c.members[: limits.members])
                rest = c.members[limits.members:]
                if rest:
                    parts += _folded(_e(_plural(len(rest), "more member")), member_rows(c, rest), open_=False,
                                     cls="sub")
            return parts

        parts, n_pages = _paged(pages, "duplicates", "Duplicate clusters", clusters, limits.clusters, "Clusters",
                                render)
        out += _folded(f"Duplicate clusters, largest first: {_count_line(len(clusters), 'cluster', limits.clusters, n_pages)}",
                       parts, open_=len(clusters) <= OPEN_UP_TO, anchor="duplicate-clusters")
    dups = by_kind.get("duplicate", [])
    if dups:
        out += _match_pages(view, pages, limits, dups, ("duplicate-pairs", "Duplicate pairs", "duplicate-pairs"),
                            "The near-duplicate pairs, side by side", "pair")
    out.append("</section>")
    return out


def _boilerplate(view: Any, limits: HtmlLimits) -> list[str]:
    items = list(view.boilerplate)
    out = ['<section id="boilerplate"><h2>Boilerplate</h2>']
    if not items:
        out.append("<p>No boilerplate recognised.</p></section>")
        return out
    out.append('<p class="muted">Lines treated as boilerplate never count as evidence of reuse.</p>')
    table = ["<table><tr><th>documents</th><th>source</th><th>why</th><th>line</th></tr>"]
    for b in items[: limits.boilerplate]:
        table.append(f"<tr><td class='n'>{b.documents:,}</td><td class='nw'>{_l(b.source or NO_SOURCE)}</td>"
                     f"<td class='nw'>{_e(b.reason)}</td><td>{_e(b.text)}</td></tr>")
    table.append("</table>")
    if len(items) > limits.boilerplate:
        table.append(f'<p class="note">Showing {limits.boilerplate:,} of {len(items):,}; summary.json keeps the '
                     "first 100.</p>")
    out += _folded(f"Boilerplate lines set aside: {len(items):,}", table, open_=len(items) <= OPEN_UP_TO)
    out.append("</section>")
    return out


def _skipped(view: Any, pages: _Pages, limits: HtmlLimits) -> list[str]:
    items = list(view.skipped)
    if not items:
        return []
    out = ['<section id="skipped"><h2>Skipped documents</h2>']

    def render(chunk: Sequence[Any], _offset: int) -> list[str]:
        return ["<table><tr><th>document</th><th>reason</th></tr>",
                *(f"<tr><td>{_l(s.doc)}</td><td>{_e(s.reason)}</td></tr>" for s in chunk), "</table>"]

    parts, n_pages = _paged(pages, "skipped", "Skipped documents", items, limits.skipped, "Skipped documents", render)
    out += _folded(f"Skipped: {_count_line(len(items), 'entry', limits.skipped, n_pages, 'entries')}",
                   parts, open_=len(items) <= OPEN_UP_TO)
    out.append("</section>")
    return out


def _parameters(view: Any) -> list[str]:
    params = {"parameters": view.params.to_dict(), "lsh": dict(getattr(view, "lsh", {}) or {})}
    return ['<section id="parameters"><h2>Parameters</h2>',
            *_folded("Parameters and LSH settings of this scan",
                     ["<pre>", _e(json.dumps(params, indent=2, ensure_ascii=False, sort_keys=True)), "</pre>"],
                     open_=False),
            "</section>"]


def render_html_pages(view: Any, *, limits: HtmlLimits = HtmlLimits(), title: str = "overlap scan report",
                      stem: str = "report") -> dict[str, str]:
    """File name -> page: ``{stem}.html`` first, then the further pages its lists continue on.

    Works on a :class:`~overlap.pipeline.ScanResult` and on a scan directory
    read back (:func:`overlap.scandir.load_scan`) alike. Page names are
    ``{stem}-{list}-{n}.html`` (:func:`is_report_page`); links between them
    are relative, so the set opens from any folder it is copied to whole.

    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> docs = [Document(f"d{i}", "the same wire story about grain exports rising for a third month") for i in range(4)]
    >>> with scan(docs) as result:
    ...     pages = render_html_pages(result, limits=HtmlLimits(matches=2))
    >>> sorted(pages)
    ['report-duplicate-pairs-2.html', 'report.html']
    >>> 'href="report-duplicate-pairs-2.html"' in pages["report.html"]
    True
    """
    pages = _Pages(stem, title)
    by_kind = _matches_by_kind(view)
    g = source_graph(view)
    body: list[str] = []
    body += _summary(view, g, by_kind)
    body += _outlets(view, g, pages, limits)
    body += _claims(view, pages, limits, by_kind)
    body += _reuse(view, pages, limits, by_kind)
    body += _duplicates(view, pages, limits, by_kind)
    body += _boilerplate(view, limits)
    body += _skipped(view, pages, limits)
    body += _parameters(view)
    present = {s for s in ("summary", "outlets", "claims", "reuse", "duplicates", "boilerplate", "parameters")}
    if list(view.skipped):
        present.add("skipped")
    nav = [f'<a href="#{s}">{name}</a>' for s, name in _SECTIONS if s in present]
    return {pages.main: pages.document(title, body, nav), **dict(sorted(pages.files.items()))}


def render_html(view: Any, *, limits: HtmlLimits = HtmlLimits(), title: str = "overlap scan report") -> str:
    """``report.html`` alone: the first page of :func:`render_html_pages` (its links need the others).

    >>> from overlap.model import Document
    >>> from overlap.pipeline import scan
    >>> text = "<script>alert(1)</script> the same wire story about grain exports rising for a third month"
    >>> docs = [Document(f"d{i}", text) for i in range(2)]
    >>> with scan(docs) as result:
    ...     page = render_html(result)
    >>> "<script>" in page, "script&gt;alert(1)&lt;/script&gt;" in page
    (False, True)
    """
    return render_html_pages(view, limits=limits, title=title)["report.html"]
