"""Contrast pairs for the pair model: a statement against itself with one fact changed (training only).

Why: the training sets teach word order on Wikipedia (PAWS) but say little about the ways a news
claim changes while its words stay: who did what to whom ("Russia accused Ukraine" / "Ukraine
accused Russia"), a negation, a verb turned to its opposite ("raised" / "cut"), a changed figure or
date. A model fine-tuned on MRPC and STS-B alone passed all of these (tests/test_pair_model_real.py).
Each function here makes one such edit, or returns ``None`` where the sentence offers no safe place
for it; :func:`contrasts` turns a set's positive pairs into negative ones by editing one side.

The edits are rules, not a model, and they are deliberately narrow: an edit that might keep the
meaning (swapping the two sides of a symmetric relation such as "talks between A and B", or of "A
met B") is not made, because a wrong negative teaches the model to doubt true restatements. This
module imports nothing outside the standard library, so the held-out contrast set can be rebuilt
by ``bench/pair_model.py`` without torch.
"""

from __future__ import annotations

import random
import re

# one word each way; the first form found in the sentence is replaced (capitalisation kept)
_OPPOSITES = [
    ("rose", "fell"), ("rise", "fall"), ("rises", "falls"), ("rising", "falling"), ("risen", "fallen"),
    ("increased", "decreased"), ("increase", "decrease"), ("increases", "decreases"),
    ("raised", "cut"), ("raises", "cuts"), ("raise", "lower"),
    ("gained", "lost"), ("won", "lost"), ("win", "lose"), ("wins", "loses"),
    ("higher", "lower"), ("up", "down"), ("more", "fewer"), ("above", "below"), ("before", "after"),
    ("accepted", "rejected"), ("accept", "reject"), ("approved", "rejected"), ("approve", "reject"),
    ("supported", "opposed"), ("support", "oppose"), ("supports", "opposes"),
    ("confirmed", "denied"), ("confirm", "deny"), ("confirms", "denies"),
    ("bought", "sold"), ("buy", "sell"), ("buys", "sells"), ("buying", "selling"),
    ("opened", "closed"), ("started", "ended"), ("began", "ended"),
    ("allowed", "banned"), ("allow", "ban"), ("strong", "weak"), ("stronger", "weaker"),
    ("largest", "smallest"), ("biggest", "smallest"), ("highest", "lowest"), ("best", "worst"),
    ("first", "last"), ("positive", "negative"), ("guilty", "innocent"), ("success", "failure"),
    ("expanded", "shrank"), ("boosted", "cut"), ("ahead", "behind"), ("profit", "loss"),
    ("surplus", "deficit"), ("victory", "defeat"), ("agreed", "refused"), ("always", "never"),
]
_OPPOSITE = {a: b for a, b in _OPPOSITES} | {b: a for a, b in _OPPOSITES if b not in {x for x, _ in _OPPOSITES}}
_AUX = {"is", "are", "was", "were", "will", "would", "can", "could", "should", "has", "have", "had", "may",
        "might", "must", "does", "do", "did"}
_NEGATED = [(re.compile(r"\b(can)not\b", re.I), r"\1"), (re.compile(r"\bwon't\b", re.I), "will"),
            (re.compile(r"\bcan't\b", re.I), "can"), (re.compile(r"\b(\w+)n't\b", re.I), r"\1")]
_NOT = re.compile(r"\b([\w']+) not\b", re.I)
_WORD = re.compile(r"[A-Za-z][\w'-]*")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w,]\d)")
_SMALL = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_SMALL_RE = re.compile(r"\b(" + "|".join(_SMALL) + r")\b", re.I)
# words that make the two sides of a relation interchangeable: never swap across them
_SYMMETRIC = {"and", "or", "with", "between", "vs", "versus", "met", "meet", "meets", "meeting", "&", "nor",
              "both", "talks", "together", "than", "as", "like"}
_VERB = re.compile(r"\w+(ed|es|s)|said|told|beat|hit|won|lost|sold|bought|shot|took|gave|sent|left|led|fought|"
                   r"struck|caught|chose|threw|owes|backs|sues|blamed|defeated|beats|leads|leads")
_CALENDAR = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
             "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
_NOT_NAMES = _CALENDAR | {"The", "A", "An", "In", "On", "At", "He", "She", "It", "They", "We", "I", "But", "And", "This",
              "That", "These", "Those", "His", "Her", "Their", "Its", "Our", "My", "Mr", "Mrs", "Ms", "Dr",
              "For", "Of", "To", "As", "By", "If", "When", "After", "Before", "While", "There", "So", "Yet",
              "Also", "However", "Some", "All", "No", "One", "Two", "What", "Who", "Why", "How"}


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def negate(s: str) -> str | None:
    """Remove the sentence's negation, or put ``not`` after its first auxiliary verb."""
    for pat, rep in _NEGATED:
        m = pat.search(s)
        if m:
            return s[: m.start()] + m.expand(rep) + s[m.end():]
    m = _NOT.search(s)
    if m and (m.group(1).lower() in _AUX or m.group(1).lower().endswith(("'s", "'re", "'m"))):
        return s[: m.start(1) + len(m.group(1))] + s[m.end():]
    for m in _WORD.finditer(s):
        if m.group().lower() in _AUX and m.end() < len(s) and _WORD.match(s, m.end() + 1):
            return s[: m.end()] + " not" + s[m.end():]
    return None


def oppose(s: str) -> str | None:
    """Turn the first word with a listed opposite into that opposite."""
    for m in _WORD.finditer(s):
        w = m.group()
        o = _OPPOSITE.get(w.lower())
        if o is not None:
            return s[: m.start()] + _cased(o, w) + s[m.end():]
    return None


def renumber(s: str, rng: random.Random) -> str | None:
    """Change one figure: a number to another of the same form, or a small number word to another."""
    nums = list(_NUMBER.finditer(s))
    if nums:
        m = rng.choice(nums)
        whole, frac = m.group(1), m.group(2) or ""
        v = int(whole.replace(",", ""))
        if 1900 <= v <= 2100 and not frac and "," not in whole:
            new = v + rng.choice([-3, -2, -1, 1, 2, 3])  # a year: another year
        else:
            new = max(1, round(v * rng.choice([0.5, 1.5, 2, 3])) + (0 if v > 3 else 2))
            if new == v:
                new = v + 1
        text = f"{new:,}" if "," in whole else str(new)
        return s[: m.start()] + text + frac + s[m.end():]
    m = _SMALL_RE.search(s)
    if m:
        other = rng.choice([w for w in _SMALL if w != m.group().lower()])
        return s[: m.start()] + _cased(other, m.group()) + s[m.end():]
    return None


def proper_names(sentences) -> frozenset[str]:
    """Words that are names in this corpus: seen capitalised inside a sentence (not first) at least
    twice and never in lower case. Why: a sentence's first word is capitalised whatever it is
    ("Talks resumed", "Russia accused"); only the corpus can tell the name from the common word."""
    upper: dict[str, int] = {}
    lower: dict[str, int] = {}
    for s in sentences:
        for i, m in enumerate(_WORD.finditer(s)):
            w = m.group()
            if w[:1].isupper():
                if i:
                    upper[w] = upper.get(w, 0) + 1
            else:
                lower[w] = lower.get(w, 0) + 1
    return frozenset(w for w, n in upper.items() if n >= 2 and lower.get(w.lower(), 0) * 5 < n and w not in _NOT_NAMES)


def _names(s: str, proper: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of runs of capitalised words: inside a sentence any such run, at its start (or after a
    quote or colon, where any word is capitalised) only a run holding a known name; dates are not names."""
    spans: list[tuple[int, int]] = []
    words = list(_WORD.finditer(s))
    i = 0
    while i < len(words):
        if words[i].group()[:1].isupper() and words[i].group() not in _NOT_NAMES:
            j = i
            while (j + 1 < len(words) and words[j + 1].group()[:1].isupper() and words[j + 1].group() not in _CALENDAR
                   and s[words[j].end():words[j + 1].start()] == " "):
                j += 1
            starts = i == 0 or s[: words[i].start()].rstrip()[-1:] in {'"', ":", "(", "'"}
            if not starts or any(w.group() in proper for w in words[i : j + 1]):
                spans.append((words[i].start(), words[j].end()))
            i = j + 1
        else:
            i += 1
    return spans


def swap_roles(s: str, rng: random.Random, proper: frozenset[str]) -> str | None:
    """Swap two different names with a verb between them and no word that makes them interchangeable."""
    spans = _names(s, proper)
    options = []
    for x in range(len(spans)):
        for y in range(x + 1, len(spans)):
            (a0, a1), (b0, b1) = spans[x], spans[y]
            if s[a0:a1] == s[b0:b1] or s[a0:a1] in s[b0:b1] or s[b0:b1] in s[a0:a1]:
                continue
            gap = s[a1:b0]
            between = _WORD.findall(gap)
            # a short clause with a verb between the two ("X accused Y of", "X was beaten by Y"):
            # elsewhere the two names are often of different kinds (a person and a city) and the swap is noise
            if (not 1 <= len(between) <= 6 or not all(w.islower() for w in between) or re.search(r"[^\w\s'-]", gap)
                    or any(w in _SYMMETRIC for w in between) or not any(_VERB.fullmatch(w) for w in between)):
                continue
            options.append((a0, a1, b0, b1))
    if not options:
        return None
    a0, a1, b0, b1 = rng.choice(options)
    return s[:a0] + s[b0:b1] + s[a1:b0] + s[a0:a1] + s[b1:]


EDITS = ("swap", "negate", "oppose", "number")


def edit(s: str, rng: random.Random, proper: frozenset[str]) -> tuple[str, str] | None:
    """One edit of ``s`` that changes the claim, as (kind, edited), or None. A role swap is tried first
    (it is the rarest and the one the training sets lack), negation last (it fits almost any
    sentence and would crowd out the others); the opposite word and the figure in a random order."""
    kinds = ["oppose", "number"]
    rng.shuffle(kinds)
    kinds = ["swap", *kinds, "negate"]
    for k in kinds:
        out = {"swap": lambda: swap_roles(s, rng, proper), "negate": lambda: negate(s), "oppose": lambda: oppose(s),
               "number": lambda: renumber(s, rng)}[k]()
        if out is not None and out != s:
            return k, out
    return None


def contrasts(positives: list[tuple[str, str]], proper: frozenset[str], seed: int,
              share: float = 1.0) -> list[tuple[str, str, str]]:
    """(a, edited b, kind) for a ``share`` of the positive pairs (a, b): the two were the same
    statement; with one fact of b changed they are not. Deterministic for a seed."""
    rng = random.Random(seed)
    out = []
    for a, b in positives:
        if rng.random() >= share:
            continue
        e = edit(b, rng, proper)
        if e is not None:
            out.append((a, e[1], e[0]))
        if rng.random() < 1 / 3:  # the statement against its own edit: same words, another claim
            e = edit(a, rng, proper)
            if e is not None:
                out.append((a, e[1], "self-" + e[0]))
    return out
