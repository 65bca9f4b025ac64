"""The words both reports use for the same thing, written once so report.md and report.html agree.

Plain text only: each renderer escapes it for its own format.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..model import ClaimLink

__all__ = ["set_aside_text", "relation_label", "link_label", "restated_text", "checks_texts", "figures_text", "role_check_text"]


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


def restated_text(details: Mapping[str, Any] | None) -> str | None:
    """How a match read a reporter's restatement of a quote (:mod:`overlap.claims.restated`); ``None``
    for any other match. The party is article text: the caller escapes it.

    >>> restated_text({"restated": {"we": "Russia"}})
    '“we” read as Russia'
    """
    party = ((details or {}).get("restated") or {}).get("we")
    return f"“we” read as {party}" if party else None


def figures_text(rejected: int) -> str | None:
    """One sentence on the pairs the figures check (:mod:`overlap.claims.figures`) rejected; ``None`` for none.

    >>> figures_text(1)
    'Figures: 1 pair the scores accepted was rejected because each gives a percentage, a year or an amount the other does not.'
    """
    if not rejected:
        return None
    pairs = "1 pair the scores accepted was" if rejected == 1 else f"{rejected:,} pairs the scores accepted were"
    return f"Figures: {pairs} rejected because each gives a percentage, a year or an amount the other does not."


def checks_texts(info: Mapping[str, Any], counts: Mapping[str, int]) -> list[str]:
    """The sentences on what the checks after the scores rejected: figures (if any), then the role check."""
    found = (figures_text(counts.get("paraphrase_figure_conflicts", 0)),
             role_check_text(info, counts.get("paraphrase_role_conflicts", 0)))
    return [text for text in found if text]


def role_check_text(info: Mapping[str, Any], rejected: int) -> str | None:
    """One sentence on the role check (:mod:`overlap.claims.roles`): what it rejected, or that it was off.
    ``None`` for a scan without the paraphrase tier or made before the check.

    >>> role_check_text({"role_check": "spaCy en_core_web_sm 3.8.0"}, 2)
    'Role check (spaCy en_core_web_sm 3.8.0): 2 pairs the scores accepted were rejected because one swaps the named actors of the other, has its action done by another named actor, negates its action, says its opposite, names other parties to a relation or is a line of names with no verb (who did what to whom, whether, which way, and with whom).'
    >>> role_check_text({"role_check": "off (--no-role-check)"}, 0)
    'Role check off (--no-role-check): pairs whose named actors swap roles ("Russia accused Ukraine" / "Ukraine accused Russia") or differ, whose actions are negated or opposed in one, whose relations are with other parties, or with a line of names on one side may be matched.'
    """
    status = info.get("role_check")
    if not status:
        return None
    if status.startswith("off"):
        return (f"Role check {status}: pairs whose named actors swap roles (\"Russia accused Ukraine\" / "
                "\"Ukraine accused Russia\") or differ, whose actions are negated or opposed in one, whose relations "
                "are with other parties, or with a line of names on one side may be matched.")
    pairs = f"{rejected:,} pair the scores accepted was" if rejected == 1 else f"{rejected:,} pairs the scores accepted were"
    return (f"Role check ({status}): {pairs} rejected because one swaps the named actors of the other, has its "
            "action done by another named actor, negates its action, says its opposite, names other parties to a "
            "relation or is a line of names with no verb (who did what to whom, whether, which way, and with whom).")


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
