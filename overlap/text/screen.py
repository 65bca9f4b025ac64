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
from typing import Iterable

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
_RUN = 40  # characters in an encoded run
_ENCODED_RUN = re.compile(rf"[A-Za-z0-9+/=_-]{{{_RUN},}}")
_TOKEN = re.compile(r"\S+")
# The same classes as bytes of ASCII text, for bytes.translate: the unreadable ones (deleted to count them),
# and str.split's white space (to " ") against everything else (to "x").
_ASCII_UNREADABLE = bytes(c for c in range(128) if _UNREADABLE.match(chr(c)))
_ASCII_SOLID = bytes(32 if chr(c).isspace() else ord("x") for c in range(256))
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
    return _screen_ascii(text, n) if text.isascii() else _screen_any(text, n)


def _screen_any(text: str, n: int) -> str | None:
    """:func:`screen`'s rules for a non-empty text of any script, within ``max_chars``."""
    unreadable = _count(_UNREADABLE, text)
    if unreadable >= BINARY_SHARE * n:
        return _binary(unreadable, n)
    tokens = text.split()  # the runs without white space (str.split and regex \\s agree on what is a space)
    solid = sum(map(len, tokens))
    # a base64/hex run lies inside one token, so a text without a token of 40 characters has none (most prose)
    encoded = _encoded(text) if tokens and max(map(len, tokens)) >= _RUN else 0
    if solid and encoded >= ENCODED_SHARE * solid:
        return _encoded_reason(encoded, solid)
    if len(tokens) >= NUMBERS_MIN_TOKENS:
        return _numbers(_lettered(tokens, NUMBERS_LETTER_SHARE * len(tokens)), len(tokens))
    return None


def _screen_ascii(text: str, n: int) -> str | None:
    """:func:`screen` of an ASCII text, its counts taken on bytes without cutting the text into tokens.

    The same rules and answers (``tests/test_screen.py`` checks them against
    the plain every-token way). ``str.split`` made a string of every token
    only to count them: on Reuters-21578's bodies this path takes 0.16 CPU s
    where the general one took 0.29.
    """
    raw = text.encode("ascii")
    unreadable = n - len(raw.translate(None, _ASCII_UNREADABLE))
    if unreadable >= BINARY_SHARE * n:
        return _binary(unreadable, n)
    marked = raw.translate(_ASCII_SOLID)  # white space as str.split sees it -> " ", anything else -> "x"
    solid = n - marked.count(b" ")
    tokens = marked.count(b" x") + marked.startswith(b"x")
    encoded = _encoded(text) if b"x" * _RUN in marked else 0
    if solid and encoded >= ENCODED_SHARE * solid:
        return _encoded_reason(encoded, solid)
    if tokens >= NUMBERS_MIN_TOKENS:
        lazily = (m.group() for m in _TOKEN.finditer(text))  # _lettered stops early: prose never cuts them all
        return _numbers(_lettered(lazily, NUMBERS_LETTER_SHARE * tokens), tokens)
    return None


def _encoded(text: str) -> int:
    return sum(len(m.group()) for m in _ENCODED_RUN.finditer(text))


def _binary(unreadable: int, n: int) -> str:
    return f"not text: binary ({unreadable / n:.0%} control or undecodable characters)"


def _encoded_reason(encoded: int, solid: int) -> str:
    return f"not text: encoded data ({encoded / solid:.0%} of the characters in long base64/hex runs)"


def _numbers(lettered: int, tokens: int) -> str | None:
    if lettered < NUMBERS_LETTER_SHARE * tokens:
        return f"not text: numbers ({lettered / tokens:.0%} of {tokens:,} tokens have a letter)"
    return None


def _lettered(tokens: Iterable[str], enough: float) -> int:
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
