"""overlap: find where news articles share text.

The library API is what the ``overlap`` command line calls::

    from overlap import Params, read_documents, scan, write_scan

    with scan(read_documents(["seeds"]), Params()) as result:
        write_scan(result, "reports")

* :func:`read_documents` streams :class:`Document` objects from folders,
  JSONL, CSV or stdin; :func:`scan` finds :class:`Match` objects (kinds
  ``duplicate``, ``reuse``, ``paraphrase``), duplicate :class:`Cluster` and
  :class:`ClaimCluster` objects; :func:`write_scan` writes the scan folder.
* :func:`open_index` opens the persistent index behind ``overlap filter``.
* :class:`Params` holds every setting; errors are :class:`OverlapError`.
"""

from __future__ import annotations

from ._version import __version__
from .errors import ConfigError, IndexStateError, InputError, OverlapError  # noqa: E402
from .ingest import FieldMap, IngestStats, read_documents  # noqa: E402
from .index import open_index  # noqa: E402
from .model import Boilerplate, ClaimCluster, ClaimLink, Cluster, Decision, Document, Match, MatchSide, Skipped, Span  # noqa: E402
from .params import Params  # noqa: E402
from .model import ScanResult  # noqa: E402
from .pipeline import STAGE_UNITS, scan  # noqa: E402
from .report.folder import write_scan  # noqa: E402

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
    "Boilerplate",
    "ClaimCluster",
    "ClaimLink",
    "Cluster",
    "Decision",
    "Document",
    "Match",
    "MatchSide",
    "Skipped",
    "Span",
    "STAGE_UNITS",
    "Params",
    "ScanResult",
    "scan",
    "write_scan",
]
