"""The ``overlap`` command line: parse options, call one library function, render.

Errors a user can cause (:class:`~overlap.errors.OverlapError`) become one
line on stderr and exit code 1; usage errors exit 2 (click); Ctrl-C 130.
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

import click

from .errors import OverlapError

__all__ = ["main"]


@click.group()
@click.version_option(package_name="overlap")
def main() -> None:
    """Find where news articles share text."""


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"overlap: error: {message}", err=True)
    sys.exit(code)


# ---------------------------------------------------------------- filter

_MAX_SHOWN_WARNINGS = 100
_SHOWN_SKIPS = 3


@main.command("filter")
@click.argument("inputs", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--index", "index_target", required=True, metavar="PATH|redis://HOST:PORT/DB",
    help="Persistent index of documents seen so far: an SQLite file (created if missing) "
    "or a shared Redis index, e.g. redis://localhost:6379/0?prefix=news.",
)
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=0.8, show_default=True,
              help="Similarity at or above which a document is a duplicate (exact, from shingles).")
@click.option("--mode", type=click.Choice(["whole", "containment"]), default="whole", show_default=True,
              help="whole: Jaccard of whole documents; containment: share of the new document "
              "found in an earlier one (catches a short piece cut from a long article).")
@click.option("--mark", is_flag=True,
              help="Write every document with its verdict (adds duplicate_of and score) instead of only new ones.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "text"]), default=None,
              help="Input format (default: by file name; stdin is JSONL).")
@click.option("--id-field", default="id", show_default=True, help="Record field holding the document id.")
@click.option("--text-field", default="text", show_default=True, help="Record field holding the text.")
@click.option("--on-error", type=click.Choice(["skip", "fail"]), default="skip", show_default=True,
              help="Bad records (malformed JSON, no id or text, empty text): count and skip, or stop.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=256, show_default=True,
              help="Documents decided together; output is flushed after each batch (1 = answer each line at once).")
@click.option("--commit-every", type=click.IntRange(1, 10_000_000), default=4096, show_default=True,
              help="Commit new documents to the index every N (after their output is flushed).")
@click.option("--num-perm", type=click.IntRange(16, 1024), default=None,
              help="[creation] MinHash permutations (default 128).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None, help="[creation] MinHash seed (default 1).")
@click.option("--shingle-size", type=click.IntRange(1, 16), default=None,
              help="[creation] Words per shingle (default 5).")
@click.option("--lsh-threshold", type=click.FloatRange(0.05, 1), default=None,
              help="[creation] Lowest --threshold the index will serve (default 0.5).")
@click.option("--no-create", is_flag=True, help="Fail instead of creating a missing index.")
def filter_command(
    inputs: tuple[str, ...], index_target: str, threshold: float, mode: str, mark: bool, fmt: str | None,
    id_field: str, text_field: str, on_error: str, batch_size: int, commit_every: int,
    num_perm: int | None, seed: int | None, shingle_size: int | None, lsh_threshold: float | None,
    no_create: bool,
) -> None:
    """Drop documents already seen: write new ones to stdout, remember them in the index.

    Reads JSONL (or .jsonl.gz, CSV, or a folder of .txt files) from INPUT
    files or stdin, and writes the records of the documents that are not
    near-duplicates of anything in the index (or earlier in the input) to
    stdout, then adds them to the index. Counts go to stderr. Output for a
    document is flushed before the index records it, so after a crash,
    rerunning the same input loses nothing (a few documents may be written
    twice, with the same id). An id already in the index is the same
    document seen before: a second run of the same input writes nothing.

    \b
    Examples:
      overlap filter --index seen.db today.jsonl > new.jsonl
      zcat feed.jsonl.gz | overlap filter --index redis://db1:6379/0 --mode containment
    """
    from .dedup import FilterStats, filter_documents
    from .index import open_index
    from .ingest import FieldMap, IngestStats, document_to_record, iter_jsonl, read_documents

    out: IO[bytes] = sys.stdout.buffer
    shown = 0

    def warn(message: str) -> None:
        nonlocal shown
        shown += 1
        if shown <= _MAX_SHOWN_WARNINGS:
            click.echo(f"overlap: warning: {message}", err=True)

    try:
        fields = FieldMap(id=id_field, text=text_field)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    creation = {
        k: v for k, v in (("num_perm", num_perm), ("seed", seed), ("shingle_size", shingle_size),
                          ("lsh_threshold", lsh_threshold)) if v is not None
    }
    ingest_stats = IngestStats()
    stats = FilterStats()

    def emit(doc: Any, decision: Any) -> None:
        if mark:
            rec = document_to_record(doc, fields)
            rec["duplicate_of"] = decision.duplicate_of
            rec["score"] = round(decision.score, 6)
        elif decision.is_new:
            rec = document_to_record(doc, fields)
        else:
            return
        out.write(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")

    def skip(doc: Any, reason: str) -> None:
        # counted in the summary; the first few named so the user can look
        if stats.skipped <= _SHOWN_SKIPS:
            click.echo(f"overlap: skipped {doc.origin or doc.id}: {reason}", err=True)

    try:
        with open_index(index_target, create=not no_create, settings=creation or None) as idx:
            if not inputs or list(inputs) == ["-"]:
                if fmt in (None, "jsonl"):
                    docs = iter_jsonl(sys.stdin.buffer, "<stdin>", fields, on_error,
                                      ingest_stats, warn)
                else:
                    docs = read_documents(["-"], fmt=fmt, fields=fields, on_error=on_error,
                                          stats=ingest_stats, on_warning=warn,
                                          stdin=sys.stdin.buffer)
            else:
                docs = read_documents(list(inputs), fmt=fmt, fields=fields, on_error=on_error,
                                      stats=ingest_stats, on_warning=warn)
            filter_documents(docs, idx, emit, flush=out.flush, threshold=threshold, mode=mode,
                             batch_size=batch_size, commit_every=commit_every, on_skip=skip, stats=stats)
    except OverlapError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        # the reader went away: what it did not get was not committed
        sys.stderr.close()
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("overlap: interrupted", err=True)
        sys.exit(130)
    if shown > _MAX_SHOWN_WARNINGS:
        click.echo(f"overlap: warning: {shown - _MAX_SHOWN_WARNINGS} more warnings not shown", err=True)
    click.echo(f"overlap filter: {stats.summary()}, {ingest_stats.bad_records} bad records", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
