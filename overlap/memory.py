"""Give the memory a stage has freed back to the operating system, between stages.

A scan's stages each build large transient structures (a tier's window
index, its candidate pairs, the statements' columns as their batches come
back) and let them go when the stage ends. Python frees them, but the C
library's allocator keeps most of what was freed for later requests instead
of returning it: glibc's malloc returns memory from the top of its heaps
only, and after a large numpy array is freed it raises its threshold for
asking the system directly (the dynamic ``M_MMAP_THRESHOLD``), so the next
arrays up to that size come from those heaps too. The freed memory then
stays in the process's resident size and stacks under every later stage's
own peak. In one process on 32,000 generated articles the resident size
after the passage tier was 599 MiB, of which ``tracemalloc`` found 71 MiB of
live Python and numpy objects; with two workers on 80,000 articles the
driver's peak was 1,048 MiB, and 906 MiB when glibc was told to give memory
back (``MALLOC_TRIM_THRESHOLD_`` and ``MALLOC_MMAP_THRESHOLD_`` at 64 KiB,
which a program cannot set for itself once running). ``malloc_trim(0)``
hands the free pages of every heap back; the driver calls it as each stage
ends, and the tiers between their steps.

glibc only (the Linux builds of CPython use it); elsewhere, or where the C
library has no ``malloc_trim`` (musl), :func:`release_freed_memory` does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Callable

__all__ = ["release_freed_memory"]


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library this interpreter runs on
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Return the pages the allocator holds free to the operating system (glibc's ``malloc_trim(0)``).

    Costs a walk over the allocator's free lists (milliseconds for a heap
    of a gigabyte); call it when a stage has let its structures go.

    >>> release_freed_memory()
    """
    if _TRIM is not None:
        _TRIM(0)
