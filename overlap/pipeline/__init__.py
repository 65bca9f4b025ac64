"""The scan: stages run in order by one driver.

- :mod:`~overlap.pipeline.driver`: :func:`scan`, the only place that knows the order of the stages;
- :mod:`~overlap.pipeline.spill`: the temporary file texts and shingle sets wait in.
"""

from .driver import STAGE_UNITS, DocRecord, ScanResult, scan, versions

__all__ = ["STAGE_UNITS", "DocRecord", "ScanResult", "scan", "versions"]
