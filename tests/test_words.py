"""The one stemmer and stopword list (overlap.text.words), and that both word-bag tiers use it."""

from __future__ import annotations

from overlap.passages import align
from overlap.claims.signals import prepare as prepare_sentence
from overlap.text.shingle import word_hashes
from overlap.text.words import STOPWORDS, stem, stems


def test_stem_folds_inflections() -> None:
    assert stem("reported") == stem("reports") == stem("reporting") == "report"
    assert stem("gas") == "gas"
    assert stems(["relations", "related"]) == ["relat", "relat"]


def test_words_of_other_scripts_pass_through() -> None:
    assert stems(["москвы", "東京", "1987"]) == ["москвы", "東京", "1987"]


def test_news_attribution_is_not_content() -> None:
    assert {"said", "told", "according", "mr", "the"} <= STOPWORDS
    assert not {"talks", "minister", "sanctions"} & STOPWORDS


def test_alignment_and_paraphrase_see_the_same_content_words() -> None:
    # align.py once had its own suffix stemmer and stopword list: "relations" was "rel" to the
    # passage tier and "relat" to the paraphrase tier, and "told"/"according" counted for one only
    text = "Officials told reporters the relations between the ministries were deteriorating, according to diplomats."
    terms = align.prepare(text).term
    content = prepare_sentence(text).content
    assert sorted(terms.tolist()) == sorted(word_hashes(sorted(content)).tolist())
