"""A small scan with every kind of match, for graph and report tests.

Today's pipeline finds only whole-document duplicates; the reuse and
paraphrase matches here are added by hand with real spans into the real
texts (found with ``str.find``), shaped as the passage and paraphrase stages
produce them, so graphs and reports are tested on all three kinds.

Outlets and dates are chosen to exercise every rule: dated pairs (directed
earlier -> later), an undated document (direction unknown), two documents
published the same day without a time (unknown), an outlet repeating itself
(within-source), and one hostile article whose id, title, source and text
carry HTML.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from overlap.model import ClaimCluster, ClaimLink, Document, Match, MatchSide, Passage, Span
from overlap.params import Params
from overlap.model import ScanResult
from overlap.pipeline import scan

WIRE = (
    "MOSCOW, Jan 15 (Wire) - Russia's Security Council secretary Nikolai Patrushev said on Sunday that "
    "relations between Moscow and Washington would sooner or later return to normal, adding that a further "
    "worsening of ties was in the interests of neither side. Patrushev told the Rossiyskaya Gazeta daily that "
    "Russia was ready to work with the new U.S. administration on an equal footing and to cooperate in the "
    "fight against terrorism. The Kremlin has said it hopes for better ties after the inauguration."
)
GRAIN = (
    "Grain exports from the Black Sea ports rose for a third month in December as buyers in Egypt and Turkey "
    "returned to the market, traders said, with wheat shipments up by a fifth on the year and maize steady. "
    "Freight rates eased after the holidays and port congestion cleared."
)
HOSTILE = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">'
PARAPHRASE_A = "Patrushev said that relations between Moscow and Washington would sooner or later return to normal"
PARAPHRASE_B = "Ties between Russia and the United States will recover in time, the Security Council chief said"

DOCS = [
    Document("wire-1", WIRE, source="wire", date="2017-01-15T08:00:00+00:00", title="Patrushev on ties",
             url="https://wire.example/1"),
    Document("paper-1", "Relations will recover, says Patrushev\n\n" + WIRE + "\n\nLeave a Reply",
             source="paper", date="2017-01-15T11:30:00+00:00", title="Relations will recover"),
    Document("paper-2", "Our view. " + PARAPHRASE_B + ". Grain news: " + GRAIN,
             source="paper", date="2017-01-16"),
    Document("blog-1", "Opinion. " + WIRE[:200] + " Or so they say, " + PARAPHRASE_A + ".", source="blog"),
    Document("agro-1", GRAIN, source="agro", date="2017-01-16", title="Grain exports rise"),
    Document(f"evil-{HOSTILE}", HOSTILE + " " + GRAIN + " " + HOSTILE, source=f"src {HOSTILE}",
             date="2017-01-17", title=f"title {HOSTILE}"),
]


def _side(doc: Document, needle: str) -> MatchSide:
    start = doc.text.find(needle)
    assert start >= 0, (doc.id, needle[:40])
    return MatchSide(doc.id, Span(start, start + len(needle)))


def extra_matches() -> list[Match]:
    """Reuse and paraphrase matches between the scenario documents."""
    d = {doc.id: doc for doc in DOCS}
    evil = DOCS[-1]
    return [
        Match("reuse", 0.97, _side(d["wire-1"], WIRE[:200]), _side(d["blog-1"], WIRE[:200]), a_in_b=1.0, b_in_a=1.0,
              details={"shared_chars": 200}),
        Match("reuse", 0.95, _side(d["paper-2"], GRAIN), _side(d["agro-1"], GRAIN), a_in_b=1.0, b_in_a=1.0),
        Match("reuse", 0.9, _side(d["paper-1"], WIRE[:120]), _side(d["paper-2"], "Grain news: " + GRAIN[:100])),
        Match("paraphrase", 0.74, _side(d["paper-2"], PARAPHRASE_B), _side(d["blog-1"], PARAPHRASE_A)),
        Match("reuse", 0.92, _side(d["agro-1"], GRAIN), MatchSide(evil.id, Span(0, len(HOSTILE) + 1 + len(GRAIN))),
              a_in_b=1.0, b_in_a=0.7),
    ]


@contextmanager
def scenario() -> Iterator[ScanResult]:
    """The scenario scanned, with the hand-made matches appended to the duplicates the scan found."""
    # the scenario's reuse and paraphrase matches are the hand-made ones below: both tiers off
    with scan(DOCS, Params().with_(passages={"enabled": False}, paraphrase={"enabled": False})) as result:
        result.matches.extend(extra_matches())
        yield result


def claim_clusters() -> list[ClaimCluster]:
    """One claim in four documents: two dated outlets, the hostile outlet, and an undated blog."""
    def st(doc: str, text: str, speaker: str | None = None) -> Passage:
        return Passage(doc, Span(0, 10), text, "sentence", speaker)

    return [ClaimCluster(
        1, (st("wire-1", "relations <b>will</b> recover", "Patrushev"), st("paper-2", "ties will mend"),
            st(f"evil-{HOSTILE}", "ties"), st("blog-1", "ties will mend")),
        ("wire-1", "paper-2", f"evil-{HOSTILE}", "blog-1"), ("wire", "paper", f"src {HOSTILE}", "blog"),
        ("Patrushev",), "2017-01-15T08:00:00+00:00", 0.7, 0.8,
        (ClaimLink(0.8, "claim"), ClaimLink(0.7, "claim"), ClaimLink(0.9, "paraphrase", within_document=True)))]
