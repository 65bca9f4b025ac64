"""Decide candidates exactly, from the shingles their signatures came from.

MinHash estimates Jaccard similarity with an error of about
``1/sqrt(num_perm)`` (±0.09 at 128 permutations), enough to propose pairs
but not to report them. Verification intersects the two sorted 64-bit
shingle sets, which gives the exact Jaccard similarity and both containments
(the share of each document's shingles found in the other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MODES", "SetSimilarity", "set_similarity", "mode_score"]

#: What counts as a match: whole documents (Jaccard) or containment (|A∩B|/|A|).
MODES = ("whole", "containment")


@dataclass(frozen=True, slots=True)
class SetSimilarity:
    """Exact overlap of two shingle sets; ``a_in_b`` = |A ∩ B| / |A|."""

    jaccard: float
    a_in_b: float
    b_in_a: float
    shared: int


def set_similarity(a: np.ndarray, b: np.ndarray) -> SetSimilarity:
    """Exact similarity of two sorted, distinct shingle-hash arrays.

    >>> set_similarity(np.array([1, 2, 3, 4]), np.array([3, 4, 5]))
    SetSimilarity(jaccard=0.4, a_in_b=0.5, b_in_a=0.6666666666666666, shared=2)
    """
    if len(a) == 0 or len(b) == 0:
        return SetSimilarity(0.0, 0.0, 0.0, 0)
    shared = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - shared
    return SetSimilarity(shared / union, shared / len(a), shared / len(b), shared)


def mode_score(new: np.ndarray, old: np.ndarray, mode: str) -> float:
    """The one score a mode decides on: Jaccard (``"whole"``) or the share of ``new`` in ``old``.

    >>> mode_score(np.array([1, 2, 3, 4]), np.array([3, 4, 5]), "containment")
    0.5
    """
    sim = set_similarity(new, old)
    if mode == "containment":
        return sim.a_in_b
    return sim.jaccard
