"""The words both reports use for the same thing, written once so report.md and report.html agree.

Plain text only: each renderer escapes it for its own format.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..model import ClaimLink

__all__ = ["set_aside_text", "relation_label", "link_label"]


def relation_label(relation: str) -> str:
    """What a paraphrase relation means to a reader.

    >>> relation_label("claim"), relation_label("paraphrase")
    ('same claim', 'same statement')
    """
    return "same claim" if relation == "claim" else "same statement"


def link_label(link: ClaimLink) -> str:
    """How a statement joins its claim cluster: the accepted pair with the anchor.

    >>> link_label(ClaimLink(0.8, "claim", within_document=True))
    'same claim 0.80, within document'
    """
    return f"{relation_label(link.relation)} {link.score:.2f}" + (", within document" if link.within_document else "")


def set_aside_text(info: Mapping[str, Any]) -> str | None:
    """One sentence on the statements the paraphrase tier set aside unscored, or ``None`` if none were.

    >>> set_aside_text({"set_aside": {"not English": 3, "list of names": 2}, "languages": {"de": 2, "fr": 1}})
    'Statements set aside, never scored or matched: 3 not English (de 2, fr 1); 2 list of names.'
    """
    reasons = info.get("set_aside") or {}
    if not reasons:
        return None
    langs = info.get("languages") or {}
    parts = []
    for reason, n in reasons.items():
        if reason == "not English" and langs:
            parts.append(f"{n:,} {reason} ({', '.join(f'{k} {v:,}' for k, v in langs.items())})")
        else:
            parts.append(f"{n:,} {reason}")
    return "Statements set aside, never scored or matched: " + "; ".join(parts) + "."
