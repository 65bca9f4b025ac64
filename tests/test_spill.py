"""The spill store's record table: what a scan keeps of every document, read back from its file."""

from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

from overlap.model import Document, DocumentInfo
from overlap.pipeline import scan
from overlap.spill import SpilledRecords, SpilledUnits, SpillStore

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_maybe = st.none() | _text
_records = st.lists(
    st.tuples(
        st.builds(DocumentInfo, _text, _maybe, _maybe, _maybe, _maybe, st.none() | st.integers(0, 10**9),
                  st.none() | st.integers(0, 10**6), _maybe),
        st.none() | _text,
    ),
    max_size=30,
    unique_by=lambda r: r[0].id,
)


@settings(max_examples=60, deadline=None)
@given(_records, _text)
def test_every_record_and_text_reads_back_as_appended_and_is_found_by_its_id(records, absent) -> None:
    with SpillStore() as store:
        table = SpilledRecords(store)
        for i, (record, text) in enumerate(records):
            assert table.append(record, text) == i
        assert len(table) == len(records) and list(table) == [r for r, _ in records]
        assert table.texts == sum(t is not None for _, t in records)
        assert table.with_text().tolist() == [i for i, (_, t) in enumerate(records) if t is not None]
        for i, (record, text) in enumerate(records):
            assert table.id(i) == record.id and table.position(record.id) == i
            assert table.find(record.id) == record and table.text_at(i) == (text or "")
        if absent not in {r.id for r, _ in records}:
            assert table.position(absent) is None


def test_ids_whose_hashes_collide_are_told_apart_by_the_ids_themselves(monkeypatch) -> None:
    monkeypatch.setattr("overlap.spill._id_hash", lambda raw: 7)  # every id under one hash
    with SpillStore() as store:
        table = SpilledRecords(store)
        for doc_id in ("a", "b", "c"):
            table.append(DocumentInfo(doc_id), doc_id.upper())
        assert [table.position(i) for i in ("a", "b", "c", "d")] == [0, 1, 2, None]
        assert table.text("c") == "C"


def test_a_scan_keeps_no_record_object_per_document() -> None:
    """The records wait in the spill file: after a scan of 300 documents, a handful of record objects are
    alive (those a match or cluster named while it was written), not one a document."""
    docs = [Document(f"d{i}", f"story {i} " + " ".join(f"w{i}x{k}" for k in range(40)), source="wire")
            for i in range(300)]
    with scan(docs, passages=False, paraphrase=False) as result:
        gc.collect()
        alive = sum(isinstance(o, DocumentInfo) for o in gc.get_objects())
        assert len(result.documents) == 300 and alive < 10
        assert result.document("d7").words == 42 and [d.id for d in result.documents][:2] == ["d0", "d1"]


def test_each_documents_boilerplate_reads_back_from_the_spill_file() -> None:
    """The boilerplate units of each document wait in the spill file by position (no dictionary by id): the
    reports' spans and the claims tier's exclusions (every occurrence) read them back for the right document."""
    footer = "Follow us on social media for more stories."
    docs = [Document(f"d{i}", f"{footer}\nStory {i} " + " ".join(f"w{i}x{k}" for k in range(40)) + f"\n{footer}",
                     source="wire") for i in range(30)]
    docs.append(Document("clean", "A story without the footer " + " ".join(f"c{k}" for k in range(40)), source="wire"))
    with scan(docs, passages=False, paraphrase=False) as result:
        assert isinstance(result.texts.dropped, SpilledUnits) and len(result.texts.dropped) == 30
        spans = result.boilerplate_spans("d7")
        text = result.texts.text("d7")
        assert [text[s.start : s.end] for s in spans] == [footer, footer]
        everywhere = result.texts.boilerplate_everywhere()
        assert len(everywhere) == 30 and list(everywhere)[:2] == ["d0", "d1"]
        assert everywhere["d7"] == spans and "clean" not in everywhere and "absent" not in everywhere
        assert result.boilerplate_spans("clean") == []
