"""Command line: parse options, call one library function, render.

Errors a user can cause (:class:`overlap.errors.OverlapError`) become one
line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Any

import click

from .errors import OverlapError
from .model import Match
from .params import PassageParams

__all__ = ["main"]


@click.group()
def main() -> None:
    """Find where news articles share text."""


def _passage_params(min_chars: int, seed_cosine: float) -> PassageParams:
    return PassageParams(min_chars=min_chars, seed_cosine=seed_cosine, seed_dice=seed_cosine)


def _side(m: Match, which: str, text: str | None) -> dict[str, Any]:
    side = m.a if which == "a" else m.b
    out: dict[str, Any] = {"doc": side.doc, "start": side.span.start, "end": side.span.end}
    if text is not None:
        out["text"] = text[side.span.start : side.span.end]
    return out


def match_record(m: Match, text_a: str | None = None, text_b: str | None = None) -> dict[str, Any]:
    """A reuse match as the JSON object ``matches.jsonl`` and ``compare --pairs`` write."""
    return {
        "kind": m.kind,
        "score": m.score,
        "a": _side(m, "a", text_a),
        "b": _side(m, "b", text_b),
        "a_in_b": m.a_in_b,
        "b_in_a": m.b_in_a,
        **dict(m.details),
    }


def _excerpt(text: str, limit: int = 600) -> str:
    flat = " ".join("".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text).split())
    if len(flat) > limit:
        half = limit // 2
        flat = flat[:half] + " [...] " + flat[-half:]
    return textwrap.fill(flat, width=96, initial_indent="    ", subsequent_indent="    ")


@main.command("compare")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--pairs", "pairs_file", type=click.Path(dir_okay=False), help="File with one pair of paths per line (e.g. 'a.txt b.txt'); writes JSON lines.")
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Directory the paths in --pairs are relative to. [default: current directory]")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes for --pairs (output order stays the same).")
@click.option("--min-chars", type=click.IntRange(1, 1_000_000), default=PassageParams.min_chars, show_default=True, help="Shortest passage reported, in characters (on both sides).")
@click.option("--seed-similarity", "seed_cosine", type=click.FloatRange(0, 1), default=PassageParams.seed_cosine, show_default=True, help="Sentence similarity that starts a passage; lower finds more rewording and more chance matches.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of text (for A B).")
def compare(files: tuple[str, ...], pairs_file: str | None, root: str | None, workers: int, min_chars: int, seed_cosine: float, as_json: bool) -> None:
    """Shared passages of two texts, with exact character offsets in both.

    \b
    overlap compare wire.txt local.txt
    overlap compare --pairs pairs.txt --root corpus/ --workers 2 > passages.jsonl

    With --pairs, each output line is one shared passage: {"kind": "reuse",
    "score", "a": {"doc", "start", "end", "text"}, "b": {...}, "a_in_b",
    "b_in_a", ...}; a_in_b is the share of a's characters the passage covers.
    Pairs that share nothing write no line. A pair that cannot be read is
    reported on stderr as FILE:LINE and the run goes on (exit code 1).
    """
    from .align import compare_texts
    from .passages import compare_pairs, read_text

    try:
        params = _passage_params(min_chars, seed_cosine)
    except OverlapError as exc:
        raise click.UsageError(str(exc)) from None
    if pairs_file is not None:
        if files:
            raise click.UsageError("give either two FILES or --pairs, not both")
        failed = False
        out = sys.stdout
        try:
            for result in compare_pairs(pairs_file, params, root=root, workers=workers):
                if result.error is not None:
                    click.echo(f"error: {result.error}", err=True)
                    failed = True
                    continue
                if not result.matches:
                    continue
                text_a = read_text(_join(root, result.a))
                text_b = read_text(_join(root, result.b))
                for m in result.matches:
                    out.write(json.dumps(match_record(m, text_a, text_b), ensure_ascii=False) + "\n")
                out.flush()
        except OverlapError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            sys.exit(130)
        if failed:
            sys.exit(1)
        return
    if len(files) != 2:
        raise click.UsageError("give two FILES to compare, or --pairs FILE")
    texts = []
    for path in files:
        try:
            texts.append(read_text(path))
        except UnicodeDecodeError:
            click.echo(f"error: {path}: not UTF-8 text", err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(f"error: {path}: {exc.strerror or exc}", err=True)
            sys.exit(1)
    text_a, text_b = texts
    matches = compare_texts(text_a, text_b, params, a_id=files[0], b_id=files[1])
    if as_json:
        for m in matches:
            click.echo(json.dumps(match_record(m, text_a, text_b), ensure_ascii=False))
        return
    if not matches:
        click.echo(f"No shared passages between {files[0]} and {files[1]}.")
        return
    click.echo(f"{len(matches)} shared passage(s) between {files[0]} (A) and {files[1]} (B):")
    for k, m in enumerate(matches, 1):
        click.echo("")
        click.echo(f"[{k}] score {m.score:.2f}, word alignment {m.details.get('ratio', 0):.2f}, {m.details.get('mode', 'copy')}")
        click.echo(f"  A {m.a.span.start}-{m.a.span.end} ({m.a_in_b:.0%} of A)")
        click.echo(_excerpt(text_a[m.a.span.start : m.a.span.end]))
        click.echo(f"  B {m.b.span.start}-{m.b.span.end} ({m.b_in_a:.0%} of B)")
        click.echo(_excerpt(text_b[m.b.span.start : m.b.span.end]))


def _join(root: str | None, path: str) -> str:
    import os

    return os.path.join(root, path) if root is not None else path


if __name__ == "__main__":
    main()
