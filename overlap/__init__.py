"""overlap: find where news articles share text.

The library API is what the ``overlap`` command line calls::

    from overlap import Params, read_documents, scan, write_scan

    with scan(read_documents(["seeds"]), Params()) as result:
        write_scan(result, "reports")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ConfigError, IndexStateError, InputError, OverlapError  # noqa: E402
from .ingest import FieldMap, IngestStats, read_documents  # noqa: E402
from .index import open_index  # noqa: E402
from .model import Cluster, Decision, Document, Match, MatchSide, Span  # noqa: E402
from .params import Params  # noqa: E402
from .pipeline import ScanResult, scan  # noqa: E402
from .report import write_scan  # noqa: E402

__all__ = [
    "__version__",
    "ConfigError",
    "IndexStateError",
    "InputError",
    "OverlapError",
    "FieldMap",
    "IngestStats",
    "read_documents",
    "open_index",
    "Cluster",
    "Decision",
    "Document",
    "Match",
    "MatchSide",
    "Span",
    "Params",
    "ScanResult",
    "scan",
    "write_scan",
]
