"""Figures that disagree: two statements that both give percentages, none of which agree, are not the same claim.

"GDP rose by 0.8% in the fourth quarter, INSEE said" and "The ONS says GDP rose by a strong 0.7% in
the three months to 31 December" share their words and their shape, so the fitted scores call them
the same statement (BBC News, 0.56); so do two eurobonds' terms ("paying 14-1/4 pct and priced at
101-1/2 pct" / "at 7-5/8 pct and priced at 101-5/8 pct") and one retailer's sales in two months ("rose
4.2 pct" / "rose 4.9 pct"). The candidate filter (:func:`overlap.claims.candidates.filter_pairs`)
drops pairs whose numbers share none, but any shared number keeps a pair ("three month period" /
"three months"). A percentage is the figure a claim is about, so this check compares them alone,
with rounding allowed: two agree when they differ by at most 5% of the larger plus half a unit of
the coarser one's last digit ("4 percent" and "3.8 percent", "0.29" and "0.30", "29%" and "28.9%").
It is a veto on accepted pairs, like the role check, and needs no parser.

Measured on 2026-12-04 (pairs where both sides give percentages and none agree, among the pairs
each set labels the same / not the same): MRPC train 40 of 2,753 paraphrases / 108 of 1,323 others
(MRPC calls "rose 8.8 per cent" and "rose by 6.7 per cent" paraphrases); STS-B train, rated 3 or
more / under 3, 5 of 2,994 / 50 of 2,755; STS-B dev 1 of 629 / 15 of 871; PAWS-Wiki none. The
effect on the tier's decisions is in ``bench/roles.py`` and the README.
"""

from __future__ import annotations

import re

__all__ = ["percentages", "agree", "figure_conflict"]

# "0.8%", "2.5 percent", "6.7 per cent", "2.2 pct", "14-1/4 pct", "1/2 pct", "3 percentage points"
_PERCENT = re.compile(
    r"(?<![\w./-])(?:(\d+(?:,\d{3})*(?:\.\d+)?)(?:-(\d+)/(\d+))?|(\d+)/(\d+))\s*"
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
            value = float(whole.replace(",", ""))
            unit = 10.0 ** -len(whole.partition(".")[2])
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
    """Why two statements cannot be the same claim by their figures: both give percentages and none
    of one agrees with any of the other; else ``None``. Symmetric.

    >>> figure_conflict("GDP rose by 0.8% in the fourth quarter.", "GDP rose by a strong 0.7% in the quarter.")
    'percentages 0.8% in one, 0.7% in the other'
    >>> figure_conflict("Shares fell 4 percent.", "Shares were down 3.8 percent, or 66 cents."), figure_conflict("up 3%", "up")
    (None, None)
    """
    x, y = percentages(a), percentages(b)
    if not x or not y or any(agree(p, q) for p in x for q in y):
        return None
    return f"percentages {_listed(x)} in one, {_listed(y)} in the other"


def _listed(values: list[tuple[float, float]]) -> str:
    return ", ".join(f"{v:g}%" for v in dict.fromkeys(v for v, _ in values))
