"""Generated news-like texts for alignment tests (no external data).

Words come from a fixed synthetic vocabulary so that two independently
generated texts share little more than stop words, as unrelated articles do.
"""

from __future__ import annotations

import random

STOP = "the a of to in and on for that with as by at from was is it said".split()


def vocabulary(seed: int = 7, size: int = 3000) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(4, 10))))
    return sorted(words)


VOCAB = vocabulary()


def sentence(rng: random.Random, words: int | None = None) -> str:
    n = words or rng.randint(12, 24)
    out = []
    for _ in range(n):
        out.append(rng.choice(STOP) if rng.random() < 0.35 else rng.choice(VOCAB))
    out[0] = out[0].capitalize()
    return " ".join(out) + "."


def sentences(rng: random.Random, n: int) -> list[str]:
    return [sentence(rng) for _ in range(n)]


def edit(rng: random.Random, text: str, rate: float = 0.05) -> str:
    """Light edits: words dropped or inserted, case changed, a control character here and there."""
    words = text.split(" ")
    out = []
    for w in words:
        r = rng.random()
        if r < rate and len(words) > 3:
            continue  # dropped
        if r < 2 * rate:
            out.append(rng.choice(VOCAB))  # inserted before
        if r > 1 - rate:
            w = w.upper()
        if r > 1 - rate / 2:
            w = w + "\x19s"  # PAN-style control character where an apostrophe was
        out.append(w)
    return " ".join(out)
