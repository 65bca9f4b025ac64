"""overlap: find where news articles share text.

The library API is what the ``overlap`` command line calls; see the README.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .index import open_index  # noqa: E402  (the persistent index is part of the public API)

__all__ = ["__version__", "open_index"]
