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
from overlap.normalize import normalize_text
from overlap.params import Params
from overlap.pipeline import scan
from overlap.shingle import shingle_set
from overlap.verify import set_similarity

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
    docs = [Document(f"copy{i}", text, published=f"2020-01-0{9 - i}") for i in range(5)]
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


def test_tiers_are_switched_by_keyword_arguments() -> None:
    docs = list(read_documents([Path(__file__).parent.parent / "seeds"]))
    with scan(docs, Params(), paraphrase=False) as result:
        assert result.claim_clusters is None
        assert not [m for m in result.matches if m.kind == "paraphrase"]
        assert result.params.paraphrase.enabled is False
    with scan(docs, passages=False, claims=False) as result:
        assert result.params.passages.enabled is False and result.params.paraphrase.claims is False
        assert {m.details.get("relation") for m in result.matches if m.kind == "paraphrase"} <= {"paraphrase"}
