"""The manifest: what an index was built with, and the probe that proves this code agrees.

A *manifest* written when the index is created records everything that
decides what a signature means: overlap's index format, the datasketch
version and MinHash scheme, permutations, seed, LSH bands and rows, shingle
size, normalisation version, anchor window, and a *probe* (the hashes of a
fixed text computed by this very code). Opening an index whose manifest
differs from what this code would write raises :class:`IndexStateError`
naming the difference: mixing signatures made under other settings would
give silently wrong answers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xxhash

from .._version import __version__
from ..errors import IndexStateError
from ..minhash.signatures import DATASKETCH_VERSION, SCHEME
from ..model import Document
from ..text.normalize import NORMALIZATION_VERSION
from .prepare import Preparer
from .settings import IndexSettings

__all__ = ["INDEX_FORMAT", "manifest_for", "probe", "check_manifest"]

#: Version of the on-disk layout; bumped when records or keys change shape.
INDEX_FORMAT = 1

_PROBE_TEXT = (
    "Moscow\u2019s \u201cspecial\u201d envoy said on Tuesday \u2014 d\u00e9j\u00e0 vu \u2014 that the "
    "talks in Geneva would resume next week, according to REUTERS and TASS."
)


def manifest_for(settings: IndexSettings) -> dict[str, Any]:
    """The manifest an index created with ``settings`` carries."""
    bands, rows = settings.bands_rows
    return {
        "format": "overlap-index",
        "format_version": INDEX_FORMAT,
        "overlap_version": __version__,
        "datasketch_version": DATASKETCH_VERSION,
        "scheme": SCHEME,
        "num_perm": settings.num_perm,
        "seed": settings.seed,
        "lsh_threshold": settings.lsh_threshold,
        "bands": bands,
        "rows": rows,
        "shingle_size": settings.shingle_size,
        "normalization_version": NORMALIZATION_VERSION,
        "anchor_window": settings.anchor_window,
        "probe": probe(settings),
    }


# Manifest keys that must agree for signatures to mean the same thing. The
# overlap version is recorded but not compared: the format version and the
# probe catch every change that matters, and an upgrade should not orphan
# indexes whose contents are still valid.
_COMPARED = (
    "format", "format_version", "datasketch_version", "scheme", "num_perm", "seed",
    "bands", "rows", "shingle_size", "normalization_version", "anchor_window", "probe",
)


def probe(settings: IndexSettings) -> str:
    """A digest of a fixed text's shingles, anchors, signature and band keys.

    Computed by the running code at every open, so a change anywhere in
    normalisation, hashing or signing (even one nobody versioned) shows up as
    a manifest mismatch instead of as quietly wrong matches.
    """
    prep = Preparer(settings).prepare([Document("probe", _PROBE_TEXT)])[0]
    h = xxhash.xxh3_64()
    for part in (prep.shingles, prep.anchors, prep.signature, prep.band_keys):
        h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()


def check_manifest(found: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    """Refuse an index whose manifest differs from ``expected`` in anything that changes what a signature means."""
    diffs = [
        f"{key} {found.get(key)!r} (this overlap uses {expected[key]!r})"
        for key in _COMPARED
        if found.get(key) != expected[key]
    ]
    if diffs:
        raise IndexStateError(
            f"{where}: index was built with other settings: {'; '.join(diffs)}; "
            "refusing to mix signatures (build a new index, or use the overlap/datasketch versions that built it)"
        )

