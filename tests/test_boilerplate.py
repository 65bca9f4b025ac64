"""Page furniture (overlap.text.boilerplate.is_furniture): the cheap first-word test never hides a match."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from overlap.text import boilerplate
from overlap.text.boilerplate import is_furniture


@settings(max_examples=1500, deadline=None)
@given(st.from_regex(boilerplate._FURNITURE, fullmatch=True))
@example("12 comments")
@example("\u0663 comments")  # any decimal digit is a number to the expression
@example("2017 acme all rights reserved")
def test_every_line_the_expression_calls_furniture_is_still_furniture(line: str) -> None:
    # the strings are drawn from the expression itself: an alternative whose first word is missing from
    # _FURNITURE_FIRST fails here
    assert is_furniture(line.split(" "))


def test_prose_and_empty_lines_are_not_furniture() -> None:
    assert is_furniture(["leave", "a", "reply"])
    assert not is_furniture(["leave", "a", "reply", "to", "moscow"])
    assert not is_furniture(["the", "ministry", "said"])
    assert not is_furniture([])
    assert not is_furniture([""])
