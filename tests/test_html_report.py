"""report.html: self-contained, escaped, highlights shared words, caps long lists and says so."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.report.highlight import shared_segments
from overlap.report.html import HtmlLimits, is_report_page, render_html, render_html_pages
from overlap.report.journey import claim_journey
from overlap.model import Document, Match, MatchSide, Span
from overlap.pipeline import scan
from reuse_scenario import GRAIN, HOSTILE, WIRE, claim_clusters, scenario

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "nav", "a", "main", "section",
                "h2", "h3", "p", "table", "tr", "th", "td", "span", "b", "article", "div", "mark", "pre", "ul", "li",
                "svg", "defs", "marker", "path", "line", "circle", "g", "text", "details", "summary", "bdi"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marks: list[str] = []
        self._in_mark = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self._in_mark += 1
            self.marks.append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data):
        self.text.append(data)
        if self._in_mark:
            self.marks[-1] += data


def _parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    return p


def test_hostile_article_stays_inert_text() -> None:
    with scenario() as result:
        page = render_html(result)
    parsed = _parse(page)
    tags = {t for t, _ in parsed.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert "script" not in tags and "img" not in tags
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":  # a place on this page, or a further page of the report beside it
            href = attrs["href"]
            assert href.startswith("#") or is_report_page(href), href
    text = "".join(parsed.text)
    assert HOSTILE in text  # shown to the reader, as text: in the passage, the id, the title, the source
    assert text.count(HOSTILE) >= 4
    assert "&lt;script&gt;" in page and "<script" not in page.lower()


def test_page_is_self_contained() -> None:
    with scenario() as result:
        page = render_html(result)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    outside = re.findall(r"(?:src|href)\s*=\s*\"(?!#)[^\"]*\"|url\((?!#)|@import|https?://(?!www\.w3\.org/2000/svg)", page)
    # the only URLs are article text (escaped) - the wire url is data, not a link
    assert all(o.startswith("http") for o in outside), outside
    assert "<link" not in page and "<iframe" not in page


def test_every_match_side_by_side_with_shared_words_marked() -> None:
    with scenario() as result:
        page = render_html(result)
        n = len(result.matches)
    parsed = _parse(page)
    articles = [a for t, a in parsed.tags if t == "article"]
    assert len(articles) == n
    assert sum(1 for t, a in parsed.tags if t == "div" and a.get("class") == "pair") == n
    marks = " ".join(parsed.marks)
    assert WIRE[:60] in marks  # the wire lead is reused verbatim
    assert GRAIN[:60] in marks
    assert "Our view" not in marks  # not shared: not marked


def test_sections_lead_with_the_answer_and_long_ones_fold() -> None:
    with scenario() as result:
        page = render_html(result)
    order = [page.index(f'<section id="{s}">') for s in
             ("summary", "outlets", "claims", "reuse", "duplicates", "boilerplate", "parameters")]
    assert order == sorted(order)
    assert '<ul class="findings">' in page.split('<section id="outlets">')[0]
    assert "<svg" in page and "marker-end" in page and "stroke-dasharray" in page
    assert "&quot;threshold&quot;: 0.5" in page
    assert '<details id="links" open><summary>Links between outlets (and within one), strongest first: 7 links</summary>' in page
    assert "<summary>Parameters and LSH settings of this scan</summary>" in page


def test_claim_clusters_rendered_with_a_timeline() -> None:
    with scenario() as result:
        result.claim_clusters = claim_clusters()  # type: ignore[attr-defined]
        page = render_html(result)
    assert '<section id="claims">' in page and "Claim 1: 4 statements in 4 documents, 4 sources" in page
    assert "relations &lt;b&gt;will&lt;/b&gt; recover" in page
    claim = page.split('<div class="claim" id="claim-1">')[1].split("</div>")[0]
    svg = claim.split("<svg")[1].split("</svg>")[0]
    # lanes: wire (earliest), paper, the hostile outlet; blog-1 has no date: the undated column, no arrow to it
    assert ">wire<" in svg and ">paper<" in svg and ">undated<" in svg and ">blog<" in svg
    assert svg.count('marker-end="url(#arrow-c0)"') == 2  # wire-1 -> paper-2, wire-1 -> evil (both later); none to blog-1
    assert "blog-1 (blog, undated)" in svg
    assert "<script" not in svg and "<img" not in svg and "src &lt;script&gt;" in svg
    assert "First carried by wire (2017-01-15T08:00:00+00:00); then paper (2017-01-16)" in claim
    assert "1 document without a date, shown apart in no order: blog" in claim
    # the anchor and the accepted pair that joins each other statement to it; the first publication
    assert "first published in <bdi>wire-1</bdi> [0:10], <bdi>2017-01-15T08:00:00+00:00</bdi>" in claim
    assert "<li><span class='badge'>anchor</span> <span class=\"speaker\">" in claim
    assert "<span class='badge'>same claim 0.80</span>" in claim
    assert "<span class='badge'>same statement 0.90, within document</span>" in claim


def test_a_claim_without_any_date_gets_no_time_axis() -> None:
    with scenario() as result:
        claims = claim_clusters()
        only_blog = tuple(st for st in claims[0].statements if st.doc == "blog-1") * 2
        result.claim_clusters = [dataclasses.replace(claims[0], statements=only_blog)]  # type: ignore[attr-defined]
        page = render_html(result)
    claim = page.split('<div class="claim" id="claim-1">')[1].split("</div>")[0]
    assert "<svg" not in claim
    assert "No document carrying this claim has a date, so there is no timeline to draw: 1 document from blog" in claim


def test_timeline_escapes_hostile_outlets_and_shows_missing_metadata_honestly() -> None:
    meta = {"a": SimpleNamespace(source=HOSTILE, date="2020-01-01"),
            "b": SimpleNamespace(source=None, date="2020-01-03"),
            "c": SimpleNamespace(source="x", date="2020-01-01")}
    j = claim_journey(["a", "b", "c", "zz"], meta.__getitem__)
    assert [c.doc for c in j.carriers if c.earliest] == ["a", "c"]  # the same day: both earliest, no order
    assert j.arrows == (("a", "b"), ("c", "b"))
    from overlap.report.svg import journey_svg
    svg = journey_svg(j, key='k"><script>')
    parsed = _parse(svg)
    assert {t for t, _ in parsed.tags} <= ALLOWED_TAGS | {"title"}
    assert "<script" not in svg and HOSTILE in "".join(parsed.text)
    assert ">(no source: b)<" in svg and ">undated<" in svg and "zz ((no source: zz), undated)" in svg


def test_no_claims_section_says_the_tier_did_not_run() -> None:
    with scenario() as result:
        page = render_html(result)
    assert "The paraphrase tier did not run in this scan" in page
    assert page.count('<article class="match"') == len(result.matches)  # its paraphrase matches are still shown


def _crawl(pages: dict[str, str]) -> tuple[list[str], str]:
    """Follow every link from report.html; return the pages reached and their text joined."""
    seen, todo = [], ["report.html"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        for href in re.findall(r'href="([^"#]+)', pages[name]):
            assert href in pages, href  # no link leads nowhere
            todo.append(href)
    return seen, "".join(pages[n] for n in seen)


def test_paging_reaches_every_match_and_cluster_from_report_html() -> None:
    """No silent cap: with pages of 7, every match, claim and link is one or more clicks from report.html."""
    with scenario() as result:
        base = list(result.matches)
        result.matches.extend(Match(m.kind if m.kind != "duplicate" else "reuse", 0.5, m.a, m.b)
                              for m in base for _ in range(30))
        result.matches.extend(Match("novel", 0.5, m.a, m.b) for m in base[:9])
        result.claim_clusters = claim_clusters() * 30  # type: ignore[attr-defined]
        total = len(result.matches)
        pages = render_html_pages(result, limits=HtmlLimits(matches=7, claim_clusters=4, graph_edges=2,
                                                            passage_chars=100))
    seen, text = _crawl(pages)
    assert sorted(seen) == sorted(pages) and len(pages) > 40
    for name, page in pages.items():  # every further page is as inert and self-contained as the first
        parsed = _parse(page)
        assert {t for t, _ in parsed.tags} <= ALLOWED_TAGS, name
        assert "default-src 'none'" in page and "<script" not in page.lower(), name
        assert not any(a.startswith("on") for _, attrs in parsed.tags for a in attrs), name
    numbers = {int(n) for n in re.findall(r'<article class="match" id="match-(\d+)"', text)}
    assert numbers == set(range(1, total + 1))
    assert text.count('<div class="claim" id="claim-1">') == 30
    assert all(n.startswith("report-") and is_report_page(n) for n in pages if n != "report.html")
    main = pages["report.html"]
    assert main.count('<article class="match"') <= 7 * 4  # paraphrases, reuse, other, duplicate pairs: a page each
    assert 'href="report-reuse-2.html" rel="next"' in main and "more characters not shown" in text
    assert re.search(r"<summary>Shared passages: [\d,]+ passages: 7 here, the rest on \d+ more pages</summary>", main)


def test_outlet_links_are_as_wide_as_the_text_they_share() -> None:
    with scenario() as result:
        page = render_html(result)
    svg = page.split('<section id="outlets">')[1].split("</svg>")[0]
    widths = {re.search(r"<title>([^<]*?):", line).group(1): float(re.search(r'stroke-width="([\d.]+)"', line).group(1))
              for line in re.findall(r"<line [^>]*><title>[^<]*</title></line>", svg)}
    chars = {t: int(n.replace(",", "")) for t, n in re.findall(r"<title>([^<]*?): ([\d,]+) characters shared", svg)}
    ranked = sorted(widths, key=widths.get)
    assert ranked == sorted(widths, key=chars.get) and widths[ranked[-1]] > widths[ranked[0]]


def test_empty_scan_renders() -> None:
    with scan([Document("a", "some words " * 10)]) as result:
        pages = render_html_pages(result)
    page = pages["report.html"]
    assert list(pages) == ["report.html"]
    assert "No passage of one document was found in another." in page and "No near-duplicate documents found." in page
    assert "no reuse graph to draw" in page


@pytest.mark.slow
def test_twenty_thousand_article_scan_stays_small() -> None:
    """20,000 generated articles, 1,000 story families reprinted several times: the page stays under 3 MB."""
    import random

    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(5000)]
    stories = [" ".join(rng.choices(vocab, k=rng.randint(120, 400))) for _ in range(2000)]

    def docs():
        for i in range(20_000):
            base = stories[i % 2000] if i % 10 < 4 else " ".join(rng.choices(vocab, k=200))
            words = base.split()
            words[rng.randrange(len(words))] = "edited"
            yield Document(f"d{i}", " ".join(words), source=f"outlet{i % 97}",
                           date=f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}")

    with scan(docs()) as result:
        assert len(result.matches) > 5000
        page = render_html(result)
    size = len(page.encode("utf-8"))
    assert size < 3_000_000, size
    assert "The picture shows the 40 sources" in page
    assert 'href="report-duplicate-pairs-2.html"' in page  # the rest of the matches: on further pages


# --- highlighting ------------------------------------------------------------

_words = st.lists(st.sampled_from(["the", "grain", "port", "rose", "said", "Moscow", "ties", "<b>", "&"]),
                  min_size=0, max_size=40)


@settings(max_examples=80, deadline=None)
@given(_words, _words, _words)
def test_highlighted_runs_are_shared_word_runs(pre, shared, post) -> None:
    a = " ".join(pre + shared + post)
    b = " ".join(post + shared + pre)
    h = shared_segments(a, b)
    wb = " ".join(re.findall(r"\w+", b.casefold()))
    for s in h.a:
        run = re.findall(r"\w+", a[s.start : s.end].casefold())
        assert len(run) >= 2 and " ".join(run) in wb
    for s, t in zip(h.a, h.a[1:]):
        assert s.end <= t.start
    assert len(h.a) == len(h.b)
    assert all(0 <= s.start < s.end <= len(a) for s in h.a)
    for sa, sb in zip(h.a, h.b):  # each pair of ranges holds the same words
        assert re.findall(r"\w+", a[sa.start : sa.end].casefold()) == re.findall(r"\w+", b[sb.start : sb.end].casefold())


def test_highlighting_is_capped_for_long_texts() -> None:
    long = "alpha beta gamma delta " * 3000
    h = shared_segments(long, long, max_words=1000)
    assert h.truncated and h.a and h.a[-1].end < len(long)
