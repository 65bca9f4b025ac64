"""overlap: find where news articles share text.

The library API is what the ``overlap`` command line calls; see the README.
"""

from __future__ import annotations

__version__ = "0.1.0"
