"""Outlets an article states itself: "Source: Tass", "MOSCOW (Reuters) -", "H. J. I. / AA".

Text folders and scraped feeds often arrive without a source, although the
article names its outlet in a credit line, a dateline or a sign-off. Without
a source, the reuse graph cannot say who reused whom, so :func:`infer_source`
offers the stated outlet. It is only an offer: ingest uses it where no source
was given (never over a record's field or a sidecar) and marks it, as
``"TASS (inferred)"`` with the evidence line in ``meta["source_evidence"]``,
so a reader always tells a stated outlet from a given one.

Precision matters more than recall here (a wrong outlet draws a false reuse
edge), hence three narrow rules, looked for only in the first and last lines:

* an explicit credit line, ``Source: Tass`` / ``Via: X`` (up to six words;
  not "Sources:", which lists references, nor "Credit:", mostly a photo's);
* a dateline with a news agency in parentheses, ``LONDON (Reuters) -``;
* a line that is a known agency and nothing else but a date or initials:
  a sign-off (``Reuter``), a dated credit (``January 15, 2017 TASS``),
  initials and agency (``H. J. I. / AA``). "rated AA" or a wrapped line
  ending in "news agency Tass" are sentences, not credits.

Only the agencies in :data:`AGENCIES` are recognised in the last two rules,
so a byline or a place name is never taken for an outlet.

>>> infer_source("Russia's Security Council hopes\\n\\nJanuary 15, 2017 TASS\\n\\nText of the story.")
('TASS', 'January 15, 2017 TASS')
>>> infer_source("LONDON (Reuters) - Shares rose on Monday.")
('Reuters', 'LONDON (Reuters) - Shares rose on Monday.')
>>> infer_source("A story with no credit at all.\\nStandard and Poor's rates it AA.") is None
True
"""

from __future__ import annotations

import re

__all__ = ["AGENCIES", "infer_source", "INFERRED"]

#: Canonical agency name -> the forms articles write it in (matched case-insensitively).
AGENCIES: dict[str, tuple[str, ...]] = {
    "Reuters": ("reuters", "reuter"),
    "Associated Press": ("ap", "associated press"),
    "Agence France-Presse": ("afp", "agence france-presse", "agence france presse"),
    "TASS": ("tass", "itar-tass"),
    "RIA Novosti": ("ria novosti",),
    "Interfax": ("interfax",),
    "Sputnik": ("sputnik",),
    "Xinhua": ("xinhua",),
    "Anadolu Agency": ("aa", "anadolu", "anadolu agency"),
    "United Press International": ("upi",),
    "dpa": ("dpa",),
    "EFE": ("efe",),
    "ANSA": ("ansa",),
    "Press Trust of India": ("pti",),
    "Kyodo": ("kyodo",),
    "Yonhap": ("yonhap",),
    "Bernama": ("bernama",),
}
INFERRED = " (inferred)"
_ALIAS = {alias: name for name, aliases in AGENCIES.items() for alias in aliases}
# short aliases are words too ("aa", "ap"): they count only in the case agencies write them
_EXACT = {"AA", "AP", "AFP", "UPI", "EFE", "PTI", "dpa", "ANSA"}
_EDGE_CHARS = 800  # text looked at from each end: a credit sits there, and the cost stays bounded
_EDGE_LINES = 6
_CREDIT_CHARS = 60  # a credit line is short; longer lines are sentences
_CREDIT = re.compile(r"^(?:source|via)\s*[:\-\u2013\u2014]\s*(.+?)\s*\.?$", re.IGNORECASE)
_DATELINE = re.compile(r"\(([A-Za-z][A-Za-z .\-]{0,30})\)\s*[-\u2013\u2014]")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_AGENCY_LINE = re.compile(
    r"^(?:"
    rf"(?:(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}})\s+"  # a dated credit
    r"|(?:[A-Z]\.\s*){1,4}/\s*"  # initials and a slash
    r"|[-\u2013\u2014(\s]*"  # or the agency alone
    r")([A-Za-z][A-Za-z\-]*(?: [A-Za-z][A-Za-z\-]*)?)\)?\s*(?:\.\.\.)?$",  # "Reuters." ends a sentence
    re.IGNORECASE,
)


# An agency line ends with an agency's name, then perhaps ")" and "...": a line that does not is not
# tried against :data:`_AGENCY_LINE` (most short lines are not credits; the regular expression is the
# dearest step of :func:`infer_source`).
_ALIAS_ENDINGS = tuple(_ALIAS)


def _may_end_with_agency(line: str) -> bool:
    """Necessary for :data:`_AGENCY_LINE` to name an agency: the line, lower-cased, ends with an alias.

    The expression's name group is letters, hyphens and at most one space, followed only by an
    optional ")", white space and "..."; :func:`_agency` lower-cases it and looks it up whole, so
    a line whose end (those three stripped) is not an alias cannot give a name.
    """
    if line.endswith("..."):
        line = line[:-3]
    line = line.rstrip()
    if line.endswith(")"):
        line = line[:-1]
    return line.lower().endswith(_ALIAS_ENDINGS)


def _agency(words: str) -> str | None:
    words = " ".join(words.split())
    if words.upper() in _EXACT or words in _EXACT:
        return _ALIAS[words.lower()] if words in _EXACT else None
    return _ALIAS.get(words.lower())


def _edge_lines(text: str) -> tuple[list[str], list[str]]:
    head = [ln.strip() for ln in text[:_EDGE_CHARS].splitlines() if ln.strip()][:_EDGE_LINES]
    tail = [ln.strip() for ln in text[-_EDGE_CHARS:].splitlines() if ln.strip()][-_EDGE_LINES:]
    return head, tail


def infer_source(text: str) -> tuple[str, str] | None:
    """``(outlet, evidence line)`` when the text states its outlet, else ``None``."""
    head, tail = _edge_lines(text)
    edge = head + [ln for ln in tail if ln not in head]
    for line in edge:
        m = _CREDIT.match(line) if line[:3].lower() in ("sou", "via") else None
        if m and len(m.group(1).split()) <= 6:
            name = m.group(1).strip(" .")
            return _agency(name) or name, line
    for line in head[:3]:
        m = _DATELINE.search(line) if "(" in line else None
        if m and _agency(m.group(1)):
            return _agency(m.group(1)), line  # type: ignore[return-value]
    for line in edge:
        m = _AGENCY_LINE.match(line) if len(line) <= _CREDIT_CHARS and _may_end_with_agency(line) else None
        if m:
            name = _agency(m.group(1))
            if name is not None:
                return name, line
    return None
