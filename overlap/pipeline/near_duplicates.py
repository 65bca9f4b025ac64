"""Stages 3 and 4, near-duplicates: word hashes -> shingle sets -> signatures; candidate pairs -> verified links.

Each function takes a batch of plain arrays and returns its output and its
counts, so it runs unchanged on one core or on a worker: shingling maps over
documents (with the corpus's boilerplate set broadcast to it), signing over
batches of shingle sets, verification over candidate pairs joined with the
two shingle sets they need. Grouping (exact copies by content key, LSH
buckets by band) is the driver's, as is where the arrays are kept between
stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import xxhash

from ..text.boilerplate import BoilerplateSet, UnitRef
from ..params import Params
from ..text.shingle import shingle_sets
from ..minhash.signatures import Signer
from ..minhash.verify import set_similarity
from ..model import reduce_by_fields

__all__ = ["Words", "Shingled", "Link", "shingle_documents", "sign_sets", "shingle_and_sign", "verify_pairs"]


@dataclass(frozen=True, slots=True)
class Words:
    """What shingling needs of one read document."""

    __reduce__ = reduce_by_fields

    index: int
    source: str | None
    tokens: np.ndarray  # uint64 word hashes
    short: np.ndarray  # (n, 4) int32 UnitRefs of short units
    keys: np.ndarray  # their uint64 keys
    local_drop: Sequence[int]  # indices into ``short`` dropped in this document on its own


@dataclass(frozen=True, slots=True)
class Shingled:
    """A document's shingle set once boilerplate is out, and the key its exact copies share."""

    __reduce__ = reduce_by_fields

    index: int
    shingles: np.ndarray  # sorted unique uint64 shingle hashes
    content: int  # 128-bit hash of the set: identical sets after boilerplate share it
    dropped: list[UnitRef] | None  # boilerplate units left out of it, None when none were


@dataclass(frozen=True, slots=True)
class Link:
    """A verified near-duplicate pair of documents (``a < b``) with exact similarities."""

    __reduce__ = reduce_by_fields

    a: int
    b: int
    jaccard: float
    a_in_b: float
    b_in_a: float


def shingle_documents(
    batch: Sequence[Words], boilerplate: BoilerplateSet, params: Params
) -> tuple[list[Shingled], dict[str, int]]:
    """Shingle sets without boilerplate; counts ``documents_with_boilerplate`` and ``documents_all_boilerplate_kept_whole``.

    Boilerplate is what surrounds content. A document that would be left
    with (almost) nothing is all template, a notice or a one-paragraph item
    that others repeat: it is compared whole, or its copies would go unseen.
    """
    counts = {"documents_with_boilerplate": 0, "documents_all_boilerplate_kept_whole": 0}
    kept: list[np.ndarray] = []
    dropped_units: list[list[UnitRef] | None] = []
    for item in batch:
        tokens, dropped = item.tokens, None
        drop = [k for k, key in enumerate(item.keys.tolist()) if (item.source, key) in boilerplate]
        if item.local_drop:
            drop = sorted(set(drop).union(item.local_drop))
        if drop:
            refs: list[UnitRef] = [tuple(item.short[k].tolist()) for k in drop]  # type: ignore[misc]
            mask = np.ones(len(tokens), dtype=bool)
            for first, end, _, _ in refs:
                mask[first:end] = False
            if int(mask.sum()) >= params.duplicates.min_words:
                counts["documents_with_boilerplate"] += 1
                tokens, dropped = tokens[mask], refs
            else:
                counts["documents_all_boilerplate_kept_whole"] += 1
        kept.append(tokens)
        dropped_units.append(dropped)
    sets = shingle_sets(kept, params.shingle.size)  # the whole batch at once
    out = [Shingled(item.index, shingles, xxhash.xxh3_128_intdigest(shingles.tobytes()), dropped)
           for item, shingles, dropped in zip(batch, sets, dropped_units)]
    return out, counts


def sign_sets(signer: Signer, sets: Sequence[np.ndarray]) -> np.ndarray:
    """MinHash signatures of a batch of shingle sets (64-bit hashes, folded by the signer), one row each."""
    return signer.sign(sets)


def shingle_and_sign(
    batch: Sequence[Words], boilerplate: BoilerplateSet, params: Params, signer: Signer
) -> tuple[tuple[list[Shingled], np.ndarray], dict[str, int]]:
    """:func:`shingle_documents`, then every set's signature (row ``k`` for ``shingled[k]``).

    One task per batch on a worker. Exact copies are signed too, since which
    document leads a group of copies is known only once every batch before
    it is in (the driver keeps the leaders' rows); they are a few percent of
    a corpus, and their signatures equal their leader's.
    """
    shingled, counts = shingle_documents(batch, boilerplate, params)
    return (shingled, sign_sets(signer, [s.shingles for s in shingled])), counts


def verify_pairs(
    pairs: Iterable[tuple[int, int, np.ndarray, np.ndarray]], threshold: float
) -> tuple[list[Link], dict[str, int]]:
    """Candidate pairs joined with their two shingle sets -> the links whose exact Jaccard reaches ``threshold``.

    LSH only proposes; this decides, from the same shingles the signatures
    were made of. Counts ``candidate_pairs``, ``verified_pairs`` and
    ``rejected_candidates``.

    >>> s = np.arange(10, dtype=np.uint64)
    >>> links, counts = verify_pairs([(0, 1, s, s), (0, 2, s, s[:2])], 0.5)
    >>> [(l.a, l.b, l.jaccard) for l in links], counts["rejected_candidates"]
    ([(0, 1, 1.0)], 1)
    """
    links: list[Link] = []
    n = 0
    for a, b, set_a, set_b in pairs:
        n += 1
        sim = set_similarity(set_a, set_b)
        if sim.jaccard >= threshold:
            links.append(Link(a, b, sim.jaccard, sim.a_in_b, sim.b_in_a))
    return links, {"candidate_pairs": n, "verified_pairs": len(links), "rejected_candidates": n - len(links)}
