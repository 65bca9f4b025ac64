"""Figures that disagree: percentages none of which agree reject a pair the scores accept, in a scan and in
``overlap score``; rounded figures agree."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from overlap.claims.decide import Acceptor
from overlap.claims.figures import agree, figure_conflict, percentages
from overlap.claims.find import find_claims
from overlap.claims.score import Scorers
from overlap.cli import main
from overlap.model import Document, Passage, Span
from overlap.params import ParaphraseParams

# BBC News: matched as the same statement (0.56) before the check
GDP = ("Gross domestic product (GDP) rose by 0.8% in the fourth quarter compared with the previous three month "
       "period, the statistical office INSEE said.",
       "The ONS says gross domestic product (GDP) rose by a strong 0.7% in the three months to 31 December, compared "
       "with 0.5% in the previous quarter.")
ROUNDED = ("Axcan's shares closed down 63 Canadian cents, or 4 percent, at C$16.93 in Toronto on Tuesday.",
           "Axcan's shares were down 3.8 percent, or 63 Canadian cents, at C$16.93 in Toronto on Tuesday.")


def _docs(a: str, b: str) -> list[Document]:
    return [Document("a", a, source="one"), Document("b", b, source="two")]


def test_the_tier_no_longer_matches_percentages_that_disagree() -> None:
    params = ParaphraseParams(embeddings=False)
    found, counts = find_claims(_docs(*GDP), params)
    assert found.matches == [] and counts["figure_conflicts"] == 1
    kept, counts = find_claims(_docs(*ROUNDED), params)
    assert len(kept.matches) == 1 and counts["figure_conflicts"] == 0
    a, b = (Passage(doc, Span(0, len(text)), text, "sentence", None) for doc, text in zip("ab", GDP))
    assert Acceptor(Scorers.load(params), params)(a, b) is None


def test_overlap_score_says_the_figures_and_decides_no() -> None:
    lines = "".join(json.dumps({"a": a, "b": b}) + "\n" for a, b in (GDP, ROUNDED))
    gdp, rounded = (json.loads(x) for x in CliRunner().invoke(main, ["score", "--lexical", "-"], input=lines).output.splitlines())
    assert gdp["figures"] == "percentages 0.8% in one, 0.7%, 0.5% in the other"
    assert gdp["paraphrase"] is False and gdp["claim"] is False
    assert rounded["figures"] is None


_figure = st.tuples(st.integers(0, 300), st.sampled_from([0, 1, 2])).map(lambda t: f"{t[0] / 10 ** t[1]:.{t[1]}f}")


@given(st.lists(_figure, min_size=1, max_size=3), st.lists(_figure, min_size=1, max_size=3))
def test_a_figure_conflict_is_symmetric_and_a_statement_never_conflicts_with_itself(xs, ys) -> None:
    a = "Output rose " + " and ".join(f"{x}%" for x in xs) + "."
    b = "Output rose " + " and ".join(f"{y} pct" for y in ys) + "."
    assert [v for v, _ in percentages(a)] == [float(x) for x in xs]
    assert (figure_conflict(a, b) is None) == (figure_conflict(b, a) is None)
    assert figure_conflict(a, a) is None and figure_conflict(a, "Output rose.") is None
    if any(x == y for x in xs for y in ys):
        assert figure_conflict(a, b) is None
    assert all(agree(p, p) for p in percentages(a))
