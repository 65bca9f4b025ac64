"""A reporter restating a quote in the same article (overlap.claims.restated): "we" read as the party
the reporter names, for the same speaker only."""

from __future__ import annotations

import pytest

from overlap.claims import embed, roles
from overlap.claims.find import find_claims
from overlap.claims.restated import _saying, _words, read_as
from overlap.model import Document
from overlap.params import ParaphraseParams

pytestmark = [
    pytest.mark.skipif(roles.load_role_parser() is None, reason=f"role check {roles.role_check_status()}"),
    pytest.mark.skipif(embed.load_embedder() is None, reason="no embedding model"),
]

# seeds/000, cut to the paragraphs that name the speaker, restate him, and quote him
_REPORTER = ("The former director of the Federal Security Service (FSS) after Vladimir Putin held the post, "
             "said Russia was keen to work with the US on an equitable basis.")
_QUOTE = ("He told Russian state media, Sputnik: \u201cWe are ready to work with the US partners on the basis of "
          "equality and mutual respect for each other\u2019s interests.\u201d")


def _article(*paragraphs: str) -> Document:
    return Document("000", "\n\n".join(paragraphs))


def _parse(text: str):
    return roles.load_role_parser().nlp(text)


def test_a_reported_clause_names_its_party_and_points_back_to_the_speaker() -> None:
    sayer, party, (start, end) = _saying(_parse(_REPORTER))
    assert (sayer, party) == ("", "Russia")
    assert _REPORTER[start:end] == "Russia was keen to work with the US on an equitable basis"
    assert _saying(_parse("Nikolai Patrushev today said Russia was ready."))[:2] == ("Nikolai Patrushev", "Russia")
    # who says is someone the text neither names nor points back to: no reading
    assert _saying(_parse("Analysts said Russia was keen to work with the US.")) is None
    # the said clause is about no one party: the speaker is still tracked, nothing is restated
    assert _saying(_parse("Patrushev said a worsening of relations is in the interests of neither side."))[1] is None
    assert _saying(_parse("Patrushev said Russia and China were ready."))[1] is None


def test_we_is_read_as_the_party() -> None:
    text = "We are ready to work with our partners if they work with us."
    assert read_as(_words(_parse(text)), "Russia") == "Russia is ready to work with Russia's partners if they work with Russia."
    # "US" is a country, not "us"
    assert read_as(_words(_parse("We have talked to the US.")), "Russia") == "Russia has talked to the US."


def test_the_reporter_restating_the_speakers_quote_is_a_claim_match() -> None:
    doc = _article("Nikolai Patrushev today said relations would improve.", _REPORTER, _QUOTE)
    result, counts = find_claims([doc], ParaphraseParams())
    restated = [m for m in result.matches if m.details.get("restated")]
    assert len(restated) == 1 and counts["restated"] == 1
    m = restated[0]
    assert m.details["restated"] == {"we": "Russia"} and m.details["within_document"] is True
    assert m.details["relation"] == "claim"
    assert doc.text[m.a.span.start:m.a.span.end] == _REPORTER
    start, end = m.details["a_clause"]
    assert doc.text[start:end] == "Russia was keen to work with the US on an equitable basis"
    # the same article read without within-document pairs: no restatement
    result, counts = find_claims([doc], ParaphraseParams(within_document=False))
    assert counts["restated"] == 0 and not any(m.details.get("restated") for m in result.matches)


def test_another_speakers_we_is_not_read_as_the_party() -> None:
    """Peskov's "we" is not what Patrushev said Russia would do: the speaker must be the same."""
    doc = _article("Nikolai Patrushev today said relations would improve.", _REPORTER,
                   "Dmitry Peskov told reporters on Monday.",
                   "\u201cWe are ready to work with the US partners on the basis of equality and mutual respect "
                   "for each other\u2019s interests,\u201d Peskov said.")
    result, counts = find_claims([doc], ParaphraseParams())
    assert counts["restated"] == 0 and not any(m.details.get("restated") for m in result.matches)


def test_a_quote_after_the_verb_of_saying_is_not_the_reporters_clause() -> None:
    """BBC News sport/223: the coach's own words after "said:" name the other side, and his "we" is not it."""
    reading = _saying(_parse('Deportivo coach Javier Irureta said: "Liverpool played very well and we just could '
                             'not break them down.'))
    assert reading is not None and reading[1] is None
    # the reporter's clause before the verb: a restatement ("Snow Patrol had ..., Gary Lightbody has said")
    assert _saying(_parse("Snow Patrol had no other course of action but to ask their bassist to leave the band, "
                          "lead singer Gary Lightbody has said."))[:2] == ("Gary Lightbody", "Snow Patrol")


def test_a_clause_not_opening_with_its_party_is_not_read() -> None:
    """Reuters-21578 8310: "Washington" is the subject of a fronted phrase, not of what Baker said."""
    reading = _saying(_parse("Enlarging on reforms Washington would like to see, Baker said he wanted the IADB to "
                             "play a much greater role in the U.S. debt strategy."))
    assert reading is None or reading[1] is None


def test_a_quote_inside_the_sentence_is_not_its_restatement() -> None:
    """Reuters-21578 3716: the sentence holds the quote; its "we" is not the suspended broker."""
    doc = Document("3716", 'Merrill Lynch said Vaskevitch was suspended \u201cwhen we were informed of the specific '
                           'allegations and evidence.\u201d')
    result, counts = find_claims([doc], ParaphraseParams())
    assert counts["restated"] == 0 and not any(m.details.get("restated") for m in result.matches)


def test_a_role_named_with_a_possessive_points_back_to_the_speaker() -> None:
    """seeds/001: "the Security Council's secretary said" (a curly apostrophe) keeps Patrushev the one speaking,
    so the "he said" after it is his: the chain was broken there until 2026-12-04."""
    doc = _article("Nikolai Patrushev today said relations would improve.",
                   "By now, the Security Council\u2019s secretary said, the UN has adopted six resolutions.",
                   "At the same time, he said Russia was keen to work with the US on an equitable basis.", _QUOTE)
    result, counts = find_claims([doc], ParaphraseParams())
    assert counts["restated"] == 1, counts
    assert [m.details["restated"] for m in result.matches if m.details.get("restated")] == [{"we": "Russia"}]
