"""Small generated corpora with known near-duplicates, for the index and filter tests.

Texts are random words from a fixed vocabulary (seeded), so tests never
depend on copies of real data sets; near-duplicates are made by editing a
few words, containment pieces by cutting a run of words out of a document.
"""

from __future__ import annotations

import random
from functools import lru_cache

import numpy as np

from overlap.model import Document
from overlap.text.normalize import normalize_text
from overlap.text.shingle import shingle_set

VOCAB = [f"w{i}" for i in range(3000)]


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def edit(rng: random.Random, t: str, changes: int) -> str:
    words = t.split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(VOCAB)
    return " ".join(words)


def corpus(seed: int = 7, originals: int = 60, copies: int = 60, pieces: int = 10) -> list[Document]:
    """Originals, lightly edited copies of some of them, and pieces cut from some, shuffled."""
    rng = random.Random(seed)
    docs = [Document(f"o{i}", text(rng, rng.randint(80, 300))) for i in range(originals)]
    for j in range(copies):
        src = rng.choice(docs[:originals])
        docs.append(Document(f"c{j}", edit(rng, src.text, rng.choice([0, 1, 2, 5, 30]))))
    for k in range(pieces):
        src = rng.choice(docs[:originals])
        words = src.text.split()
        start = rng.randrange(0, len(words) - 40)
        docs.append(Document(f"p{k}", " ".join(words[start : start + 40])))
    rng.shuffle(docs)
    return docs


@lru_cache(maxsize=4096)
def _set(t: str, n: int) -> np.ndarray:
    return shingle_set(normalize_text(t), n)


def exact(a: str, b: str, mode: str = "whole", n: int = 5) -> float:
    """Brute-force oracle: exact Jaccard or containment of a in b from the shingle sets."""
    sa, sb = _set(a, n), _set(b, n)
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    if mode == "containment":
        return inter / len(sa)
    return inter / (len(sa) + len(sb) - inter)


def sequential_oracle(docs: list[Document], threshold: float, mode: str) -> dict[str, str | None]:
    """What a filter must decide, by brute force: each document against every earlier kept one."""
    kept: list[Document] = []
    verdict: dict[str, str | None] = {}
    for d in docs:
        best = None
        for k in kept:
            s = exact(d.text, k.text, mode)
            if s >= threshold and (best is None or s > best[0] or (s == best[0] and k.id < best[1])):
                best = (s, k.id)
        verdict[d.id] = None if best is None else best[1]
        if best is None:
            kept.append(d)
    return verdict
