"""Candidate generation and filters of the paraphrase tier (overlap.claims) at corpus scale."""

from __future__ import annotations

import itertools
import json
import zlib
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap import claims
from overlap.candidates import CandidateIndex
from overlap.claims import _pairs_within_runs, content_candidates, filter_pairs, find_paraphrases, rare_limit
from overlap.model import Document
from overlap.paraphrase import MODEL_FILE, prepare, scorer_from_dict
from overlap.params import ParaphraseParams
from overlap.shingle import fold32, word_hashes
from overlap.signatures import Signer

from _textgen import VOCAB

COMPANIES = [f"{a} {b}" for a, b in zip(VOCAB[:1500], VOCAB[1500:])]  # 1,500 different names
PAIR = (
    "The Zorvath mining consortium will close its Quellbrook smelter in June after losses mounted for three years.",
    "After three years of mounting losses, the Quellbrook smelter of the Zorvath mining consortium shuts in June.",
)


def _templated_corpus(n: int) -> list[Document]:
    """``n`` earnings notices of one shape, each naming another company, and one article with a real paraphrase."""
    rng = random.Random(5)
    docs = []
    for k in range(n):
        name = COMPANIES[k % len(COMPANIES)].title()
        docs.append(Document(
            f"t{k:04d}",
            f"{name} Inc said its board declared a quarterly dividend of {rng.randint(2, 60)} cts per share "
            f"payable April {rng.randint(1, 28)} to holders of record March {rng.randint(1, 28)}.",
        ))
    docs.append(Document("wire", PAIR[0]))
    docs.append(Document("local", PAIR[1]))
    return docs


def _old_candidates(prepared, params: ParaphraseParams) -> set[tuple[int, int]]:
    """The slow oracle: LSH over every unit's content words, then the template rule of filter_pairs."""
    signer = Signer(params.num_perm, params.seed)
    sets = [fold32(np.unique(word_hashes(sorted(p.content)))) for p in prepared]
    sigs = signer.sign(sets)
    keys = np.array([i for i, s in enumerate(sets) if len(s)], dtype=np.int64)
    index = CandidateIndex(signer, params.lsh_threshold)
    index.add(keys, sigs[keys])
    pairs = sorted((p.a, p.b) for p in index.pairs())
    df = claims.word_counts(prepared)
    limit = rare_limit(len(prepared), params)
    return {(i, j) for i, j in pairs
            if sum(1 for w in prepared[i].content & prepared[j].content if df[w] <= limit) >= params.min_rare_shared}


def test_templates_never_pair_and_the_real_paraphrase_is_found() -> None:
    docs = _templated_corpus(300)
    params = ParaphraseParams(embeddings=False)
    stats: dict = {}
    matches, _ = find_paraphrases(docs, params, stats=stats)
    assert [(m.a.doc, m.b.doc) for m in matches] == [("local", "wire")]
    # 300 notices of one shape: the old LSH paired nearly all of them (tens of thousands); now none is formed
    assert stats["lsh_candidates"] <= 5
    assert stats["template_pairs_skipped"] == 0


def test_candidate_count_stays_linear_in_templated_statements() -> None:
    params = ParaphraseParams(embeddings=False, rare_min_statements=50)
    counts = []
    for n in (200, 400, 800):
        prepared = [prepare(u.text) for u in claims.statements(_templated_corpus(n), params)]
        counts.append(len(content_candidates(prepared, params)))
    assert counts[-1] <= 2 * counts[0] + 5, counts


def test_candidates_are_the_lsh_pairs_that_pass_the_template_rule() -> None:
    rng = random.Random(11)
    vocab = VOCAB[:400]
    base = [" ".join(rng.choice(vocab) for _ in range(rng.randint(6, 14))) for _ in range(150)]
    texts = base + [" ".join(w for w in t.split() if rng.random() > 0.2) + " " + rng.choice(vocab) for t in base]
    prepared = [prepare(t) for t in texts]
    for params in (ParaphraseParams(rare_min_statements=4, rare_share=0.0),
                   ParaphraseParams(rare_min_statements=12, rare_share=0.0, lsh_threshold=0.5),
                   ParaphraseParams(min_rare_shared=1, rare_min_statements=6, rare_share=0.0)):
        assert content_candidates(prepared, params) == _old_candidates(prepared, params)


def test_without_the_template_rule_every_lsh_pair_is_a_candidate() -> None:
    prepared = [prepare(t) for t in ("Gold prices rose sharply in London trading today.",
                                     "Gold prices rose sharply in London trading on Monday.",
                                     "Coffee exports from Brazil fell in March.")]
    params = ParaphraseParams(min_rare_shared=0)
    assert content_candidates(prepared, params) == _old_candidates(prepared, params) == {(0, 1)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=40))
def test_pairs_within_runs_is_every_pair_of_equal_keys(keys: list[int]) -> None:
    keys_sorted = np.sort(np.array(keys, dtype=np.int64), kind="stable")
    values = np.arange(len(keys_sorted))
    left, right = _pairs_within_runs(keys_sorted, values)
    expected = {(p, q) for p, q in itertools.combinations(range(len(keys_sorted)), 2) if keys_sorted[p] == keys_sorted[q]}
    assert sorted(zip(left.tolist(), right.tolist())) == sorted(expected)


def test_rare_limit_has_a_floor_for_small_corpora() -> None:
    params = ParaphraseParams()
    assert rare_limit(100, params) == params.rare_min_statements  # a few articles: nothing is common
    assert rare_limit(1_000_000, params) == int(params.rare_share * 1_000_000)


def test_filters_still_drop_templates_figures_and_names() -> None:
    texts = [
        "Qtly div three cts vs three cts prior pay April one record March two.",
        "Qtly div ten cts vs ten cts prior pay April one record March two.",
        "Output at the Kelvora plant rose 5 pct in May, Dranish officials said.",
        "Output at the Kelvora plant fell 7 pct in May, Dranish officials said.",
        "Officials of Zimbabwe were not available for comment on the smelter tax.",
        "Officials of Evergo were not available for comment on the smelter tax.",
    ] + [f"Qtly div {n} cts vs {n} cts prior pay April one record March two." for n in range(4)]
    prepared = [prepare(t) for t in texts]
    params = ParaphraseParams(rare_min_statements=4, rare_share=0.0)  # the dividend lines' words are common
    kept, dropped = filter_pairs(prepared, [(0, 1), (2, 3), (4, 5)], params)
    assert kept == []
    assert dropped == {"template_pairs_skipped": 1, "number_conflicts_skipped": 1, "name_conflicts_skipped": 1}


class _CountingEmbedder:
    """Stands in for MiniLM: bag-of-words vectors, and a record of what was embedded."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, progress=None):
        self.seen.extend(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for r, t in enumerate(texts):
            for w in t.lower().split():
                out[r, zlib.crc32(w.encode()) % 64] += 1.0  # not hash(): that changes with every process
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_embedding_cascade_embeds_only_pairs_near_the_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    import overlap.embed

    models = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["models"]
    scorer = scorer_from_dict(models["embedding"], "embedding (test stand-in)")
    docs = [
        Document("a", PAIR[0]),
        Document("b", PAIR[1]),
        # an LSH candidate of both (the same rare names), lexically far from either: another claim
        Document("c", "Zorvath mining consortium shareholders toured the Quellbrook smelter in June, consortium officials said."),
    ]
    seen = {}
    for floor in (0.0, 0.45):  # c scores about 0.37 lexically against a
        fake = _CountingEmbedder()
        monkeypatch.setattr(overlap.embed, "load_embedder", lambda fake=fake: fake)
        stats: dict = {}
        # statements only (no claim relation, no embedding of every unit in a small corpus): the cascade alone
        params = ParaphraseParams(embed_floor=floor, claims=False, embed_all_max=0)
        matches, _ = find_paraphrases(docs, params, stats=stats, scorer=scorer)
        seen[floor] = (stats, [(m.a.doc, m.b.doc) for m in matches], sorted(fake.seen))
    assert seen[0.0][0]["embedded"] == 3 and seen[0.0][0]["below_embed_floor"] == 0
    assert seen[0.45][0]["below_embed_floor"] >= 1
    assert seen[0.45][0]["embedded"] == len(seen[0.45][2]) < 3
    assert seen[0.45][1] == seen[0.0][1] == [("a", "b")]  # what the cascade skipped was no match anyway


def test_each_document_bounds_its_statements_and_their_length() -> None:
    # a run-on "sentence" of 35,000 characters (an executable read as text had one) made every
    # signal of every pair cost its length squared; one document must not set the tier's cost
    rng = random.Random(8)
    run_on = " ".join(rng.choice(VOCAB) for _ in range(5_000))
    many = " ".join(f"{PAIR[0][:-1]} number {k}." for k in range(30))
    docs = [Document("wire", PAIR[0]), Document("local", PAIR[1]), Document("run-on", run_on),
            Document("many", many)]
    params = ParaphraseParams(embeddings=False, max_statement_chars=3_000, max_statements_per_document=10)
    stats: dict = {}
    units_ = claims.statements(docs, params, stats=stats)
    assert [u.doc for u in units_].count("many") == 10 and "run-on" not in {u.doc for u in units_}
    assert stats["statements_too_long"] == 1 and stats["statements_over_document_cap"] == 20
    find_paraphrases(docs, params, stats=stats)
    assert stats["statements"] == 12 and stats["statements_too_long"] == 1
