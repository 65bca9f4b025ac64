"""The ``overlap`` command line: parse options, call the library once, render.

Only this module knows click, prints, or chooses exit codes:

* 0: done (with ``--fail-on-duplicates``: done and nothing found);
* 1: an error in the data or environment, printed as one line;
* 2: a usage error (click's own);
* 3: done, and duplicates were found, with ``--fail-on-duplicates``;
* 130: interrupted.

Options can also come from ``OVERLAP_<COMMAND>_<OPTION>`` environment
variables and from a ``--config`` file (TOML or JSON, one table per
command), in click's order of precedence: command line, environment,
config file, default.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from ._version import __version__
from .errors import OverlapError
from .ingest import FORMATS, FieldMap, IngestStats, read_documents
from .graph import GRAPH_FORMATS
from .text.screen import SET_ASIDE
from .params import (
    BoilerplateParams,
    DuplicateParams,
    MinHashParams,
    ParaphraseParams,
    Params,
    PassageParams,
    ShingleParams,
)

if TYPE_CHECKING:
    from .index.filter import IdCheck

EXIT_ERROR = 1
EXIT_DUPLICATES_FOUND = 3
EXIT_INTERRUPTED = 130
_MAX_PRINTED_WARNINGS = 20


def _fail(message: str) -> None:
    click.echo(f"overlap: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _load_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Load a config file into click's ``default_map`` (lowest precedence but defaults)."""
    if not value:
        return value
    path = Path(value)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {value}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw)
        else:
            import tomllib

            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{value}: {exc}") from None
    if not isinstance(data, dict):
        raise click.BadParameter(f"{value}: expected a table of commands")
    assert isinstance(ctx.command, click.Group)
    ctx.default_map = {command: _config_table(ctx, ctx.command, value, command, table)
                       for command, table in data.items()}
    return value


def _config_table(ctx: click.Context, group: click.Group, path: str, command: str, table: Any) -> dict[str, Any]:
    """One command's table of a config file, checked as the command line would check it.

    A misspelt key would otherwise be ignored without a word (the run then
    silently uses the default), and a value of the wrong type would fail
    later with a traceback; both are errors naming the file and the key. Keys
    are option names as on the command line (``graph-format``, ``format``)
    or their Python names (``graph_formats``, ``fmt``).
    """
    import difflib

    cmd = group.commands.get(command)
    if cmd is None:
        raise click.BadParameter(f"{path}: unknown command [{command}]; expected one of: "
                                 + ", ".join(sorted(group.commands)))
    if not isinstance(table, dict):
        raise click.BadParameter(f"{path}: [{command}] must be a table of options, got {table!r}")
    names: dict[str, click.Option] = {}
    for param in cmd.params:
        if isinstance(param, click.Option) and param.name and param.name != "help":
            names[param.name] = param
            for opt in (*param.opts, *param.secondary_opts):
                if opt.startswith("--"):
                    names[opt[2:].replace("-", "_")] = param
    out: dict[str, Any] = {}
    for key, raw in table.items():
        param = names.get(key.replace("-", "_"))
        if param is None:
            close = difflib.get_close_matches(key.replace("_", "-"), [n.replace("_", "-") for n in names], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise click.BadParameter(f"{path}: [{command}] unknown option {key!r}{hint}")
        try:
            param.type_cast_value(ctx, raw)
        except (click.BadParameter, TypeError, ValueError) as exc:
            reason = exc.format_message() if isinstance(exc, click.ClickException) else \
                f"not a valid {param.type.name}{' list' if param.multiple else ''}"
            raise click.BadParameter(f"{path}: [{command}] {key} = {raw!r}: {reason}") from None
        assert param.name is not None
        out[param.name] = raw
    return out


class _Progress:
    """Per-stage progress on stderr: done/total in the stage's own unit, rate and ETA.

    A terminal gets a tqdm bar per stage; anything else (a log file, CI) gets a
    plain line every ``interval`` seconds, so logs stay readable. Quiet for the
    first ``delay`` seconds of each stage: a small scan prints nothing but its summary.
    Stages that run side by side (a scan's passages and paraphrase tiers on a
    cluster, each reporting from its own thread) each keep their own bar or lines.
    """

    def __init__(self, enabled: bool, stream: Any = None, delay: float = 5.0, interval: float = 10.0) -> None:
        from .pipeline import STAGE_UNITS

        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.units = STAGE_UNITS
        self.delay, self.interval = delay, interval
        self.lanes: dict[int, _Lane] = {}  # the thread reporting -> the stage it is in
        self.lock = threading.Lock()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        with self.lock:
            now = time.monotonic()
            lane = self.lanes.get(threading.get_ident())
            if lane is None or lane.stage != stage:
                if lane is not None:
                    lane.close()
                lane = self.lanes[threading.get_ident()] = _Lane(stage, now, done)
            if now - lane.start < self.delay:
                return  # a stage that ends within the delay shows nothing
            if self.tty:
                self._bar(lane, done, total)
            else:
                self._line(lane, now, done, total)

    def _bar(self, lane: "_Lane", done: int, total: int | None) -> None:
        if lane.bar is None:
            from tqdm import tqdm

            lane.bar = tqdm(total=total, desc=f"overlap: {lane.stage}", unit=f" {self.units.get(lane.stage, 'items')}",
                            file=self.stream, initial=done, dynamic_ncols=True, mininterval=0.5, leave=True)
        if total is not None and lane.bar.total != total:
            lane.bar.total = total
        lane.bar.update(done - lane.bar.n)

    def _line(self, lane: "_Lane", now: float, done: int, total: int | None) -> None:
        if lane.last is not None and now - lane.last < self.interval and done != total:
            return
        lane.last = now
        line = f"overlap: {lane.stage}: {done:,}" + (f" of {total:,}" if total else "")
        line += f" {self.units.get(lane.stage, 'items')}"
        elapsed = now - lane.start
        rate = (done - lane.done_at_start) / elapsed if elapsed > 0 else 0.0
        if rate > 0:
            line += f", {rate:,.0f}/s" if rate >= 10 else f", {rate:.1f}/s"
            if total and done < total:
                line += f", about {_duration((total - done) / rate)} left"
        click.echo(line, file=self.stream)

    def close(self) -> None:
        with self.lock:
            for lane in self.lanes.values():
                lane.close()
            self.lanes.clear()


class _Lane:
    """One thread's current stage in :class:`_Progress`: when it began, its count then, its last line or its bar."""

    def __init__(self, stage: str, start: float, done: int) -> None:
        self.stage, self.start, self.done_at_start = stage, start, done
        self.last: float | None = None
        self.bar: Any = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``: an ETA a person reads at a glance."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class _Warnings:
    """Warnings on stderr, capped so a run where every record has one problem stays readable.

    A warning is ``'path:line: what'``; its kind is the ``what`` (the place cut
    off). At most ``per_kind`` of one kind and ``total`` in all are printed;
    :meth:`finish` then says how many of each kind were not, so a wrong
    ``--text-field`` on a million records prints a few lines, not a million.
    """

    def __init__(self, quiet: bool, per_kind: int = 3, total: int = _MAX_PRINTED_WARNINGS) -> None:
        self.quiet = quiet
        self.per_kind = per_kind
        self.total = total
        self.count = 0
        self.printed = 0
        self.kinds: dict[str, list[int]] = {}  # kind -> [seen, printed]

    def __call__(self, message: str) -> None:
        self.count += 1
        kind = _WHERE.sub("", message, count=1)
        seen = self.kinds.setdefault(kind, [0, 0]) if len(self.kinds) < 1000 or kind in self.kinds else None
        if seen is not None:
            seen[0] += 1
        if self.quiet or self.printed >= self.total or (seen is not None and seen[1] >= self.per_kind):
            return
        if seen is not None:
            seen[1] += 1
        self.printed += 1
        click.echo(f"overlap: warning: {message}", err=True)

    def finish(self) -> None:
        """Say what was not printed: per kind when one kind repeats, else as one count."""
        if self.quiet or self.printed == self.count:
            return
        left = self.count - self.printed
        for kind, (seen, shown) in sorted(self.kinds.items(), key=lambda item: -item[1][0]):
            if seen > shown and seen - shown >= left / 2:
                click.echo(f"overlap: warning: {seen - shown:,} more like: {kind}", err=True)
                left -= seen - shown
        if left:
            click.echo(f"overlap: {left:,} more warnings not shown", err=True)


_WHERE = re.compile(r"^.*?:(?:\d+:)? (?=\S)")


_LOG_LEVELS = ("debug", "info", "warning", "error")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (click's test runner swaps it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Send the library's log records to stderr: ``-v`` info, ``-vv`` debug, or ``--log-level``."""
    state = ctx.meta.setdefault("overlap_log", {"verbose": 0, "level": None})
    state["verbose" if param.name == "verbose" else "level"] = value
    level = state["level"] or {0: None, 1: "info"}.get(state["verbose"], "debug")
    logger = logging.getLogger("overlap")
    for h in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(h)
    logger.setLevel(level.upper() if level else logging.NOTSET)
    if level is not None:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("overlap: %(levelname)s: %(name)s: %(message)s"))
        logger.addHandler(handler)
    return value


def log_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``-v/--verbose`` and ``--log-level``, the same on every command."""
    func = click.option("--log-level", type=click.Choice(_LOG_LEVELS), default=None, expose_value=False,
                        callback=_set_verbosity, help="Diagnostics on stderr from this level up.")(func)
    return click.option("-v", "--verbose", count=True, expose_value=False, callback=_set_verbosity,
                        help="Diagnostics on stderr: -v what each stage did, -vv debug detail.")(func)


def input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads articles."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="Input format; by default from the file name (.jsonl[.gz], .csv[.gz], .txt/.md, a directory). "
                          "stdin ('-') is JSONL unless given."),
        click.option("--id-field", default="id", show_default=True, help="Record field holding the document id."),
        click.option("--text-field", default="text", show_default=True, help="Record field holding the text, e.g. body."),
        click.option("--source-field", default="source", show_default=True, help="Field naming the outlet."),
        click.option("--title-field", default="title", show_default=True, help="Field holding the title."),
        click.option("--date-field", default="date", show_default=True, help="Field holding the publication date."),
        click.option("--url-field", default="url", show_default=True, help="Field holding the URL."),
        click.option("--meta", type=click.Path(dir_okay=False), default=None,
                     help="Sidecar CSV/JSONL keyed by id with source, date, title, url for the documents."),
        click.option("--on-bad-record", type=click.Choice(["skip", "fail"]), default="skip", show_default=True,
                     help="A malformed record: skip it with a warning naming file:line, or stop with exit 1."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _field_map(kw: dict[str, Any]) -> FieldMap:
    try:
        return FieldMap(
            id=kw.pop("id_field"), text=kw.pop("text_field"), source=kw.pop("source_field"),
            title=kw.pop("title_field"), date=kw.pop("date_field"), url=kw.pop("url_field"),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.group(context_settings={"auto_envvar_prefix": "OVERLAP", "help_option_names": ["-h", "--help"],
                               "show_default": True})
@click.version_option(__version__, prog_name="overlap")
@click.option("--config", type=click.Path(dir_okay=False), callback=_load_config, is_eager=True, expose_value=False,
              help="TOML or JSON file with option defaults, one table per command, e.g. [scan] threshold = 0.8")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Find where news articles share text.

    \b
    Example:
      overlap scan seeds/ -o reports/
      overlap scan articles.jsonl.gz --id-field newid --text-field body -o out/
    """
    _terminate_as_interrupt(ctx)
    _collect_less_often(ctx)


#: Allocations between the cycle collector's young-generation passes while a command runs (Python's default: 700).
GC_THRESHOLD = (20_000, 10, 10)


def _collect_less_often(ctx: click.Context) -> None:
    """Run the cycle collector less often while a command runs; the previous thresholds come back after.

    A scan keeps hundreds of thousands of small objects alive (document
    records, boilerplate counts, word-hash cache), and at Python's default
    thresholds the collector walked them all again and again: 1.2 of 12 CPU
    seconds of the duplicate tier on Reuters-21578, 0.4 at these thresholds
    (``bench/scan.py``; README, "Benchmarks"). overlap makes few reference
    cycles, so memory does not grow for it.
    """
    import gc

    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    ctx.call_on_close(lambda: gc.set_threshold(*previous))


class _Workers(click.ParamType):
    """``--workers``: a number of processes (1-1024), ``auto``, or 0 (this process only)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) or str(value).strip().lower() == "auto":
            return value if isinstance(value, int) else "auto"
        try:
            n = int(value)
        except ValueError:
            self.fail(f"{value!r} is not a number of workers or 'auto'", param, ctx)
        if not 0 <= n <= 1024:
            self.fail(f"{n} is not in the range 0<=x<=1024", param, ctx)
        return n


def _engine_choice(workers: int | str | None, scheduler: str | None, warn: Callable[[str], None]) -> dict[str, Any]:
    """``workers``, ``scheduler`` or ``engine`` for :func:`overlap.scan`.

    ``--workers`` on the command line beats a scheduler from the environment
    (click's precedence), and a scheduler beats ``OVERLAP_WORKERS``; both on
    the command line is a usage error.
    ``--workers 0`` is this process only. Neither given: the cores of this
    machine for a large corpus (:class:`overlap.engine.Auto`, ``optional``: a
    laptop's user should not have to know the option to use its cores, so
    without the ``dask`` extra the scan stays in this process, and a cluster
    that cannot start is one warning, not a failed scan). The library's
    :func:`overlap.scan` stays in its caller's process unless told otherwise.
    """
    ctx = click.get_current_context()
    if workers is not None and scheduler is not None:
        env = click.core.ParameterSource.ENVIRONMENT
        if ctx.get_parameter_source("workers") is env:  # OVERLAP_WORKERS: a standing default, not this run's choice
            workers = None
        elif ctx.get_parameter_source("scheduler") is env:
            scheduler = None
        else:
            raise click.UsageError("--workers starts a local cluster and --scheduler uses a running one: give one",
                                   ctx=ctx)
    if workers == 0:
        return {}
    if workers is None and scheduler is None:
        from .engine import Auto

        def fallback(reason: str) -> None:
            warn(f"{reason}; the scan runs in this process instead (--workers 0 runs it there without trying)")

        return {"engine": Auto(optional=True, on_fallback=fallback)}
    return {"workers": workers, "scheduler": scheduler}


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _terminate_as_interrupt(ctx: click.Context) -> None:
    """SIGTERM (``kill``, ``timeout``, a container stopping) cleans up and exits 130 as Ctrl-C does.

    Python's default for SIGTERM is to die on the spot, which skips every
    ``finally`` and left temporary output folders behind. The previous
    handler is restored when the command ends (the CLI may run inside a test
    process).
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))


@main.command()
@log_options
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default="reports", show_default=True,
              help="Directory to write matches.jsonl, clusters.json, summary.json and report.md into.")
@input_options
@click.option("--shingle-size", type=click.IntRange(1, 16), default=ShingleParams.size,
              help="Words per shingle. Smaller finds more rewritten copies and more chance overlaps.")
@click.option("--num-perm", type=click.IntRange(16, 1024), default=MinHashParams.num_perm,
              help="MinHash permutations: more is a closer estimate, slower.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=MinHashParams.seed, help="MinHash seed.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=DuplicateParams.threshold,
              help="Verified Jaccard similarity at which two documents are near-duplicates "
                   "(lower: more recall, less precision).")
@click.option("--lsh-threshold", type=click.FloatRange(0.05, 1), default=MinHashParams.lsh_threshold,
              help="Where LSH starts proposing candidates; keep it below --threshold.")
@click.option("--min-words", type=click.IntRange(1, 100_000), default=DuplicateParams.min_words,
              help="Documents with fewer words are skipped (counted in the report).")
@click.option("--max-chars", type=click.IntRange(1, 10**10), default=DuplicateParams.max_chars,
              help="Longer documents are set aside (counted in the report), like binary files, base64 blobs and "
                   "number tables, so no one document can stall a stage; e.g. 5000000 for book-length texts.")
@click.option("--boilerplate-min-docs", type=click.IntRange(2, 1_000_000), default=BoilerplateParams.min_docs,
              help="A short line in this many documents of one source is boilerplate.")
@click.option("--boilerplate-max-words", type=click.IntRange(1, 10_000), default=BoilerplateParams.max_words,
              help="Lines longer than this are never boilerplate.")
@click.option("--boilerplate-min-share", type=click.FloatRange(0, 1), default=BoilerplateParams.min_share,
              help="...and in at least this share of the source's documents (large sources keep chance repeats).")
@click.option("--no-boilerplate", is_flag=True, default=False, help="Do not recognise boilerplate.")
@click.option("--no-passages", is_flag=True, default=False,
              help="Skip the shared-passage stage (kind 'reuse'): whole-document duplicates only, much faster on large corpora.")
@click.option("--no-paraphrase", is_flag=True, default=False,
              help="Skip the paraphrase tier (same statement in other words; the slowest stage with embeddings).")
@click.option("--paraphrase-threshold", type=click.FloatRange(0, 1), default=None,
              help="Paraphrase score cut; by default the model's cross-validated cut (about 0.46). Higher: more precision.")
@click.option("--paraphrase-max-docs", type=click.IntRange(0, 10**9), default=ParaphraseParams.max_documents,
              help="Skip the paraphrase tier above this many documents, e.g. 20000 to bound run time; 0: no limit.")
@click.option("--claim-threshold", type=click.FloatRange(0, 1), default=None,
              help="Claim score cut (same claim); by default the model's own cut. Higher: more precision.")
@click.option("--no-claims", is_flag=True, default=False,
              help="Report only the same statement in other words, not the looser same claim (talking points).")
@click.option("--lexical-paraphrase", is_flag=True, default=False,
              help="Score paraphrases without the embedding model even if it is installed (faster, fewer found).")
@click.option("--pair-model/--no-pair-model", default=ParaphraseParams.pair_model, show_default=True,
              help="Let the pair model (a cross-encoder that reads both statements together) judge paraphrases and "
                   "claims (needs the embedding model); off: the fitted scores judge. More precise on held-out "
                   "benchmarks, not yet on news, 3.4x the tier's CPU: see overlap/data/PAIR-MODEL.md.")
@click.option("--pair-check/--no-pair-check", default=ParaphraseParams.pair_check, show_default=True,
              help="With the fitted scores judging (no --pair-model), let the pair model read the pairs they accept "
                   "and reject those it is confident are not the same statement or claim (a swapped role, "
                   "another fact); needs the embedding model.")
@click.option("--role-check/--no-role-check", default=ParaphraseParams.roles, show_default=True,
              help="Reject a paraphrase or claim whose statements swap named actors between a verb's roles "
                   "(\"Russia accused Ukraine\" / \"Ukraine accused Russia\"), or negate or oppose one's action in the "
                   "other (\"will send\" / \"will not send\", \"rose\" / \"fell\"): a grammar parse of the accepted "
                   "pairs (spaCy, with the embed extra).")
@click.option("--within-document/--no-within-document", default=ParaphraseParams.within_document, show_default=True,
              help="Count paraphrases and claims between statements of one document (a reporter restating a quote); "
                   "such matches are marked within_document. --no-within-document keeps only pairs across documents.")
@click.option("--timings", is_flag=True, default=False,
              help="Write stage timings into summary.json (the files are then no longer byte-identical across runs).")
@click.option("--fail-on-duplicates", is_flag=True, default=False,
              help=f"Exit with {EXIT_DUPLICATES_FOUND} when any duplicate is found (for pipelines).")
@click.option("--graph-format", "graph_formats", type=click.Choice([*GRAPH_FORMATS, "none"]), multiple=True,
              default=("gexf",),
              help="Reuse graph formats to write (repeatable): graph.* (documents) and sources.* (outlets), "
                   "e.g. --graph-format gexf --graph-format csv; 'none' writes no graph.")
@click.option("--infer-source/--no-infer-source", default=True,
              help="Give a document without a source the outlet its text states ('Source: Tass', "
                   "'(Reuters) -', a sign-off), marked 'NAME (inferred)'.")
@click.option("--workers", type=_Workers(), default=None, metavar="N|auto", envvar="OVERLAP_WORKERS",
              help="Run the costly stages on a local Dask cluster of N worker processes, started and stopped with the "
                   "scan, e.g. --workers 2; --workers auto: one per core, for 4 million characters of text or more (less "
                   "stays in this process); --workers 0: everything in this process. Needs pip install 'overlap[dask]'. "
                   "Default: OVERLAP_WORKERS, else auto when the dask extra is installed, else this process. "
                   "The output is the same.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT", envvar=["OVERLAP_SCAN_SCHEDULER", "DASK_SCHEDULER_ADDRESS"],
              help="Run them on a running Dask cluster instead (its workers need overlap installed), "
                   "e.g. --scheduler tcp://10.0.0.5:8786; also read from DASK_SCHEDULER_ADDRESS.")
@click.option("-q", "--quiet", is_flag=True, default=False, help="No summary, progress or warnings on the terminal.")
def scan(inputs: tuple[str, ...], output: str, **kw: Any) -> None:
    """Report near-duplicate documents in a collection of articles.

    \b
    Examples:
      overlap scan seeds/ -o reports/
      overlap scan reuters.jsonl.gz --id-field newid --text-field body --threshold 0.8 -o out/
      cat articles.jsonl | overlap scan - -o out/
      overlap scan reuters.jsonl.gz --id-field newid --text-field body --workers auto -o out/
    """
    from .pipeline import scan as run_scan
    from .report.folder import write_scan
    from .report.terminal import render_terminal

    if output == "-":
        raise click.UsageError("-o - would make a folder named '-': a scan writes a folder of files; "
                               "give a folder, then e.g. 'overlap report DIR --format json' prints it on stdout",
                               ctx=click.get_current_context())
    fields = _field_map(kw)
    quiet = kw["quiet"]
    stats = IngestStats()
    warn = _Warnings(quiet)
    engine = _engine_choice(kw["workers"], kw["scheduler"], warn)
    try:
        params = Params(
            shingle=ShingleParams(kw["shingle_size"]),
            minhash=MinHashParams(kw["num_perm"], kw["seed"], kw["lsh_threshold"]),
            duplicates=DuplicateParams(kw["threshold"], kw["min_words"], kw["max_chars"]),
            boilerplate=BoilerplateParams(not kw["no_boilerplate"], kw["boilerplate_min_docs"],
                                          kw["boilerplate_max_words"], kw["boilerplate_min_share"]),
            passages=PassageParams(enabled=not kw["no_passages"]),
            paraphrase=ParaphraseParams(enabled=not kw["no_paraphrase"], max_documents=kw["paraphrase_max_docs"],
                                        threshold=kw["paraphrase_threshold"],
                                        claim_threshold=kw["claim_threshold"], claims=not kw["no_claims"],
                                        embeddings=not kw["lexical_paraphrase"],
                                        pair_model=kw["pair_model"] and not kw["lexical_paraphrase"],
                                        pair_check=kw["pair_check"],
                                        roles=kw["role_check"], within_document=kw["within_document"]),
        )
    except OverlapError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        documents = read_documents(list(inputs), fmt=kw["fmt"], fields=fields, meta=kw["meta"],
                                   on_error=kw["on_bad_record"], stats=stats, on_warning=warn,
                                   stdin=None, infer_sources=kw["infer_source"])
        progress = _Progress(not quiet)
        with run_scan(documents, params, progress=progress, **engine) as result:
            progress.close()
            for s in result.skipped:
                if s.reason.startswith(SET_ASIDE):
                    warn(f"{s.origin or s.doc}: set aside: {s.reason}")
            ingest = {k: v for k, v in asdict(stats).items() if k != "warnings"}
            written = write_scan(result, output, timings=kw["timings"], extra={"ingest": ingest},
                                 graph_formats=[f for f in kw["graph_formats"] if f != "none"])
            warn.finish()
            if not quiet:
                click.echo(render_terminal(result, output, files=[Path(p).name for p in written]))
                over = result.counts.get("paraphrase_skipped_documents_over_limit")
                if over:
                    click.echo(f"overlap: paraphrase tier skipped: {over:,} documents is over --paraphrase-max-docs "
                               f"{params.paraphrase.max_documents:,} (0 runs it anyway)", err=True)
            found = bool(result.matches)
    except OverlapError as exc:
        warn.finish()
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        click.echo("overlap: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if "engine" in engine:  # the default's cluster, if the scan started one (a scan leaves a given engine open)
            engine["engine"].close()
    if kw["fail_on_duplicates"] and found:
        sys.exit(EXIT_DUPLICATES_FOUND)


def _passage_record(m: Any, text_a: str | None = None, text_b: str | None = None) -> dict[str, Any]:
    """A reuse match as one JSON object: ``kind``, ``score``, ``a``/``b`` with doc, start, end, text."""
    out: dict[str, Any] = {"kind": m.kind, "score": m.score}
    for name, side, text in (("a", m.a, text_a), ("b", m.b, text_b)):
        rec: dict[str, Any] = {"doc": side.doc, "start": side.span.start, "end": side.span.end}
        if text is not None:
            rec["text"] = text[side.span.start : side.span.end]
        out[name] = rec
    out["a_in_b"] = m.a_in_b
    out["b_in_a"] = m.b_in_a
    out.update(m.details)
    return out


def _excerpt(text: str, limit: int = 600) -> str:
    import textwrap

    from .report.escape import label

    flat = label(text)  # no terminal escape sequences, no bidi controls
    if len(flat) > limit:
        flat = flat[: limit // 2] + " [...] " + flat[-limit // 2 :]
    return textwrap.fill(flat, width=96, initial_indent="    ", subsequent_indent="    ")


def _compare_pairs(pairs_file: str, params: PassageParams, root: str | None, workers: int, warn: _Warnings) -> None:
    """``compare --pairs``: one JSON line per shared passage, in the pairs file's order; exit 1 if a pair failed."""
    from .ingest import read_text_file
    from .passages.pairfiles import compare_pairs

    failed = False
    progress = _Progress(True)
    try:
        for done, result in enumerate(compare_pairs(pairs_file, params, root=root, workers=workers), 1):
            progress("compare", done, None)
            for message in result.warnings:
                warn(message)
            if result.error is not None:
                click.echo(f"overlap: error: {result.error}", err=True)
                failed = True
                continue
            if not result.matches:
                continue
            text_a = read_text_file(Path(root or ".") / result.a).text
            text_b = read_text_file(Path(root or ".") / result.b).text
            lines = [json.dumps(_passage_record(m, text_a, text_b), ensure_ascii=False) for m in result.matches]
            click.echo("\n".join(lines))
    except OverlapError as exc:
        warn.finish()
        _fail(str(exc))
    except KeyboardInterrupt:
        click.echo("overlap: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    progress.close()
    warn.finish()
    if failed:
        sys.exit(EXIT_ERROR)


@main.command()
@log_options
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, allow_dash=True), metavar="[A B]")
@click.option("--pairs", "pairs_file", type=click.Path(dir_okay=False), default=None,
              help="File with one pair of paths per line, e.g. 'wire/1.txt local/7.txt'; writes JSON lines.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Directory the paths in --pairs are relative to (default: the current directory).")
@click.option("--workers", type=click.IntRange(1, 64), default=1,
              help="Processes for --pairs; the output order stays the same.")
@click.option("--min-chars", type=click.IntRange(1, 1_000_000), default=PassageParams.min_chars,
              help="Shortest passage reported, in characters on both sides (lower: short shared quotes too).")
@click.option("--seed-similarity", type=click.FloatRange(0, 1), default=PassageParams.seed_cosine,
              help="Sentence similarity that starts a passage (lower: more rewording found, more chance matches).")
@click.option("--json", "as_json", is_flag=True, default=False, help="JSON lines instead of text, for A B.")
def compare(files: tuple[str, ...], pairs_file: str | None, root: str | None, workers: int, min_chars: int,
            seed_similarity: float, as_json: bool) -> None:
    """Shared passages of two texts, with exact character offsets in both.

    \b
    Examples:
      overlap compare wire.txt local.txt
      curl -s https://example.org/story.txt | overlap compare wire.txt -
      overlap compare --pairs pairs.txt --root corpus/ --workers 2 > passages.jsonl

    With --pairs, each output line is one shared passage: {"kind": "reuse", "score", "a": {"doc", "start",
    "end", "text"}, "b": {...}, "a_in_b", "b_in_a", "ratio", "mode"}; doc is the path as written in the file,
    a_in_b the share of a's characters the passage covers. Pairs sharing nothing write no line. A pair
    that cannot be read is reported on stderr as FILE:LINE and the run goes on, ending with exit 1.
    """
    from .passages.align import compare_texts
    from .ingest import binary_stdin, decode_text_file, read_text_file

    warn = _Warnings(quiet=False)
    try:
        params = PassageParams(min_chars=min_chars, seed_cosine=seed_similarity, seed_dice=seed_similarity)
    except OverlapError as exc:
        raise click.UsageError(str(exc)) from None
    if pairs_file is not None:
        if files:
            raise click.UsageError("give either two files or --pairs, not both")
        _compare_pairs(pairs_file, params, root, workers, warn)
        return
    if len(files) != 2:
        raise click.UsageError("give two files to compare, or --pairs FILE")
    if files == ("-", "-"):
        raise click.UsageError("only one of A and B can be '-' (stdin)")
    texts = []
    for path in files:
        try:
            content = (decode_text_file(binary_stdin(None, "<stdin>").read()) if path == "-"
                       else read_text_file(path))
        except OverlapError as exc:  # standard input closed
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{'<stdin>' if path == '-' else path}: {exc.strerror or exc}")
        if content.invalid_line is not None:
            warn(f"{path}:{content.invalid_line}: invalid UTF-8, decoded with replacement")
        texts.append(content.text)
    text_a, text_b = texts
    matches = compare_texts(text_a, text_b, params, a_id=files[0], b_id=files[1])
    if as_json:
        for m in matches:
            click.echo(json.dumps(_passage_record(m, text_a, text_b), ensure_ascii=False))
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

@main.command()
@log_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True), metavar="FILE|-")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Score at which a pair counts as a paraphrase; by default the model's cross-validated cut "
                   "(printed in each line as \"threshold\").")
@click.option("--lexical", is_flag=True, default=False,
              help="Use the lexical model and no pair model, even if onnxruntime and the embedding model "
                   "(overlap[embed]) are installed: what a plain install does (the role check still runs; "
                   "--no-role-check).")
@click.option("--pair-model/--no-pair-model", default=ParaphraseParams.pair_model, show_default=True,
              help="Let the pair model (a cross-encoder reading both texts) judge (needs the embedding model); "
                   "off: the fitted scores judge.")
@click.option("--pair-check/--no-pair-check", default=ParaphraseParams.pair_check, show_default=True,
              help="With the fitted scores judging (no --pair-model), let the pair model veto the pairs they accept "
                   "(each line then says \"pair_check\": its two probabilities, or null).")
@click.option("--role-check/--no-role-check", default=ParaphraseParams.roles, show_default=True,
              help="Decide no paraphrase or claim for a pair whose texts swap named actors between a verb's roles "
                   "or negate or oppose the same action; each line then says \"roles\" (why, or null).")
@click.option("--on-bad-line", type=click.Choice(["skip", "fail"]), default="skip", show_default=True,
              help="A malformed line: write {\"error\": ..., \"line\": N} in its place and warn naming file:line, "
                   "or stop there with exit 1.")
@click.option("--workers", type=click.IntRange(0, 1024), default=0, show_default=True, metavar="N",
              help="Score the pairs on N local worker processes (a Dask LocalCluster; pip install 'overlap[dask]'), "
                   "256 lines a task; 0: this process. The lines out are the same, in order.")
def score(file: str, threshold: float | None, lexical: bool, pair_model: bool, pair_check: bool, role_check: bool,
          on_bad_line: str, workers: int) -> None:
    """Score sentence pairs for paraphrase: one JSON line out per JSON line in.

    Each input line is {"a": text, "b": text}; each output line has "score" (0-1),
    "paraphrase" (score >= threshold), "threshold", "claim_score" and "claim" (the
    looser "same claim?" model fitted on STS-B: a talking point restated, perhaps
    with details added or missing), "claim_threshold", "containment" (share of the
    shorter side's content words in the other: MRPC-style scores penalise a
    sentence that adds to the other; in news that is often still the same claim),
    "signals" and "model" (which scorer: the pair model, embedding or lexical, and why), and
    "roles" (with the role check, for a pair either relation accepts: the verb whose named actors
    the texts swap, or that one negates or opposes, which makes "paraphrase" and "claim" false, else
    null). A pair
    with a side the models cannot read (not English, empty, one or two content
    words, numbers only, a list of names, a score line, a heading in capitals) is not scored: its line
    has "scored": false, "not_scored" ({"a": reason, "b": reason}, the failing
    sides), "score": null and "paraphrase"/"claim": false. Blank lines are ignored.

    \b
    Example:
      echo '{"a": "Russia is ready to talk.", "b": "Moscow says it is open to dialogue."}' | overlap score -
    """
    from contextlib import nullcontext

    from .errors import InputError
    from .ingest import binary_stdin
    from .claims.pair_model import load_pair_model
    from .claims.pairs_io import score_lines
    from .claims.roles import load_role_parser
    from .claims.scorer import load_claim_scorer, load_scorer
    from .engine import open_engine

    name = "<stdin>" if file == "-" else file
    warn = _Warnings(quiet=False)
    engine = None
    try:
        try:
            stream = nullcontext(binary_stdin(None, name)) if file == "-" else open(file, "rb")
        except OSError as exc:
            raise InputError(name, None, f"cannot read: {exc.strerror or exc}") from None
        scorer = load_scorer(lexical_only=lexical)
        claim_scorer = load_claim_scorer(lexical_only=lexical)
        pair = load_pair_model() if pair_model and scorer.uses_embeddings else None
        checker = load_pair_model() if pair_check and pair is None and scorer.uses_embeddings else None
        with stream as lines:
            engine = open_engine(workers) if workers else None
            for item in score_lines(lines, name, scorer, threshold, batch=256 if engine else 64, claim_scorer=claim_scorer,
                                    on_warning=warn, pair=pair, roles=load_role_parser() if role_check else None,
                                    checker=checker, engine=engine):
                if isinstance(item, InputError):
                    if on_bad_line == "fail":
                        _fail(str(item))
                    warn(str(item))
                    click.echo(json.dumps({"error": item.message, "line": item.line}))
                else:
                    click.echo(json.dumps(item, ensure_ascii=False))
        warn.finish()
    except OverlapError as exc:
        warn.finish()
        _fail(str(exc))
    except KeyboardInterrupt:
        click.echo("overlap: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if engine is not None:
            engine.close()


@main.command()
@log_options
@click.argument("scan_dir", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md",
              help="Markdown, the self-contained HTML page, or one JSON document (summary, clusters, matches).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="File to write (atomically); standard output if not given.")
def report(scan_dir: str, fmt: str, output: str | None) -> None:
    """Re-render a finished scan directory without rescanning.

    Reads matches.jsonl, clusters.json and summary.json. With --format html
    and -o FILE, the pages long lists continue on are written beside FILE
    (FILE-reuse-2.html, ...).

    \b
    Examples:
      overlap report reports/ --format html -o reports/report.html
      overlap report reports/ --format json | jq .summary.counts
    """
    from .atomic import write_file
    from .report.folder import render_html_report, render_report, write_report_pages

    try:
        if fmt == "html" and output:
            write_report_pages(scan_dir, output)
        elif fmt == "html":
            pages = render_html_report(scan_dir)
            click.echo(pages["report.html"], nl=False)
            if len(pages) > 1:
                click.echo(f"overlap: report.html links to {len(pages) - 1:,} more pages; "
                           "write them beside it with -o FILE", err=True)
        else:
            text = render_report(scan_dir, fmt)
            if output:
                write_file(output, text.encode("utf-8"))
            else:
                click.echo(text, nl=False)
    except OverlapError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        click.echo("overlap: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)


@main.command()
@log_options
@click.argument("scan_dir", type=click.Path(file_okay=False))
@click.option("--format", "formats", type=click.Choice(GRAPH_FORMATS), multiple=True, default=GRAPH_FORMATS,
              help="Formats to write (repeatable); all of them by default.")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Directory to write into; the scan directory if not given.")
def graph(scan_dir: str, formats: tuple[str, ...], output: str | None) -> None:
    """Write the reuse graphs of a finished scan: GEXF, GraphML, node-link JSON, CSV edge lists.

    graph.* holds documents, sources.* outlets; edges point from the earlier
    to the later publication where dates are known.

    \b
    Examples:
      overlap graph reports/
      overlap graph reports/ --format graphml --format csv -o graphs/
    """
    from .report.folder import write_graphs

    try:
        for path in write_graphs(scan_dir, formats, output):
            click.echo(str(path))
    except OverlapError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {output or scan_dir}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        click.echo("overlap: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)



@main.command("filter")
@log_options
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("--index", "index_target", required=True, metavar="PATH|redis://HOST:PORT/DB",
              help="Persistent index of the documents seen so far: an SQLite file (created if missing) "
                   "or a Redis index shared by several workers, e.g. redis://localhost:6379/0?prefix=news "
                   "(also rediss:// and unix:// as redis-py reads them; passwords are never printed).")
@input_options
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), default=0.8,
              help="Exact similarity (from the shingles) at or above which a document is a duplicate "
                   "(lower: drops more rewritten copies, and more that only look alike).")
@click.option("--mode", type=click.Choice(["whole", "containment"]), default="whole",
              help="whole: Jaccard of whole documents; containment: share of the new document found in an "
                   "earlier one, so a short piece cut from a long article counts.")
@click.option("--mark", is_flag=True, default=False,
              help="Write every document with its verdict (adds duplicate_of and score) instead of the new ones only.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=256,
              help="Documents decided together; output is flushed after each batch (1: answer every line at once).")
@click.option("--commit-every", type=click.IntRange(1, 10_000_000), default=4096,
              help="Commit new documents to an SQLite index every N, always after their output was flushed "
                   "(a Redis index commits after every batch).")
@click.option("--num-perm", type=click.IntRange(16, 1024), default=None,
              help="[index creation] MinHash permutations  [default: 128]")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None,
              help="[index creation] MinHash seed  [default: 1]")
@click.option("--shingle-size", type=click.IntRange(1, 16), default=None,
              help="[index creation] Words per shingle  [default: 5]")
@click.option("--lsh-threshold", type=click.FloatRange(0.05, 1), default=None,
              help="[index creation] Lowest --threshold the index can serve  [default: 0.5]")
@click.option("--anchor-window", type=click.IntRange(0, 1000), default=None,
              help="[index creation] Containment anchors: one per N shingles; 0: none, a smaller and faster "
                   "index for --mode whole only  [default: 12]")
@click.option("--no-create", is_flag=True, default=False, help="Fail instead of creating a missing index.")
@click.option("-q", "--quiet", is_flag=True, default=False, help="No counts or warnings on stderr.")
def filter_command(inputs: tuple[str, ...], index_target: str, **kw: Any) -> None:
    """Drop documents seen before: write the new ones to stdout and remember them in the index.

    Reads JSONL (also .jsonl.gz, CSV, or a folder of .txt files) from INPUT
    files or stdin, writes the records of the documents that are not
    near-duplicates of anything in the index (or earlier in the input) to
    stdout, unchanged, then adds them to the index; counts go to stderr.
    Output is written and flushed whole before the index records a document,
    so after a crash or a full disk, running the same input again loses
    nothing (a few records may come out twice, same id). An id already in
    the index is the same document seen before: a second run of the same
    input writes nothing. An index keys either number or string ids, never
    both (1 and "1" would be one key): the other kind is refused.

    \b
    Examples:
      overlap filter --index seen.db today.jsonl > new.jsonl
      zcat feed.jsonl.gz | overlap filter --index redis://db1:6379/0 --mode containment
      overlap filter --index seen.db --mark --id-field newid --text-field body reuters.jsonl.gz
    """
    from .index.filter import FilterStats, IdCheck, LineOutput, filter_documents
    from .index import open_index

    fields = _field_map(kw)
    quiet = kw["quiet"]
    creation = {k: kw[k] for k in ("num_perm", "seed", "shingle_size", "lsh_threshold", "anchor_window")
                if kw[k] is not None}
    from_stdin = not inputs or list(inputs) == ["-"]
    if sys.stdout is None:  # started with stdout closed (>&-)
        _fail("standard output is closed: the filter writes the new records there (redirect it to a file or pipe)")
    if from_stdin and sys.stdin is None:
        _fail("standard input is closed: give INPUT files, or pipe JSONL records into the filter")
    out = LineOutput(sys.stdout.buffer)
    warn = _Warnings(quiet)
    ingest_stats = IngestStats()
    stats = FilterStats()
    progress = _Progress(not quiet)
    ids = IdCheck(fields.id, ingest_stats, warn, progress)
    try:
        with open_index(index_target, create=not kw["no_create"], settings=creation or None) as idx:
            docs = _filter_inputs(inputs if not from_stdin else None, kw, fields, ingest_stats, warn)
            filter_documents(ids.checked(docs, idx), idx, _filter_emitter(out, fields, kw["mark"], ids), flush=out.flush,
                             threshold=kw["threshold"], mode=kw["mode"], batch_size=kw["batch_size"],
                             commit_every=kw["commit_every"], stats=stats,
                             on_skip=lambda doc, reason: warn(f"{doc.origin or doc.id}: skipped: {reason}"))
        progress.close()
    except OverlapError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        # the reader went away; what it did not get was not committed
        sys.stderr.write("overlap: output closed early\n")
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        click.echo("overlap: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    warn.finish()
    if not quiet:
        click.echo(f"overlap filter: {stats.summary()}, {ingest_stats.bad_records} bad records", err=True)


def _filter_inputs(inputs: tuple[str, ...] | None, kw: dict[str, Any], fields: FieldMap, ingest_stats: IngestStats,
                   warn: "_Warnings") -> Any:
    """The filter's documents, records kept as they came (they go out unchanged). From stdin (``inputs``
    None), plain JSONL is answered line by line as it arrives; other formats are read by ingest."""
    from .ingest import iter_jsonl

    common = dict(fmt=kw["fmt"], fields=fields, meta=kw["meta"], on_error=kw["on_bad_record"], stats=ingest_stats,
                  on_warning=warn, keep_records=True, infer_sources=False)
    if inputs is not None:
        return read_documents(list(inputs), **common)
    stdin = sys.stdin.buffer
    if kw["fmt"] in (None, "jsonl") and kw["meta"] is None:
        return iter_jsonl(stdin, "<stdin>", fields, kw["on_bad_record"], ingest_stats, warn, keep_records=True)
    return read_documents(["-"], stdin=stdin, **common)


def _filter_emitter(out: Any, fields: FieldMap, mark: bool, ids: "IdCheck") -> Callable[[Any, Any], None]:
    """Writes a decided document's record as it came: the new ones, or with ``mark`` every one with
    ``duplicate_of`` and ``score`` added."""
    from .ingest import document_to_record

    def emit(doc: Any, decision: Any) -> None:
        if not (mark or decision.is_new):
            return
        rec = document_to_record(doc, fields)
        if mark:
            dup = decision.duplicate_of
            rec["duplicate_of"] = int(dup) if ids.number_ids and dup is not None else dup
            rec["score"] = round(decision.score, 6)
        out.write(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")

    return emit


