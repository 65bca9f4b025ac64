"""Two quotes that share no word are no claim: the words their statements share are the attribution's
(:mod:`overlap.claims.quoted`), in a scan and in the claim clusters, as part of the role check."""

from __future__ import annotations

import pytest

from overlap.claims import roles
from overlap.claims.decide import Acceptor
from overlap.claims.find import find_claims
from overlap.claims.quoted import quoted_words, quotes_apart
from overlap.claims.score import Scorers
from overlap.model import Document, Passage, Span
from overlap.params import ParaphraseParams

# BBC News: one speaker's two quotes, matched as one claim (0.59) on their attribution
GARDNER = ('Simon Gardner, president of Climax\'s Action studio, said: "We are investing in superior tools and editors.',
           'Simon Gardner, president of Climax\'s Action Studio, said: "It\'s definitely an exciting time.')
# ... and a reporter's restatement of the first: no quotation marks on one side
RESTATED = "Simon Gardner, president of Climax's Action studio, said it was investing in superior tools and editors."


def _docs(a: str, b: str) -> list[Document]:
    return [Document("a", a, source="one"), Document("b", b, source="two")]


def _passage(doc: str, text: str, kind: str = "sentence") -> Passage:
    return Passage(doc, Span(0, len(text)), text, kind, None)


def test_quotes_that_share_no_word_are_apart_and_a_restatement_or_a_shared_word_is_not() -> None:
    a, b = (_passage(d, t) for d, t in zip("ab", GARDNER))
    assert quotes_apart(a, b) and quotes_apart(b, a)
    assert not quotes_apart(a, _passage("c", RESTATED))  # no quote on one side
    assert not quotes_apart(a, _passage("c", 'Gardner said: "The tools we are buying are superior."'))
    # a statement cut inside a quotation opened before it quotes up to its first mark, not the attribution after
    cut = 'Unless we reform the system now, Japan is bound to decay ...," Nakasone told a party meeting.'
    assert sorted(quoted_words(_passage("n", cut))) == ["bound", "decay", "japan", "reform", "system", "unless"]
    assert not quotes_apart(_passage("n", cut), _passage("m", cut.replace("a party meeting", "parliament")))
    # a scare quote in the reporter's words is not what the speaker said; marks inside a word are no marks
    assert quoted_words(_passage("g", 'He said NHS staff wanted a period of consolidation after "tremendous change and reform".')) is None
    assert quoted_words(_passage("o", 'OPEC"s oil ministers will meet on Monday, officials said.')) is None
    # once a statement quotes someone, all its quotations are what it quotes (Reuters-21578: both were lost)
    kmart = 'K Mart cited "favorable consumer response to our merchandise programs" and said its retailers had "excellent February sales."'
    assert not quotes_apart(_passage("k", kmart), _passage("q", "All our specialty retailing companies had excellent February sales", "quote"))
    capel = ('"It\'s a reflection of what has happened in manufacturing industries," said Brian Waterhouse at James Capel and Co. '
             '"With a historically high yen, there\'s an increasing disincentive to')
    assert not quotes_apart(_passage("w", capel), _passage("q", "With a historically high yen, there's a disincentive to invest", "quote"))
    # a verb of the reporter's own beside the attribution: what the statements share may be that (STS-B dev,
    # rated the same claim: "... Hewitt said after battling to overcome Davydenko 6-3 4-6 6-3 7-6 (7-5)")
    hewitt = '"I\'m still not red-hot favourite," Hewitt said after battling to down Davydenko 6-3 4-6 6-3 7-6.'
    assert quoted_words(_passage("h", hewitt)) is not None
    assert quoted_words(_passage("h", hewitt), [hewitt.index("said"), hewitt.index("battling")]) is None
    assert quoted_words(_passage("h", hewitt), [hewitt.index("m still"), hewitt.index("said")]) is not None  # in the quote
    # ... but a relative clause describing the speaker is the attribution's (Reuters-21578)
    goforth = 'Things seem to be smoothing out," said Richard Goforth, a partner with Crowell Weedon and Co who trades on the floor.'
    assert quoted_words(_passage("r", goforth), [goforth.index("seem"), goforth.index("said"), goforth.index("trades")]) is not None
    # a quote statement is all quotation
    assert quoted_words(_passage("q", "It's definitely an exciting time", "quote")) == quoted_words(b)
    assert quotes_apart(a, _passage("q", "It's definitely an exciting time", "quote"))


@pytest.mark.skipif(roles.load_role_parser() is None, reason=f"role check {roles.role_check_status()}")
def test_one_speakers_two_quotes_are_no_claim_with_the_role_check_and_were_one_without() -> None:
    """Regression (BBC News, 2026-12-05): fails before the rule, which the role check carries."""
    params = ParaphraseParams(embeddings=False)
    unchecked, _ = find_claims(_docs(*GARDNER), ParaphraseParams(embeddings=False, roles=False))
    assert len(unchecked.matches) == 1  # the lexical scores even call it the same statement
    found, counts = find_claims(_docs(*GARDNER), params)
    assert found.matches == [] and counts["role_conflicts"] == 1
    a, b = (_passage(d, t) for d, t in zip("ab", GARDNER))
    assert Acceptor(Scorers.load(params), params)(a, b) is None
    kept, _ = find_claims(_docs(GARDNER[0], RESTATED), params)
    assert kept.matches  # the restatement keeps its claim
    parser = roles.load_role_parser()
    hewitt = ('"I\'ve got a fighting chance, though," Hewitt said after battling to overcome Davydenko 6-3 4-6 6-3 7-6 (7-5) on centre court.',
              '"I\'m not red-hot favourite," Hewitt said after battling to down Davydenko 6-3 4-6 6-3 7-6 (7-5) on centre court.')
    assert quotes_apart(*(_passage(d, t) for d, t in zip("ab", hewitt)))  # the quotes share no word ...
    assert parser.conflicts([hewitt]) == [None]  # ... but the reporter's own words carry a claim in common


@pytest.mark.skipif(roles.load_role_parser() is None, reason=f"role check {roles.role_check_status()}")
def test_overlap_score_rejects_the_two_quotes_with_the_role_check(tmp_path) -> None:
    """``overlap score`` applies the rule as a scan does, and says why in ``roles``."""
    import json

    from click.testing import CliRunner

    from overlap.cli import main

    file = tmp_path / "pairs.jsonl"
    file.write_text("\n".join(json.dumps({"a": GARDNER[0], "b": b}) for b in (GARDNER[1], RESTATED)) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(file)])
    assert result.exit_code == 0, result.output
    two, restated = (json.loads(line) for line in result.output.splitlines() if line.startswith("{"))
    assert two["roles"] == str(roles.RoleConflict("said", "quotes", (), ())) and not two["paraphrase"] and not two.get("claim")
    assert restated["roles"] is None
