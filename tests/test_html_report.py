"""report.html: self-contained, escaped, highlights shared words, caps long lists and says so."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.highlight import shared_segments
from overlap.html_report import HtmlLimits, render_html
from overlap.model import Document, Match, MatchSide, Span
from overlap.pipeline import scan
from reuse_scenario import GRAIN, HOSTILE, WIRE, scenario

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "nav", "a", "main", "section",
                "h2", "h3", "p", "table", "tr", "th", "td", "span", "b", "article", "div", "mark", "pre", "ul", "li",
                "svg", "defs", "marker", "path", "line", "circle", "g", "text", "bdi"}


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
        if tag == "a":
            assert attrs["href"].startswith("#")
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


def test_sections_and_parameters_present() -> None:
    with scenario() as result:
        page = render_html(result)
    for section in ("summary", "sources", "clusters", "matches", "boilerplate", "parameters"):
        assert f'<section id="{section}">' in page
    assert "<svg" in page and "marker-end" in page and "stroke-dasharray" in page
    assert "&quot;threshold&quot;: 0.5" in page


def test_claim_clusters_rendered_when_present() -> None:
    with scenario() as result:
        result.claim_clusters = [SimpleNamespace(  # type: ignore[attr-defined]
            id=1, statements=(SimpleNamespace(doc="wire-1", span=Span(0, 10), text="relations <b>will</b> recover",
                                              speaker="Patrushev"),
                              SimpleNamespace(doc="paper-2", span=Span(0, 10), text="ties will mend", speaker=None)),
            documents=("wire-1", "paper-2"), sources=("wire", "paper"), speakers=("Patrushev",),
            first_published="2017-01-15", min_score=0.7, mean_score=0.8)]
        page = render_html(result)
    assert '<section id="claims">' in page and "Claim 1: 2 statements in 2 documents, 2 sources" in page
    assert "relations &lt;b&gt;will&lt;/b&gt; recover" in page


def test_no_claims_section_without_claim_clusters() -> None:
    with scenario() as result:
        assert 'id="claims"' not in render_html(result)


def test_long_lists_are_capped_and_the_cut_is_stated() -> None:
    with scenario() as result:
        base = list(result.matches)
        extra = [Match("reuse", 0.5, m.a, m.b) for m in base for _ in range(40)]
        result.matches.extend(extra)
        total = len(result.matches)
        page = render_html(result, limits=HtmlLimits(matches=50, passage_chars=100))
    assert page.count('<article class="match"') == 50
    assert f"Showing 50 of {total:,} matches; the other {total - 50:,} are in matches.jsonl." in page
    kinds = re.findall(r'<span class="kind k-(\w+)">', page)
    assert {"duplicate", "reuse", "paraphrase"} <= set(kinds)  # every kind keeps a share
    assert "more characters not shown" in page


def test_empty_scan_renders() -> None:
    with scan([Document("a", "some words " * 10)]) as result:
        page = render_html(result)
    assert "No matches." in page and "No near-duplicate documents found." in page
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
                           published=f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}")

    with scan(docs()) as result:
        assert len(result.matches) > 5000
        page = render_html(result)
    size = len(page.encode("utf-8"))
    assert size < 3_000_000, size
    assert "Showing 300 of" in page and "The picture shows the 40 sources" in page


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
