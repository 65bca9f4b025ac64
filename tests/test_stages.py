"""The scan's stages are pure batch functions: the same answer whatever the batches, progress from the driver."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from _textgen import edit, sentences
from overlap import write_scan
from overlap.ingest import read_documents
from overlap.model import Document
from overlap.params import Params
from overlap.passages import corpus
from overlap.pipeline import STAGE_UNITS, driver, scan
from overlap.pipeline.read import read_batch

SEEDS = Path(__file__).parent.parent / "seeds"


def every_stage_corpus() -> list[Document]:
    """Seeds, plus what every stage has work for: reprints, exact and short copies, boilerplate, empty texts."""
    rng = random.Random(5)
    docs = list(read_documents([SEEDS]))
    story = " ".join(sentences(rng, 10))
    footer = "\nSubscribe to our newsletter\nLeave a Reply"
    for i in range(9):  # reprints, edited reprints, and new stories quoting half of it
        body = [" ".join(sentences(rng, 6)) + " " + story[: len(story) // 2], story, edit(rng, story, 0.01)][i % 3]
        docs.append(Document(f"g{i:02d}", body + footer, source="wire" if i % 2 else "daily",
                             date=f"2024-01-{i + 1:02d}"))
    docs += [Document("copy", story + footer, source="wire"), Document("s1", "Too short to compare."),
             Document("s2", "Too short to compare."), Document("empty", "   ")]
    return docs


def _files(docs: list[Document], out: Path) -> dict[str, bytes]:
    with scan(docs) as result:
        write_scan(result, out)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_scan_writes_the_same_bytes_whatever_the_batch_sizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver may cut the corpus and the pairs anywhere: another engine cuts them elsewhere."""
    docs = every_stage_corpus()
    whole = _files(docs, tmp_path / "default")
    with scan(docs) as result:  # the corpus gives every stage something to do
        c = result.counts
        assert c["exact_copies"] and c["verified_pairs"] and c["documents_with_boilerplate"] and c["reuse_matches"]
        assert c["paraphrase_matches"] and c["documents_skipped"]
    for name, value in (("_BATCH", 1), ("_VERIFY_BATCH", 1), ("_BATCH_CHARS", 100)):
        monkeypatch.setattr(driver, name, value)
    monkeypatch.setattr(corpus, "_SIGN_BATCH", 2)
    monkeypatch.setattr(corpus, "ALIGN_BATCH", 1)
    assert _files(docs, tmp_path / "small") == whole


def test_reading_in_batches_is_reading_one_by_one() -> None:
    docs = every_stage_corpus()
    together, counts = read_batch(docs, Params())
    alone = [read_batch([d], Params())[0][0] for d in docs]
    assert counts == {"documents_read": len(docs), "documents_skipped": 3}
    for a, b in zip(together, alone):
        assert (a.status, a.reason, a.fingerprint, a.keys, a.short, a.local_drop, a.local_notes) == \
               (b.status, b.reason, b.fingerprint, b.keys, b.short, b.local_drop, b.local_notes)
        assert np.array_equal(a.tokens, b.tokens)


def test_progress_names_a_known_stage_counts_up_and_ends_at_its_total() -> None:
    events: list[tuple[str, int, int | None]] = []
    with scan(every_stage_corpus(), progress=lambda stage, done, total: events.append((stage, done, total))):
        pass
    stages = list(dict.fromkeys(stage for stage, _, _ in events))
    assert stages[:3] == ["read", "signatures", "passages"] and set(stages) <= set(STAGE_UNITS)
    for stage in stages:
        mine = [(done, total) for s, done, total in events if s == stage]
        assert [d for d, _ in mine] == sorted(d for d, _ in mine), stage
        assert mine[-1][0] == mine[-1][1], stage


def test_a_repeated_id_stops_the_scan_at_that_document() -> None:
    def documents():
        yield Document("a", "one text")
        yield Document("a", "another text")
        raise AssertionError("read past the repeated id")

    with pytest.raises(ValueError, match="duplicate document id 'a'"):
        scan(documents())


def test_what_travels_between_processes_pickles_by_its_fields_and_comes_back_equal() -> None:
    """Slotted dataclasses pickle through dataclasses' Python ``__getstate__`` unless they say otherwise: 2-3x
    slower both ways, and a two-worker scan pickles millions of spans (``overlap.model.reduce_by_fields``)."""
    import pickle

    from overlap.model import CandidatePair, DocumentInfo, Match, MatchSide, Passage, Span
    from overlap.passages.align import Prepared, prepare
    from overlap.pipeline.near_duplicates import Link, Shingled, Words

    docs = every_stage_corpus()[:3]
    read, _ = read_batch(docs, Params())
    side = MatchSide("a", Span(0, 4))
    values = [Span(3, 9), Document("d", "text", source="s", title="t", date="2020-01-01", url="u", meta={"k": [1]},
                                   origin="f:1", record={"id": "d"}),
              DocumentInfo("d", "s", "t", "2020-01-01", "u", 4, 1, "f:1"), Passage("d", Span(0, 4), "text"),
              CandidatePair(1, 2), side, Match("reuse", side, MatchSide("b", Span(2, 6)), 0.5, {"x": 1}),
              prepare(docs[0].text), *read, Words(1, "s", np.arange(3, dtype=np.uint64), np.zeros((1, 4), np.int32),
                                                  np.ones(1, np.uint64), [0]),
              Shingled(1, np.arange(2, dtype=np.uint64), 7, None), Link(1, 2, 0.5, 0.6, 0.7)]
    for value in values:
        assert type(value).__reduce__ is not object.__reduce__, type(value).__name__
        back = pickle.loads(pickle.dumps(value))
        assert type(back) is type(value)
        assert repr(back) == repr(value)  # numpy fields: equal by their printed values
