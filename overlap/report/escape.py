"""Untrusted text made safe for each place overlap shows it.

Titles, sources, ids and article text come from the input, which anyone may
have written. Each output format has its own dangers, and one function per
format here, so every renderer escapes the same way:

* :func:`label`: one line for a person (HTML and SVG labels, Markdown cells,
  the terminal): bidirectional controls removed (a U+202E RIGHT-TO-LEFT
  OVERRIDE in a source name would otherwise flip the text after it), control
  characters (a terminal's escape sequences among them) turned into spaces,
  white space collapsed. Joiners (U+200C/U+200D), which Persian and Indic
  scripts need, are kept.
* :func:`markdown_text` and :func:`markdown_code`: Markdown table cells and
  code spans. Raw HTML (``<script>``, ``<img onerror>``) would run in any
  viewer that renders HTML in Markdown, so ``&``, ``<`` and ``>`` become
  entities; Markdown's own active characters are backslash-escaped, so a
  title cannot make a link, an image or a table column.
* :func:`csv_cell`: a spreadsheet runs a cell that starts with ``=``, ``+``,
  ``-`` or ``@`` (or tab, carriage return) as a formula. As OWASP's "CSV
  Injection" page recommends, such text cells get a leading ``'``; the csv
  module quotes the rest. A cell that already starts with ``'`` gets one
  too, so the escape is reversible: strip one leading ``'`` to get the text
  back. Numbers are not text and are never prefixed (a negative number stays
  a number).
"""

from __future__ import annotations

import html
import re

__all__ = ["BIDI_CONTROLS", "strip_bidi", "label", "markdown_text", "markdown_code", "csv_cell"]

#: Embeddings, overrides, isolates and marks: LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = str.maketrans("", "", BIDI_CONTROLS)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_MD_ACTIVE = re.compile(r"([\\`*_\[\]|~#!])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters.

    >>> strip_bidi("evil\\u202e wire")
    'evil wire'
    """
    return text.translate(_BIDI)


def label(text: object) -> str:
    """One safe line for a person: no bidi controls, controls as spaces, white space collapsed.

    >>> label("\\u202eevil\\x1b[31m wire\\n")
    'evil [31m wire'
    """
    if text is None:
        return ""
    return " ".join(_CONTROL.sub(" ", strip_bidi(str(text))).split())


def markdown_text(text: object) -> str:
    """Text for a Markdown table cell or paragraph: HTML escaped, Markdown markup escaped, one line.

    >>> markdown_text("<img src=x onerror=alert(1)> [a](javascript:x) | b")
    '&lt;img src=x onerror=alert(1)&gt; \\\\[a\\\\](javascript:x) \\\\| b'
    """
    out = _MD_ACTIVE.sub(r"\\\1", html.escape(label(text), quote=False))
    return "\\" + out if out[:1] in ("+", "-", "=") else out  # not a list item or heading at a line's start


def markdown_code(text: object) -> str:
    """A Markdown code span holding ``text`` exactly (HTML in a code span is shown, never run).

    The fence is one backtick longer than the longest run inside; a ``|``
    is escaped because GitHub's tables split cells on it even in code spans.

    >>> markdown_code("a`b|c")
    '``a`b\\\\|c``'
    """
    body = label(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def csv_cell(value: object) -> object:
    """A spreadsheet-safe CSV cell: text that a spreadsheet would run as a formula gets a leading ``'``.

    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-2+3"), csv_cell(-2), csv_cell(0.5), csv_cell("wire")
    ('\\'=HYPERLINK("http://x")', "'-2+3", -2, 0.5, 'wire')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
