"""A persistent signature index: what the pre-ingest filter remembers between runs.

One module per job:

* :mod:`.settings`: the creation settings (:class:`IndexSettings`), fixed for an index's lifetime;
* :mod:`.prepare`: text -> shingles, winnowing anchors, signature and band keys (:class:`Prepared`);
* :mod:`.manifest`: what an index was built with, and the probe that proves this code agrees;
* :mod:`.store`: the one interface of the stores, :mod:`.sqlite_store` (a file, one writer)
  and :mod:`.redis_store` (a server, many workers, in datasketch's own LSH layout);
* :mod:`.facade`: :func:`open_index` and the :class:`Index` it returns (query, check, add, remove);
* :mod:`.decide`: verdicts for a batch, as if each document were checked and added in turn;
* :mod:`.filter`: the streaming pre-ingest filter: decide, emit, flush, then commit.

>>> from overlap.index import open_index
>>> with open_index(tmp_path / "seen.db") as idx:          # doctest: +SKIP
...     idx.check(Document("a", "the text of an article ...")).is_new
True
"""

from __future__ import annotations

from ..minhash.verify import MODES
from .facade import Index, IndexStats, open_index
from .manifest import INDEX_FORMAT
from .prepare import Prepared
from .settings import IndexSettings

__all__ = ["INDEX_FORMAT", "MODES", "IndexSettings", "IndexStats", "Prepared", "Index", "open_index"]
