"""The pair model's seam: when it is there it judges every pair the tier scores; when it is not, nothing changes.

The judge here is a stand-in with a known rule, so these tests say what the tier does with any pair
model's answers (the model file is loaded and hash-checked by :mod:`overlap.claims.pair_model`).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from overlap.claims import pair_model, score
from overlap.claims.find import find_claims
from overlap.cli import main
from overlap.model import Document
from overlap.params import ParaphraseParams

SWAP = ("Russia accused Ukraine of shelling the nuclear power plant on Friday.",
        "Ukraine accused Russia of shelling the nuclear power plant on Friday.")


class Judge:
    """Answers ``answer`` for every pair and remembers what it was asked (the real model's :meth:`judge`)."""

    model_id = "stand-in"
    judge = pair_model.PairModel.judge

    def __init__(self, answer: tuple[float, float]) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def score(self, pairs, progress=None, engine=None):
        self.asked.extend(pairs)
        if progress is not None:
            progress(len(pairs), len(pairs))
        return np.tile(np.array(self.answer, dtype=np.float32), (len(pairs), 1))


@pytest.fixture()
def judge(monkeypatch):
    """Install a stand-in pair model where the tier and ``overlap score`` load theirs."""
    def install(answer: tuple[float, float]) -> Judge:
        j = Judge(answer)
        monkeypatch.setattr(score, "load_pair_model", lambda: j)
        monkeypatch.setattr(pair_model, "load_pair_model", lambda: j)
        return j
    return install


def _matches(params: ParaphraseParams, a: str, b: str) -> list:
    docs = [Document("a", f"{a} Officials gave no further details."), Document("b", f"{b} The report could not be verified.")]
    result, counts = find_claims(docs, params)
    return [m for m in result.matches if {m.a.doc, m.b.doc} == {"a", "b"}], counts, result


def test_the_fitted_scores_are_fooled_by_swapped_roles_and_the_pair_model_overrules_them(judge) -> None:
    fooled, _, _ = _matches(ParaphraseParams(embeddings=False, pair_model=False, roles=False), *SWAP)
    assert fooled, "the fitted scores no longer match this pair: pick another example"
    fooled, _, _ = _matches(ParaphraseParams(pair_model=False, roles=False), *SWAP)
    assert fooled, "the embedding scores no longer match this pair: pick another example"
    j = judge((0.02, 0.03))
    found, counts, result = _matches(ParaphraseParams(pair_model=True, roles=False), *SWAP)
    assert found == []  # the cosine of a swap is high, but it cannot outvote the pair model
    assert SWAP in j.asked or SWAP[::-1] in j.asked
    assert counts["pair_model_scored"] == len(j.asked) > 0
    assert result.path.startswith("pair model (stand-in); proposed by embedding")


def test_a_pair_the_pair_model_accepts_is_reported_with_its_probabilities(judge) -> None:
    judge((0.2, 0.91))
    found, _, result = _matches(ParaphraseParams(pair_model=True, roles=False), *SWAP)
    assert [m.details["relation"] for m in found] == ["claim"]
    m = found[0]
    graded = pair_model.claim_scores(np.array([0.91]), np.array([m.details["signals"]["cosine"]]))[0]
    assert 0.6 <= graded < 0.91  # graded by the cosine, never above the model's own probability
    assert m.score == m.details["claim_score"] == round(graded, 4) and m.details["paraphrase_score"] == 0.2
    assert m.details["path"].startswith("pair model (stand-in)")
    assert result.threshold == pair_model.PAIR_CUT and result.claim_threshold == pair_model.PAIR_CLAIM_CUT


def test_without_a_pair_model_the_tier_is_what_it_was(monkeypatch) -> None:
    monkeypatch.setattr(score, "load_pair_model", lambda: None)
    off, counts_off, r_off = _matches(ParaphraseParams(pair_model=False, roles=False), *SWAP)
    none, counts_none, r_none = _matches(ParaphraseParams(pair_model=True, roles=False), *SWAP)
    assert off == none
    assert counts_off == counts_none and counts_none["pair_model_scored"] == 0
    assert r_none.path == r_off.path and not r_none.path.startswith("pair model")


def test_without_embeddings_the_pair_model_is_not_asked(judge) -> None:
    """Its claim score is graded with the embedding cosine, so the lexical path keeps the fitted scores."""
    j = judge((0.02, 0.03))
    found, counts, result = _matches(ParaphraseParams(embeddings=False, pair_model=True, roles=False), *SWAP)
    assert found and j.asked == [] and counts["pair_model_scored"] == 0 and result.path == "lexical"


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=20))
def test_the_claim_score_never_exceeds_the_pair_models_shifted_probability_and_rises_with_the_cosine(rows) -> None:
    p, cos = np.array(rows).T
    got = pair_model.claim_scores(p, cos)
    q = np.clip(p, 1e-4, 1 - 1e-4)
    veto = 1 / (1 + np.exp(-(np.log(q / (1 - q)) + pair_model.VETO_SHIFT)))
    assert ((got <= veto + 1e-12) & (got >= 0)).all()
    assert (pair_model.claim_scores(p, np.minimum(cos + 0.1, 1.0)) >= got - 1e-12).all()
    # a pair the model rejects is never the same claim, however close the two vectors
    assert (pair_model.claim_scores(np.minimum(p, 0.1), np.ones_like(cos)) < pair_model.PAIR_CLAIM_CUT).all()


def test_overlap_score_lets_the_pair_model_judge_and_can_do_without(judge) -> None:
    judge((0.1, 0.05))  # the model rejects the claim with confidence: its veto holds at the shipped shift
    line = json.dumps({"a": SWAP[0], "b": SWAP[1]}) + "\n"
    runner = CliRunner()
    judged = json.loads(runner.invoke(main, ["score", "--pair-model", "--no-role-check", "-"], input=line).output)
    assert judged["model"].startswith("pair model (stand-in)")
    claim = round(float(pair_model.claim_scores(np.array([0.05]), np.array([judged["signals"]["cosine"]]))[0]), 4)
    assert (judged["score"], judged["paraphrase"], judged["claim_score"], judged["claim"]) == (0.1, False, claim, False)
    assert (judged["threshold"], judged["claim_threshold"]) == (pair_model.PAIR_CUT, pair_model.PAIR_CLAIM_CUT)
    fitted = json.loads(runner.invoke(main, ["score", "--no-pair-model", "--no-pair-check", "--no-role-check", "-"], input=line).output)
    assert not fitted["model"].startswith("pair model") and fitted["paraphrase"] is True


def test_by_default_the_pair_model_checks_what_the_fitted_scores_accept_and_vetoes_what_it_rejects(judge) -> None:
    assert all(0 < level < 0.45 for level in pair_model.CHECK_LEVELS)  # under both fitted cuts: a veto rejects
    j = judge((0.0, 0.0))
    found, counts, result = _matches(ParaphraseParams(roles=False), *SWAP)
    assert found == []  # the fitted scores accept the swap (first test); the model's veto holds
    assert SWAP in j.asked or SWAP[::-1] in j.asked
    assert counts["pair_model_scored"] == len(j.asked) > 0 and counts["below_pair_floor"] == 0
    assert result.path == "embedding (paraphrase-MiniLM-L3-v2-int8); checked by pair model (stand-in)"
    assert result.threshold != pair_model.PAIR_CUT  # the fitted scores' own cuts still decide


def test_a_pair_the_check_does_not_reject_keeps_its_fitted_scores(judge, monkeypatch) -> None:
    monkeypatch.setattr(score, "load_pair_model", lambda: None)
    fitted, _, r_fitted = _matches(ParaphraseParams(roles=False), *SWAP)
    j = judge((0.9, 0.9))
    found, counts, result = _matches(ParaphraseParams(roles=False), *SWAP)
    assert [(m.score, m.details["relation"]) for m in found] == [(m.score, m.details["relation"]) for m in fitted]
    assert counts["pair_model_scored"] == len(j.asked) == 1
    off, counts_off, r_off = _matches(ParaphraseParams(roles=False, pair_check=False), *SWAP)
    assert counts_off["pair_model_scored"] == 0 and r_off.path == r_fitted.path and len(j.asked) == counts["pair_model_scored"]


def test_overlap_score_checks_with_the_pair_model_by_default(judge) -> None:
    judge((0.0, 0.0))
    line = json.dumps({"a": SWAP[0], "b": SWAP[1]}) + "\n"
    runner = CliRunner()
    out = json.loads(runner.invoke(main, ["score", "--no-role-check", "-"], input=line).output)
    assert out["model"].endswith("; checked by pair model (stand-in)")
    assert out["pair_check"] == {"paraphrase": 0.0, "claim": 0.0}
    assert (out["paraphrase"], out["claim"], out["score"], out["claim_score"]) == (False, False, 0.0, 0.0)
    unchecked = json.loads(runner.invoke(main, ["score", "--no-role-check", "--no-pair-check", "-"], input=line).output)
    assert "pair_check" not in unchecked and unchecked["paraphrase"] is True


def test_the_claim_check_spares_a_statement_against_itself_with_more_said(judge) -> None:
    """Found on BBC News: the model rejects "X" against "X and more" though the claim is the same; the
    check leaves such a pair's claim alone (not its paraphrase), and never a swap, whose words are the same."""
    judge((0.0, 0.0))
    short = "Yukos claims its downfall was punishment for the political ambitions of its founder Mikhail Khodorkovsky."
    longer = short[:-1] + " and has vowed to sue any participant in the auction of its main unit."
    runner = CliRunner()
    lines = "".join(json.dumps({"a": a, "b": b}) + "\n" for a, b in ((short, longer), SWAP))
    extended, swapped = (json.loads(x) for x in runner.invoke(main, ["score", "--no-role-check", "-"], input=lines).output.splitlines())
    assert pair_model.extends(extended["signals"]["containment"], extended["signals"]["coverage"])
    assert extended["claim"] is True and extended["paraphrase"] is False
    assert extended["claim_score"] == json.loads(runner.invoke(main, ["score", "--no-role-check", "--no-pair-check", "-"],
                                                               input=lines).output.splitlines()[0])["claim_score"]
    assert not pair_model.extends(swapped["signals"]["containment"], swapped["signals"]["coverage"])
    assert swapped["claim"] is False


@pytest.fixture()
def fresh_load():
    pair_model._load.cache_clear()
    yield
    pair_model._load.cache_clear()


def test_a_missing_or_changed_model_file_is_refused_and_said(tmp_path, monkeypatch, fresh_load) -> None:
    monkeypatch.setattr(pair_model, "PAIR_MODEL_FILE", tmp_path / "pair-model-int8.onnx")
    assert pair_model.load_pair_model() is None
    assert "missing or not sha256" in pair_model.pair_model_status()
    pair_model._load.cache_clear()
    (tmp_path / "pair-model-int8.onnx").write_bytes(b"not the model")
    assert pair_model.load_pair_model() is None


def test_without_onnxruntime_there_is_no_pair_model_and_it_says_why(monkeypatch, fresh_load) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # the import fails
    assert pair_model.load_pair_model() is None
    assert "onnxruntime not installed" in pair_model.pair_model_status()
