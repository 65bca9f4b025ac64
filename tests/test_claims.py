"""Candidate generation and filters of the paraphrase tier (overlap.claims) at corpus scale."""

from __future__ import annotations

import itertools
import os
from collections import Counter
import json
import zlib
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.minhash.lsh import CandidateIndex
from overlap.claims import embed
from overlap.claims.candidates import content_candidates, filter_pairs, pairs_within_runs, rare_limit
from overlap.claims.clusters import claim_clusters
from overlap.claims.find import find_claims
from overlap.claims.scorer import MODEL_FILE, scorer_from_dict
from overlap.claims.signals import prepare
from overlap.claims.statements import statements
from overlap.model import ClaimLink, Document, Match, MatchSide, Passage, Span
from overlap.params import ParaphraseParams
from overlap.text.shingle import fold32, word_hashes
from overlap.minhash.signatures import Signer

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
    df = Counter(w for p in prepared for w in p.content)
    limit = rare_limit(len(prepared), params)
    return {(i, j) for i, j in pairs
            if sum(1 for w in prepared[i].content & prepared[j].content if df[w] <= limit) >= params.min_rare_shared}


def test_templates_never_pair_and_the_real_paraphrase_is_found() -> None:
    docs = _templated_corpus(300)
    params = ParaphraseParams(embeddings=False)
    result, stats = find_claims(docs, params)
    matches = result.matches
    assert [(m.a.doc, m.b.doc) for m in matches] == [("local", "wire")]
    # 300 notices of one shape: the old LSH paired nearly all of them (tens of thousands); now none is formed
    assert stats["lsh_candidates"] <= 5
    assert stats["template_pairs_skipped"] == 0


def test_candidate_count_stays_linear_in_templated_statements() -> None:
    params = ParaphraseParams(embeddings=False, rare_min_statements=50)
    counts = []
    for n in (200, 400, 800):
        prepared = [prepare(u.text) for u in statements(_templated_corpus(n), params)[0]]
        counts.append(len(content_candidates(prepared, params)[0]))
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
        assert content_candidates(prepared, params) == (_old_candidates(prepared, params), 0)


def test_candidates_signed_in_chunks_with_bands_spilled_are_the_same_pairs(monkeypatch) -> None:
    """The signatures are made a chunk of units at a time and each band's columns wait in the scan's spill
    file (the whole matrix was the driver's largest holding in the tier): the pairs must not move."""
    from overlap.claims import candidates
    from overlap.spill import SpillStore

    rng = random.Random(5)
    vocab = VOCAB[:300]
    base = [" ".join(rng.choice(vocab) for _ in range(rng.randint(6, 14))) for _ in range(120)]
    texts = base + [" ".join(w for w in t.split() if rng.random() > 0.2) + " " + rng.choice(vocab) for t in base]
    prepared = [prepare(t) for t in texts]
    params = ParaphraseParams(rare_min_statements=4, rare_share=0.0, max_candidates=1, lsh_threshold=0.1, min_rare_shared=1)
    whole = content_candidates(prepared, params)
    assert len(whole[0]) > 50 and whole[1] > 0  # pairs, and some over the cap: the cap's choice is compared too
    for chunk in (1, 7, 64):
        monkeypatch.setattr(candidates, "_SIGN_CHUNK", chunk)
        with SpillStore() as store:
            assert content_candidates(prepared, params, store) == whole
        assert content_candidates(prepared, params) == whole


def test_without_the_template_rule_every_lsh_pair_is_a_candidate() -> None:
    prepared = [prepare(t) for t in ("Gold prices rose sharply in London trading today.",
                                     "Gold prices rose sharply in London trading on Monday.",
                                     "Coffee exports from Brazil fell in March.")]
    params = ParaphraseParams(min_rare_shared=0)
    assert content_candidates(prepared, params) == (_old_candidates(prepared, params), 0)
    assert _old_candidates(prepared, params) == {(0, 1)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=40))
def test_pairs_within_runs_is_every_pair_of_equal_keys(keys: list[int]) -> None:
    keys_sorted = np.sort(np.array(keys, dtype=np.int64), kind="stable")
    values = np.arange(len(keys_sorted))
    left, right = pairs_within_runs(keys_sorted, values)
    expected = {(p, q) for p, q in itertools.combinations(range(len(keys_sorted)), 2) if keys_sorted[p] == keys_sorted[q]}
    assert sorted(zip(left.tolist(), right.tolist())) == sorted(expected)


def test_rare_limit_has_a_floor_for_small_corpora() -> None:
    params = ParaphraseParams()
    assert rare_limit(100, params) == params.rare_min_statements  # a few articles: nothing is common
    assert rare_limit(100_000, params) == int(params.rare_share * 100_000)


def test_rare_limit_has_a_ceiling_so_candidates_stay_linear() -> None:
    """A word in more than rare_max_statements statements is never rare, however big the corpus: a share
    of the corpus let a word's pairs, the square of its statements, grow with the square of the corpus."""
    params = ParaphraseParams()
    assert rare_limit(1_000_000, params) == 200
    assert rare_limit(10**8, params) == 200 == params.rare_max_statements


def test_each_unit_keeps_at_most_max_candidates_partners_the_strongest_first() -> None:
    rng = random.Random(3)
    core = VOCAB[2000:2012]  # one claim's rare words, in every variant
    texts = [" ".join(rng.sample(core, 9) + [VOCAB[2100 + k], VOCAB[2300 + k]]) for k in range(120)]
    texts.append(texts[0] + " " + VOCAB[2999])  # unit 0's closest partner
    prepared = [prepare(t) for t in texts]
    free, capped = content_candidates(prepared, ParaphraseParams(max_candidates=0, rare_min_statements=500))
    assert capped == 0 and len(free) > 2000
    kept, capped = content_candidates(prepared, ParaphraseParams(max_candidates=10, rare_min_statements=500))
    assert kept <= free and capped == len(free) - len(kept) > 0
    assert len(kept) <= 10 * len(texts)
    assert (0, 120) in kept
    partners = Counter(i for pair in kept for i in pair)
    assert min(partners.values()) >= 10  # everyone keeps its own ten


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

    def encode(self, texts, progress=None, engine=None):  # the Embedder interface: engine runs its batches
        self.seen.extend(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for r, t in enumerate(texts):
            for w in t.lower().split():
                out[r, zlib.crc32(w.encode()) % 64] += 1.0  # not hash(): that changes with every process
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_embedding_cascade_embeds_only_pairs_near_the_cut(monkeypatch: pytest.MonkeyPatch) -> None:
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
        monkeypatch.setattr(embed, "load_embedder", lambda fake=fake: fake)
        # statements only (no claim relation, no embedding of every unit in a small corpus): the cascade alone
        params = ParaphraseParams(embed_floor=floor, claims=False, embed_all_max=0, pair_model=False)
        result, stats = find_claims(docs, params, scorer=scorer)
        seen[floor] = (stats, [(m.a.doc, m.b.doc) for m in result.matches], sorted(fake.seen))
    assert seen[0.0][0]["embedded"] == 3 and seen[0.0][0]["below_embed_floor"] == 0
    assert seen[0.45][0]["below_embed_floor"] >= 1
    assert seen[0.45][0]["embedded"] == len(seen[0.45][2]) < 3
    assert seen[0.45][1] == seen[0.0][1] == [("a", "b")]  # what the cascade skipped was no match anyway


def test_copied_statements_are_never_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A statement pair copied word for word is decided a copy whatever its cosine: embedding it was waste
    (on a generated corpus with 10% reprints, half the candidate pairs)."""
    models = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["models"]
    scorer = scorer_from_dict(models["embedding"], "embedding (test stand-in)")
    copied = "Velmora harbour pilots ended their strike on Tuesday after the Dunmarsh port authority raised wages."
    docs = [Document("a", PAIR[0]), Document("b", PAIR[1]), Document("c", copied), Document("d", copied)]
    fake = _CountingEmbedder()
    monkeypatch.setattr(embed, "load_embedder", lambda: fake)
    params = ParaphraseParams(embed_floor=0.0, claims=False, embed_all_max=0, pair_model=False)
    result, stats = find_claims(docs, params, scorer=scorer)
    assert stats["verbatim_skipped"] == 1
    assert copied not in fake.seen and stats["embedded"] == 2
    assert [(m.a.doc, m.b.doc) for m in result.matches] == [("a", "b")]


# --- the gate, claim clusters and the within-document switch ----------------------------------------

GERMAN = [
    "Die Bundesregierung hat am Mittwoch ein neues Klimaschutzgesetz für die Industrie beschlossen.",
    "Nach dem schweren Unwetter in Bayern sind hunderte Haushalte seit Tagen ohne Strom.",
    "Der Autobauer kündigte an, im kommenden Jahr rund zweitausend Stellen in Deutschland abzubauen.",
    "Die Polizei ermittelt nach einem bewaffneten Überfall auf eine Bankfiliale in der Kölner Innenstadt.",
    "Tausende Menschen demonstrierten am Samstag in Berlin für höhere Löhne und kürzere Arbeitszeiten.",
    "Der Flughafen Frankfurt meldete wegen eines Streiks des Bodenpersonals zahlreiche Ausfälle.",
]
RUSSIAN = [
    "Правительство утвердило новый бюджет на следующий год на заседании в среду.",
    "Сильный снегопад парализовал движение транспорта в Санкт-Петербурге на несколько часов.",
    "Центральный банк сохранил ключевую ставку на прежнем уровне, сообщила пресс-служба.",
]


def test_statements_in_other_languages_are_set_aside_counted_and_never_matched() -> None:
    docs = [Document(f"de{k}", t) for k, t in enumerate(GERMAN)] + [Document(f"ru{k}", t) for k, t in enumerate(RUSSIAN)]
    docs += [Document("wire", PAIR[0]), Document("local", PAIR[1])]
    result, stats = find_claims(docs, ParaphraseParams(embeddings=False))
    assert result.set_aside == {"not English": 9} and stats["set_aside"] == stats["not_english"] == 9
    assert result.languages == {"de": 6, "ru": 3}
    assert {(m.a.doc, m.b.doc) for m in result.matches} == {("local", "wire")}


def test_degenerate_statements_never_match() -> None:
    sheet = "Smith, Jones, Brown, Taylor, Evans, Walker, Wright, Hughes (capt), Green, Hall, Wood."
    docs = [Document("a", sheet), Document("b", sheet.replace("Wood", "Clarke")),
            Document("c", "Chelsea 2-1 Arsenal, Everton 0-0 Leeds, Fulham 3-1 Hull City, Stoke 1-1 Wigan."),
            Document("d", "Chelsea 2-1 Arsenal, Everton 0-0 Leeds, Fulham 3-1 Hull City, Stoke 2-1 Wigan.")]
    result, _ = find_claims(docs, ParaphraseParams(embeddings=False, verbatim=1.0))
    assert result.matches == [] and result.clusters == []
    assert result.set_aside == {"list of names": 2, "score line": 2}


def _m(a: tuple[str, int, int], b: tuple[str, int, int], score: float, relation: str = "claim") -> Match:
    return Match("paraphrase", score, MatchSide(a[0], Span(a[1], a[2])), MatchSide(b[0], Span(b[1], b[2])),
                 details={"relation": relation, "within_document": a[0] == b[0]})


def test_claim_clusters_never_chain_through_a_weak_link() -> None:
    docs = [Document("d1", "x" * 40, source="A", date="2017-01-01"),
            Document("d2", "x" * 40, source="B", date="2017-01-02"),
            Document("d3", "x" * 40, source="C", date="2017-01-03"),
            Document("d4", "x" * 40, source="D")]
    units = [Passage(d.id, Span(0, 10), f"statement {d.id}", "quote", f"speaker {d.id}") for d in docs]
    k = {d.id: (d.id, 0, 10) for d in docs}
    # d1~d2 and d2~d3 accepted, d1~d3 never: union-find joined all three through d2
    matches = [_m(k["d1"], k["d2"], 0.8), _m(k["d2"], k["d3"], 0.5), _m(k["d3"], k["d4"], 0.9)]
    clusters = claim_clusters(matches, units, docs)
    placed = [s.doc for c in clusters for s in c.statements]
    assert len(placed) == len(set(placed))  # a statement in at most one cluster
    for c in clusters:
        members = {s.doc for s in c.statements}
        assert not {"d1", "d3"} <= members and not {"d2", "d4"} <= members
    first = clusters[0]
    assert [s.doc for s in first.statements] == ["d1", "d2"]  # the anchor is the earliest publication here
    assert first.first_published == "2017-01-01" and first.first.doc == "d1" and first.sources == ("A", "B")
    assert first.speakers == ("speaker d1", "speaker d2")
    assert [(lk.score, lk.relation) for lk in first.links] == [(0.8, "claim")]
    assert [s.doc for s in clusters[1].statements] == ["d3", "d4"]


def test_claim_clusters_a_left_out_statement_joins_only_if_accepted_against_the_anchor() -> None:
    docs = [Document(f"d{n}", "x" * 40, date=f"2017-01-0{n}") for n in (1, 2, 3)]
    units = [Passage(d.id, Span(0, 10), f"statement {d.id}") for d in docs]
    k = {d.id: (d.id, 0, 10) for d in docs}
    matches = [_m(k["d1"], k["d2"], 0.8), _m(k["d2"], k["d3"], 0.7)]
    asked: list[tuple[str, str]] = []

    def accept(a, b):
        asked.append((a.doc, b.doc))
        return ClaimLink(0.6, "claim") if (a.doc, b.doc) == ("d3", "d1") else None

    (c,) = claim_clusters(matches, units, docs, accept=accept)
    assert asked == [("d3", "d1")]
    assert [s.doc for s in c.statements] == ["d1", "d2", "d3"] and [lk.score for lk in c.links] == [0.8, 0.6]
    (c,) = claim_clusters(matches, units, docs, accept=lambda a, b: None)
    assert [s.doc for s in c.statements] == ["d1", "d2"]


def test_within_document_pairs_are_marked_and_can_be_switched_off() -> None:
    text = PAIR[0] + " Officials said the decision was final. " + PAIR[1]
    docs = [Document("one", text)]
    result, stats = find_claims(docs, ParaphraseParams(embeddings=False))
    matches, clusters = result.matches, result.clusters
    assert len(matches) == 1 and matches[0].details["within_document"] is True
    assert stats["within_document"] == 1 and clusters[0].links[0].within_document is True
    result, stats = find_claims(docs, ParaphraseParams(embeddings=False, within_document=False))
    assert result.matches == [] and result.clusters == [] and stats["within_document"] == 0
    across = find_claims([Document("a", PAIR[0]), Document("b", PAIR[1])], ParaphraseParams(embeddings=False))[0].matches
    assert len(across) == 1 and "within_document" not in across[0].details


def test_each_document_bounds_its_statements_and_their_length() -> None:
    # a run-on "sentence" of 35,000 characters (an executable read as text had one) made every
    # signal of every pair cost its length squared; one document must not set the tier's cost
    rng = random.Random(8)
    run_on = " ".join(rng.choice(VOCAB) for _ in range(5_000))
    many = " ".join(f"{PAIR[0][:-1]} number {k}." for k in range(30))
    docs = [Document("wire", PAIR[0]), Document("local", PAIR[1]), Document("run-on", run_on),
            Document("many", many)]
    params = ParaphraseParams(embeddings=False, max_statement_chars=3_000, max_statements_per_document=10)
    units_, stats = statements(docs, params)
    assert [u.doc for u in units_].count("many") == 10 and "run-on" not in {u.doc for u in units_}
    assert stats == {"statements_too_long": 1, "statements_over_document_cap": 20}
    _, stats = find_claims(docs, params)
    assert stats["statements"] == 12 and stats["statements_too_long"] == 1


def test_a_statement_joins_the_anchor_it_was_accepted_against_most_strongly() -> None:
    # d1 (earliest) echoes d3 loosely (0.5); d3 restates d2 closely (0.9): d3 goes with d2, and the
    # cluster's first publication is still its earliest dated statement
    docs = [Document("d1", "x" * 40, date="2017-01-01"), Document("d2", "x" * 40, date="2017-01-03"),
            Document("d3", "x" * 40, date="2017-01-02")]
    units = [Passage(d.id, Span(0, 10), f"statement {d.id}") for d in docs]
    k = {d.id: (d.id, 0, 10) for d in docs}
    (c,) = claim_clusters([_m(k["d1"], k["d3"], 0.5), _m(k["d2"], k["d3"], 0.9)], units, docs)
    assert [s.doc for s in c.statements] == ["d2", "d3"] and [lk.score for lk in c.links] == [0.9]
    assert c.first.doc == "d3" and c.first_published == "2017-01-02"


def test_find_claims_counts_are_the_documented_ones_and_agree_with_the_result() -> None:
    from overlap.claims.find import COUNTS

    docs = [Document("wire", PAIR[0], date="2017-01-01"), Document("local", PAIR[1], date="2017-01-02"),
            Document("one", PAIR[0] + " Officials said the decision was final. " + PAIR[1]),
            Document("de", GERMAN[0])]
    result, counts = find_claims(docs, ParaphraseParams(embeddings=False))
    assert list(counts) == list(COUNTS) and all(isinstance(v, int) for v in counts.values())
    assert counts["matches"] == len(result.matches) == counts["same_statement"] + counts["same_claim"] > 0
    assert counts["clusters"] == len(result.clusters) > 0
    assert counts["within_document"] == sum(1 for m in result.matches if m.details.get("within_document")) > 0
    assert counts["set_aside"] == sum(result.set_aside.values()) == counts["not_english"] == 1
    assert counts["lexical_pairs_scored"] >= counts["candidates"] > 0 and counts["embedded"] == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCAB[:60] + ["Moscow", "Kyiv", "12", "three"]), max_size=12), min_size=1,
                max_size=12), st.integers(0, 12))
def test_a_lexicon_of_batches_holds_each_parts_own_words(texts: list[list[str]], cut: int) -> None:
    """The claims tier keeps every part's words as ids, merged from per-batch vocabularies."""
    from overlap.claims.signals import Lexicon

    prepared = [prepare(" ".join(words)) for words in texts]
    for files in (False, True):  # in memory, or mapped from files (as the claims tier keeps it)
        merged = Lexicon.concat([Lexicon.of(prepared[:cut]), Lexicon.of(prepared[cut:])], files=files)
        assert len(merged) == len(prepared)
        for k, p in enumerate(prepared):
            for field in ("content", "numbers", "names"):
                assert sorted(merged.words[w] for w in merged.of_part(field, k)) == sorted(getattr(p, field))
        merged.release()
        assert ({w: int(n) for w, n in zip(merged.words, merged.frequency()) if n}
                == Counter(w for p in prepared for w in p.content))
        merged.close()


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files by /proc")
def test_a_failed_lexicon_stream_leaves_no_file_open() -> None:
    """Regression: a scan stopped while the statements' batches came back (a failure, Ctrl-C, the tier beside
    cancelled) left the lexicon's files open until the garbage collector found them."""
    from overlap.claims.signals import Lexicon

    def failing():
        yield Lexicon.of([prepare("Prices of bread rose in May.")])
        raise KeyboardInterrupt

    before = _open_files()
    with pytest.raises(KeyboardInterrupt):
        Lexicon.concat(failing(), files=True)
    assert _open_files() == before


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files by /proc")
def test_the_claims_tier_removes_its_column_files() -> None:
    """find_claims keeps its statements' columns and word ids in files while it runs; none stays open after."""
    docs = [Document("a", PAIR[0]), Document("b", PAIR[1])]
    before = _open_files()
    result, _counts = find_claims(docs, ParaphraseParams(embeddings=False))
    assert result.matches and _open_files() == before


def test_scored_parts_are_fully_prepared_only_when_asked_for() -> None:
    from overlap.claims.statements import statement_parts

    units = statements([Document("a", PAIR[0]), Document("b", PAIR[1])], ParaphraseParams())[0]
    parts = statement_parts(units, [prepare(u.text, full=False) for u in units], ParaphraseParams())
    assert parts.full.done == {}
    assert parts.full[0] == prepare(parts.passages[0].text) and list(parts.full.done) == [0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["d1", "d2", "é-doc"]), st.integers(0, 500), st.text(max_size=30),
                                   st.sampled_from(["sentence", "quote", "clause"]), st.sampled_from([None, "Putin", "Пeсков"])),
                         max_size=5), max_size=4))
def test_a_passage_table_gives_back_every_passage(batches) -> None:
    """The claims tier holds its statements as columns (PassageTable), merged from batches, their texts
    spilled to a file; each must come back as the Passage it was, whatever its text's script, in order."""
    from overlap.claims.statements import PassageTable

    passages = [[Passage(doc, Span(start, start + len(text)), text, kind, speaker) for doc, start, text, kind, speaker
                 in batch] for batch in batches]
    from overlap.spill import SpillStore

    flat = [p for b in passages for p in b]
    with SpillStore() as store:  # ...whether the texts are in memory or spilled batch by batch to a file
        store.put(b"something else first")
        for merged in (PassageTable.concat([PassageTable.of(b) for b in passages]),
                       PassageTable.concat([PassageTable.of(b).spill(store) for b in passages]),
                       PassageTable.concat([PassageTable.of(b).spill(store) for b in passages], files=True)):
            assert len(merged) == len(flat) and list(merged) == flat
            merged.release()  # columns mapped from files: read again after their pages were dropped
            if flat:
                assert merged[-1] == flat[-1]
            with pytest.raises(IndexError):
                merged[len(flat)]
            merged.close()


@st.composite
def _linked_graphs(draw):
    n = draw(st.integers(1, 12))
    edges = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] < e[1]),
                         max_size=30))
    links: dict[int, dict[int, float]] = {}
    for a, b in edges:
        score = draw(st.sampled_from([0.5, 0.7, 0.9]))
        links.setdefault(a, {})[b] = score
        links.setdefault(b, {})[a] = score
    return n, links


@given(_linked_graphs())
def test_anchors_are_the_nodes_not_linked_to_an_earlier_anchor(graph) -> None:
    """Claim clusters' anchors by their definition (each anchor-to-be checked against every anchor chosen
    before it, which was quadratic in the anchors), against the faster walk over each node's own links."""
    from overlap.duplicates.cluster import star_clusters

    n, links = graph
    chosen: list[int] = []
    for node in (k for k in range(n) if links.get(k)):
        if not any(c in links[node] for c in chosen):
            chosen.append(node)
    expected: dict[int, list[tuple[int, float]]] = {c: [] for c in chosen}
    for node in range(n):
        if node in chosen or not links.get(node):
            continue
        score, _, top = max((links[node][c], -c, c) for c in links[node] if c in chosen)
        expected[top].append((node, score))
    stars = star_clusters(range(n), links, most_linked_first=False, best_centre=True)
    assert stars == [(c, members) for c, members in expected.items() if members]


def _filtered_by_sets(prepared, pairs, params: ParaphraseParams):
    """The oracle of filter_pairs: a set of words per unit and a test per pair, as it was (one Python
    frozenset per unit of some pair, a loop per pair: 150 MB and seconds at 128,000 generated articles)."""
    df = Counter(w for p in prepared for w in p.content)
    limit = rare_limit(len(prepared), params)
    kept, counts = [], Counter()
    for i, j in pairs:
        a, b = prepared[i], prepared[j]
        if sum(1 for w in set(a.content) & set(b.content) if df[w] <= limit) < params.min_rare_shared:
            counts["template_pairs_skipped"] += 1
        elif params.numbers_must_agree and a.numbers and b.numbers and set(a.numbers).isdisjoint(b.numbers):
            counts["number_conflicts_skipped"] += 1
        elif params.names_must_agree and a.names and b.names and set(a.names).isdisjoint(b.names):
            counts["name_conflicts_skipped"] += 1
        else:
            kept.append((i, j))
    return kept, counts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCAB[:12] + ["Moscow", "Kyiv", "Paris", "12", "3", "1990"]), max_size=9),
                min_size=2, max_size=14), st.data(), st.booleans(), st.booleans(), st.integers(0, 3))
def test_filter_pairs_drops_what_a_set_per_unit_drops(texts, data, numbers, names, need) -> None:
    """filter_pairs counts the words pairs share with one sort a block of pairs (overlap.ragged); the same
    pairs kept and the same counts per rule as sets of words compared pair by pair."""
    prepared = [prepare(" ".join(words)) for words in texts]
    n = len(prepared)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
                               max_size=30))
    params = ParaphraseParams(numbers_must_agree=numbers, names_must_agree=names, min_rare_shared=need,
                              rare_min_statements=2)
    kept, counts = filter_pairs(prepared, pairs, params)
    want, want_counts = _filtered_by_sets(prepared, pairs, params)
    assert kept == want
    assert counts == {k: want_counts[k] for k in ("template_pairs_skipped", "number_conflicts_skipped",
                                                   "name_conflicts_skipped")}
