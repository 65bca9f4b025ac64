"""The few lines printed after a scan: what was found, and where the report is."""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Sequence

from ..model import ScanResult

__all__ = ["render_terminal"]


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
                ("within document", "paraphrase_within_document"), ("  restating a quote", "paraphrase_restated"))
              if by_kind.get("paraphrase")),
            *((("statements set aside", f"{c['paraphrase_set_aside']:,}"),
               ("  not English", f"{c.get('paraphrase_not_english', 0):,}"))
              if c.get("paraphrase_set_aside") else ()),
            *((("pairs rejected: figures", f"{c['paraphrase_figure_conflicts']:,}"),)
              if c.get("paraphrase_figure_conflicts") else ()),
            *((("pairs rejected: roles", f"{c['paraphrase_role_conflicts']:,}"),)
              if c.get("paraphrase_role_conflicts") else ()),
            *((("claim clusters", f"{c.get('claim_clusters', 0):,}"),) if by_kind.get("paraphrase") else ()),
            *((kind, f"{n:,}") for kind, n in sorted(by_kind.items()) if kind not in ("duplicate", "reuse", "paraphrase")),
            ("matches", f"{len(result.matches):,}"),
            ("across sources", f"{cross:,}"),
            ("sources involved", f"{len(sources):,}"),
        ]),
    ]
    if timings and result.timings:
        total = result.timings.get("total", sum(result.timings.values()))  # a folder written before "total" was kept
        groups.append(("", [("time", f"{total:.2f}s")]))
    width = max(len(k) for _, rows in groups for k, _ in rows) + 2
    vwidth = max(9, max(len(v) for _, rows in groups for _, v in rows))
    rule = "-" * (width + vwidth + 2)
    lines: list[str] = []
    for title, rows in groups:
        lines.append(f"{title} {rule[len(title) + 1:]}" if title else rule)
        lines += [f"  {k:<{width - 2}}  {v:>{vwidth}}" for k, v in rows]
    if out_dir:
        others = [f for f in files if f != "report.html"] if files is not None else ["report.md", "matches.jsonl"]
        lines.append(f"report: {os.path.join(out_dir, 'report.html')} (also {', '.join(_compact(others))})")
    return "\n".join(lines)


_PAGE = re.compile(r"(.+)-(\d+)\.html")


def _compact(names: Sequence[str]) -> list[str]:
    """File names with each run of numbered pages as one range: ``report-reuse-2..264.html``.

    A scan of 320,000 articles wrote 1,400 pages of matches: named one by
    one, the summary's last line ran to 40,000 characters. Every file is
    still named (a range is its pages); groups keep the order of their first file.
    """
    groups: dict[str, list[int]] = {}
    out: list[str | tuple[str]] = []
    for name in names:
        page = _PAGE.fullmatch(name)
        if page is None:
            out.append(name)
            continue
        if page[1] not in groups:
            groups[page[1]] = []
            out.append((page[1],))
        groups[page[1]].append(int(page[2]))
    named: list[str] = []
    for item in out:
        if isinstance(item, str):
            named.append(item)
            continue
        numbers = sorted(groups[item[0]])
        if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
            named.append(f"{item[0]}-{numbers[0]}..{numbers[-1]}.html")
        else:
            named += [f"{item[0]}-{n}.html" for n in numbers]
    return named
