"""Text normalisation that remembers where every character came from.

Matching wants text folded (Unicode NFKC, one kind of quote and dash, case,
runs of white space) but people want to see the *original* text, with its
offsets. So normalisation here is a per-character mapping plus white-space
folding, and :func:`normalize` returns, for each character of the normalised
text, the index of the original character it came from. Nothing is rewritten
in place: offsets always point into the text the user gave us.

Folding rules (one table, used by every stage):

* each character goes through NFKC and lower-casing, repeated until stable
  (so the result is idempotent);
* dashes (Unicode ``Pd``) and minus signs become ``-``; double quotation
  marks become ``"``;
* apostrophes and single quotation marks are dropped, so ``Russia's``,
  ``Russia’s`` and ``Russias`` match;
* control and format characters (zero-width spaces, soft hyphens, BOMs,
  stray C0/C1 controls such as PAN's ``U+0019``) are dropped;
* the Arabic tatweel (``U+0640``, a stretch of the baseline) and the optional
  Arabic vowel marks (tanwin, fatha, damma, kasra, shadda, sukun:
  ``U+064B``-``U+0652``) are dropped, so ``كَتَبَ``, ``كـتـب`` and ``كتب`` match;
* any run of white space becomes one space.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from typing import Literal, overload

__all__ = ["Normalized", "normalize", "normalize_text", "fold_lines", "fold_char", "NORMALIZATION_VERSION"]

# Bump when folding or word cutting (overlap.text.shingle) changes: persisted indexes record it and
# refuse a mismatch. 2: combining marks stay in their words; unspaced scripts cut per letter;
# Arabic tatweel and vowel marks dropped.
NORMALIZATION_VERSION = 2

_DOUBLE_QUOTES = frozenset('"\u00ab\u00bb\u201c\u201d\u201e\u201f\u2033\u2036\u275d\u275e\u301d\u301e\u301f\uff02')
_SINGLE_QUOTES = frozenset("'`\u00b4\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\u275b\u275c\uff07\u02bc\u02bb")
_EXTRA_DASHES = frozenset("\u2212\u2043\ufe63\uff0d")
# Arabic tatweel and the optional vowel marks, which writers add or leave out freely.
_ARABIC_OPTIONAL = frozenset("\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652")


def _fold_once(ch: str) -> str:
    if ch in _SINGLE_QUOTES or ch in _ARABIC_OPTIONAL:
        return ""
    if ch in _DOUBLE_QUOTES:
        return '"'
    if ch.isspace():
        return " "
    cat = unicodedata.category(ch)
    if cat == "Pd" or ch in _EXTRA_DASHES:
        return "-"
    if cat in ("Cc", "Cf"):
        return ""
    return unicodedata.normalize("NFKC", ch).lower()


class _FoldTable(dict):
    """``str.translate`` table filled lazily: a character's fold is computed once."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = _fold_once(ch)
        for _ in range(4):  # fold the result again until it is stable
            nxt = "".join(_fold_once(c) for c in out)
            if nxt == out:
                break
            out = nxt
        self[code] = out
        return out


_TABLE = _FoldTable()
# Pre-fill printable ASCII: upper case letters lower, the rest map to themselves.
for _c in range(0x20, 0x7F):
    _TABLE[_c] = _TABLE.__missing__(_c)

_WS_RUN = re.compile(r" {2,}")
# Printable ASCII whose fold is itself lower-cased (one character each):
# everything from ! to ~ except the quotes " ' ` (and the space, which folds in runs).
_PLAIN = re.compile(r"[!#-&(-_a-~]+")


class _LineFoldTable(_FoldTable):
    """The same folding, but a line feed stays a line feed (lines stay countable)."""

    def __missing__(self, code: int) -> str:
        if code == 10:
            self[code] = "\n"
            return "\n"
        out = _TABLE[code]
        self[code] = out
        return out


_LINE_TABLE = _LineFoldTable()
# ASCII fast path: bytes.translate is a C loop over a 256-entry table.
_ASCII_TABLE = bytes(10 if c == 10 else (ord(_TABLE[c]) if len(_TABLE[c]) == 1 else 0) for c in range(128))
_ASCII_TABLE += bytes(range(128, 256))
_ASCII_DELETE = bytes(c for c in range(128) if c != 10 and len(_TABLE[c]) == 0)


@overload
def fold_lines(text: str) -> list[str]: ...
@overload
def fold_lines(text: str, split: Literal[True]) -> list[str]: ...
@overload
def fold_lines(text: str, split: Literal[False]) -> str: ...


def fold_lines(text: str, split: bool = True) -> list[str] | str:
    """The folded lines of ``text`` (split at line feeds), for word extraction.

    Line ``k`` holds the same words (``\\w+``) as ``normalize_text`` of the
    original line ``k`` (``text.split("\\n")[k]``); white space is not
    collapsed, because word extraction does not need it. Pure-ASCII text, most
    news, takes a fast path. ``split=False`` returns the folded text unsplit.
    """
    if text.isascii():
        folded = text.encode("ascii").translate(_ASCII_TABLE, _ASCII_DELETE).decode("ascii")
    else:
        folded = text.translate(_LINE_TABLE)
    return folded.split("\n") if split else folded


def fold_char(ch: str) -> str:
    """The folded form of one character (may be empty or several characters)."""
    return _TABLE[ord(ch)]


def normalize_text(text: str) -> str:
    """The normalised text alone, fast: what :func:`normalize` returns as ``.text``.

    Used where offsets are not needed (signatures of whole documents).

    >>> normalize_text("Russia\u2019s  \u201cBIG\u201d\u2014threat")
    'russias "big"-threat'
    """
    return _WS_RUN.sub(" ", text.translate(_TABLE))


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text and, for each of its characters, the original index.

    ``offsets`` has one more entry than ``text``: the original end of the last
    character, so a normalised range ``[i, j)`` maps back to the original
    range ``[offsets[i], ends[j-1])`` via :meth:`to_original`.
    """

    text: str
    starts: array  # original index of each normalised character
    ends: array  # original end (exclusive) of each normalised character

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open normalised range to the original text's range."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"range [{start}, {end}) outside normalised text of length {len(self.text)}")
        if start == end:
            pos = self.starts[start] if start < len(self.text) else (self.ends[-1] if self.text else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def normalize(text: str) -> Normalized:
    """Normalise ``text`` and keep the offset map back to it.

    >>> n = normalize("Don\u2019t  PANIC")
    >>> n.text
    'dont panic'
    >>> n.to_original(5, 10)
    (7, 12)
    """
    out: list[str] = []
    starts = array("q")
    ends = array("q")
    pos = 0
    n = len(text)
    last_space = False
    while pos < n:
        m = _PLAIN.match(text, pos)
        if m is not None:
            run = m.group()
            out.append(run.lower())
            starts.extend(range(pos, pos + len(run)))
            ends.extend(range(pos + 1, pos + len(run) + 1))
            pos = m.end()
            last_space = False
            continue
        folded = _TABLE[ord(text[pos])]
        for ch in folded:
            if ch == " ":
                if last_space:
                    # the space already emitted now also covers this character
                    ends[-1] = pos + 1
                    continue
                last_space = True
            else:
                last_space = False
            out.append(ch)
            starts.append(pos)
            ends.append(pos + 1)
        pos += 1
    return Normalized("".join(out), starts, ends)
