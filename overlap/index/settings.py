"""The creation settings of an index: what its signatures mean, fixed for its lifetime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, IndexStateError
from ..minhash.lsh import lsh_bands
from ..params import MinHashParams, ShingleParams

__all__ = ["IndexSettings"]


@dataclass(frozen=True)
class IndexSettings:
    """The creation settings of an index; fixed for its lifetime.

    ``lsh_threshold`` decides the LSH bands and rows (datasketch's own
    optimiser): a filter threshold below it would lose recall, so it is the
    lowest threshold the index can serve. 0.5 gives >99.9% LSH recall for
    pairs at Jaccard 0.8 with 128 permutations (25 bands of 5 rows).
    ``anchor_window``: smaller finds shorter contained pieces, stores more;
    0 stores no anchors (a smaller, faster index for whole-document matching
    only: containment mode is then refused).
    """

    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 5
    lsh_threshold: float = 0.5
    anchor_window: int = 12

    def __post_init__(self) -> None:
        MinHashParams(num_perm=self.num_perm, seed=self.seed, lsh_threshold=self.lsh_threshold)
        ShingleParams(size=self.shingle_size)
        if not 0 <= self.anchor_window <= 1000:
            raise ConfigError(f"anchor_window must be between 0 (no anchors) and 1000, got {self.anchor_window!r}")

    @property
    def bands_rows(self) -> tuple[int, int]:
        """LSH (bands, rows) as datasketch's ``MinHashLSH(threshold, num_perm)`` would choose."""
        return lsh_bands(self.lsh_threshold, self.num_perm)

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> "IndexSettings":
        try:
            return cls(
                num_perm=int(manifest["num_perm"]),
                seed=int(manifest["seed"]),
                shingle_size=int(manifest["shingle_size"]),
                lsh_threshold=float(manifest["lsh_threshold"]),
                anchor_window=int(manifest["anchor_window"]),
            )
        except (KeyError, TypeError, ValueError, ConfigError) as exc:
            raise IndexStateError(f"index manifest is incomplete or invalid ({exc})") from None
