"""The kit every report.html page is made with: page sizes, the page frame, pagers, folds, escaping.

A list longer than a page continues on static pages beside ``report.html``
(``report-reuse-2.html``, ...), linked from a pager on every page, so
nothing is cut and nothing needs a script. Every untrusted value passes
through :func:`esc` (HTML-escaped) or :func:`bdi` (one line, no bidi
controls, isolated) before it is written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable, Sequence

from .escape import label

__all__ = ["HtmlLimits", "OPEN_UP_TO", "CSS", "SECTIONS", "Pages", "is_report_page", "paged", "pager", "folded",
           "count_line", "esc", "bdi", "num", "plural", "short"]


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

CSS = """
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

SECTIONS = (("summary", "summary"), ("outlets", "outlets"), ("claims", "claims"), ("reuse", "shared passages"),
             ("duplicates", "duplicates"), ("boilerplate", "boilerplate"), ("skipped", "skipped"),
             ("parameters", "parameters"))


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def bdi(value: Any) -> str:
    """An untrusted label (id, source, title, date, speaker): one line, no bidi controls, isolated.

    ``<bdi>`` keeps a right-to-left name from reordering the text around it.
    """
    text = label(value)
    return f"<bdi>{esc(text)}</bdi>" if text else ""


def num(value: Any, fmt: str = "{:.2f}") -> str:
    return fmt.format(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def short(text: Any, limit: int) -> str:
    """An untrusted name on one line, without bidi controls (:func:`overlap.escape.label`), cut to ``limit``."""
    text = label(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PAGE = re.compile(r"-[a-z]+(?:-[a-z]+)*-[0-9]+\.html")


def is_report_page(name: str, stem: str = "report") -> bool:
    """Whether a file name is one of the further pages of ``{stem}.html`` (``report-reuse-2.html``).

    >>> is_report_page("report-reuse-2.html"), is_report_page("report.html"), is_report_page("notes-1.html")
    (True, False, False)
    """
    return name.startswith(stem) and _PAGE.fullmatch(name[len(stem):]) is not None


@dataclass
class Pages:
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
            f"<title>{esc(heading)}</title><style>{CSS}</style></head>\n<body>"
            f"<header><h1>{esc(heading)}</h1><nav>{''.join(nav)}</nav></header><main>\n"
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


def pager(pages: Pages, section: str, current: int, total: int) -> str:
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


def paged(pages: Pages, section: str, heading: str, items: Sequence[Any], per_page: int, noun: str,
           render: Callable[[Sequence[Any], int], list[str]]) -> tuple[list[str], int]:
    """The first page of ``items`` (to place on the main page) and the further pages, written into ``pages``.

    ``render(chunk, offset)`` draws one page's items; ``offset`` is the
    index of the chunk's first item in ``items``.
    """
    per_page = max(1, per_page)
    total = max(1, math.ceil(len(items) / per_page))
    for n in range(2, total + 1):
        lo, hi = (n - 1) * per_page, min(len(items), n * per_page)
        body = [f'<section id="{section}"><h2>{esc(heading)}: page {n} of {total}</h2>',
                f'<p class="muted">{esc(noun)} {lo + 1:,}–{hi:,} of {len(items):,}.</p>',
                pager(pages, section, n, total), *render(items[lo:hi], lo), pager(pages, section, n, total),
                "</section>"]
        nav = [f'<a href="{pages.main}#{s}">{name}</a>' for s, name in SECTIONS[:6]]
        pages.files[pages.name(section, n)] = pages.document(f"{pages.title}: {heading}, page {n}", body, nav)
    first = render(items[:per_page], 0)
    bar = pager(pages, section, 1, total)
    return ([bar, *first, bar] if bar else first), total


def folded(summary: str, parts: Sequence[str], *, open_: bool, anchor: str | None = None,
            cls: str | None = None) -> list[str]:
    attrs = (f' id="{anchor}"' if anchor else "") + (f' class="{cls}"' if cls else "") + (" open" if open_ else "")
    return [f"<details{attrs}><summary>{summary}</summary>", *parts, "</details>"]


def count_line(total: int, noun: str, per_page: int, pages_total: int, many: str | None = None) -> str:
    """``1,234 passages: 100 here, the rest on 12 more pages`` (escaped), for a fold's summary line."""
    if pages_total <= 1:
        return esc(plural(total, noun, many))
    return esc(f"{plural(total, noun, many)}: {min(total, per_page):,} here, the rest on {pages_total - 1:,} more "
              f"page{'s' if pages_total > 2 else ''}")
