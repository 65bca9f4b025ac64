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
from typing import Any, Iterable, Sequence

from ..graph.build import KINDS, NO_SOURCE, Graph, source_graph
from ..graph.dates import publication_order
from ..model import ClaimCluster, ClaimLink, DocumentInfo, Match, MatchSide, Passage, ScanResult, Span
from .escape import label
from .highlight import shared_segments
from .journey import claim_journey, claim_reach, widest_first
from .pages import (OPEN_UP_TO, SECTIONS, HtmlLimits, Pages, bdi, count_line, esc, folded, is_report_page, num, paged,
                    plural)
from .phrases import checks_texts, link_label, restated_text, set_aside_text
from .svg import graph_svg, journey_svg

__all__ = ["HtmlLimits", "render_html", "render_html_pages", "is_report_page"]

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
    ("paraphrase_restated", "of which a reporter restating a quote (\u201cwe\u201d read as the party named)"),
    ("paraphrase_set_aside", "statements set aside (not scored)"),
    ("paraphrase_not_english", "statements not in English (not scored)"),
    ("paraphrase_figure_conflicts", "paraphrase pairs rejected: figures that disagree"),
    ("paraphrase_role_conflicts", "paraphrase pairs rejected: actors swapped or other, action negated or opposed"),
)


def _marked(text: str, spans: Iterable[Span]) -> str:
    """Escaped text with the given ranges wrapped in ``<mark>``."""
    out: list[str] = []
    pos = 0
    for s in spans:
        start, end = max(s.start, pos), min(s.end, len(text))
        if start >= end:
            continue
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _excerpt(view: ScanResult, side: MatchSide) -> str:
    """The text of a match side; a scan read back may not have it (then the page shows none)."""
    try:
        return view.excerpt(side.doc, side.span)
    except KeyError:
        try:
            return view.text(side.doc)[side.span.start : side.span.end]
        except KeyError:
            return ""


def _doc(view: ScanResult, doc_id: str) -> DocumentInfo:
    """A document's metadata; one the scan does not list has only its id."""
    try:
        return view.document(doc_id)
    except KeyError:
        return DocumentInfo(doc_id)


def _matches_by_kind(view: ScanResult) -> dict[str, list[int]]:
    by_kind: dict[str, list[int]] = {}
    for i, m in enumerate(view.matches):
        by_kind.setdefault(m.kind, []).append(i)
    return by_kind


def _findings(view: ScanResult, g: Any, by_kind: dict[str, list[int]]) -> list[str]:
    """The answer in a few sentences, each linking to the section that holds the evidence."""
    c = dict(view.counts)
    outlets: set[str] = set()
    no_source = undated = 0
    for d in view.documents:  # one pass, one record at a time: a live scan's wait in its spill file
        if d.source:
            outlets.add(d.source)
        else:
            no_source += 1
        undated += not d.date
    scanned = c.get("documents_scanned", len(view.documents))
    first = f"{plural(scanned, 'document')} scanned, from {plural(len(outlets), 'outlet')}"
    missing = [f"{no_source:,} without an outlet"] if no_source else []
    missing += [f"{undated:,} without a date"] if undated else []
    if missing:
        first += f" ({' and '.join(missing)}: shown as such, never guessed)"
    items = [esc(first) + "."]
    cross = [(s, t, d) for s, t, d in g.edges(data=True) if s != t]
    within = sum(d["matches"] for s, t, d in g.edges(data=True) if s == t)
    if cross:
        s, t, d = max(cross, key=lambda e: (e[2]["shared_chars"], e[2]["matches"], str(e[0]), str(e[1])))
        arrow = "→" if d["directed"] else "and"
        items.append(f'<a href="#outlets">Outlets</a>: {esc(plural(len(cross), "link"))} between different outlets '
                     f"sharing text; the strongest, {bdi(s)} {arrow} {bdi(t)}: {d['shared_chars']:,} characters in "
                     f"{esc(plural(d['matches'], 'match', 'matches'))}.")
    else:
        items.append('<a href="#outlets">Outlets</a>: no text shared between different outlets'
                     + (f" ({esc(plural(within, 'match', 'matches'))} within one outlet)." if within else "."))
    claims = view.claim_clusters
    n_para = len(by_kind.get("paraphrase", ()))
    if claims is None:
        items.append('<a href="#claims">Claims</a>: the paraphrase tier did not run.')
    elif claims:
        widest = widest_first(claims)[0]  # the first claim of the claims section
        n_src, n_docs = claim_reach(widest)
        outlets = plural(n_src, "outlet") if n_src else "no named outlet"
        items.append(f'<a href="#claims">Claims</a>: {esc(plural(len(claims), "claim"))} made in different words '
                     f"({esc(plural(n_para, 'paraphrase match', 'paraphrase matches'))}); the most widely carried, "
                     f'<a href="#claim-{esc(label(widest.id))}">claim {bdi(widest.id)}</a>, is in '
                     f"{esc(plural(n_docs, 'document'))} from {esc(outlets)}.")
    else:
        items.append('<a href="#claims">Claims</a>: no claim made in different words by more than one statement.')
    n_reuse = len(by_kind.get("reuse", ()))
    reuse_docs = {d for i in by_kind.get("reuse", ()) for d in (view.matches[i].a.doc, view.matches[i].b.doc)}
    items.append(f'<a href="#reuse">Shared passages</a>: {esc(plural(n_reuse, "passage"))}'
                 + (f" between {esc(plural(len(reuse_docs), 'document'))}." if n_reuse else "."))
    items.append(f'<a href="#duplicates">Near-duplicates</a>: {esc(plural(len(view.clusters), "cluster"))} holding '
                 f"{esc(plural(c.get('documents_in_clusters', sum(len(x.members) for x in view.clusters)), 'document'))}.")
    return items


def _summary(view: ScanResult, g: Any, by_kind: dict[str, list[int]]) -> list[str]:
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
    table = ["<table>", *(f'<tr><th>{esc(k)}</th><td class="n">{v:,}</td></tr>' for k, v in rows), "</table>"]
    out += folded(f"All counts ({len(rows)})", table, open_=False, cls="sub")
    out.append("</section>")
    return out


def _outlets(view: ScanResult, g: Any, pages: Pages, limits: HtmlLimits) -> list[str]:
    out = ['<section id="outlets"><h2>Outlets sharing text</h2>']
    svg, note = graph_svg(g, limits)
    if not svg:
        out.append("<p>No text is shared between documents, so there is no reuse graph to draw.</p></section>")
        return out
    out.append('<p class="muted">Each circle is an outlet (source), sized by its documents that share text; '
               f"a document without one is an outlet of its own, {esc(NO_SOURCE[:-1])}: ID). A line's width grows with the characters "
               "of text the two outlets share. An arrow points from the earlier to the later publication; a dashed "
               "line joins outlets whose order is unknown (dates missing or equal); a ring marks an outlet "
               "repeating itself. Hover for counts.</p>")
    out.append(svg)
    if note:
        out.append(f'<p class="note">{esc(note)}</p>')
    edges = sorted(g.edges(data=True), key=lambda e: (-e[2]["shared_chars"], -e[2]["matches"], str(e[0]), str(e[1])))

    def render(chunk: Sequence[Any], _offset: int) -> list[str]:
        rows = ["<table><tr><th>from</th><th></th><th>to</th><th>shared characters</th><th>matches</th>"
                + "".join(f"<th>{k}</th>" for k in KINDS) + "<th>best score</th><th>first shared</th></tr>"]
        for s, t, d in chunk:
            arrow = "itself" if s == t else ("→" if d["directed"] else "–")
            rows.append(
                f"<tr><td>{bdi(s)}</td><td>{arrow}</td><td>{'' if s == t else bdi(t)}</td>"
                f"<td class='n'>{d['shared_chars']:,}</td><td class='n'>{d['matches']:,}</td>"
                + "".join(f"<td class='n'>{d.get(k, 0):,}</td>" for k in KINDS)
                + f"<td class='n'>{d['best_score']:.2f}</td><td>{bdi(d.get('date', ''))}</td></tr>"
            )
        rows.append("</table>")
        return rows

    parts, n_pages = paged(pages, "links", "Links between outlets", edges, limits.graph_edges, "Links", render)
    out += folded(f"Links between outlets (and within one), strongest first: "
                   f"{count_line(len(edges), 'link', limits.graph_edges, n_pages)}",
                   parts, open_=len(edges) <= OPEN_UP_TO, anchor="links")
    out.append("</section>")
    return out


def _claim_html(view: ScanResult, cl: ClaimCluster, n: int, limits: HtmlLimits) -> list[str]:
    """One claim: a heading with its first publication, its timeline, and its statements with their links."""
    where = plural(len({st.doc for st in cl.statements}), "document")
    if cl.sources:
        where += f", {plural(len(cl.sources), 'source')}"
    cid = esc(label(cl.id))
    first = cl.first_publication
    first_at = f"first published in {bdi(first.doc)} [{esc(first.span.start)}:{esc(first.span.end)}], "
    out = [f'<div class="claim" id="claim-{cid}"><h3>Claim {cid}: {len(cl.statements)} statements'
           f' in {where} <span class="muted">({first_at}{bdi(cl.first_published or "undated")}; '
           f'score min {num(cl.min_score)}, mean {num(cl.mean_score)})</span></h3>']
    journey = claim_journey([st.doc for st in cl.statements], view.document)
    if journey.dated:  # without a single date there is no time axis: the sentence below says so
        out.append(journey_svg(journey, key=f"c{n}", max_outlets=limits.timeline_outlets))
    out.append(f'<p class="journey">{esc(label(journey.describe(limits.timeline_outlets)))}</p>')

    def item(k: int, st: Passage, link: ClaimLink | None) -> str:
        d = _doc(view, st.doc)
        who = f'<span class="speaker">{bdi(st.speaker)}</span>: ' if st.speaker else ""
        badge = "anchor" if k == 0 else (link_label(link) if link else "")
        tag = f"<span class='badge'>{badge}</span> " if badge else ""
        return (f"<li>{tag}{who}“<bdi>{esc(st.text)}</bdi>” <span class='muted'>— {bdi(st.doc)}"
                f"{', ' + bdi(d.source) if d.source else ''}"
                f"{', ' + bdi(d.date) if d.date else ''}</span></li>")

    statements = [item(k, st, link) for k, (st, link) in enumerate(cl.linked())]
    out += ["<ul>", *statements[: limits.statements], "</ul>"]
    rest = statements[limits.statements:]
    if rest:
        out += folded(esc(f"{plural(len(rest), 'more statement')}"), ["<ul>", *rest, "</ul>"], open_=False, cls="sub")
    out.append("</div>")
    return out


def _claims(view: ScanResult, pages: Pages, limits: HtmlLimits, by_kind: dict[str, list[int]]) -> list[str]:
    claims = view.claim_clusters
    out = ['<section id="claims"><h2>Claims made in other words</h2>']
    paraphrases = by_kind.get("paraphrase", [])
    info = view.paraphrase
    aside = set_aside_text(info)
    if aside:
        out.append(f'<p class="muted">{esc(aside)}</p>')
    for checked in checks_texts(info, view.counts):
        out.append(f'<p class="muted">{esc(checked)}</p>')
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

        parts, _ = paged(pages, "claims", "Claims made in other words", widest_first(claims),
                          limits.claim_clusters, "Claims", render)
        out += parts
    if paraphrases:
        parts, n_pages = paged(pages, "paraphrases", "Paraphrase matches", paraphrases, limits.matches,
                                "Paraphrase matches", lambda chunk, _o: _match_list(view, chunk, limits))
        out += folded(f"The paraphrase matches, side by side: "
                       f"{count_line(len(paraphrases), 'match', limits.matches, n_pages, 'matches')}",
                       parts, open_=len(paraphrases) <= OPEN_UP_TO, anchor="paraphrases")
    out.append("</section>")
    return out


def _side_html(view: ScanResult, side: MatchSide, text: str, spans: Sequence[Span], full: int, earlier: bool) -> str:
    d = _doc(view, side.doc)
    bits = [f"<b>{bdi(side.doc)}</b>"]
    for value in (d.source, d.date, d.title):
        if value:
            bits.append(bdi(value))
    badge = '<span class="badge">earlier</span>' if earlier else ""
    rest = ""
    if full > len(text):
        rest = f'\n<span class="note">… {full - len(text):,} more characters not shown (whole in matches.jsonl)</span>'
    return (f'<div class="side"><div class="meta">{" · ".join(bits)}{badge} '
            f'<span class="muted">[{side.span.start:,}–{side.span.end:,}]</span></div>'
            f'<div class="passage" dir="auto">{_marked(text, spans)}{rest}</div></div>')


def _match_html(view: ScanResult, i: int, m: Match, limits: HtmlLimits) -> list[str]:
    """One match, numbered by its line in ``matches.jsonl``, both passages side by side."""
    ta, tb = _excerpt(view, m.a), _excerpt(view, m.b)
    fa, fb = len(ta), len(tb)
    ta, tb = ta[: limits.passage_chars], tb[: limits.passage_chars]
    h = shared_segments(ta, tb)
    doc_a, doc_b = _doc(view, m.a.doc), _doc(view, m.b.doc)
    order = publication_order(doc_a.date, doc_b.date)
    within = doc_a.source is not None and doc_a.source == doc_b.source
    kind_class = f"k-{m.kind}" if m.kind in KINDS else "k-other"
    relation = (m.details or {}).get("relation") if m.kind == "paraphrase" else None
    measures = ([{"claim": "same claim", "paraphrase": "same statement"}.get(relation, relation)] if relation else [])
    if restated_text(m.details):
        measures.append(restated_text(m.details))  # (article text: escaped with the rest below)
    measures.append(f"score {m.score:.2f}")
    for name, value in (("Jaccard", m.jaccard), ("a in b", m.a_in_b), ("b in a", m.b_in_a)):
        if value is not None:
            measures.append(f"{name} {value:.2f}")
    return [f'<article class="match" id="match-{i + 1}"><h3><span class="kind {kind_class}">{bdi(m.kind)}</span>'
            f'#{i + 1} · {esc(" · ".join(measures))}'
            f'{" <span class=badge>within one source</span>" if within else ""}'
            f'{" <span class=badge>within one document</span>" if (m.details or {}).get("within_document") else ""}'
            '</h3><div class="pair">',
            _side_html(view, m.a, ta, h.a, fa, order < 0),
            _side_html(view, m.b, tb, h.b, fb, order > 0),
            "</div></article>"]


def _match_list(view: ScanResult, indices: Sequence[int], limits: HtmlLimits) -> list[str]:
    matches = view.matches
    return [part for i in indices for part in _match_html(view, i, matches[i], limits)]


def _reuse(view: ScanResult, pages: Pages, limits: HtmlLimits, by_kind: dict[str, list[int]]) -> list[str]:
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


def _match_pages(view: ScanResult, pages: Pages, limits: HtmlLimits, matches: Sequence[int], where: tuple[str, str, str],
                 summary: str, noun: str, many: str | None = None) -> list[str]:
    """A folded, paged list of matches side by side; ``where`` is (page section, heading, anchor)."""
    section, heading, anchor = where
    parts, n_pages = paged(pages, section, heading, matches, limits.matches, heading,
                            lambda chunk, _o: _match_list(view, chunk, limits))
    return folded(f"{summary}: {count_line(len(matches), noun, limits.matches, n_pages, many)}", parts,
                   open_=len(matches) <= OPEN_UP_TO, anchor=anchor)


def _duplicates(view: ScanResult, pages: Pages, limits: HtmlLimits, by_kind: dict[str, list[int]]) -> list[str]:
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
                rows.append(f"<tr><td>{bdi(doc_id)}{rep}</td><td>{bdi(d.source)}</td>"
                            f"<td>{bdi(d.date)}</td><td>{bdi(d.title)}</td></tr>")
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
                    parts += folded(esc(plural(len(rest), "more member")), member_rows(c, rest), open_=False,
                                     cls="sub")
            return parts

        parts, n_pages = paged(pages, "duplicates", "Duplicate clusters", clusters, limits.clusters, "Clusters",
                                render)
        out += folded(f"Duplicate clusters, largest first: {count_line(len(clusters), 'cluster', limits.clusters, n_pages)}",
                       parts, open_=len(clusters) <= OPEN_UP_TO, anchor="duplicate-clusters")
    dups = by_kind.get("duplicate", [])
    if dups:
        out += _match_pages(view, pages, limits, dups, ("duplicate-pairs", "Duplicate pairs", "duplicate-pairs"),
                            "The near-duplicate pairs, side by side", "pair")
    out.append("</section>")
    return out


def _boilerplate(view: ScanResult, limits: HtmlLimits) -> list[str]:
    items = list(view.boilerplate)
    out = ['<section id="boilerplate"><h2>Boilerplate</h2>']
    if not items:
        out.append("<p>No boilerplate recognised.</p></section>")
        return out
    out.append('<p class="muted">Lines treated as boilerplate never count as evidence of reuse.</p>')
    table = ["<table><tr><th>documents</th><th>source</th><th>why</th><th>line</th></tr>"]
    for b in items[: limits.boilerplate]:
        table.append(f"<tr><td class='n'>{b.documents:,}</td><td class='nw'>{bdi(b.source or NO_SOURCE)}</td>"
                     f"<td class='nw'>{esc(b.reason)}</td><td>{esc(b.text)}</td></tr>")
    table.append("</table>")
    if len(items) > limits.boilerplate:
        table.append(f'<p class="note">Showing {limits.boilerplate:,} of {len(items):,}; summary.json keeps the '
                     "first 100.</p>")
    out += folded(f"Boilerplate lines set aside: {len(items):,}", table, open_=len(items) <= OPEN_UP_TO)
    out.append("</section>")
    return out


def _skipped(view: ScanResult, pages: Pages, limits: HtmlLimits) -> list[str]:
    items = list(view.skipped)
    if not items:
        return []
    out = ['<section id="skipped"><h2>Skipped documents</h2>']

    def render(chunk: Sequence[Any], _offset: int) -> list[str]:
        return ["<table><tr><th>document</th><th>reason</th></tr>",
                *(f"<tr><td>{bdi(s.doc)}</td><td>{esc(s.reason)}</td></tr>" for s in chunk), "</table>"]

    parts, n_pages = paged(pages, "skipped", "Skipped documents", items, limits.skipped, "Skipped documents", render)
    out += folded(f"Skipped: {count_line(len(items), 'entry', limits.skipped, n_pages, 'entries')}",
                   parts, open_=len(items) <= OPEN_UP_TO)
    out.append("</section>")
    return out


def _parameters(view: ScanResult) -> list[str]:
    params = {"parameters": view.params.to_dict(), "lsh": dict(view.lsh)}
    return ['<section id="parameters"><h2>Parameters</h2>',
            *folded("Parameters and LSH settings of this scan",
                     ["<pre>", esc(json.dumps(params, indent=2, ensure_ascii=False, sort_keys=True)), "</pre>"],
                     open_=False),
            "</section>"]


def render_html_pages(view: ScanResult, *, limits: HtmlLimits = HtmlLimits(), title: str = "overlap scan report",
                      stem: str = "report", sources: Graph | None = None) -> dict[str, str]:
    """File name -> page: ``{stem}.html`` first, then the further pages its lists continue on.

    Works on a :class:`~overlap.pipeline.ScanResult` and on a scan directory
    read back (:func:`overlap.scandir.load_scan`) alike. Page names are
    ``{stem}-{list}-{n}.html`` (:func:`is_report_page`); links between them
    are relative, so the set opens from any folder it is copied to whole.
    ``sources`` is the view's source graph when the caller has it already.

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
    pages = Pages(stem, title)
    by_kind = _matches_by_kind(view)
    g = source_graph(view) if sources is None else sources
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
    nav = [f'<a href="#{s}">{name}</a>' for s, name in SECTIONS if s in present]
    return {pages.main: pages.document(title, body, nav), **dict(sorted(pages.files.items()))}


def render_html(view: ScanResult, *, limits: HtmlLimits = HtmlLimits(), title: str = "overlap scan report") -> str:
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
