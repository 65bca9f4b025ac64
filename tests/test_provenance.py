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
