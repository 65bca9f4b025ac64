"""scan(): near-duplicate documents found, verified and clustered as promised."""

from __future__ import annotations

import base64
import itertools
import os
import random
import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overlap.ingest import read_documents
from overlap.model import Document
from overlap.text.normalize import normalize_text
from overlap.params import Params
from overlap.pipeline import scan
from overlap.text.shingle import shingle_set
from overlap.minhash.verify import set_similarity

CORPORA = Path(__file__).parent / "corpora"
VOCAB = [f"w{i}" for i in range(400)]


def _scan_corpus(name: str, params: Params | None = None):
    return scan(read_documents([CORPORA / name / "articles.jsonl"]), params)


def test_wire_reprint_is_clustered_with_the_wire_as_representative() -> None:
    with _scan_corpus("wire-reprint-match") as result:
        assert [c.members for c in result.clusters] == [("wire-0115", "outlet-b-reprint")]
        assert result.clusters[0].representative == "wire-0115"  # earliest date
        (match,) = result.matches
        assert match.kind == "duplicate" and match.score >= 0.5
        assert {match.a.doc, match.b.doc} == {"wire-0115", "outlet-b-reprint"}
        assert match.a_in_b is not None and match.b_in_a is not None
        # the reprint's furniture is recognised and excluded
        texts = {b.text for b in result.boilerplate}
        assert {"Leave a Reply", "Share this article"} <= texts
        spans = result.boilerplate_spans("outlet-b-reprint")
        assert [result.text("outlet-b-reprint")[s.start : s.end] for s in spans] == ["Leave a Reply", "Share this article"]


def test_same_outlet_boilerplate_is_no_evidence_of_duplication() -> None:
    with _scan_corpus("same-outlet-boilerplate-nomatch") as result:
        assert result.matches == [] and result.clusters == []
        repeated = {b.text for b in result.boilerplate if b.documents == 4}
        assert "Subscribe to the Daily Bugle morning briefing" in repeated
        assert "Copyright Daily Bugle Media Group" in repeated
    # without boilerplate recognition the shared lines would link them
    with _scan_corpus("same-outlet-boilerplate-nomatch", Params().with_(boilerplate={"enabled": False},
                                                                         duplicates={"threshold": 0.15},
                                                                         minhash={"lsh_threshold": 0.1})) as result:
        assert result.matches


def test_byte_identical_copies_form_one_cluster_with_a_star_of_matches() -> None:
    text = " ".join(random.Random(1).choice(VOCAB) for _ in range(80))
    docs = [Document(f"copy{i}", text, date=f"2020-01-0{9 - i}") for i in range(5)]
    with scan(docs) as result:
        (cluster,) = result.clusters
        assert cluster.representative == "copy4"  # the earliest date wins over input order
        assert sorted(cluster.members) == [f"copy{i}" for i in range(5)]
        assert len(result.matches) == 4 and all(m.score == 1.0 for m in result.matches)
        assert result.counts["exact_copies"] == 4


def test_chains_do_not_merge_unrelated_documents() -> None:
    rng = random.Random(7)
    a = [rng.choice(VOCAB) for _ in range(100)]
    c = [rng.choice(VOCAB) for _ in range(100)]
    b = a[:60] + c[60:]  # half of a, half of c: similar to both, a and c unrelated
    docs = [Document("a", " ".join(a)), Document("b", " ".join(b)), Document("c", " ".join(c))]
    params = Params().with_(duplicates={"threshold": 0.35}, minhash={"lsh_threshold": 0.2})
    with scan(docs, params) as result:
        pairs = {(m.a.doc, m.b.doc) for m in result.matches if m.kind == "duplicate"}
        assert ("a", "c") not in pairs
        for cluster in result.clusters:
            assert not {"a", "c"} <= set(cluster.members)


def test_short_and_empty_documents_are_skipped_and_counted() -> None:
    docs = [Document("empty", "  \n "), Document("short", "just five words here now"), Document("ok", " ".join(VOCAB[:30]))]
    with scan(docs) as result:
        reasons = {s.doc: s.reason for s in result.skipped}
        assert reasons["empty"] == "empty"
        assert reasons["short"].startswith("too short")
        assert result.counts["documents_skipped"] == 2
        assert result.counts["documents_scanned"] == 1


def test_binary_encoded_tabular_and_outsized_documents_are_set_aside_with_their_reason() -> None:
    # `cp /bin/ls d/ls.txt` once held the paraphrase tier for over ten minutes, and one
    # 50 MB line took 5.6 GB: such documents are counted by reason and no stage sees them
    rng = random.Random(5)
    article = " ".join(rng.choice(VOCAB) for _ in range(200)) + "."
    binary = Path(os.path.realpath(sys.executable)).read_bytes()[:4_000].decode("utf-8", "replace")
    docs = [
        Document("article", article),
        Document("copy", article),
        Document("ls.txt", binary),
        Document("blob", base64.encodebytes(rng.randbytes(2_000)).decode()),
        Document("table", "\n".join(f"{i} {rng.random():.4f} {rng.randint(0, 999)}" for i in range(200))),
        Document("long", "word " * 2_000),
    ]
    with scan(docs, Params().with_(duplicates={"max_chars": 5_000})) as result:
        reasons = {s.doc: s.reason.split(" (")[0] for s in result.skipped}
        assert reasons == {"ls.txt": "not text: binary", "blob": "not text: encoded data",
                           "table": "not text: numbers", "long": "too long"}
        assert result.counts["documents_read"] == 6 and result.counts["documents_skipped"] == 4
        assert result.counts["documents_scanned"] == 2
        assert {m.a.doc for m in result.matches} | {m.b.doc for m in result.matches} == {"article", "copy"}
        assert [d.length for d in result.documents if d.id == "long"] == [10_000]


def _mutated_corpus(seed: int, n: int, edit_fraction: float = 1 / 3) -> list[Document]:
    rng = random.Random(seed)
    bases = [[rng.choice(VOCAB) for _ in range(rng.randint(40, 120))] for _ in range(max(2, n // 3))]
    docs = []
    for i in range(n):
        words = list(rng.choice(bases))
        for _ in range(rng.randint(0, int(len(words) * edit_fraction))):  # edits: replace, drop, insert
            op = rng.random()
            pos = rng.randrange(len(words))
            if op < 0.4:
                words[pos] = rng.choice(VOCAB)
            elif op < 0.7 and len(words) > 20:
                del words[pos]
            else:
                words.insert(pos, rng.choice(VOCAB))
        docs.append(Document(f"d{i:03d}", " ".join(words)))
    return docs


@given(st.integers(0, 10_000), st.integers(6, 30))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_lsh_and_verify_find_only_pairs_brute_force_confirms(seed: int, n: int) -> None:
    docs = _mutated_corpus(seed, n)
    params = Params().with_(paraphrase={"enabled": False})  # the duplicate tier alone
    threshold = params.duplicates.threshold
    sets = {d.id: shingle_set(normalize_text(d.text), params.shingle.size) for d in docs}
    truth = {}
    for x, y in itertools.combinations(sorted(sets), 2):
        j = set_similarity(sets[x], sets[y]).jaccard
        truth[(x, y)] = j
    with scan(docs, params) as result:
        found = {tuple(sorted((m.a.doc, m.b.doc))): m.score for m in result.matches if m.kind == "duplicate"}
        # every reported pair is confirmed by brute force, with the exact score
        for pair, score in found.items():
            assert truth[pair] >= threshold
            assert abs(truth[pair] - score) < 1e-6
        # every pair brute force puts at >= 0.75 is found (directly, or as copies of a found pair),
        # and both documents are in clusters (LSH misses a pair at 0.75 with probability 5e-6)
        leader: dict[str, str] = {}
        first_with: dict[bytes, str] = {}
        for d in docs:
            leader[d.id] = first_with.setdefault(sets[d.id].tobytes(), d.id)
        clustered = {m for c in result.clusters for m in c.members}
        for (x, y), j in truth.items():
            if j >= 0.75:
                lx, ly = sorted((leader[x], leader[y]))
                assert lx == ly or (lx, ly) in found
                assert x in clustered and y in clustered


def test_recall_of_lsh_against_brute_force_meets_the_stated_bound() -> None:
    """Across many mutated corpora, LSH+verify recovers >= 95% of the pairs with J >= 0.6."""
    params = Params().with_(paraphrase={"enabled": False})  # the duplicate tier alone
    wanted = hit = 0
    for seed in range(12):
        docs = _mutated_corpus(seed, 40, edit_fraction=0.06)
        sets = {d.id: shingle_set(normalize_text(d.text), params.shingle.size) for d in docs}
        leader: dict[str, str] = {}  # exact copies are linked to their first copy only
        first_with: dict[bytes, str] = {}
        for d in docs:
            leader[d.id] = first_with.setdefault(sets[d.id].tobytes(), d.id)
        with scan(docs, params) as result:
            found = {tuple(sorted((m.a.doc, m.b.doc))) for m in result.matches}
        for x, y in itertools.combinations(sorted(sets), 2):
            if set_similarity(sets[x], sets[y]).jaccard >= 0.6:
                wanted += 1
                lx, ly = sorted((leader[x], leader[y]))
                hit += lx == ly or (lx, ly) in found
    assert wanted > 200
    assert hit / wanted >= 0.95, (hit, wanted)


def test_scans_are_deterministic() -> None:
    docs = _mutated_corpus(3, 25)
    with scan(docs) as one, scan(docs) as two:
        assert one.matches == two.matches and one.clusters == two.clusters and one.counts == two.counts


def test_signature_rows_match_the_verified_sets() -> None:
    """The estimate that proposed a pair tracks the exact score that verified it."""
    docs = _mutated_corpus(11, 20)
    with scan(docs, Params().with_(paraphrase={"enabled": False})) as result:
        for m in (m for m in result.matches if m.kind == "duplicate"):
            assert 0.5 <= m.jaccard <= 1.0
            assert np.isclose(m.score, m.jaccard)


def test_no_paraphrase_match_touches_any_occurrence_of_a_boilerplate_line() -> None:
    # seed 003 prints its title three times: the repeats are boilerplate, and the first one
    # was matched as a "claim" against the page's own headline
    docs = list(read_documents([str(Path(__file__).parent.parent / "seeds")]))
    with scan(docs, Params()) as result:
        texts = {d.id: d.text for d in docs}
        lines = [b.text for b in result.boilerplate]
        assert any(b.reason == "repeated within a document" for b in result.boilerplate)
        for m in result.matches:
            for side in (m.a, m.b):
                got = texts[side.doc][side.span.start:side.span.end]
                assert not any(line in got for line in lines), (side.doc, got)


def test_tiers_are_switched_by_keyword_arguments() -> None:
    docs = list(read_documents([Path(__file__).parent.parent / "seeds"]))
    with scan(docs, Params(), paraphrase=False) as result:
        assert result.claim_clusters is None
        assert not [m for m in result.matches if m.kind == "paraphrase"]
        assert result.params.paraphrase.enabled is False
    with scan(docs, passages=False, claims=False) as result:
        assert result.params.passages.enabled is False and result.params.paraphrase.claims is False
        assert {m.details.get("relation") for m in result.matches if m.kind == "paraphrase"} <= {"paraphrase"}


# ---------------------------------------------------------------- text in every script

from _multiscript import SCRIPTS, article, passage_pair, sentences, small_edits  # noqa: E402

_DUPLICATE_TIER = Params().with_(paraphrase={"enabled": False}, passages={"enabled": False})
_WITH_PASSAGES = Params().with_(paraphrase={"enabled": False})


def _others(script: str, n: int, seed: int) -> list[Document]:
    rng = random.Random(seed)
    return [Document(f"other{i}", article(SCRIPTS[script], sentences(SCRIPTS[script], rng, 9))) for i in range(n)]


def test_a_one_paragraph_chinese_article_is_compared_not_skipped() -> None:
    text = "国务院新闻办公室周二举行发布会，国家统计局发言人表示，今年前三季度国内生产总值同比增长百分之五点二，经济运行总体稳定。"
    copy = text.replace("五点二", "五点三")
    docs = [Document("a", text), Document("b", copy), *_others("chinese", 3, 1)]
    with scan(docs, _DUPLICATE_TIER) as result:
        assert result.skipped == []
        assert [(m.a.doc, m.b.doc) for m in result.matches] == [("a", "b")]


def test_a_chinese_article_of_22_clauses_with_3_small_edits_is_a_near_duplicate() -> None:
    zh = SCRIPTS["chinese"]
    rng = random.Random(5)
    sents = sentences(zh, rng, 9)
    text = article(zh, sents)
    assert 20 <= text.count("，") + text.count("。") <= 26  # clauses
    copy = article(zh, small_edits(zh, rng, sents, 3))
    with scan([Document("a", text), Document("b", copy), *_others("chinese", 3, 2)], _DUPLICATE_TIER) as result:
        assert [(m.a.doc, m.b.doc) for m in result.matches if m.kind == "duplicate"] == [("a", "b")]


def test_a_thai_article_with_small_edits_is_a_near_duplicate_and_nothing_else_is() -> None:
    th = SCRIPTS["thai"]
    rng = random.Random(6)
    sents = sentences(th, rng, 9)
    docs = [Document("a", article(th, sents)), Document("b", article(th, small_edits(th, rng, sents, 3))), *_others("thai", 6, 3)]
    with scan(docs, _DUPLICATE_TIER) as result:
        assert [(m.a.doc, m.b.doc) for m in result.matches] == [("a", "b")]


def _passage_found_exactly(script: str, seed: int) -> None:
    a_text, b_text, a_span, b_span = passage_pair(SCRIPTS[script], random.Random(seed))
    assert min(a_span[1] - a_span[0], b_span[1] - b_span[0]) >= Params().passages.min_chars  # long enough to report
    with scan([Document("a", a_text), Document("b", b_text)], _WITH_PASSAGES) as result:
        found = [(m.kind, (m.a.span.start, m.a.span.end), (m.b.span.start, m.b.span.end)) for m in result.matches]
    assert found == [("reuse", a_span, b_span)]


def test_a_shared_japanese_passage_is_found_with_exact_offsets() -> None:
    _passage_found_exactly("japanese", 7)


def test_a_shared_chinese_passage_is_found_with_exact_offsets() -> None:
    _passage_found_exactly("chinese", 12)


def test_a_shared_thai_passage_is_found_with_exact_offsets() -> None:
    _passage_found_exactly("thai", 9)


def test_a_shared_urdu_passage_ends_at_the_urdu_full_stop() -> None:
    _passage_found_exactly("urdu", 10)


def test_every_document_read_is_scanned_or_skipped_and_skipped_ones_are_never_matched() -> None:
    rng = random.Random(11)
    line = "Markets closed early."  # a one-line item run twice: too short to compare, but a copy
    docs = [Document(f"long{i}", " ".join(rng.choice(VOCAB) for _ in range(60))) for i in range(3)]
    docs += [Document("item1", line), Document("item2", line), Document("lonely", "Just three words")]
    with scan(docs, _DUPLICATE_TIER) as result:
        c = result.counts
        assert c["documents_read"] == 6
        assert c["documents_read"] == c["documents_scanned"] + c["documents_skipped"]
        assert [s.doc for s in result.skipped] == ["lonely"]
        matched = {d for m in result.matches for d in (m.a.doc, m.b.doc)}
        assert matched == {"item1", "item2"}
        assert not matched & {s.doc for s in result.skipped}
