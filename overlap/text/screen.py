"""Set aside documents that are not prose, before any stage pays for them.

A folder of articles sometimes holds a file that is not an article: a binary
copied in by mistake, a base64 attachment, a table of figures, a dump with
no line breaks. Each later stage is written for prose (sentences, quotations,
words), and on such input some of them cost far more than on any article (one
executable took the paraphrase tier over ten minutes; one 50 MB line took over
5 GB). :func:`screen` names what a document is when it is not text, so the scan
counts it as skipped, with that reason, instead.

The rules look only at character classes that mean the same in every script,
so Chinese, Thai, Arabic or Russian articles (no ASCII letters at all) are
never mistaken for binary:

* **too long**: more than ``max_chars`` characters (a bound on every stage's
  cost per document; the longest Reuters-21578 article has 13,396, BBC News
  25,452);
* **binary**: at least 25% control characters (other than tab, line and page
  breaks) or U+FFFD (bytes that were not UTF-8). Executables and compressed
  data score 55-65%; real text 0 (Reuters, BBC), at most 1.3% in PAN 2013's
  articles, whose apostrophes are ``\\x19``; a Latin-script article in cp1252
  stays far below (only its accented letters are lost);
* **encoded data**: at least half of the non-space characters in runs of 40 or
  more base64/hex characters (``A-Za-z0-9+/=_-`` without a space): base64
  and hex dumps, never words of any language;
* **numbers**: at least 100 tokens (runs without white space) and under 5%
  of them containing a letter of any script. Reuters' price tables ("Apr
  148.00 148.00 148.25 ...": 17% at the least, 36% among texts of 100
  tokens or more) stay in.

>>> screen("The minister said talks would resume next week.", 1000) is None
True
>>> screen("\\x00\\x01\\x02 ELF \\x00\\x00", 1000)
'not text: binary (50% control or undecodable characters)'
>>> screen("x" * 20, 10)
'too long (20 characters > 10)'
"""

from __future__ import annotations

import re

__all__ = ["screen", "SET_ASIDE", "BINARY_SHARE", "ENCODED_SHARE", "NUMBERS_MIN_TOKENS", "NUMBERS_LETTER_SHARE"]

#: How every reason :func:`screen` gives begins (``reason.startswith(SET_ASIDE)``).
SET_ASIDE = ("too long", "not text")
#: Share of control or undecodable characters at which a text is binary.
BINARY_SHARE = 0.25
#: Share of non-space characters in long base64/hex runs at which a text is encoded data.
ENCODED_SHARE = 0.5
#: The numbers rule needs this many tokens: a short line of figures is just short.
NUMBERS_MIN_TOKENS = 100
#: Under this share of tokens with a letter, a text is a table of numbers.
NUMBERS_LETTER_SHARE = 0.05

# C0 controls but tab, LF, VT, FF, CR; DEL and the C1 controls; the replacement character
_UNREADABLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_ENCODED_RUN = re.compile(r"[A-Za-z0-9+/=_-]{40,}")
_LETTER = re.compile(r"[^\W\d_]")  # a letter of any script


def _count(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def screen(text: str, max_chars: int) -> str | None:
    """Why ``text`` is set aside (``'too long (...)'``, ``'not text: ... (...)'``), or ``None`` to keep it.

    The part of a reason before `` (`` is the same for every document it
    applies to, so reports count documents by it. Cost: a few linear passes
    over at most ``max_chars`` characters.

    >>> screen("12.5 3.75 " * 60, 10_000)
    'not text: numbers (0% of 120 tokens have a letter)'
    >>> screen("Цены на хлеб выросли на пять процентов в мае.", 1000) is None
    True
    """
    n = len(text)
    if n > max_chars:
        return f"too long ({n:,} characters > {max_chars:,})"
    if not n:
        return None
    unreadable = _count(_UNREADABLE, text)
    if unreadable >= BINARY_SHARE * n:
        return f"not text: binary ({unreadable / n:.0%} control or undecodable characters)"
    tokens = text.split()  # the runs without white space (str.split and regex \\s agree on what is a space)
    solid = sum(map(len, tokens))
    # a base64/hex run lies inside one token, so a text without a token of 40 characters has none (most prose)
    encoded = sum(len(m.group()) for m in _ENCODED_RUN.finditer(text)) if tokens and max(map(len, tokens)) >= 40 else 0
    if solid and encoded >= ENCODED_SHARE * solid:
        return f"not text: encoded data ({encoded / solid:.0%} of the characters in long base64/hex runs)"
    if len(tokens) >= NUMBERS_MIN_TOKENS:
        lettered = _lettered(tokens, NUMBERS_LETTER_SHARE * len(tokens))
        if lettered < NUMBERS_LETTER_SHARE * len(tokens):
            return f"not text: numbers ({lettered / len(tokens):.0%} of {len(tokens):,} tokens have a letter)"
    return None


def _lettered(tokens: list[str], enough: float) -> int:
    """How many tokens hold a letter, counting stops at ``enough``: in prose that is within its first words.

    >>> _lettered(["12", "a1", "b", "3"], 10), _lettered(["a", "b", "c"], 2)
    (2, 2)
    """
    search = _LETTER.search
    found = 0
    for token in tokens:
        if search(token) is not None:
            found += 1
            if found >= enough:
                break
    return found
