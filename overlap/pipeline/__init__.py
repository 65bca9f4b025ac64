"""The scan: stages as pure batch functions, run in order by one driver.

- :mod:`~overlap.pipeline.driver`: :func:`scan`, the only place that knows the order of the stages;
- :mod:`~overlap.pipeline.read`: documents -> words and short lines (boilerplate candidates);
- :mod:`~overlap.pipeline.near_duplicates`: shingle sets, signatures, verified links;
- :mod:`~overlap.pipeline.clusters`: duplicate clusters and matches from the links;
- :mod:`~overlap.pipeline.spill`: the temporary files texts and shingle sets wait in;
- :mod:`~overlap.pipeline.memory`: what a stage freed, given back to the operating system.
"""

from .driver import STAGE_UNITS, scan, versions

__all__ = ["STAGE_UNITS", "scan", "versions"]
