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

from importlib import import_module
from typing import TYPE_CHECKING

from ._version import __version__
from .errors import ConfigError, IndexStateError, InputError, OverlapError

# The heavy parts (datasketch pulls in scipy; numpy, the stores, the pipeline) are imported when a
# name is first used, not by ``import overlap``: ``overlap --help`` and a CLI command that needs
# none of them do not pay for them (issue 14: start-up was 16% of the duplicate tier's CPU).
_LAZY = {
    "FieldMap": "ingest", "IngestStats": "ingest", "read_documents": "ingest",
    "open_index": "index",
    "Boilerplate": "model", "ClaimCluster": "model", "ClaimLink": "model", "Cluster": "model", "Decision": "model",
    "Document": "model", "Match": "model", "MatchSide": "model", "Skipped": "model", "Span": "model",
    "ScanResult": "model",
    "Params": "params",
    "STAGE_UNITS": "pipeline", "scan": "pipeline",
    "write_scan": "report.folder",
}

if TYPE_CHECKING:  # what the names are, for readers and type checkers
    from .index import open_index
    from .ingest import FieldMap, IngestStats, read_documents
    from .model import (Boilerplate, ClaimCluster, ClaimLink, Cluster, Decision, Document, Match, MatchSide,
                        ScanResult, Skipped, Span)
    from .params import Params
    from .pipeline import STAGE_UNITS, scan
    from .report.folder import write_scan


def __getattr__(name: str):
    """Import a public name's module on first use (PEP 562) and keep the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'overlap' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
