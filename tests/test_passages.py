"""Corpus-level reuse search: LSH proposes, alignment decides, nothing quadratic."""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _textgen import edit, sentences
from overlap.passages.align import align, prepare
from overlap.errors import ConfigError, InputError
from overlap.model import CandidatePair, Document, Span
from overlap.params import Params, PassageParams
from overlap.ingest import read_text_file
from overlap.minhash.signatures import Signer
from overlap.passages.corpus import candidate_pairs, find_reuse, pair_documents, window_jaccard, window_sets
from overlap.text.shingle import fold32
from overlap.passages.pairfiles import compare_pairs


def _corpus(seed: int = 11, n: int = 24) -> tuple[list[Document], set[tuple[str, str]]]:
    """Unrelated documents, some of which reprint an edited passage of another."""
    rng = random.Random(seed)
    bodies = [sentences(rng, rng.randint(8, 25)) for _ in range(n)]
    truth = set()
    for k in range(0, n - 1, 4):  # doc k+1 takes 4 sentences of doc k, lightly edited
        start = rng.randint(0, len(bodies[k]) - 4)
        copied = [edit(rng, s, 0.03) for s in bodies[k][start : start + 4]]
        at = rng.randint(0, len(bodies[k + 1]))
        bodies[k + 1][at:at] = copied
        truth.add((f"d{k:02d}", f"d{k + 1:02d}"))
    return [Document(f"d{i:02d}", " ".join(b)) for i, b in enumerate(bodies)], truth


def test_find_reuse_finds_the_reprinted_passages_and_nothing_else() -> None:
    docs, truth = _corpus()
    matches = find_reuse(docs, PassageParams())
    assert {(m.a.doc, m.b.doc) for m in matches} == truth
    assert len(matches) == len(truth)  # one passage each: granularity 1
    texts = {d.id: d.text for d in docs}
    for m in matches:
        assert m.kind == "reuse" and 0 <= m.score <= 1
        for side in (m.a, m.b):
            assert 0 <= side.span.start < side.span.end <= len(texts[side.doc])


def test_lsh_candidates_are_a_subset_of_brute_force_and_recall_all_true_pairs() -> None:
    """Oracle: align every pair; LSH must propose every pair that aligns, and far fewer pairs."""
    docs, _ = _corpus(seed=12, n=20)
    params = PassageParams()
    prepared = [prepare(d.text, params) for d in docs]
    brute = {
        (i, j)
        for i, j in itertools.combinations(range(len(docs)), 2)
        if align(prepared[i], prepared[j], params)
    }
    proposed = {(c.a, c.b) for c, _ in candidate_pairs(prepared, params)}
    assert brute <= proposed
    assert len(proposed) < len(docs) * (len(docs) - 1) / 2 / 4


def test_candidate_pairs_are_canonical_and_capped() -> None:
    rng = random.Random(13)
    body = " ".join(sentences(rng, 10))
    docs = [prepare(body + " " + " ".join(sentences(rng, 3))) for _ in range(8)]
    pairs = candidate_pairs(docs, PassageParams(max_candidates=2))
    assert all(isinstance(p, CandidatePair) and p.a < p.b for p, _ in pairs)
    partners: dict[int, int] = {}
    for p, _ in pairs:
        partners[p.a] = partners.get(p.a, 0) + 1
        partners[p.b] = partners.get(p.b, 0) + 1
    # each document kept at most 2 partners of its own choosing; pairs chosen by the other side add a few
    assert len(pairs) <= 8 * 2


def test_window_sets_cover_short_texts() -> None:
    p = prepare("One sentence about the harbour strike in the northern port city.")
    assert len(window_sets(p, PassageParams(window=3))) == 1
    assert window_sets(prepare(""), PassageParams()) == []


def test_boilerplate_spans_are_not_evidence() -> None:
    rng = random.Random(14)
    footer = " ".join(sentences(rng, 4))
    a = " ".join(sentences(rng, 8)) + " " + footer
    b = " ".join(sentences(rng, 8)) + " " + footer
    docs = [Document("a", a), Document("b", b)]
    assert len(find_reuse(docs)) == 1
    ignore = {"a": [Span(a.index(footer), len(a))], "b": [Span(b.index(footer), len(b))]}
    assert find_reuse(docs, ignore=ignore) == []


def test_within_reports_repeats_inside_one_document() -> None:
    rng = random.Random(15)
    block = sentences(rng, 4)
    text = " ".join(sentences(rng, 5) + block + sentences(rng, 12) + block)
    docs = [Document("x", text), Document("y", " ".join(sentences(rng, 10)))]
    assert find_reuse(docs) == []
    (m,) = find_reuse(docs, within=True)
    assert m.a.doc == m.b.doc == "x" and m.a.span.end <= m.b.span.start


def test_same_input_same_output() -> None:
    docs, _ = _corpus(seed=16)
    assert find_reuse(docs) == find_reuse(list(docs))


def test_params_are_validated_and_part_of_the_tree() -> None:
    with pytest.raises(ConfigError, match="passages.seed_cosine"):
        PassageParams(seed_cosine=1.5)
    with pytest.raises(ConfigError, match="passages.window_step"):
        PassageParams(window=2, window_step=3)
    p = Params.from_dict({"passages": {"min_chars": 80}})
    assert p.passages.min_chars == 80 and p.to_dict()["passages"]["min_chars"] == 80


def _write_pairs(tmp_path: Path) -> tuple[Path, list[str]]:
    rng = random.Random(17)
    src = sentences(rng, 20)
    (tmp_path / "src.txt").write_text(" ".join(src), encoding="utf-8")
    names = []
    for k in range(6):
        body = sentences(rng, 8)
        if k % 2 == 0:
            body[3:3] = src[k : k + 4]
        name = f"dst{k}.txt"
        # \r\n line ends must survive reading: offsets count them
        (tmp_path / name).write_bytes("\r\n".join(body).encode("utf-8"))
        names.append(name)
    lines = [f"{n} src.txt" for n in names]
    lines.insert(2, "missing.txt src.txt")
    lines.insert(4, "# a comment")
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pairs, names


def test_compare_pairs_in_order_with_errors_and_workers(tmp_path: Path) -> None:
    pairs, names = _write_pairs(tmp_path)
    one = list(compare_pairs(pairs, root=tmp_path))
    assert [r.line for r in one] == [1, 2, 3, 4, 6, 7, 8]
    bad = [r for r in one if r.error is not None]
    assert len(bad) == 1 and isinstance(bad[0].error, InputError)
    assert str(bad[0].error) == f"{pairs}:3: no such file: missing.txt"
    found = {r.a for r in one if r.matches}
    assert found == {"dst0.txt", "dst2.txt", "dst4.txt"}
    for r in one:
        for m in r.matches:
            text = read_text_file(tmp_path / m.a.doc).text
            assert "\r\n" in text[m.a.span.start : m.a.span.end]
    two = list(compare_pairs(pairs, root=tmp_path, workers=2))
    assert [(r.line, r.matches, str(r.error)) for r in two] == [(r.line, r.matches, str(r.error)) for r in one]


def test_compare_pairs_missing_pairs_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read pairs file"):
        list(compare_pairs(tmp_path / "nope.txt"))


def test_scan_reports_reuse_lines_and_side_by_side_excerpts(tmp_path: Path) -> None:
    from overlap.pipeline import scan
    from overlap.report.folder import write_scan

    rng = random.Random(31)
    wire = sentences(rng, 14)
    local = sentences(rng, 6) + [edit(rng, s, 0.03) for s in wire[4:8]] + sentences(rng, 5)
    docs = [
        Document("wire", " ".join(wire), source="agency"),
        Document("local", " ".join(local), source="gazette"),
        Document("other", " ".join(sentences(rng, 12)), source="gazette"),
    ]
    with scan(docs) as result:
        reuse = [m for m in result.matches if m.kind == "reuse"]
        assert [(m.a.doc, m.b.doc) for m in reuse] == [("wire", "local")]
        (m,) = reuse
        assert result.excerpt("wire", m.a.span) == " ".join(wire[4:8])
        assert result.counts["reuse_matches"] == 1
        write_scan(result, tmp_path / "out")
    lines = (tmp_path / "out" / "matches.jsonl").read_text(encoding="utf-8").splitlines()
    import json

    records = [json.loads(line) for line in lines]
    assert [r["kind"] for r in records] == ["reuse"]
    assert records[0]["a"]["text"] == " ".join(wire[4:8])
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "## Shared passages" in report and "`wire`" in report and "`local`" in report


def test_scan_does_not_repeat_duplicates_as_reuse() -> None:
    from overlap.pipeline import scan

    rng = random.Random(32)
    body = " ".join(sentences(rng, 12))
    docs = [Document("a", body), Document("b", body + " " + sentences(rng, 1)[0]), Document("c", " ".join(sentences(rng, 10)))]
    with scan(docs) as result:
        assert {m.kind for m in result.matches} == {"duplicate"}


@pytest.mark.parametrize("window,step", [(1, 1), (2, 1), (3, 1), (3, 2), (4, 4)])
def test_window_sets_equal_the_plain_union_of_their_units(window: int, step: int) -> None:
    import numpy as np

    rng = random.Random(window * 10 + step)
    p = prepare(" ".join(sentences(rng, 11)))
    params = PassageParams(window=window, window_step=step)
    per_unit = [set(p.term[p.unit == u].tolist()) for u in range(p.size)]
    width = min(window, p.size)
    expected = [set().union(*per_unit[i : i + width]) for i in range(0, p.size - width + 1, step)]
    got = window_sets(p, params)
    assert [set(s.tolist()) for s in got] == expected
    assert all(np.all(np.diff(s.astype(np.float64)) > 0) or len(s) < 2 for s in got)


def _windows_at(jaccard_share: int, seed: int = 5) -> list[np.ndarray]:
    """Two word-hash sets of 60 words each sharing ``jaccard_share`` of them."""
    rng = np.random.default_rng(seed)
    words = rng.choice(2**40, 200, replace=False).astype(np.uint64)
    return [words[:60], np.concatenate([words[:jaccard_share], words[100 : 160 - jaccard_share]])]


class _OnePair:
    """An LSH index that proposed exactly one window pair: what a chance bucket collision looks like."""

    def pair_array(self, engine=None, keep=None) -> np.ndarray:
        pairs = np.array([[0, 1]], dtype=np.int64)
        return pairs if keep is None else pairs[keep(pairs)]


@pytest.mark.parametrize("shared, proposed", [(6, False), (40, True)])  # J = 6/114 ~ 0.05; 40/80 = 0.5
def test_a_window_pair_lsh_proposes_by_chance_is_checked_against_its_estimated_jaccard(shared: int, proposed: bool) -> None:
    params = PassageParams()
    signer = Signer(params.num_perm, params.seed)
    sketch = signer.sign([fold32(s) for s in _windows_at(shared)]).astype(np.uint16)
    owners = np.array([[0, 0], [1, 0]], dtype=np.int64)
    pairs = pair_documents(_OnePair(), owners, sketch, params, False)
    assert ([(p.a, p.b) for p, _ in pairs] == [(0, 1)]) is proposed


def test_window_jaccard_estimates_the_true_jaccard() -> None:
    params = PassageParams()
    signer = Signer(params.num_perm, params.seed)
    sets = []
    for shared in (0, 15, 30, 45, 60):
        sets += _windows_at(shared, seed=shared)
    sketch = signer.sign([fold32(s) for s in sets]).astype(np.uint16)
    pairs = np.arange(len(sets)).reshape(-1, 2)
    est = window_jaccard(sketch, pairs)
    exact = [len(np.intersect1d(sets[a], sets[b])) / len(np.union1d(sets[a], sets[b])) for a, b in pairs]
    assert np.allclose(est, exact, atol=0.2)  # 64 permutations: a standard error of at most 0.0625
    assert est[0] < 0.1 and est[-1] == 1.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_windows_kept_in_one_pass_sign_as_windows_made_without_common_words(seed: int) -> None:
    """reuse_batches prepares each text once and leaves common words out of the windows it kept;
    that must give the very owners and signatures of windows made from units without them."""
    from overlap.passages.corpus import _Windows
    from overlap.spill import SpillStore

    def window_signatures(batch, signer, params, common):  # the plain way: windows of units without common words
        owners, sets = [], []
        for d, p in batch:
            for w, terms in enumerate(window_sets(p, params, common)):
                if len(terms):
                    owners.append((d, w))
                    sets.append(fold32(terms))
        rows = signer.sign(sets) if sets else np.empty((0, signer.num_perm), dtype=np.uint32)
        return np.array(owners, dtype=np.int64).reshape(-1, 2), rows

    rng = random.Random(seed)
    params = PassageParams(window=rng.choice([1, 2, 3]))
    texts = [" ".join(sentences(rng, rng.randint(0, 6))) for _ in range(40)] + [""]
    prepared = [prepare(t) for t in texts]
    every = np.unique(np.concatenate([p.term for p in prepared]))
    common = np.sort(rng.sample(list(every), len(every) // 3)).astype(np.uint64)
    signer = Signer(params.num_perm, params.seed)
    batches = [list(enumerate(prepared))[k : k + 7] for k in range(0, len(prepared), 7)]
    with SpillStore() as store:
        windows = _Windows(store)
        for batch in batches:
            windows.add(batch, params)
        got = list(windows.signed(signer, common))
    want = [window_signatures(batch, signer, params, common) for batch in batches]
    assert len(got) == len(want)
    for (owners, rows), (owners_w, rows_w) in zip(got, want):
        assert owners.tolist() == owners_w.tolist()
        assert np.array_equal(rows, rows_w)


def _capped_by_loop(found: np.ndarray, counts: np.ndarray, cap: int) -> list[int]:
    """The per-document cap as a loop over the pairs (what pair_documents did before it was vectorised)."""
    from collections import defaultdict

    shared = {(a, b): n for (a, b), n in zip(found.tolist(), counts.tolist())}
    per_doc: dict[int, list] = defaultdict(list)
    for pair, n in shared.items():
        per_doc[pair[0]].append((n, pair))
        if pair[1] != pair[0]:
            per_doc[pair[1]].append((n, pair))
    keep: set = set()
    for items in per_doc.values():
        items.sort(key=lambda t: (-t[0], t[1]))
        keep.update(pair for _, pair in items[:cap])
    row = {pair: k for k, pair in enumerate(map(tuple, found.tolist()))}
    return sorted(row[pair] for pair in keep)


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(1, 4)), max_size=80),
       st.integers(1, 5))
@settings(max_examples=300, deadline=None)
def test_each_document_keeps_its_pairs_with_most_shared_windows(rows: list, cap: int) -> None:
    from overlap.passages.corpus import _capped

    pairs = {(min(a, b), max(a, b)): n for a, b, n in rows}  # distinct pairs a <= b, as np.unique gives them
    found = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    counts = np.array([pairs[p] for p in sorted(pairs)], dtype=np.int64)
    assert _capped(found, counts, cap).tolist() == _capped_by_loop(found, counts, cap)


def _weighed(words: np.ndarray, df: np.ndarray, count: int, sets: list[np.ndarray], step: int = 3):
    from overlap.passages.corpus import _WindowWords

    weights = _WindowWords(words, df, count)
    for k in range(0, len(sets), step):  # added a few windows at a time, as signing does
        weights.add(sets[k : k + step])
    return weights


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 12), st.integers(1, 40), st.integers(1, 5))
def test_window_words_weigh_exactly_the_words_both_windows_hold(seed: int, windows: int, pairs: int, step: int) -> None:
    """_WindowWords.shared (one sort over a block of pairs, the ids read back from their file) against the
    plain set intersection, whatever the windows' sizes (empty ones included) and however they were added."""
    rng = np.random.default_rng(seed)
    vocabulary = np.sort(rng.choice(2**62, 50, replace=False).astype(np.uint64) * np.uint64(3))
    df = rng.integers(1, 200, len(vocabulary))
    sets = [np.sort(rng.choice(vocabulary, rng.integers(0, 20), replace=False)) for _ in range(windows)]
    weights = _weighed(vocabulary, df, 200, sets, step)
    pair_rows = np.stack([rng.integers(0, windows, pairs), rng.integers(0, windows, pairs)], axis=1)
    pair_rows = pair_rows[pair_rows[:, 0] != pair_rows[:, 1]]
    idf = dict(zip(vocabulary.tolist(), np.log(200 / df).tolist()))
    want = [sum(idf[w] for w in np.intersect1d(sets[a], sets[b]).tolist()) for a, b in pair_rows.tolist()]
    assert np.allclose(weights.shared(pair_rows), want)
    assert np.allclose(weights.shared(pair_rows), want)  # again, after its pages were released
    weights.close()


@pytest.mark.parametrize("document_frequency, proposed", [(500, False), (2, True)])
def test_a_window_pair_sharing_only_frequent_words_is_not_proposed(document_frequency: int, proposed: bool) -> None:
    """Regression: windows sharing a few of a topic's words passed the Jaccard check, and such pairs grew
    with the square of the corpus (177,422 document pairs proposed at 80,000 generated articles, 6,368
    aligned). Two windows of ten words sharing six (J = 0.43): six words each in half of 1,000 documents
    weigh 6 ln 2 = 4.2 nats, under the floor ln(2 windows) + 4 = 4.7; the same six words in 2 documents
    each (a copied sentence) weigh 37.3 and pass."""
    params = PassageParams()
    rng = np.random.default_rng(7)
    words = rng.choice(2**40, 14, replace=False).astype(np.uint64)
    sets = [np.sort(words[:10]), np.sort(np.concatenate([words[:6], words[10:]]))]
    vocabulary = np.sort(words)
    df = np.where(np.isin(vocabulary, words[:6]), document_frequency, 1)
    weights = _weighed(vocabulary, df, 1000, sets)
    signer = Signer(params.num_perm, params.seed)
    sketch = signer.sign([fold32(s) for s in sets]).astype(np.uint16)
    owners = np.array([[0, 0], [1, 0]], dtype=np.int64)
    assert window_jaccard(sketch, np.array([[0, 1]]))[0] >= params.window_jaccard
    pairs = pair_documents(_OnePair(), owners, sketch, params, False, words=weights)
    weights.close()
    assert ([(p.a, p.b) for p, _ in pairs] == [(0, 1)]) is proposed
    assert len(pair_documents(_OnePair(), owners, sketch, params, False)) == 1  # without the check: proposed


def test_the_rarity_check_gives_the_same_pairs_whatever_the_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A corpus of 100+ documents (below that there is no check): the window word sets added a batch at a
    time and weighed a block of pairs at a time give the same matches as one batch and one block, and
    the check leaves out pairs the Jaccard check alone proposes."""
    from overlap.passages import corpus

    rng = random.Random(11)
    texts = [" ".join(sentences(rng, rng.randint(3, 8))) for _ in range(130)]
    for k in range(0, 30, 3):  # reprinted paragraphs
        texts[k + 1] = " ".join(sentences(rng, 3)) + " " + texts[k]
    for k in (40, 50, 60, 70):  # three words in 6 of 133 documents: together 3 ln(133/6) = 9.3 nats
        texts[k] += " Harbour tariffs matter."
    texts += ["Harbour tariffs matter.", "Harbour tariffs matter!", "Nothing else."]
    prepared = [prepare(t) for t in texts]

    def run() -> list:
        return [m for found, _, _ in corpus.reuse_batches(len(texts), texts.__getitem__, str) for m in found]

    whole = run()
    pairs = candidate_pairs(prepared, PassageParams())
    monkeypatch.setattr(corpus, "_SIGN_BATCH", 3)
    from overlap import ragged

    monkeypatch.setattr(ragged, "BLOCK", 5)
    assert run() == whole
    assert candidate_pairs(prepared, PassageParams()) == pairs
    assert {(k, k + 1) for k in range(0, 30, 3)} <= {(int(m.a.doc), int(m.b.doc)) for m in whole}
    # the two short notes share all their words (J = 1) but those words are not rare enough together:
    # below ln(windows) + 4; the Jaccard check alone proposes them
    unchecked = {(c.a, c.b) for c, _ in candidate_pairs(prepared, PassageParams(window_rarity=-100))}
    assert (130, 131) in unchecked and (130, 131) not in {(c.a, c.b) for c, _ in pairs}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=8), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_spilled_rows_read_back_what_was_appended_whatever_the_pieces(pieces: list[int], width: int, seed: int) -> None:
    """The passage search's per-window arrays (sketches, owners, word ids) wait in files (SpilledRows): the
    mapped view equals the rows appended, in any pieces (empty ones too), before and after its pages are
    dropped from memory, and a view taken before more rows came keeps what it had."""
    from overlap.spill import SpilledRows

    rng = np.random.default_rng(seed)
    blocks = [rng.integers(0, 2**16, (n, width)).astype(np.uint16) for n in pieces]
    want = np.concatenate(blocks) if blocks else np.empty((0, width), dtype=np.uint16)
    rows = SpilledRows(np.uint16, width)
    try:
        early = None
        for k, block in enumerate(blocks):
            rows.append(block)
            if k == 0:
                early = rows.view()
        assert len(rows) == len(want) and rows.view().shape == want.shape
        assert np.array_equal(rows.view(), want)
        rows.release()
        assert np.array_equal(rows.view(), want)
        if early is not None:
            assert np.array_equal(early, blocks[0])
    finally:
        rows.close()


def test_the_search_over_spilled_windows_proposes_what_it_did_in_memory() -> None:
    """pair_documents reads the windows' owners and sketches from their files; the same pairs as from arrays."""
    from overlap.passages.corpus import _DocumentFrequency, _Windows, _index_windows
    from overlap.spill import SpillStore

    params = PassageParams()
    docs, truth = _corpus()
    prepared = [prepare(d.text, params) for d in docs]
    signer = Signer(params.num_perm, params.seed)
    with SpillStore() as store:
        windows = _Windows(store)
        windows.add(list(enumerate(prepared)), params)
        index, owners, sketch = _index_windows(windows.signed(signer, _DocumentFrequency().common(len(docs), params)),
                                               signer, params, store)
        try:
            spilled = pair_documents(index, owners, sketch, params, True)
            in_memory = pair_documents(index, np.array(owners.view()), np.array(sketch.view()), params, True)
        finally:
            owners.close()
            sketch.close()
    assert spilled == in_memory and len(spilled) >= len(truth)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files by /proc")
def test_a_failed_window_signing_leaves_no_file_open() -> None:
    """Regression: a scan stopped while the passage windows were signed left the files of their sketches and
    owners open until the garbage collector found them."""
    from overlap.passages.corpus import _index_windows
    from overlap.spill import SpillStore

    params = PassageParams()
    signer = Signer(params.num_perm, params.seed)

    def failing():
        yield np.array([[0, 0]], dtype=np.int64), signer.sign([fold32(_windows_at(10)[0])])
        raise KeyboardInterrupt

    with SpillStore() as store:
        before = len(os.listdir("/proc/self/fd"))
        with pytest.raises(KeyboardInterrupt):
            _index_windows(failing(), signer, params, store)
        assert len(os.listdir("/proc/self/fd")) == before
