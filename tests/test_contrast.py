"""The pair model's contrast pairs (tools/contrast.py, training only): each edit changes one fact, and
edits that could keep the meaning are not made (a wrong negative teaches the model to doubt true
restatements)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("contrast", Path(__file__).resolve().parents[1] / "tools" / "contrast.py")
contrast = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contrast)

NAMES = contrast.proper_names(["Officials in Russia said so.", "Talks with Russia went on.", "He met Ukraine's envoy.",
                               "Aid to Ukraine rose."])


def test_two_names_either_side_of_a_verb_swap_roles() -> None:
    s = "Russia accused Ukraine of shelling the nuclear power plant on Friday."
    assert contrast.swap_roles(s, random.Random(0), NAMES) == "Ukraine accused Russia of shelling the nuclear power plant on Friday."


@pytest.mark.parametrize("s", [
    "Putin met Trump in Helsinki.",  # a symmetric relation
    "Talks between Russia and Ukraine resumed on Monday.",
    "Russia and Ukraine exchanged prisoners.",
    "Russia, Ukraine said.",  # no verb between them
])
def test_names_that_could_trade_places_and_keep_the_meaning_are_never_swapped(s) -> None:
    assert contrast.swap_roles(s, random.Random(0), NAMES) is None


def test_a_sentence_initial_common_word_is_not_a_name() -> None:
    assert contrast.swap_roles("Shares rose after Ukraine signed.", random.Random(0), NAMES) is None


@pytest.mark.parametrize("s,out", [
    ("It's not a good idea.", "It's a good idea."),
    ("The company didn't say when it would decide.", "The company did say when it would decide."),
    ("The bank will raise rates.", "The bank will not raise rates."),
    ("He cannot go.", "He can go."),
])
def test_negation_goes_both_ways(s, out) -> None:
    assert contrast.negate(s) == out


def test_opposites_keep_capitals_and_figures_change() -> None:
    assert contrast.oppose("Rates rose in March.") == "Rates fell in March."
    assert contrast.oppose("The central bank raised interest rates.") == "The central bank cut interest rates."
    out = contrast.renumber("Profit rose 12 percent to $4.1 billion.", random.Random(1))
    assert out != "Profit rose 12 percent to $4.1 billion." and out.startswith("Profit rose ")
    year = contrast.renumber("It happened in 2003.", random.Random(1))
    assert year != "It happened in 2003." and 2000 <= int(year[15:19]) <= 2006


def test_contrasts_are_deterministic_and_never_equal_to_the_original() -> None:
    pos = [("Russia accused Ukraine of shelling the plant.", "Ukraine was accused by Russia of shelling the plant."),
           ("Profit rose 12 percent.", "Profit was up 12 percent.")] * 20
    first = contrast.contrasts(pos, NAMES, seed=5)
    assert first == contrast.contrasts(pos, NAMES, seed=5) and first
    originals = {x for pair in pos for x in pair}
    assert all(edited not in originals for _a, edited, _k in first)
