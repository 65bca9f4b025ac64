"""Every input format becomes the same Documents; bad input is located, counted, never fatal by surprise."""

from __future__ import annotations

import gzip
import io
import json
import os
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overlap.errors import InputError
from overlap.ingest import (
    FieldMap,
    IngestStats,
    RecordError,
    document_from_record,
    document_to_record,
    iter_jsonl,
    parse_date,
    read_documents,
)
from overlap.model import Document


def _write_jsonl(path: Path, records: list, *, gz: bool = False) -> Path:
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def _read(inputs, **kwargs) -> tuple[list[Document], IngestStats, list[str]]:
    stats = IngestStats()
    seen: list[str] = []
    docs = list(read_documents(inputs, stats=stats, on_warning=seen.append, **kwargs))
    return docs, stats, seen


# ------------------------------------------------------------------ JSONL

def test_jsonl_fields_meta_and_origin(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [
        {"id": "x1", "text": "First.", "source": "tass", "title": "T", "date": "2017-01-15",
         "url": "https://e.org/1", "lang": "ru", "tags": ["a", "b"]},
        {"id": "x2", "text": "Second."},
    ])
    with open(path, "ab") as f:
        f.write(b"\n   \n")  # blank lines are not records
    docs, stats, warnings = _read([path])
    assert docs[0] == Document(id="x1", text="First.", source="tass", title="T",
                               date="2017-01-15", url="https://e.org/1",
                               meta={"lang": "ru", "tags": ["a", "b"]}, origin=f"{path}:1")
    assert docs[1] == Document(id="x2", text="Second.", origin=f"{path}:2")
    assert (stats.files, stats.records, stats.documents, stats.bad_records) == (1, 2, 2, 0)
    assert warnings == []


@pytest.mark.parametrize("name", ["a.jsonl.gz", "a.ndjson.gz", "a.ndjson"])
def test_gzip_and_ndjson(tmp_path: Path, name: str) -> None:
    path = _write_jsonl(tmp_path / name, [{"id": str(i), "text": f"t{i}"} for i in range(50)],
                        gz=name.endswith(".gz"))
    docs, stats, _ = _read([path])
    assert [d.id for d in docs] == [str(i) for i in range(50)]
    assert docs[49].text == "t49" and docs[49].origin == f"{path}:50"


def test_several_inputs_are_read_in_order(tmp_path: Path) -> None:
    a = _write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": "1"}])
    b = _write_jsonl(tmp_path / "b.jsonl", [{"id": "b", "text": "2"}])
    docs, stats, _ = _read([b, a])
    assert [d.id for d in docs] == ["b", "a"] and stats.files == 2


def test_reuters_like_field_map(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "reut.jsonl.gz", [
        {"newid": 1, "date": "26-FEB-1987 15:01:01.79", "title": "COCOA", "body": "Showers.",
         "topics": ["cocoa"]},
        {"newid": 2, "date": "27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", "title": "X", "body": None},
    ], gz=True)
    docs, stats, warnings = _read([path], fields=FieldMap(id="newid", text="body"))
    assert docs[0].id == "1" and docs[0].text == "Showers." and docs[0].title == "COCOA"
    assert docs[0].date == "1987-02-26T15:01:01.790"
    assert docs[0].meta == {"topics": ["cocoa"], "date_raw": "26-FEB-1987 15:01:01.79"}
    # A null body is an empty article (the pipeline skips it), not a broken line.
    assert docs[1].id == "2" and docs[1].text == "" and docs[1].date == "1987-03-27T00:02:59.130"
    assert stats.bad_records == 0 and warnings == []


def test_missing_id_gets_file_and_line(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "sub.jsonl", [{"id": "a", "text": "x"}, {"text": "no id"},
                                                 {"id": None, "text": "null id"}])
    docs, _, _ = _read([path])
    assert [d.id for d in docs] == ["a", "sub.jsonl:2", "sub.jsonl:3"]


def test_bad_lines_are_skipped_with_located_warnings(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "text": "fine"}\n'
                    '{"id": "broken", "text": \n'
                    '[1, 2]\n'
                    '{"id": "notext"}\n'
                    '{"id": "numtext", "text": 5}\n'
                    '{"id": "ok2", "text": "fine too"}\n', encoding="utf-8")
    docs, stats, warnings = _read([path])
    assert [d.id for d in docs] == ["ok", "ok2"]
    assert (stats.records, stats.documents, stats.bad_records) == (6, 2, 4)
    assert warnings == [
        f"{path}:2: invalid JSON: Expecting value at column 26",
        f"{path}:3: expected a JSON object, got list",
        f"{path}:4: no 'text' field",
        f"{path}:5: field 'text' must be a string, got int",
    ]
    assert stats.warnings == warnings


def test_bad_line_fails_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "text": "fine"}\n{oops\n', encoding="utf-8")
    it = read_documents([path], on_error="fail")
    assert next(it).id == "ok"
    with pytest.raises(InputError) as info:
        next(it)
    assert (info.value.path, info.value.line) == (str(path), 2)
    assert str(info.value).startswith(f"{path}:2: invalid JSON")


def test_duplicate_ids_across_inputs_are_bad_records(tmp_path: Path) -> None:
    a = _write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "1"}, {"id": 7, "text": "2"}])
    b = _write_jsonl(tmp_path / "b.jsonl", [{"id": "y", "text": "3"}, {"id": "7", "text": "4"}])
    docs, stats, warnings = _read([a, b])
    assert [d.id for d in docs] == ["x", "7", "y"]
    assert warnings == [f"{b}:2: duplicate id '7' (first at {a}:2)"]
    with pytest.raises(InputError, match="duplicate id 'x'"):
        list(read_documents([a, a], on_error="fail"))


def test_warnings_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("{\n" * 1005, encoding="utf-8")
    docs, stats, warnings = _read([path])
    assert docs == [] and stats.bad_records == 1005
    assert len(stats.warnings) == 1000 and stats.warnings_dropped == 5
    assert len(warnings) == 1005  # the callback still sees every one


# -------------------------------------------------------------- encodings

def test_invalid_utf8_is_replaced_counted_and_located(tmp_path: Path) -> None:
    path = tmp_path / "enc.jsonl"
    path.write_bytes(b'{"id": "a", "text": "good"}\n{"id": "b", "text": "caf\xe9 \xff"}\n')
    docs, stats, warnings = _read([path])
    assert docs[1].text == "caf\ufffd \ufffd"
    assert stats.decode_errors == 1 and stats.bad_records == 0
    assert warnings == [f"{path}:2: invalid UTF-8 at byte offset 24, decoded with replacement"]


def test_invalid_utf8_in_text_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"line one\nline two\nbad \x80 here\n")
    docs, stats, warnings = _read([path])
    assert docs[0].text == "line one\nline two\nbad \ufffd here\n"
    assert warnings == [f"{path}:3: invalid UTF-8, decoded with replacement"]
    assert stats.decode_errors == 1


def test_bom_is_stripped_everywhere(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    (tmp_path / "a.jsonl").write_bytes(bom + b'{"id": "j", "text": "x"}\n')
    (tmp_path / "a.csv").write_bytes(bom + b"id,text\nc,y\n")
    (tmp_path / "a.txt").write_bytes(bom + b"z")
    docs, stats, warnings = _read([tmp_path / "a.jsonl", tmp_path / "a.csv", tmp_path / "a.txt"])
    assert [(d.id, d.text) for d in docs] == [("j", "x"), ("c", "y"), ("a.txt", "z")]
    assert warnings == []


# -------------------------------------------------------------------- CSV

def test_csv_rows_with_multiline_fields_keep_their_start_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,text,source,extra\n'
                    'a,"one\nline two\nline three",tass,\n'
                    '\n'
                    'b,plain,,x\n'
                    'c,too,many,fields,here\n', encoding="utf-8", newline="")
    docs, stats, warnings = _read([path])
    assert [(d.id, d.origin) for d in docs] == [("a", f"{path}:2"), ("b", f"{path}:6")]
    assert docs[0].text == "one\nline two\nline three" and docs[0].source == "tass"
    assert docs[0].meta == {"extra": None} and docs[1].meta == {"extra": "x"}
    assert docs[1].source is None
    assert warnings == [f"{path}:7: expected 4 fields as in the header, found 5"]


def test_csv_gz_with_custom_fields_and_large_field(tmp_path: Path) -> None:
    path = tmp_path / "a.csv.gz"
    big = "word " * 60_000  # larger than csv's default 128 KiB field limit
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        f.write(f"key,content,published\nk1,{big},2017/01/15\n")
    docs, _, _ = _read([path], fields=FieldMap(id="key", text="content", date="published"))
    assert docs[0].id == "k1" and docs[0].text == big and docs[0].date == "2017-01-15"


def test_csv_without_text_column_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_documents([path]))
    assert str(info.value) == f"{path}:1: no 'text' column; columns found: 'id', 'body'"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="expected a header row"):
        list(read_documents([path]))


# ---------------------------------------------------------- text and dirs

def test_directory_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for rel, text in {"b.txt": "B", "a.md": "A", "sub/z.txt": "Z", "sub/a.txt": "SA",
                      "A_upper.txt": "U", ".hidden.txt": "H", ".git/x.txt": "G",
                      "notes.pdf": "P", "sub/.deep/y.md": "Y"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    docs, stats, _ = _read([root])
    assert [d.id for d in docs] == ["A_upper.txt", "a.md", "b.txt", "sub/a.txt", "sub/z.txt"]
    assert docs[3].text == "SA" and docs[3].origin == os.path.join(str(root), "sub", "a.txt")
    assert docs[3].date is None and docs[3].meta == {}
    assert stats.files == 5 and stats.documents == 5


def test_directory_without_text_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_text("p")
    (tmp_path / ".h.txt").write_text("h")
    with pytest.raises(InputError, match="no .txt or .md files found"):
        list(read_documents([tmp_path]))


def test_single_text_file_keeps_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(b"Title\r\n\r\nBody \xe2\x80\x9cquoted\xe2\x80\x9d.\n")
    docs, _, _ = _read([path])
    assert docs == [Document(id="story.txt", text="Title\r\n\r\nBody \u201cquoted\u201d.\n",
                             origin=str(path))]


def test_empty_documents_are_kept_for_the_pipeline_to_count(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_bytes(b"")
    path = _write_jsonl(tmp_path / "e.jsonl", [{"id": "e", "text": ""}])
    docs, stats, _ = _read([tmp_path / "e.txt", path])
    assert [(d.id, d.text) for d in docs] == [("e.txt", ""), ("e", "")]


# ------------------------------------------------------------------ stdin

def test_stdin_defaults_to_jsonl_bytes_or_text() -> None:
    data = '{"id": "s1", "text": "one"}\n{"id": "s2", "text": "two"}\n'
    for stream in (io.BytesIO(data.encode()), io.StringIO(data),
                   io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8")):
        docs, stats, _ = _read(["-"], stdin=stream)
        assert [(d.id, d.origin) for d in docs] == [("s1", "<stdin>:1"), ("s2", "<stdin>:2")]


def test_stdin_csv_and_text() -> None:
    docs, _, _ = _read(["-"], fmt="csv", stdin=io.BytesIO(b"id,text\nq,hello\n"))
    assert [(d.id, d.text) for d in docs] == [("q", "hello")]
    docs, _, _ = _read(["-"], fmt="text", stdin=io.BytesIO(b"All of it.\nTwo lines."))
    assert [(d.id, d.text, d.origin) for d in docs] == [("stdin", "All of it.\nTwo lines.",
                                                        "<stdin>")]


def test_stdin_missing_id_and_bad_line() -> None:
    docs, _, warnings = _read(["-"], stdin=io.BytesIO(b'{"text": "a"}\nnope\n'))
    assert [d.id for d in docs] == ["<stdin>:1"]
    assert warnings == ["<stdin>:2: invalid JSON: Expecting value at column 1"]


def test_fmt_forces_the_format_of_a_file(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "export.data", [{"id": "a", "text": "x"}])
    docs, _, _ = _read([path], fmt="jsonl")
    assert [d.id for d in docs] == ["a"]
    with pytest.raises(ValueError):
        read_documents([path], fmt="xml")


# ---------------------------------------------------------------- sidecar

@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_sidecar_fills_and_overrides(tmp_path: Path, kind: str) -> None:
    data = _write_jsonl(tmp_path / "d.jsonl", [
        {"id": "a", "text": "x", "source": "old", "date": "2017-01-01"},
        {"id": "b", "text": "y"},
        {"id": "c", "text": "z", "source": "kept"},
    ])
    rows = [{"id": "a", "source": "new", "date": "Sun, 15 Jan 2017 10:00:00 GMT"},
            {"id": "b", "source": "fill", "title": "Tb", "url": "u"},
            {"id": "ghost", "source": "nobody"}, {"id": "ghost2", "source": "nobody"}]
    if kind == "csv":
        meta = tmp_path / "m.csv"
        meta.write_text("id,source,date,title,url\n" + "".join(
            f"{r['id']},{r.get('source', '')},\"{r.get('date', '')}\",{r.get('title', '')},"
            f"{r.get('url', '')}\n" for r in rows), encoding="utf-8")
    else:
        meta = _write_jsonl(tmp_path / "m.jsonl", rows)
    docs, stats, warnings = _read([data], meta=meta)
    a, b, c = docs
    assert (a.source, a.date) == ("new", "2017-01-15T10:00:00+00:00")
    assert a.meta == {"date_raw": "Sun, 15 Jan 2017 10:00:00 GMT"}
    assert (b.source, b.title, b.url, b.date) == ("fill", "Tb", "u", None)
    assert c.source == "kept"
    assert stats.meta_unmatched == 2
    assert warnings == [f"{meta}: 2 ids never matched a document ('ghost', 'ghost2')"]


def test_sidecar_applies_to_text_files(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("x")
    meta = tmp_path / "m.csv"
    meta.write_text("id,source,date\nsub/a.txt,ria,15 January 2017\n")
    docs, _, warnings = _read([root], meta=meta)
    assert (docs[0].source, docs[0].date) == ("ria", "2017-01-15")
    assert warnings == []


def test_folder_sidecar_gives_text_files_their_metadata(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("x")
    (root / "b.txt").write_text("y")
    (root / "metadata.csv").write_text(
        "id,source,date,title,provenance\nsub/a.txt,TASS,\"January 15, 2017\",T a,dateline\nb.txt,,,,unknown\n"
        "gone.txt,X,,,\n", encoding="utf-8")
    docs, stats, warnings = _read([root])
    b, a = docs  # sorted by id; the sidecar itself is not a document
    assert (a.id, a.source, a.date, a.title, a.meta) == ("sub/a.txt", "TASS", "2017-01-15", "T a",
                                                          {"provenance": "dateline", "date_raw": "January 15, 2017"})
    assert (b.source, b.date, b.meta) == (None, None, {"provenance": "unknown"})
    assert stats.sidecars == [os.path.join(str(root), "metadata.csv")]
    assert stats.records == 2
    assert warnings == [f"{os.path.join(str(root), 'metadata.csv')}: 1 ids match no file ('gone.txt')"]


def test_explicit_sidecar_overrides_the_folder_sidecar(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "a.txt").write_text("x")
    (root / "metadata.jsonl").write_text(json.dumps({"id": "a.txt", "source": "folder", "title": "kept"}) + "\n")
    meta = tmp_path / "m.csv"
    meta.write_text("id,source\na.txt,explicit\n")
    docs, stats, _ = _read([root], meta=meta)
    assert (docs[0].source, docs[0].title) == ("explicit", "kept")
    assert stats.records == 1


def test_seeds_carry_their_outlets() -> None:
    docs = list(read_documents([Path(__file__).parent.parent / "seeds"]))
    assert [d.source for d in docs] == ["CWW7NEWS", "TASS", None, None, "Anadolu Agency"]
    assert docs[1].date == "2017-01-15"
    assert all(d.meta.get("provenance") for d in docs)


# ------------------------------------------------------- paths and errors

def test_missing_path_fails_before_any_document(tmp_path: Path) -> None:
    good = _write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": "x"}])
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as info:
        next(read_documents([good, missing]))
    assert str(info.value) == f"{missing}: cannot read: No such file or directory"
    assert info.value.line is None


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": "x"}])
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="cannot read: Permission denied"):
            list(read_documents([path]))
    finally:
        path.chmod(0o644)


def test_corrupt_gzip_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(b"this is not gzip data at all\n")
    with pytest.raises(InputError, match="cannot read"):
        list(read_documents([path]))


def test_unknown_extension_names_the_valid_ones(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(InputError) as info:
        list(read_documents([path]))
    message = str(info.value)
    assert message.startswith(f"{path}: unknown input format; expected one of: directory, .txt")
    assert ".jsonl.gz" in message and ".csv" in message and "- (stdin)" in message


# ------------------------------------------------------------------ dates

@pytest.mark.parametrize("raw, iso", [
    ("2017-01-15", "2017-01-15"),
    ("2017-01-15T10:00:00", "2017-01-15T10:00:00"),
    ("2017-01-15T10:00:00+00:00", "2017-01-15T10:00:00+00:00"),
    ("2017-01-15T10:00:00Z", "2017-01-15T10:00:00+00:00"),
    ("2017-01-15 10:00:00+03:00", "2017-01-15T10:00:00+03:00"),
    ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01.790"),
    ("3-MAR-1987  09:15:05.40", "1987-03-03T09:15:05.400"),
    ("27-MAR-1987 05:38:29.99&#5;&#5;&#5;G C L", "1987-03-27T05:38:29.990"),
    ("Sun, 15 Jan 2017 10:00:00 GMT", "2017-01-15T10:00:00+00:00"),
    ("Sun, 15 Jan 2017 10:00:00 +0300", "2017-01-15T10:00:00+03:00"),
    ("January 15, 2017", "2017-01-15"),
    ("Jan 15, 2017", "2017-01-15"),
    ("15 January 2017", "2017-01-15"),
    ("2017/01/15", "2017-01-15"),
    ("2017/01/15 10:00:01", "2017-01-15T10:00:01"),
    ("15 Jan. 2017 10:00", "2017-01-15T10:00:00"),
    ("Sept 3, 2017", "2017-09-03"),
    ("15.01.2017", "2017-01-15"),
    (" 2017-01-15 ", "2017-01-15"),
])
def test_date_examples(raw: str, iso: str) -> None:
    assert parse_date(raw) == iso


@pytest.mark.parametrize("raw", ["", "yesterday", "2017-13-01", "31-FEB-1987 10:00:00.00",
                                 "12345", "Sun, 99 Foo 2017",
                                 "15 Foo 2017", "2017/02/30"])
def test_unparseable_dates(raw: str) -> None:
    assert parse_date(raw) is None


def test_unparseable_date_keeps_the_document(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "d.jsonl", [{"id": "a", "text": "x", "date": "last Tuesday"}])
    docs, stats, warnings = _read([path])
    assert docs[0].date is None and docs[0].meta == {"date_raw": "last Tuesday"}
    assert warnings == [f"{path}:1: unparseable date 'last Tuesday' in field 'date'"]
    assert stats.dates_unparsed == 1 and stats.bad_records == 0


_offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda m: timezone(timedelta(minutes=m)))


@given(st.dates())
def test_iso_dates_round_trip(d: date) -> None:
    assert parse_date(d.isoformat()) == d.isoformat()


@given(st.datetimes(timezones=st.none() | _offsets), st.sampled_from(["T", " "]))
def test_iso_datetimes_round_trip(dt: datetime, sep: str) -> None:
    out = parse_date(dt.isoformat(sep=sep))
    assert out is not None
    back = datetime.fromisoformat(out)
    assert back == dt and back.utcoffset() == dt.utcoffset()
    if dt.microsecond == 0:
        assert out == dt.isoformat()


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_every_written_form_gives_the_same_iso_date(dt: datetime) -> None:
    dt = dt.replace(microsecond=0)
    day = dt.date().isoformat()
    for form in ("%B %d, %Y", "%b %d %Y", "%d %B %Y", "%Y/%m/%d", "%d.%m.%Y"):
        assert parse_date(dt.strftime(form)) == day, form
    assert parse_date(dt.strftime("%d-%b-%Y %H:%M:%S.00").upper()) == dt.isoformat()
    aware = dt.replace(tzinfo=timezone.utc)
    assert parse_date(format_datetime(aware)) == aware.isoformat()


# ----------------------------------------------------- pieces for dedup

def test_iter_jsonl_yields_each_document_before_reading_the_next_line() -> None:
    consumed: list[int] = []

    def lines():
        for i in range(3):
            consumed.append(i)
            yield json.dumps({"id": f"d{i}", "text": "x"}) + "\n"

    it = iter_jsonl(lines(), "<stdin>")
    assert next(it).id == "d0" and consumed == [0]
    assert next(it).id == "d1" and consumed == [0, 1]


def test_iter_jsonl_reports_like_read_documents() -> None:
    stats = IngestStats()
    warnings: list[str] = []
    docs = list(iter_jsonl([b'{"id": 1, "text": "a"}\n', b"{\n", b'{"id": 1, "text": "b"}\n'],
                           "feed", stats=stats, on_warning=warnings.append))
    assert [d.id for d in docs] == ["1", "1"]  # duplicates only checked on request
    assert stats.bad_records == 1 and warnings[0].startswith("feed:2: invalid JSON")
    docs = list(iter_jsonl([b'{"id": 1, "text": "a"}\n', b'{"id": 1, "text": "b"}\n'], "feed",
                           check_duplicates=True, on_warning=warnings.append))
    assert len(docs) == 1 and warnings[-1] == "feed:2: duplicate id '1' (first at feed:1)"


def test_document_from_record_and_back() -> None:
    fields = FieldMap(id="newid", text="body")
    record = {"newid": "9", "body": "Text.", "title": "T", "date": "26-FEB-1987 15:01:01.79",
              "source": "reuters", "url": "u", "topics": ["x"], "n": 3}
    doc = document_from_record(record, fields, "r.jsonl:9")
    assert doc.date == "1987-02-26T15:01:01.790" and doc.origin == "r.jsonl:9"
    assert document_to_record(doc, fields) == record
    with pytest.raises(RecordError, match="no 'body' field"):
        document_from_record({"newid": "1"}, fields, "r.jsonl:1")
    seen: list[str] = []
    doc = document_from_record({"text": "x", "date": "soon"}, origin="dir/f.jsonl:4",
                               on_warning=seen.append)
    assert doc.id == "f.jsonl:4" and seen == ["dir/f.jsonl:4: unparseable date 'soon' in field 'date'"]
    assert document_to_record(doc)["date"] == "soon"


def test_records_round_trip_through_read_documents(tmp_path: Path) -> None:
    records = [{"id": f"r{i}", "text": f"text {i}", "source": "s", "date": "2017-01-15",
                "k": i, "nested": {"a": [1, 2]}} for i in range(5)]
    path = _write_jsonl(tmp_path / "r.jsonl", records)
    docs, _, _ = _read([path])
    assert [document_to_record(d) for d in docs] == records


def test_field_map_names_must_be_distinct() -> None:
    with pytest.raises(ValueError):
        FieldMap(id="text")
