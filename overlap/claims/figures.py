"""Figures that disagree: two statements that each give a figure the other does not are not the same claim.

"GDP rose by 0.8% in the fourth quarter, INSEE said" and "The ONS says GDP rose by a strong 0.7% in
the three months to 31 December" share their words and their shape, so the fitted scores call them
the same statement (BBC News, 0.56); so do two eurobonds' terms ("paying 14-1/4 pct and priced at
101-1/2 pct" / "at 7-5/8 pct and priced at 101-5/8 pct") and one retailer's sales in two months ("rose
4.2 pct" / "rose 4.9 pct"). The candidate filter (:func:`overlap.claims.candidates.filter_pairs`)
drops pairs whose numbers share none, but any shared number keeps a pair ("three month period" /
"three months"). A percentage is the figure a claim is about, so this check compares them alone,
with rounding allowed: two agree when they differ by at most 5% of the larger plus half a unit of
the coarser one's last digit ("4 percent" and "3.8 percent", "0.29" and "0.30", "29%" and "28.9%").

Wire services write one template for many facts: "Detroit Edison Co is raising 400 mln dlrs through a
two-tranche offering of ... mortgage bonds, said sole manager Morgan Stanley" and "Commonwealth Edison
Co is raising 360 mln dlrs via a two-tranche offering ..." (Reuters-21578, the same statement at 0.69),
the Bank of England's bill purchases day after day, a weekly money supply. So amounts are compared too
(:func:`amounts`): a figure with a currency sign before it ("$2bn", "£1.1bn") or a unit after it ("75
mln stg", "100 mln Canadian dlr", "5,490 tonnes", "700,000 bpd"; :data:`_UNITS`), scaled ("mln",
"billion", "bn"). When both statements give amounts in a unit in common and no amount of one agrees
with any amount of the other in its unit, the pair is rejected. Amounts agree within 1% of the larger
plus half the coarser last digit ("$1.2 billion" / "$1.23 billion"; "224 mln" / "234 mln" do not). Any
agreement kept the pair then, whatever the unit, so that one claim's euros converted to dollars on two
days ("4bn euros ($4.8bn)" / "4bn euros ($5.2bn)") still agreed in euros. Figures said in words up to
ninety-nine count as their digits ("two mln stg", "five pct").

Agreeing once was not enough. A template fills several slots, and two bonds' call terms share some
("callable at 106 pct declining by one pct per annum ... not callable until May 7, 1993 unless ... 130
pct or the issue is more than 95 pct converted" / "... until 1994 unless ... 130 pct"), so do two polls
(Labour's 32 pct in both, the others' shares not). So the rule is: in some kind both statements give
(percentages, years, amounts in one unit), each gives a figure that agrees with none of the other's
(:func:`figure_conflict`). A statement giving the other's figures and more is the same claim with a
detail added, and is kept. Years count (1800-2099 standing alone: a maturity, a season), equal or not;
an amount converted in brackets after another ("4 billion euros (£2.8bn; $4.8bn)") is the first amount on
the day it was written, not a figure of its own, and is not compared (:func:`figures`).

It is a veto on accepted pairs, like the role check, and needs no parser.

Measured on 2026-12-04 (pairs where the check rejects, among the pairs each set labels the same / not
the same; percentages alone, then with amounts): MRPC train 40 -> 71 of 2,753 paraphrases / 108 -> 155 of
1,323 others (MRPC calls "rose 8.8 per cent" and "rose by 6.7 per cent", or "$1.71 million" and "$1.5
million" of one candidate's spending, paraphrases: every added one read by hand gives different
figures); STS-B train, rated 3 or more / under 3, 5 -> 11 of 2,994 / 50 -> 79 of 2,755; STS-B dev 1 -> 1
of 629 / 15 -> 19 of 871; PAWS-Wiki none. The effect on the tier's decisions is in ``bench/roles.py``
and the README. Then (2026-12-05) each side's lone figure, years and conversions, against the rule
before (any agreement kept a pair): MRPC train 70 -> 89 / 155 -> 172 (every added "paraphrase" read gives
other figures: two market snapshots, "lost 58 cents" / "fell 65 cents"), STS-B train 11 -> 14 / 79 -> 87,
STS-B dev 1 -> 1 / 20 -> 24, PAWS-Wiki none.
"""

from __future__ import annotations

import re
from typing import Iterable

from .signals import NUMBER_WORDS

__all__ = ["percentages", "amounts", "figures", "agree", "figure_conflict", "parts_conflict", "can_carry"]

#: Figures said in words ("five pct", "two mln stg"), up to ninety-nine: the scale words are scales.
_WORDS = {word: float(value) for word, value in NUMBER_WORDS.items() if float(value) < 100}
_FIGURE = r"(\d+(?:,\d{3})*(?:\.\d+)?|(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b)"
# "0.8%", "2.5 percent", "6.7 per cent", "2.2 pct", "14-1/4 pct", "1/2 pct", "3 percentage points", "five pct"
_PERCENT = re.compile(
    r"(?<![\w./-])(?:" + _FIGURE + r"(?:-(\d+)/(\d+))?|(\d+)/(\d+))\s*"
    r"(?:%|per\s?cent\b|pct\b|percentage\s+points?\b)",
    re.I,
)


def percentages(text: str) -> list[tuple[float, float]]:
    """Each percentage the text gives: its value and the unit of its last digit (1 for "4%", 0.1
    for "3.8%", 1/8 for "14-1/8 pct").

    >>> percentages("up 2.2 pct, or 14-1/4 pct, from 1/2 pct; 3 percentage points; 6.7 per cent")
    [(2.2, 0.1), (14.25, 0.25), (0.5, 0.5), (3.0, 1.0), (6.7, 0.1)]
    """
    out = []
    for m in _PERCENT.finditer(text):
        whole, num, den, alone_num, alone_den = m.groups()
        if whole is not None:
            value, unit = _figure(whole)
            if num is not None and int(den):
                value, unit = value + int(num) / int(den), 1 / int(den)
        elif int(alone_den):
            value, unit = int(alone_num) / int(alone_den), 1 / int(alone_den)
        else:
            continue
        out.append((value, unit))
    return out


def agree(x: tuple[float, float], y: tuple[float, float]) -> bool:
    """Whether two percentages may be one figure, rounded: they differ by at most 5% of the larger
    plus half the coarser unit.

    >>> agree((4.0, 1.0), (3.8, 0.1)), agree((0.8, 0.1), (0.7, 0.1)), agree((0.29, 0.01), (0.3, 0.01))
    (True, False, True)
    """
    return abs(x[0] - y[0]) <= 0.05 * max(abs(x[0]), abs(y[0])) + max(x[1], y[1]) / 2 + 1e-9


def figure_conflict(a: str, b: str) -> str | None:
    """Why two statements cannot be the same claim by their figures: in a kind both give (percentages,
    years, amounts in one unit), each gives a figure that agrees with none of the other's; else ``None``.
    Symmetric. A statement that gives the other's figures of a kind and more is not in conflict with it
    (the same claim, with a detail added), nor are two that each add a figure of another kind ("at 111.981
    pct of par" / "on May 4, 1987"); a conversion in brackets after an amount is not compared (:func:`figures`).

    >>> figure_conflict("GDP rose by 0.8% in the fourth quarter.", "GDP rose by a strong 0.7% in the quarter.")
    'percentages 0.8% in one, 0.7% in the other'
    >>> figure_conflict("Shares fell 4 percent.", "Shares were down 3.8 percent, or 66 cents."), figure_conflict("up 3%", "up")
    (None, None)
    >>> figure_conflict("callable at 106 pct until 1993", "callable at 106 pct until 1994")
    'years 1993 in one, 1994 in the other'
    >>> figure_conflict("callable at 106 pct until 1993, or 95 pct converted", "callable at 106 pct until 1993")
    """
    return _conflict(figures(a), figures(b))


def _conflict(x: list[tuple[str, float, float]], y: list[tuple[str, float, float]]) -> str | None:
    """:func:`figure_conflict` of two statements' :func:`figures`."""
    for kind in dict.fromkeys(k for k, _, _ in x):
        mine, theirs = [f for f in x if f[0] == kind], [f for f in y if f[0] == kind]
        lone_x = [f for f in mine if not any(_agree(f, g) for g in theirs)]
        lone_y = [f for f in theirs if not any(_agree(f, g) for g in mine)]
        if lone_x and lone_y:
            return f"{_kind(kind)} {_values(lone_x)} in one, {_values(lone_y)} in the other"
    return None


def parts_conflict(a: str, b: str, statements_conflict: bool) -> bool:
    """Whether two parts of a statement pair (each the statement or one of its clauses) cannot carry one claim by
    their figures: theirs disagree (:func:`figure_conflict`), or their statements' do (``statements_conflict``)
    and the two parts give no figure in common. A clause pair may carry a claim its statements, each with
    other figures beside it, cannot ("Deutsche Boerse previously offered £1.3bn ..., while Euronext is rumoured
    to ... fund a £1.4bn cash bid" / "... Euronext has the facilities in place to make a bid of £1.4bn, while
    its German rival may up its bid to the £1.5bn mark"), but only on a figure both give: a clause without
    one is a piece of a statement about other figures ("or estimate the prevalence of HIV among their staff",
    of "Nor could over 65% of the business leaders surveyed say ...", against another's "24%").

    >>> parts_conflict("a £1.4bn cash bid", "a bid of £1.4bn", True), parts_conflict("the prevalence of HIV", "a prevalence of 24%", True)
    (False, True)
    """
    x, y = figures(a), figures(b)
    if _conflict(x, y) is not None:
        return True
    return statements_conflict and not any(_agree(f, g) for f in x for g in y)


def can_carry(statements: tuple[str, str], parts: Iterable[tuple[str, str]]) -> list[bool]:
    """Whether each pair of ``parts`` of the two ``statements`` can carry one claim by its figures
    (:func:`parts_conflict`): what ``decide``, the claim clusters and the pair model's reading all ask."""
    whole = figure_conflict(*statements) is not None
    return [not parts_conflict(x, y, whole) for x, y in parts]


def figures(text: str) -> list[tuple[str, float, float]]:
    """The figures a claim is about, each as (kind, value, unit of its last digit): its percentages (kind
    ``"percent"``), its years (``"year"``, 1800-2099 standing alone: "due May 7, 1993", "in 1986") and its
    amounts (kind: their unit, :func:`amounts`), but not an amount converted in brackets right after
    another ("4 billion euros (£2.8bn; $4.8bn)": the dollars are the euros on the day it was written).

    >>> figures("4 billion euros (£2.8bn; $4.8bn), 2.5% more than in 2003")
    [('percent', 2.5, 0.1), ('year', 2003.0, 1.0), ('euro', 4000000000.0, 1000000000.0)]
    """
    out = [("percent", v, u) for v, u in percentages(text)]
    found = list(_AMOUNT.finditer(text))
    taken = [m.span() for m in found] + [m.span() for m in _PERCENT.finditer(text)]
    out += [("year", float(m.group(1)), 1.0) for m in _YEAR.finditer(text)
            if not any(a <= m.start() < b for a, b in taken)]  # "2000 tonnes" is an amount
    ends = [m.end() for m in found]
    for m in found:
        opened = text.rfind("(", 0, m.start())
        inside = opened >= 0 and ")" not in text[opened:m.start()]
        if inside and any(not text[e:opened].strip() for e in ends if e <= opened):
            continue  # a conversion of the amount just before the bracket
        out.append(_amount_of(m))
    return out


#: A year standing alone: not part of a longer number or a word (a percentage or an amount is set aside
#: by :func:`figures`).
_YEAR = re.compile(r"(?<![\w$£€¥.,/-])(1[89]\d\d|20\d\d)(?![\w%/-]|[.,]\d)")


def _agree(x: tuple[str, float, float], y: tuple[str, float, float]) -> bool:
    """Whether two figures of one kind may be the same figure: percentages as :func:`agree`, amounts as
    :func:`_amounts_agree`, years only when equal."""
    if x[0] != y[0]:
        return False
    if x[0] == "percent":
        return agree(x[1:], y[1:])
    if x[0] == "year":
        return x[1] == y[1]
    return _amounts_agree(x, y)


def _kind(kind: str) -> str:
    return {"percent": "percentages", "year": "years"}.get(kind, f"amounts in {kind}s")


def _values(found: list[tuple[str, float, float]]) -> str:
    kind = found[0][0]
    if kind == "percent":
        return _listed([f[1:] for f in found])
    if kind == "year":
        return ", ".join(dict.fromkeys(f"{v:.0f}" for _, v, _ in found))
    return _amounts_listed(found)


#: Scale words after a figure ("1.2 billion", "75 mln", "$2bn", "500,000").
_SCALES = {"thousand": 1e3, "mln": 1e6, "million": 1e6, "mil": 1e6, "m": 1e6, "bln": 1e9, "billion": 1e9,
           "bil": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "trln": 1e12}
#: What an amount is counted in, by the word or sign that gives it; two amounts are compared only in the
#: same unit. Every dollar is one unit ("Canadian dlrs", "U.S. dollars"): a template names the same one.
_UNITS = {
    "$": "dollar", "us$": "dollar", "$us": "dollar", "dlr": "dollar", "dlrs": "dollar", "dollar": "dollar", "dollars": "dollar",
    "£": "pound", "stg": "pound", "sterling": "pound", "pound": "pound", "pounds": "pound",
    "€": "euro", "euro": "euro", "euros": "euro", "¥": "yen", "yen": "yen", "ecu": "ecu", "ecus": "ecu",
    "franc": "franc", "francs": "franc", "lire": "lira", "lira": "lira", "yuan": "yuan", "rupees": "rupee",
    "roubles": "rouble", "rubles": "rouble", "pesos": "peso", "cts": "cent", "cents": "cent",
    "tonnes": "tonne", "tonne": "tonne", "tons": "tonne", "ton": "tonne", "bpd": "bpd", "barrels": "barrel",
    "ounces": "ounce", "bushels": "bushel", "shares": "share",
}
_NUMBER = _FIGURE + r"(?:-(\d+)/(\d+))?"
_SCALE = r"(?:(?:\s*|-)(" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")\b)?"
_AFTER = "|".join(sorted((re.escape(u) for u in _UNITS if u[0].isalpha()), key=len, reverse=True))
# "$2bn", "US$ 1.5 million", "£1.1bn"; "75 mln stg", "100 mln Canadian dlr", "300 mln Luxembourg franc",
# "5,490 tonnes": up to two capitalised words (a currency's country) between the figure and its unit
_AMOUNT = re.compile(
    r"(?:(?<![\w$£€¥])(us\$|\$us|\$|£|€|¥)\s?" + _NUMBER + _SCALE + r")"
    r"|(?:(?<![\w.,/])" + _NUMBER + _SCALE + r"\s+(?:(?-i:[A-Z][\w.]*)\s+){0,2}(" + _AFTER + r")\b)",
    re.I,
)
#: How far two amounts of one unit may differ and still be one figure, as a share of the larger (beside
#: half the coarser one's last digit): tighter than for percentages, whose rounding is coarser
#: ("4 percent" / "3.8 percent"); "$1.2 billion" / "$1.23 billion" agree, "224 mln" / "234 mln" do not.
_AMOUNT_SHARE = 0.01


def amounts(text: str) -> list[tuple[str, float, float]]:
    """Each amount the text gives in a known unit (:data:`_UNITS`): the unit, the value and the unit of
    its last digit, scaled ("$2bn": 2e9, 1e9; "75 mln stg": 75e6, 1e6).

    >>> amounts("paid 1.55bn euros ($2bn; £1.1bn) for 5,490 tonnes, 100 mln Canadian dlr and 2,400 Iraqis")
    [('euro', 1550000000.0, 10000000.0), ('dollar', 2000000000.0, 1000000000.0), ('pound', 1100000000.0, 100000000.0), ('tonne', 5490.0, 1.0), ('dollar', 100000000.0, 1000000.0)]
    """
    return [_amount_of(m) for m in _AMOUNT.finditer(text)]


def _amount_of(m: re.Match[str]) -> tuple[str, float, float]:
    """The amount one match of :data:`_AMOUNT` gives: its unit, value and the unit of its last digit, scaled."""
    sign, whole, num, den, scale = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    unit_word = sign
    if sign is None:
        whole, num, den, scale, unit_word = m.group(6), m.group(7), m.group(8), m.group(9), m.group(10)
    value, step = _figure(whole)
    if num is not None and int(den):
        value, step = value + int(num) / int(den), 1 / int(den)
    factor = _SCALES[scale.lower()] if scale else 1.0
    return _UNITS[unit_word.lower()], value * factor, step * factor


def _figure(text: str) -> tuple[float, float]:
    """A figure's value and the unit of its last digit ("2.50": 2.5, 0.01; "five": 5.0, 1.0)."""
    if text[0].isdigit():
        return float(text.replace(",", "")), 10.0 ** -len(text.partition(".")[2])
    return _WORDS[text.lower()], 1.0


def _amounts_agree(x: tuple[str, float, float], y: tuple[str, float, float]) -> bool:
    return abs(x[1] - y[1]) <= _AMOUNT_SHARE * max(abs(x[1]), abs(y[1])) + max(x[2], y[2]) / 2 + 1e-9


def _amounts_listed(values: list[tuple[str, float, float]]) -> str:
    return ", ".join(_amount(v) for v in dict.fromkeys(v for _, v, _ in values))


def _amount(value: float) -> str:
    """An amount as the news writes it: "400 mln", "1.2 bn", "5,490"."""
    for size, word in ((1e9, "bn"), (1e6, "mln")):
        if abs(value) >= size:
            return f"{value / size:.6g} {word}"
    return f"{value:,.6g}"


def _listed(values: list[tuple[float, float]]) -> str:
    return ", ".join(f"{v:g}%" for v in dict.fromkeys(v for v, _ in values))
