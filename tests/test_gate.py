"""The gate before the pair models: degenerate statements and other languages are never scored."""

from __future__ import annotations

import pytest

from overlap.claims.gate import Unscored, check, degenerate
from overlap.text.language import has_latin, identify

ENGLISH_HARD = [
    "Russia is ready to talk.",  # short
    "Putin met Trump.",  # names read as Dutch by the model (0.90)
    "Mohammad Javad Zarif met Sergei Lavrov in Moscow.",
    "Juventus beat Inter Milan.",
    "Bank fuer Gemeinwirtschaft AG said partial operating profits fell to 182.6 mln marks in 1986.",
    "Aachener und Muenchener Beteiligungs-AG, the new majority shareholder, said it would keep the bank.",
    "Kim Jong Un met Xi Jinping in Beijing on Tuesday, state media reported.",
    "SHARES OF VOLKSWAGEN ROSE SHARPLY IN FRANKFURT ON MONDAY",
]


@pytest.mark.parametrize("text", ENGLISH_HARD)
def test_short_english_and_english_full_of_names_stay_english(text: str) -> None:
    assert identify(text).english, identify(text)


@pytest.mark.parametrize("text, lang", [
    ("Die Bundesregierung hat am Mittwoch ein neues Klimaschutzgesetz beschlossen.", "de"),
    ("Le gouvernement a présenté mercredi son projet de budget pour l'année prochaine.", "fr"),
    ("El Gobierno aprobó este martes una subida del salario mínimo para el próximo año.", "es"),
    ("Правительство утвердило новый бюджет на следующий год в среду.", "ru"),
    # the model splits itself between Portuguese, Spanish and Galician (0.40 / 0.25 / 0.11, English 0.04)
    ("As chuvas fortes causaram deslizamentos de terra no estado de São Paulo.", "pt"),
    ("حکومت نے بجلی کی قیمتوں میں اضافے کا اعلان کر دیا ہے۔", "ur"),
])
def test_other_languages_are_named_and_set_aside(text: str, lang: str) -> None:
    assert check(text) == Unscored("not English", lang)


def test_no_latin_letter_is_never_english_however_short() -> None:
    assert not has_latin("政府周三宣布了新的经济刺激计划。")
    why = check("政府周三宣布了新的经济刺激计划。")
    assert why is not None and why.reason == "not English"


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("   \n ", "empty"),
    ("...", "empty"),
    ("12 34 5.6", "numbers only"),
    ("1986/87 1985/86 04/09/87 -- 3.16 -- 2.98", "numbers only"),
    ("Russia agreed.", "too few words"),
    ("The cat sat.", "too few words"),
    ("Smith, Jones, Brown, Taylor, Evans", "list of names"),
    ("Replacements: Fortey, Murphy, Daly, Vaili, Cole, Hayes, Trueman.", "list of names"),
    ("R de Marigny; Mirco Bergamasco, W Pozzebon, A Masi, L Nitoglia; L Orquera, A Troncon (capt).", "list of names"),
    ("Gerrard 79 og, Drogba 107, Kezman 112.", "list of names"),
    # BBC News: matched "Rooney was being well marshalled by Dunne" (claim 0.91) in the same report
    ("Goals: Rooney 68, Dunne 75 og.", "list of names"),
    ("Chelsea 2-1 Arsenal", "score line"),
    ("France v Faroe Islands; Switzerland v Israel.", "score line"),
    # Reuters-21578: fund names and a price table's row, matched with each other (2026-12-05)
    ("LORD ABBETT TAX FREE INCOME FUND NATIONAL SERIES", "heading"),
    ("TOLEDO  58 LB 35 OVR MAY UP 1", "heading"),
    ("PARANA STATE: UMUARAMA NIL, PARANAVAI NIL, LONDRINA NIL, MARINGA NIL.", "list of names"),
])
def test_degenerate_statements_are_named(text: str, reason: str) -> None:
    assert degenerate(text) == reason
    assert check(text) == Unscored(reason)


@pytest.mark.parametrize("text", [
    "Putin met Trump in Helsinki on Monday.",
    "Smith, the club captain, said Jones and Brown would miss the match against Leeds.",
    "Prices rose 5% in May, 3% in June and 2% in July, the bureau said.",
    "Russia, China and Iran rejected the proposal, their envoys said in a joint letter.",
    "Obama, Romney Prepare for First Debate",
    "Middle East: Iraq: 17 Prisoners Escape in Kirkuk",
    "OPEC MINISTERS AGREE TO CUT OUTPUT IN VIENNA",  # a headline in capitals has words of a sentence
])
def test_sentences_with_names_and_figures_are_not_degenerate(text: str) -> None:
    assert check(text) is None
