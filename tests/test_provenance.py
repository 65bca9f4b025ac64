"""Outlets stated in the text: offered only on narrow evidence, never over a given source, always marked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overlap.ingest import IngestStats, read_documents
from overlap.provenance import infer_source

BODY = "Moscow said on Monday that talks would resume.\n\nThe ministry gave no date for them.\n"


@pytest.mark.parametrize("text, outlet, evidence", [
    ("Title\n\nJanuary 15, 2017 TASS\n\n" + BODY, "TASS", "January 15, 2017 TASS"),
    (BODY + "\nSource: Tass\n", "TASS", "Source: Tass"),
    (BODY + "\nVia: The Moscow Times\n", "The Moscow Times", "Via: The Moscow Times"),
    ("MOSCOW (Reuters) - " + BODY, "Reuters", "MOSCOW (Reuters) - Moscow said on Monday that talks would resume."),
    ("Kremlin spokesperson. AA\n\nH. J. I. / AA\n\n" + BODY, "Anadolu Agency", "H. J. I. / AA"),
    (BODY + " REUTER\n", "Reuters", "REUTER"),
    (BODY + "\n15 March 2021 AFP\n", "Agence France-Presse", "15 March 2021 AFP"),
])
def test_stated_outlets_are_found_with_their_evidence(text: str, outlet: str, evidence: str) -> None:
    assert infer_source(text) == (outlet, evidence)


@pytest.mark.parametrize("text", [
    BODY,
    BODY + "Standard and Poor's rates the debt AA.\n",  # a rating, not a credit
    BODY + "said the official Soviet news agency\nTass\n".replace("\nTass", " Tass"),  # a sentence
    BODY + "the rouble fell, he told\nReuters.\n",  # a wrapped sentence ends with the agency
    BODY + "Photo: AP\n",  # a photo's credit, not the article's
    BODY + "Sources: Reuters, AP, the ministry\n",  # references, not an outlet
    BODY + "aa\n",  # "aa" is not how Anadolu is written
    BODY + "Michael Bloomberg\n",  # a person
    "",
])
def test_no_outlet_without_narrow_evidence(text: str) -> None:
    assert infer_source(text) is None


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_inferred_source_is_marked_and_never_overrides_a_given_one(tmp_path: Path) -> None:
    data = _write(tmp_path / "d.jsonl", [
        {"id": "given", "text": BODY + "Source: Tass\n", "source": "wire"},
        {"id": "stated", "text": BODY + "Source: Tass\n"},
        {"id": "none", "text": BODY},
        {"id": "sidecar", "text": BODY + "REUTER\n"},
    ])
    meta = tmp_path / "m.csv"
    meta.write_text("id,source\nsidecar,Interfax\n", encoding="utf-8")
    stats = IngestStats()
    docs = {d.id: d for d in read_documents([data], meta=meta, stats=stats)}
    assert docs["given"].source == "wire" and "source_evidence" not in docs["given"].meta
    assert docs["stated"].source == "TASS (inferred)"
    assert docs["stated"].meta["source_evidence"] == "Source: Tass"
    assert docs["none"].source is None
    assert docs["sidecar"].source == "Interfax"
    assert stats.sources_inferred == 1
    off = {d.id: d.source for d in read_documents([data], infer_sources=False)}
    assert off["stated"] is None


def test_scan_can_turn_inference_off(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from overlap.cli import main

    text = "The grain harvest rose by a fifth this year across the southern regions, officials said. "
    data = _write(tmp_path / "d.jsonl", [{"id": f"d{i}", "text": text * 3 + "\nSource: Tass\n"} for i in range(2)])
    for flag, expected in (([], "TASS (inferred)"), (["--no-infer-source"], None)):
        out = tmp_path / f"out{len(flag)}"
        result = CliRunner().invoke(main, ["scan", str(data), "-o", str(out), "-q", "--no-paraphrase", *flag])
        assert result.exit_code == 0, result.stderr
        first = json.loads((out / "matches.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert first["a"]["source"] == expected


# --- the cheap test before the agency-line expression -----------------------------------------

from hypothesis import example, given, settings, strategies as st  # noqa: E402

from overlap import provenance  # noqa: E402

_PIECES = st.sampled_from(["Reuters", "reuter", "AP", "aa", "AFP", "Associated Press", "Agence France-Presse",
                           "itar-tass", "TASS", "Kyodo", "\u212ayodo", "Reuter\u017f", "\u0130", "ANSA", "dpa",
                           "(", ")", "...", " ", "  ", "-", "\u2014", "/", "J.", "H. J. I.", "January 15, 2017",
                           "said", "rated", ".", ",", "x", "\u00a0", "\t"])


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.lists(_PIECES, max_size=7).map("".join),
                 st.tuples(st.lists(_PIECES, max_size=3).map("".join), _PIECES,
                           st.lists(_PIECES, max_size=3).map("".join)).map("".join)))
@example("(Reuters)")
@example("Reuter ...")
@example("\u212ayodo")
def test_the_agency_line_is_only_skipped_where_it_cannot_name_an_agency(line):
    # the cheap test must be necessary: wherever the expression gives a known agency, it lets the line through
    m = provenance._AGENCY_LINE.match(line)
    if m is not None and provenance._agency(m.group(1)) is not None:
        assert provenance._may_end_with_agency(line)


def test_the_cheap_test_skips_ordinary_lines_and_keeps_credits():
    keep = ["Reuter", "January 15, 2017 TASS", "H. J. I. / AA", "(Reuters) ...", "- Associated Press"]
    skip = ["The shares rose 5 pct.", "rated AA.", "Reuters said on Monday"]
    assert all(provenance._may_end_with_agency(s) for s in keep)
    assert not any(provenance._may_end_with_agency(s) for s in skip)
    assert [infer_source(f"Text of a story.\n{s}") for s in keep] == [
        ("Reuters", "Reuter"), ("TASS", "January 15, 2017 TASS"), ("Anadolu Agency", "H. J. I. / AA"),
        ("Reuters", "(Reuters) ..."), ("Associated Press", "- Associated Press")]
