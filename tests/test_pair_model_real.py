"""The pair model: the shipped file checks out, reads both statements, and is what decides."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from overlap.claims import pair_model
from overlap.claims.embed import load_embedder
from overlap.claims.find import find_claims
from overlap.claims.pair_model import PAIR_CLAIM_CUT, PAIR_CUT, PairModel, load_pair_model, pair_model_status
from overlap.cli import main
from overlap.model import Document
from overlap.params import ParaphraseParams

pytest.importorskip("onnxruntime")

# Known misses of this model (held-out PAWS AUC 0.87, not 0.90): news sentences with swapped roles,
# a changed verb, a negation. Strict: the day a model reads them, these fail and move to the tests below.
KNOWN_MISSES = [
    ("Russia accused Ukraine of shelling the nuclear power plant on Friday.",
     "Ukraine accused Russia of shelling the nuclear power plant on Friday."),
    ("The central bank raised interest rates by half a point in March.",
     "The central bank cut interest rates by half a point in March."),
    # negation (the fitted claim score gave this pair 0.99)
    ("It's not a good idea.", "It's not just a good idea, it's an excellent idea."),
]
# Pairs the fitted scores matched wrongly in the seeds (reports/report.md before the pair model)
SEED_WRONG = [
    ('"Nowadays, we come to possess more and more confirmations of cooperation with terrorists of certain countries '
     'as well as influential foreign or even transnational companies," he said.',
     '"I think certain possibilities for constructive cooperation with the United States will present themselves in '
     'such areas as counter-terrorism efforts, information security and in a number of other spheres," he said.'),
]
# ... and one the model alone (v3) accepts as the same claim (0.62), a different speaker's: the role check drops it
MENDING_TIES = ("After president-elect Donald Trump takes office in January, Putin said Russia is looking forward to "
                "mending ties with the US.",
                "Trump has outlined few specifics as to how he would go about recalibrating ties with Russia, but he has "
                "spoken favorably, though guardedly, of Putin.")
RESTATEMENTS = [
    # Patrushev's quote in two English renderings (seeds/000)
    ("As recent history shows, relations between Russia and the USA will sooner or later return to a normal level.",
     "The contemporary history experience has shown that sooner or later the US-Russian relations will get back on track."),
    ("The company said its quarterly profit rose 12 percent to 4.1 billion dollars.",
     "Quarterly profit at the company climbed 12 percent to $4.1 billion, it said."),
]
# the reporter restating Patrushev's quote (seeds/000; the fitted claim score gave it 0.16): still missed
MISSED_RESTATEMENT = ("We are ready to work with the US partners on the basis of equality.",
                      "Patrushev said Russia was keen to work with the US on an equitable basis.")


@pytest.fixture()
def fresh_load():
    """Each test that swaps the file sees a fresh load, and leaves one behind."""
    pair_model._load.cache_clear()
    yield
    pair_model._load.cache_clear()


def test_the_shipped_model_checks_out_and_is_used() -> None:
    assert load_pair_model() is not None, pair_model_status()
    assert pair_model_status().startswith("pair model (")


def test_a_changed_model_file_is_refused(tmp_path, monkeypatch, fresh_load) -> None:
    changed = tmp_path / "pair-model-int8.onnx"
    shutil.copyfile(pair_model.PAIR_MODEL_FILE, changed)
    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    changed.write_bytes(bytes(data))
    monkeypatch.setattr(pair_model, "PAIR_MODEL_FILE", changed)
    assert load_pair_model() is None
    assert "not sha256" in pair_model_status()


def test_scores_are_symmetric_and_do_not_depend_on_the_batch() -> None:
    model = load_pair_model()
    pairs = KNOWN_MISSES + SEED_WRONG + [MENDING_TIES] + RESTATEMENTS
    together = model.score(pairs)
    alone = np.vstack([model.score([p]) for p in pairs])
    swapped = model.score([(b, a) for a, b in pairs])
    assert together.shape == (len(pairs), 2)
    assert np.array_equal(together, swapped)  # the two texts sorted before the two readings: the same bits
    assert np.array_equal(together, alone)  # each pair is run alone: its score never depends on its neighbours


def test_a_pair_given_again_in_either_order_is_read_once(monkeypatch) -> None:
    """News repeats itself: a statement pair reprinted in several article pairs came to the model once per
    article pair, and again when the claim clusters checked it. (Regression: 2026-12-04, every repeat was
    read again.)"""
    model = PairModel(pair_model.PAIR_MODEL_FILE)
    runs: list[int] = []
    real = model.run
    monkeypatch.setattr(model, "run", lambda joined: runs.append(len(joined)) or real(joined))
    a, b = MENDING_TIES
    c, d = RESTATEMENTS[0]
    probs = model.score([(a, b), (c, d), (b, a), (a, b)])
    assert runs == [2, 2]  # two distinct pairs, each read in its two orders
    assert np.array_equal(probs[0], probs[2]) and np.array_equal(probs[0], probs[3])
    again = model.score([(d, c), (a, "Rain.")])
    assert runs == [2, 2, 2] and np.array_equal(again[0], probs[1])  # read before: not read again
    assert np.array_equal(probs, load_pair_model().score([(a, b), (c, d), (b, a), (a, b)]))


def test_the_pair_model_is_loaded_where_a_pair_runs_once_per_process_on_one_thread(monkeypatch) -> None:
    """What lets an engine's workers check the pairs (:meth:`PairModel.score` with ``engine``): the model
    sent to a worker is that process's one copy of the file, loaded there on one thread; the driver that
    only sends pairs never makes a session; and the pairs read task by task give the same bits."""
    from overlap.engine import InProcess

    model = load_pair_model()
    first, second = pickle.loads(pickle.dumps(model)), pickle.loads(pickle.dumps(model))
    assert first is second and first is not model and first._spec[1] == 1
    fresh = PairModel(pair_model.PAIR_MODEL_FILE)
    assert fresh._session is None
    pairs = KNOWN_MISSES + SEED_WRONG + [MENDING_TIES] + RESTATEMENTS
    done: list[tuple[int, int]] = []
    monkeypatch.setattr(pair_model, "_PAIRS_PER_TASK", 2)
    by_task = first.score(pairs, progress=lambda *step: done.append(step), engine=InProcess())
    assert np.array_equal(by_task, model.score(pairs))
    assert [n for n, _ in done] == sorted(n for n, _ in done) and done[-1] == (len(pairs), len(pairs)) and len(done) > 2
    assert np.array_equal(fresh.score(pairs[:2]), by_task[:2]) and fresh._session is not None


def _judge(a: str, b: str) -> tuple[float, float]:
    """The tier's two scores of one pair: the pair model's, its claim score graded with the embedding cosine."""
    va, vb = load_embedder().encode([a, b])
    para, claim = load_pair_model().judge([(a, b)], np.array([float(np.clip(va @ vb, 0.0, 1.0))]))
    return float(para[0]), float(claim[0])


@pytest.mark.parametrize("a,b", SEED_WRONG)
def test_claims_the_fitted_scores_matched_wrongly_in_the_seeds_are_not_the_same_claim(a, b) -> None:
    para, claim = _judge(a, b)
    assert para < PAIR_CUT and claim < PAIR_CLAIM_CUT, (para, claim)


@pytest.mark.xfail(strict=True, reason="known miss of this model alone: Putin's claim against Trump's (the role check drops it)")
def test_known_miss_another_speakers_claim_on_the_same_ties() -> None:
    para, claim = _judge(*MENDING_TIES)
    assert para < PAIR_CUT and claim < PAIR_CLAIM_CUT, (para, claim)


def test_the_tier_drops_another_speakers_claim_the_model_alone_accepts() -> None:
    assert _claims(ParaphraseParams(pair_model=True), *MENDING_TIES) == []


@pytest.mark.xfail(strict=True, reason="known miss of this model: see KNOWN_MISSES")
@pytest.mark.parametrize("a,b", KNOWN_MISSES)
def test_known_misses_swapped_roles_a_changed_verb_a_negation(a, b) -> None:
    para, claim = _judge(a, b)
    assert para < PAIR_CUT and claim < PAIR_CLAIM_CUT, (para, claim)


@pytest.mark.parametrize("a,b", RESTATEMENTS)
def test_a_restatement_in_other_words_is_the_same_claim(a, b) -> None:
    _para, claim = _judge(a, b)
    assert claim >= PAIR_CLAIM_CUT, claim


@pytest.mark.xfail(strict=True, reason="known miss of the model on the texts as written: the reporter's restatement of "
                   "Patrushev's quote (a scan reads his 'we' as Russia: tests/test_restated.py)")
def test_known_miss_the_reporters_restatement_of_a_quote() -> None:
    assert _judge(*MISSED_RESTATEMENT)[1] >= PAIR_CLAIM_CUT


def _claims(params: ParaphraseParams, a: str, b: str) -> list:
    docs = [Document("a", f"{a} Officials gave no further details."), Document("b", f"{b} The report could not be verified.")]
    result, _counts = find_claims(docs, params)
    return [m for m in result.matches if {m.a.doc, m.b.doc} == {"a", "b"}]


def test_the_pair_model_and_the_role_check_each_drop_a_wrong_seed_claim_the_fitted_scores_accept() -> None:
    a, b = SEED_WRONG[0]
    assert _claims(ParaphraseParams(pair_model=False, roles=False), a, b), "the fitted scores were fooled by this pair"
    assert _claims(ParaphraseParams(pair_model=True, roles=False), a, b) == []
    assert _claims(ParaphraseParams(pair_model=False), a, b) == []  # cooperation with other partners: roles.other_partners


def test_the_tier_finds_the_reference_restatement_and_says_the_pair_model_decided() -> None:
    found = _claims(ParaphraseParams(pair_model=True), *RESTATEMENTS[0])
    assert found and found[0].details["path"].startswith("pair model (")


def test_overlap_score_reports_the_pair_models_judgement_and_can_do_without() -> None:
    line = json.dumps({"a": MENDING_TIES[0], "b": MENDING_TIES[1]}) + "\n"
    runner = CliRunner()
    judged = json.loads(runner.invoke(main, ["score", "--pair-model", "-"], input=line).output)
    assert judged["model"].startswith("pair model (") and judged["claim"] is False and judged["paraphrase"] is False
    assert judged["threshold"] == PAIR_CUT and judged["claim_threshold"] == PAIR_CLAIM_CUT
    fitted = json.loads(runner.invoke(main, ["score", "--no-pair-model", "-"], input=line).output)
    assert not fitted["model"].startswith("pair model")


def test_a_cluster_is_asked_for_the_pair_model_its_workers_would_load(monkeypatch) -> None:
    """The check runs on the workers: a worker with another pair model file, or none, would give other
    answers, so the driver's fingerprint names the file's sha256 (or why there is none)."""
    from overlap.pipeline import driver

    assert driver.fingerprint()["pair model"].endswith(f"sha256 {pair_model.PAIR_MODEL_SHA256[:12]}")
    monkeypatch.setenv("OVERLAP_NO_PAIR_MODEL", "1")
    assert driver.fingerprint()["pair model"] == "no pair model (disabled by OVERLAP_NO_PAIR_MODEL)"
