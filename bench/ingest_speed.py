"""Read speed of overlap.ingest against the plain way (gzip + json.loads) in the same run.

Usage:
    python bench/ingest_speed.py ../shared/data/reuters21578/reuters21578_docs.jsonl.gz \
        --id newid --text body
    python bench/ingest_speed.py ../shared/data/bbc_news/bbc_news.jsonl.gz

Prints documents per second, MB/s of uncompressed input, counts (records, empty texts,
bad records, unparsed dates) and the ratio to the plain loop. Timings on a shared machine are
noisy, so each side runs --repeat times and the best run is reported.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time

from overlap.ingest import FieldMap, IngestStats, read_documents


def _plain(path: str) -> tuple[float, int, int]:
    t = time.perf_counter()
    n = size = 0
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        for line in f:
            size += len(line)
            if line.strip():
                json.loads(line)
                n += 1
    return time.perf_counter() - t, n, size


def _ours(path: str, fields: FieldMap) -> tuple[float, int, int, IngestStats]:
    stats = IngestStats()
    t = time.perf_counter()
    n = empty = 0
    for doc in read_documents([path], fields=fields, stats=stats):
        n += 1
        empty += not doc.text
    return time.perf_counter() - t, n, empty, stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--id", default="id")
    ap.add_argument("--text", default="text")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    fields = FieldMap(id=args.id, text=args.text)
    plain = min(_plain(args.path) for _ in range(args.repeat))
    ours = min((_ours(args.path, fields) for _ in range(args.repeat)), key=lambda r: r[0])
    p_time, p_n, size = plain
    o_time, o_n, empty, stats = ours
    mb = size / 1e6
    print(f"input: {args.path} ({os.path.getsize(args.path) / 1e6:.1f} MB on disk, {mb:.1f} MB raw)")
    print(f"read_documents: {o_n} documents ({empty} empty text) in {o_time:.2f} s = "
          f"{o_n / o_time:,.0f} docs/s, {mb / o_time:.1f} MB/s")
    print(f"plain gzip+json.loads: {p_n} records in {p_time:.2f} s = {p_n / p_time:,.0f} rec/s, "
          f"{mb / p_time:.1f} MB/s")
    print(f"ratio read_documents/plain speed: {p_time / o_time:.2f}")
    print(f"records={stats.records} bad={stats.bad_records} decode_errors={stats.decode_errors} "
          f"dates_unparsed={stats.dates_unparsed}")


if __name__ == "__main__":
    main()
