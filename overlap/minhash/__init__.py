"""MinHash near-duplicate search, one verb per module.

* :mod:`.signatures`: MinHash signatures for batches of shingle sets
  (bit-identical to datasketch's ``affine32`` scheme);
* :mod:`.lsh`: the one LSH band choice and the one bucketing (band keys,
  candidate pairs) that the scan, the passages, the claims and the
  persistent index all use;
* :mod:`.verify`: the one exact set similarity that decides what LSH proposed.
"""
