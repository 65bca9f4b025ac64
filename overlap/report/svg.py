"""The pictures in report.html, as inline SVG: the outlets (source) graph and each claim's timeline.

Drawn as text, with every label escaped, so the page needs no script, font
or image from anywhere else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from ..graph.build import KINDS, layout, source_graph
from ..model import ScanResult
from .escape import label
from .journey import Carrier, Journey
from .pages import HtmlLimits, esc, plural, short

__all__ = ["source_graph_svg", "graph_svg", "journey_svg"]


def source_graph_svg(view: ScanResult, limits: HtmlLimits = HtmlLimits()) -> tuple[str, str]:
    """The source graph as inline SVG (empty when nothing is shared), and a note on what was left out."""
    return graph_svg(source_graph(view), limits)


def graph_svg(g: Any, limits: HtmlLimits) -> tuple[str, str]:
    """A source graph (:func:`overlap.graph.build.source_graph`) drawn, and a note on the sources left out."""
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
                f'stroke-width="{min(width, 6):.1f}"><title>{esc(title)}</title></circle>'
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
            f'stroke-opacity="0.7" stroke-width="{width:.1f}" {style}><title>{esc(title)}</title></line>'
        )
    for n in sorted(sub.nodes, key=str):
        d = sub.nodes[n]
        x, y = xy[n]
        r = radius(n)
        title = (f"{label(n)}: {d['documents']} documents, {d['matched_documents']} with matches; "
                 f"{d['cross_source_matches']} cross-source, {d['within_source_matches']} within-source matches")
        name = short(n, 24)
        parts.append(
            f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#3b6fd8" fill-opacity="0.8" stroke="#fff" '
            f'stroke-width="1.5"><title>{esc(title)}</title></circle>'
            f'<text x="{x + r + 4:.1f}" y="{y + 4:.1f}">{esc(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts), note


def _when(published: str | None) -> str:
    """A date for an axis label: the day, and the time of day to the minute when the input gave one."""
    text = str(published or "")
    return text[:16].replace("T", " ") if len(text) > 10 else text


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where things go on a timeline: one lane per outlet top to bottom, time left to right, undated last."""

    lane_of: dict[str, int]
    lo: float  # the earliest and latest day drawn
    hi: float
    undated_w: int  # width of the undated column (0 when every document has a date)
    w: int = 760
    label_w: int = 180
    pad: int = 24
    lane_h: int = 26
    top: int = 22

    @property
    def x0(self) -> float:
        return self.label_w + self.pad

    @property
    def x1(self) -> float:
        return self.w - self.undated_w - self.pad

    @property
    def base(self) -> float:
        """The time axis, below the lanes."""
        return self.top + len(self.lane_of) * self.lane_h + 6

    def x_of(self, d: float | None) -> float:
        if d is None:
            return self.w - self.undated_w / 2
        if self.hi == self.lo:
            return (self.x0 + self.x1) / 2
        return self.x0 + (d - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)

    def y_of(self, outlet: str) -> float:
        return self.top + self.lane_of[outlet] * self.lane_h + self.lane_h / 2


def _lanes(f: _Frame) -> list[str]:
    parts = []
    for name in f.lane_of:
        y = f.y_of(name)
        parts.append(f'<line x1="{f.label_w:.1f}" y1="{y:.1f}" x2="{f.w - 8:.1f}" y2="{y:.1f}" stroke="#eceef3"/>'
                     f'<text x="{f.label_w - 8}" y="{y + 4:.1f}" text-anchor="end">{esc(short(name, 24))}'
                     f"<title>{esc(label(name))}</title></text>")
    return parts


def _axis(f: _Frame, dated: list[Carrier], undated: list[Carrier]) -> list[str]:
    """The time axis with its first and last dates, and the undated column's divider."""
    parts = []
    x0, x1, base = f.x0, f.x1, f.base
    if dated:
        parts.append(f'<line x1="{x0 - 6:.1f}" y1="{base:.1f}" x2="{x1 + 6:.1f}" y2="{base:.1f}" stroke="#9aa2b1"/>')
        first, last = dated[0], dated[-1]
        if f.hi == f.lo:
            parts.append(f'<text class="axis" x="{f.x_of(f.lo):.1f}" y="{base + 16:.1f}" text-anchor="middle">'
                         f"{esc(_when(label(first.date)))}</text>")
        else:
            parts.append(f'<text class="axis" x="{x0:.1f}" y="{base + 16:.1f}" text-anchor="start">'
                         f'{esc(_when(label(first.date)))}</text><text class="axis" x="{x1:.1f}" '
                         f'y="{base + 16:.1f}" text-anchor="end">{esc(_when(label(last.date)))}</text>')
    else:
        parts.append(f'<text class="axis" x="{(x0 + x1) / 2:.1f}" y="{base + 16:.1f}" text-anchor="middle">'
                     "no document carrying this claim has a date</text>")
    if undated:
        ux = f.w - f.undated_w
        parts.append(f'<line x1="{ux:.1f}" y1="{f.top - 14}" x2="{ux:.1f}" y2="{base:.1f}" stroke="#9aa2b1" '
                     f'stroke-dasharray="3 3"/><text class="axis" x="{ux + f.undated_w / 2:.1f}" y="{f.top - 6}" '
                     'text-anchor="middle">undated</text>')
    return parts


def _arrows(f: _Frame, arrows: Sequence[tuple[str, str]], where: dict[str, tuple[int, str]], marker: str) -> list[str]:
    """From the earliest carrier to each later one; an arc above the lane when both are in one."""
    parts = []
    for a, b in arrows:
        if a not in where or b not in where or where[a] == where[b]:
            continue
        (xa, la), (xb, lb) = where[a], where[b]
        ya, yb = f.y_of(la), f.y_of(lb)
        dx, dy = xb - xa, yb - ya
        dist = math.hypot(dx, dy) or 1.0
        sx, sy, ex, ey = xa + dx * 7 / dist, ya + dy * 7 / dist, xb - dx * 8 / dist, yb - dy * 8 / dist
        bend = -min(18.0, dist / 4) if la == lb else 0.0  # same lane: arc above it
        cx, cy = (sx + ex) / 2, (sy + ey) / 2 + bend
        parts.append(f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" '
                     f'stroke="#d8663b" stroke-width="1.5" stroke-opacity="0.8" marker-end="url(#{marker})"/>')
    return parts


def _dots(f: _Frame, groups: dict[tuple[str, int], list[Carrier]]) -> list[str]:
    """One dot per outlet and moment (``×n`` when several documents share it), the earliest carriers ringed."""
    parts = []
    for (outlet, x), members in sorted(groups.items(), key=lambda kv: (f.lane_of[kv[0][0]], kv[0][1])):
        y = f.y_of(outlet)
        earliest = any(c.earliest for c in members)
        title = "; ".join(f"{label(c.doc)} ({label(c.outlet)}, {label(c.date) or 'undated'}): "
                          f"{plural(c.statements, 'statement')}{', earliest carrier' if c.earliest else ''}"
                          for c in members)
        if members[0].days is not None:
            style = 'fill="#d8663b" stroke="#7a2e12" stroke-width="2.5"' if earliest else \
                'fill="#3b6fd8" stroke="#fff" stroke-width="1.5"'
        else:
            style = 'fill="#fff" stroke="#5b6475" stroke-width="1.5" stroke-dasharray="2 2"'
        parts.append(f'<g><circle cx="{x}" cy="{y:.1f}" r="6" {style}><title>{esc(title)}</title></circle>'
                     + (f'<text x="{x + 9}" y="{y + 4:.1f}">×{len(members)}</text>' if len(members) > 1 else "")
                     + "</g>")
    return parts


def journey_svg(journey: Journey, *, key: str = "j", max_outlets: int = 12) -> str:
    """A claim's timeline as inline SVG: one lane per outlet, time left to right, undated documents apart.

    Each document carrying the claim is a dot in its outlet's lane at its
    publication date (a darker ring marks the earliest carriers); arrows go
    from the earliest carrier to each later one. Documents without a date sit
    in a separate "undated" column, in no order and with no arrow; documents
    without an outlet in a "(no source)" lane. ``key`` makes the arrow marker's
    id unique on a page holding several timelines.
    """
    lane_of = {name: i for i, name in enumerate(list(journey.outlets)[:max_outlets])}
    dated = [c for c in journey.dated if c.outlet in lane_of]
    undated = [c for c in journey.undated if c.outlet in lane_of]
    days = [c.days for c in dated if c.days is not None]
    lo, hi = (min(days), max(days)) if days else (0.0, 0.0)
    f = _Frame(lane_of, lo, hi, 92 if undated else 0)
    h = f.top + len(lane_of) * f.lane_h + 34
    groups: dict[tuple[str, int], list[Carrier]] = {}
    for c in [*dated, *undated]:
        groups.setdefault((c.outlet, round(f.x_of(c.days))), []).append(c)
    where = {c.doc: (round(f.x_of(c.days)), c.outlet) for c in [*dated, *undated]}
    marker = f"arrow-{esc(key)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.w} {h}" width="{f.w}" height="{h}" role="img" '
        'aria-label="When each outlet carried the claim">',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#d8663b"/></marker></defs>',
        *_lanes(f), *_axis(f, dated, undated), *_arrows(f, journey.arrows, where, marker), *_dots(f, groups),
        "</svg>",
    ]
    return "".join(parts)
