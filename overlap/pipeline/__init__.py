"""The scan: stages as pure batch functions, run in order by one driver.

- :mod:`~overlap.pipeline.driver`: :func:`scan`, the only place that knows the order of the stages;
- :mod:`~overlap.pipeline.read`: documents -> words and short lines (boilerplate candidates);
- :mod:`~overlap.pipeline.near_duplicates`: shingle sets, signatures, verified links;
- :mod:`~overlap.pipeline.clusters`: duplicate clusters and matches from the links.

The temporary files that texts, shingle sets and index keys wait in (:mod:`overlap.spill`) and the
return of freed memory between stages (:mod:`overlap.memory`) sit beside this package, not in it:
the tiers use them too, and a tier never imports the driver's package.
"""

from .driver import STAGE_UNITS, scan, versions

__all__ = ["STAGE_UNITS", "scan", "versions"]
