"""Shared passages of pairs of files listed in a pairs file (``overlap compare --pairs``).

For lists of pairs already known, such as benchmark corpora: each file is
read and prepared once per worker (cached), a line that cannot be read
becomes an error result and the run goes on, and results come back in file
order whatever the number of workers.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .align import Prepared, align, prepare, to_matches
from ..batches import batched
from .pool import worker_pool
from ..errors import InputError, OverlapError
from ..ingest import decode_utf8, read_text_file
from ..model import Match
from ..params import PassageParams

__all__ = ["PairResult", "read_pairs", "compare_pairs"]

@dataclass(frozen=True)
class PairResult:
    """The outcome of one line of a pairs file: matches, or the error that stopped it."""

    line: int
    a: str
    b: str
    matches: tuple[Match, ...] = ()
    error: OverlapError | None = None
    # "path:line: invalid UTF-8, decoded with replacement", once per file when first read
    warnings: tuple[str, ...] = ()


def read_pairs(path: str | os.PathLike[str]) -> Iterator[tuple[int, str, str] | InputError]:
    """Lines of a pairs file as ``(line, a, b)``; malformed lines as :class:`InputError`.

    Blank lines and lines starting with ``#`` are skipped. Errors are
    yielded rather than raised so the caller can report them and go on.
    """
    name = os.fspath(path)
    try:
        f = open(name, "rb")
    except OSError as exc:
        raise InputError(name, None, f"cannot read pairs file: {exc.strerror or exc}") from None
    with f:
        for lineno, raw in enumerate(f, 1):
            # bytes that are not UTF-8 are replaced, as everywhere (ingest.decode_utf8): such a
            # path then names no file and that line says so
            line = decode_utf8(raw[3:] if lineno == 1 and raw.startswith(b"\xef\xbb\xbf") else raw)[0]
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) != 2:
                yield InputError(name, lineno, f"expected two paths separated by white space, got {len(fields)} field(s)")
                continue
            yield lineno, fields[0], fields[1]


class _Cache:
    """Prepared documents by path, least recently used dropped first."""

    def __init__(self, params: PassageParams, size: int = 256) -> None:
        self.params = params
        self.size = size
        self.items: OrderedDict[str, Prepared] = OrderedDict()

    def get(self, path: str) -> tuple[Prepared, int | None]:
        """The prepared text, and the line of its first byte that was not UTF-8 when just read (else None)."""
        if path in self.items:
            self.items.move_to_end(path)
            return self.items[path], None
        content = read_text_file(path)
        prepared = prepare(content.text, self.params)
        self.items[path] = prepared
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return prepared, content.invalid_line


_worker_cache: _Cache | None = None


def _init_worker(params: PassageParams) -> None:
    global _worker_cache
    _worker_cache = _Cache(params)


def _compare_one(job: tuple[int, str, str, str, str, str], cache: _Cache | None = None) -> PairResult:
    lineno, a, b, path_a, path_b, pairs_name = job
    cache = cache or _worker_cache
    assert cache is not None
    prepared = []
    warnings = []
    for shown, path in ((a, path_a), (b, path_b)):
        try:
            p, invalid_line = cache.get(path)
            prepared.append(p)
            if invalid_line is not None:
                warnings.append(f"{shown}:{invalid_line}: invalid UTF-8, decoded with replacement")
        except FileNotFoundError:
            return PairResult(lineno, a, b, error=InputError(pairs_name, lineno, f"no such file: {shown}"))
        except IsADirectoryError:
            return PairResult(lineno, a, b, error=InputError(pairs_name, lineno, f"is a directory, not a text file: {shown}"))
        except OSError as exc:
            return PairResult(lineno, a, b, error=InputError(pairs_name, lineno, f"cannot read {shown}: {exc.strerror or exc}"))
    pa, pb = prepared
    found = align(pa, pb, cache.params)
    return PairResult(lineno, a, b, tuple(to_matches(pa, pb, found, a, b)), warnings=tuple(warnings))


def compare_pairs(
    pairs_file: str | os.PathLike[str],
    params: PassageParams | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    workers: int = 1,
) -> Iterator[PairResult]:
    """Align every pair listed in ``pairs_file`` (one ``A B`` per line), in file order.

    Paths are relative to ``root`` (default: the current directory) and are
    reported as written. A pair that cannot be read yields a
    :class:`PairResult` with ``error`` set, and the run goes on. With
    ``workers > 1`` pairs are aligned in that many processes; consecutive
    lines go to the same process, so documents repeated on nearby lines are
    prepared once, and results still come back in file order.
    """
    params = params or PassageParams()
    if workers < 1:
        raise ValueError("workers must be at least 1")
    name = os.fspath(pairs_file)
    base = Path(root) if root is not None else Path(".")

    def jobs() -> Iterator[tuple[int, str, str, str, str, str] | InputError]:
        for item in read_pairs(name):
            if isinstance(item, InputError):
                yield item
                continue
            lineno, a, b = item
            yield lineno, a, b, str(base / a), str(base / b), name

    if workers == 1:
        cache = _Cache(params)
        for job in jobs():
            if isinstance(job, InputError):
                yield PairResult(job.line or 0, "", "", error=job)
            else:
                yield _compare_one(job, cache)
        return

    with worker_pool(workers, _init_worker, (params,)) as pool:
        for batch in batched(jobs(), 4096):
            valid = [j for j in batch if not isinstance(j, InputError)]
            results = iter(pool.imap(_compare_one, valid, chunksize=8))
            for job in batch:
                if isinstance(job, InputError):
                    yield PairResult(job.line or 0, "", "", error=job)
                else:
                    yield next(results)
