"""Figures that disagree: percentages, or amounts of money and goods, none of which agree reject a pair the
scores accept, in a scan and in ``overlap score``; rounded figures agree."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from overlap.claims.decide import Acceptor
from overlap.claims.figures import agree, amounts, figure_conflict, percentages
from overlap.claims.find import find_claims
from overlap.claims.pair_model import PairModel, installed_pair_model
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

# Reuters-21578: one wire template, two companies' offerings, matched as the same statement (0.69) before
# amounts were compared
OFFERINGS = ("Detroit Edison Co is raising 400 mln dlrs through a two-tranche offering of general and refunding "
             "mortgage bonds, said sole manager Morgan Stanley and Co Inc.",
             "Commonwealth Edison Co is raising 360 mln dlrs via a two-tranche offering of first and refunding "
             "mortgage bonds, said lead manager Morgan Stanley and Co Inc.")
# BBC News: one claim, its dollars converted on different days; the euros and pounds agree
CONVERTED = ("Parmalat was declared insolvent after it emerged that 4 billion euros (£2.8bn; $4.8bn) it supposedly "
             "held in an offshore account did not in fact exist.",
             "Parmalat collapsed in December 2003 after it emerged that the 4bn euros ($5.2bn; £2.8bn) it supposedly "
             "held in an offshore account did not in fact exist.")


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


def test_amounts_are_read_with_their_scale_and_unit() -> None:
    assert amounts("paid $3-million bail, US$10 mil. and £1.1bn for 5,490 tonnes") == [
        ("dollar", 3e6, 1e6), ("dollar", 1e7, 1e6), ("pound", 1.1e9, 1e8), ("tonne", 5490.0, 1.0)]
    # a currency's country may stand between the figure and its unit; other words may not
    assert amounts("76 mln N.Z. Dlrs and 100 mln Canadian dlr") == [("dollar", 7.6e7, 1e6), ("dollar", 1e8, 1e6)]
    assert amounts("duty rose to 38.30 ringgit per tonne, 2,400 Iraqis, 800,000-820,000 bpd") == [("bpd", 820000.0, 1.0)]
    # figures in words, as the wires write them; not inside a word
    assert amounts("It bought two mln stg and Seven billion dlrs; someone shares") == [("pound", 2e6, 1e6), ("dollar", 7e9, 1e9)]
    assert percentages("paying five pct, someone pct") == [(5.0, 1.0)]
    assert figure_conflict("It bought two mln stg in band one.", "It bought 15 mln stg in band one.") is not None


def test_amounts_that_disagree_reject_a_template_pair_and_rounding_or_a_conversion_does_not() -> None:
    assert figure_conflict(*OFFERINGS) == "amounts in dollars 400 mln in one, 360 mln in the other"
    assert figure_conflict(*CONVERTED) is None  # the euros agree
    assert figure_conflict("paid a $10 million fine", "paid a $10-million penalty") is None
    assert figure_conflict("it took $1.23 billion", "it took $1.2bn") is None
    assert figure_conflict("a deficit of 224 mln dlrs", "a deficit of 234 mln dlrs") is not None
    assert figure_conflict("400 mln dlrs", "400 mln stg") is None  # other units are not compared
    params = ParaphraseParams(embeddings=False)
    found, counts = find_claims(_docs(*OFFERINGS), params)
    assert found.matches == [] and counts["figure_conflicts"] == 1


_money = st.tuples(st.integers(1, 5000), st.sampled_from(["mln dlrs", "billion dlrs", "dlrs", "mln stg", "tonnes"]))


@given(st.lists(_money, min_size=1, max_size=3), st.lists(_money, min_size=1, max_size=3))
def test_an_amount_conflict_is_symmetric_and_an_amount_given_in_both_agrees(xs, ys) -> None:
    a = "It paid " + " and ".join(f"{n:,} {u}" for n, u in xs) + "."
    b = "It paid " + " and ".join(f"{n:,} {u}" for n, u in ys) + "."
    assert len(amounts(a)) == len(xs)
    assert (figure_conflict(a, b) is None) == (figure_conflict(b, a) is None)
    assert figure_conflict(a, a) is None
    if set(xs) & set(ys) or not {u.split()[-1] for _, u in xs} & {u.split()[-1] for _, u in ys}:
        assert figure_conflict(a, b) is None


@pytest.mark.skipif(installed_pair_model()[0] is None, reason="no pair model installed")
def test_the_pair_model_does_not_read_a_pair_whose_figures_disagree(monkeypatch) -> None:
    """Regression (a saving, same matches): decide rejects such a pair whatever the model says of it."""
    read: list = []
    real = PairModel.score

    def spy(self, pairs, *args, **kwargs):
        read.extend(pairs)
        return real(self, pairs, *args, **kwargs)

    monkeypatch.setattr(PairModel, "score", spy)
    found, counts = find_claims(_docs(*OFFERINGS), ParaphraseParams())
    assert found.matches == [] and counts["figure_conflicts"] == 1 and counts["pair_model_scored"] == 0
    assert read == []
    kept, counts = find_claims(_docs(*CONVERTED), ParaphraseParams())
    assert counts["pair_model_scored"] > 0 and read  # the figures agree: the model reads the pair


@pytest.mark.skipif(installed_pair_model()[0] is None, reason="no pair model installed")
def test_overlap_score_does_not_ask_the_pair_model_about_figures_that_disagree() -> None:
    """As in a scan: the figures reject the pair whatever the model would say, so it is not asked."""
    lines = "".join(json.dumps({"a": a, "b": b}) + "\n" for a, b in (OFFERINGS, ROUNDED))
    offerings, rounded = (json.loads(x) for x in CliRunner().invoke(main, ["score", "-"], input=lines).output.splitlines())
    assert offerings["figures"] == "amounts in dollars 400 mln in one, 360 mln in the other"
    assert offerings["pair_check"] is None and offerings["paraphrase"] is False and offerings["claim"] is False
    assert rounded["figures"] is None and rounded["pair_check"] is not None
