"""``scan()``: the only place that knows the order of the stages.

Each stage is a pure batch function: plain batches in (documents, arrays,
pairs), ``(output, counts)`` out, no spill file, progress callback or
counts dict inside. This driver composes them and owns what lies between:
the order, timing, progress, and where data waits (the spill files). The
four shapes of work, which another engine (all cores, a Dask cluster) runs
with the same functions:

- *map over batches of documents*: 1. read (:mod:`.read`: set aside what is
  not text, split into lines and words, short lines); 3. shingle without
  boilerplate and sign (:mod:`.near_duplicates`);
- *reduce / group by key*: 2. boilerplate counts per source; exact copies
  by content key; LSH buckets by band (:mod:`overlap.minhash.lsh`);
- *join pairs with what they need, map over pairs*: 4. candidate pairs with
  their shingle sets -> verified links (:mod:`.near_duplicates`); 6. passage
  candidates with their prepared texts -> ``reuse`` matches
  (:mod:`overlap.passages.corpus`); 7. statements -> ``paraphrase`` matches
  and claim clusters (:mod:`overlap.claims`);
- *collect on the driver*: 5. star clusters and ``duplicate`` matches from
  the verified links, which are few (:mod:`.clusters`).

Texts and word hashes spill to temporary files as they are read, so memory
holds metadata, signatures and matches, not the corpus. Each stage's counts
and wall time go into the result.
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping

import numpy as np

from .._version import __version__
from ..engine import Auto, Engine, open_engine
from ..minhash.lsh import CandidateIndex
from ..minhash.signatures import SCHEME, Signer
from ..model import Cluster, Document, DocumentInfo, Match, ScanResult, Skipped
from ..params import Params
from ..batches import Lazy, batched
from ..text.boilerplate import BoilerplateCounter, BoilerplateSet, unit_text
from ..memory import release_freed_memory
from .clusters import cluster_duplicates, explained_by_duplicates
from .near_duplicates import Link, Words, shingle_and_sign, verify_pairs
from .read import NOT_TEXT, TOO_SHORT, ReadDocument, read_batch
from ..spill import SpilledRecords, SpilledTexts, SpilledUnits, SpillKeys, SpillStore

if TYPE_CHECKING:
    from ..claims.find import ClaimResult

__all__ = ["scan", "versions", "fingerprint", "STAGE_UNITS"]

log = logging.getLogger(__package__)  # "overlap.pipeline", as the CLI's log lines have always said

Progress = Callable[[str, int, "int | None"], None]
#: What each stage's ``progress(stage, done, total)`` counts, for people reading the numbers.
STAGE_UNITS = {
    "read": "documents",
    "signatures": "documents",
    "passages": "candidate pairs",
    "paraphrase signals": "statement pairs",
    "paraphrase embedding": "statements",
    "paraphrase pair model": "pairs",
    "compare": "pairs",
    "filter": "documents",
}
_BATCH = 256  # documents a stage takes at once
_BATCH_CHARS = 8_000_000  # ...and at most this much text, however long the documents
_VERIFY_BATCH = 4096  # candidate pairs joined with their shingle sets at once


def versions() -> dict[str, str]:
    """Versions of overlap and the libraries whose behaviour shapes results."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"overlap": __version__, "python": platform.python_version()}
    for name in ("datasketch", "rapidfuzz", "numpy", "networkx", "click", "xxhash"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - a broken install
            out[name] = "missing"
    out["minhash_scheme"] = SCHEME
    return out


def fingerprint() -> dict[str, str]:
    """What must be the same in a driver and every worker for a scan to give one answer: :func:`versions`
    and the embedding model, pair model and role check parser a worker would load (their sha256-checked
    files, or why there are none).

    Compared when a scan connects to a running Dask cluster
    (:meth:`overlap.engine.cluster.DaskEngine.connect`); no model is loaded to answer.
    """
    from ..claims import embed, pair_model, roles

    path, status = embed.installed_model()
    pair_path, pair_status = pair_model.installed_pair_model()
    found = versions()
    found["python"] = ".".join(found["python"].split(".")[:2])  # a patch release changes no result
    for driver_only in ("networkx", "click"):  # the graph and the command line run on the driver
        del found[driver_only]
    return {**found, "embedding model": status if path is None else f"{status} sha256 {embed.MODEL_SHA256[:12]}",
            "pair model": pair_status if pair_path is None else f"{pair_status} sha256 {pair_model.PAIR_MODEL_SHA256[:12]}",
            "role check parser": roles.role_check_status()}


def scan(
    documents: Iterable[Document],
    params: Params | None = None,
    *,
    passages: bool | None = None,
    paraphrase: bool | None = None,
    claims: bool | None = None,
    progress: Progress | None = None,
    spill_dir: str | None = None,
    workers: int | str | None = None,
    scheduler: str | None = None,
    engine: Engine | None = None,
) -> ScanResult:
    """Find where documents share text: near-duplicates, shared passages, paraphrased claims.

    The documents are read once, as a stream; what the scan keeps in memory
    is metadata, signatures and matches, while the texts go to a temporary
    spill file (in ``spill_dir``, default the system's temp folder) so that
    reports can quote them later. That file is why the result is a context
    manager: use ``with scan(...) as result:`` (or call ``result.close()``)
    and the spill file is removed when you are done.

    Args:
        documents: any iterable of :class:`~overlap.model.Document`, e.g.
            :func:`overlap.read_documents`. Ids must be unique.
        params: every setting of every tier (:class:`~overlap.params.Params`);
            the defaults are the command line's.
        passages: turn the shared-passage tier (``reuse`` matches) on or off,
            overriding ``params``; it costs the most on large templated corpora.
        paraphrase: turn the paraphrase tier (``paraphrase`` matches and claim
            clusters) on or off, overriding ``params``.
        claims: within the paraphrase tier, report "same claim" pairs besides
            "same statement" ones (on by default).
        progress: called as ``progress(stage, done, total)`` while a stage
            runs; :data:`STAGE_UNITS` says what each stage counts.
        spill_dir: folder for the temporary text file.
        workers: run the costly stages on a local Dask cluster of this many
            worker processes, started for this scan and stopped after it;
            needs the ``dask`` extra. ``"auto"``: one per core, started once
            the documents are read, only if their texts hold at least
            :data:`overlap.engine.AUTO_MIN_CHARS` characters (and two cores).
        scheduler: run them on a running Dask cluster instead
            (``"tcp://host:8786"``), whose workers have overlap installed.
        engine: an open :class:`~overlap.engine.Engine` to run them on (for
            several scans on one cluster); left open. The default, none of
            the three, runs everything in this process (``overlap scan``'s
            default is ``auto``). Every engine gives the same result.

    Returns:
        ScanResult: ``matches``, duplicate ``clusters``, ``claim_clusters``,
        ``documents`` (metadata), ``skipped`` documents with their reasons,
        ``boilerplate`` lines set aside, ``counts`` and ``timings`` per stage;
        :meth:`ScanResult.text` reads a document's original text back.
        :func:`overlap.write_scan` writes it all as a scan folder.

    Raises:
        OverlapError: a data problem in the documents (for example a
            duplicate id), with where it is; a Dask cluster that cannot be
            started or reached, or whose workers keep dying.

    >>> docs = [Document(f"d{i}", "the same wire story about grain exports rising again this year") for i in range(3)]
    >>> with scan(docs, paraphrase=False) as result:
    ...     [c.members for c in result.clusters], len(result.matches)
    ([('d0', 'd1', 'd2')], 2)
    """
    params = _with_tiers(params or Params(), passages, paraphrase, claims)
    if engine is not None and (workers is not None or scheduler is not None):
        raise ValueError("give an engine, or workers or a scheduler to open one, not both")
    own = engine is None
    engine = engine or open_engine(workers, scheduler, fingerprint=fingerprint)
    store = SpillStore(spill_dir)
    try:
        with SpillStore(spill_dir) as tokens_store:  # word hashes, needed only until signatures are done
            return _Scan(params, progress, store, tokens_store, engine).run(documents)
    except BaseException:
        store.close()
        raise
    finally:
        if own:
            engine.close()


def _with_tiers(params: Params, passages: bool | None, paraphrase: bool | None, claims: bool | None) -> Params:
    """``params`` with the tier switches :func:`scan` was given (``None``: as ``params`` says)."""
    tiers: dict[str, dict[str, bool]] = {}
    if passages is not None:
        tiers["passages"] = {"enabled": passages}
    if paraphrase is not None or claims is not None:
        tiers["paraphrase"] = {k: v for k, v in (("enabled", paraphrase), ("claims", claims)) if v is not None}
    return params.with_(**tiers) if tiers else params


class _Waiting:
    """The documents read and to be compared, between the read stage and the signatures.

    Each one's word hashes, short units (boilerplate candidates), their keys
    and those dropped in the document on its own wait as one blob in the
    tokens spill file; in memory, 28 bytes a document: its position, its
    source's number and where its blob is. Held as a record and three arrays
    or lists a document they were about 560 bytes (72 MB at 128,000
    generated articles), at the read stage's end, where the driver's
    resident size sets the floor every later stage builds on.
    """

    def __init__(self, store: SpillStore) -> None:
        self.store = store
        self.clear()

    def clear(self) -> None:
        """Forget every document (their blobs stay in the file, which the scan removes when it ends)."""
        self.index = array("q")
        self.source = array("l")  # number into ``sources``
        self.blob = SpillKeys()  # where each document's blob is in ``store``
        self.sources: list[str | None] = []
        self._numbers: dict[str | None, int] = {}

    def add(self, index: int, source: str | None, item: ReadDocument) -> None:
        short = np.array(item.short, dtype=np.int32).reshape(-1, 4)
        head = np.array([len(item.tokens), len(short), len(item.local_drop)], dtype=np.int64)
        self.blob[len(self.index)] = self.store.put(b"".join((
            head.tobytes(), np.ascontiguousarray(item.tokens, dtype=np.uint64).tobytes(),
            np.array(item.keys, dtype=np.uint64).tobytes(), short.tobytes(),
            np.array(item.local_drop, dtype=np.int32).tobytes())))
        self.index.append(index)
        number = self._numbers.get(source)
        if number is None:
            number = self._numbers[source] = len(self.sources)
            self.sources.append(source)
        self.source.append(number)

    def __len__(self) -> int:
        return len(self.index)

    def words(self, k: int) -> Words:
        raw = self.store.get(self.blob[k])
        n_tokens, n_short, n_drop = np.frombuffer(raw, dtype=np.int64, count=3).tolist()
        at = 24
        tokens = np.frombuffer(raw, dtype=np.uint64, count=n_tokens, offset=at)
        at += 8 * n_tokens
        keys = np.frombuffer(raw, dtype=np.uint64, count=n_short, offset=at)
        at += 8 * n_short
        short = np.frombuffer(raw, dtype=np.int32, count=4 * n_short, offset=at).reshape(-1, 4)
        at += 16 * n_short
        drop = np.frombuffer(raw, dtype=np.int32, count=n_drop, offset=at).tolist()
        return Words(self.index[k], self.sources[self.source[k]], tokens, short, keys, drop)


def _batches(documents: Iterable[Document]) -> Iterator[list[Document]]:
    """Documents in batches of at most :data:`_BATCH` and :data:`_BATCH_CHARS`, ids checked as they come.

    An id seen before stops the scan at that document, before anything
    read after it can fail.
    """
    seen: set[str] = set()
    batch: list[Document] = []
    chars = 0
    for doc in documents:
        if doc.id in seen:
            raise ValueError(f"duplicate document id {doc.id!r}: ids must be unique within a scan")
        seen.add(doc.id)
        batch.append(doc)
        chars += len(doc.text)
        if len(batch) >= _BATCH or chars >= _BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


class _Scan:
    """One scan: the stages in order, with what is kept between them (in memory and in the spill files).

    Every stage is a pure batch function from the ``read``,
    ``near_duplicates``, ``clusters`` modules or a tier's package; this class
    feeds them batches, keeps their outputs, adds up their counts and times
    them. It is the in-process engine: another (all cores, a cluster) maps
    the same functions over partitions.
    """

    def __init__(self, params: Params, progress: Progress | None, store: SpillStore, tokens_store: SpillStore,
                 engine: Engine) -> None:
        self.params = params
        self.engine = engine
        self.notify: Progress = progress or (lambda stage, done, total: None)
        self.store, self.tokens_store = store, tokens_store
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.records = SpilledRecords(store)  # every document read, with its text, in the spill file
        self.skipped: list[Skipped] = []
        self.pending = _Waiting(tokens_store)
        self.short_copies: dict[int, list[int]] = {}  # too short to compare, but byte-identical copies still count
        self.counter = BoilerplateCounter(params.boilerplate)
        self.boilerplate = BoilerplateSet(frozenset(), ())
        self.dropped = SpilledUnits(self.store)  # boilerplate units left out of each document, by position
        self.texts = SpilledTexts(self.records, self.dropped)  # each text, and its boilerplate spans
        self.shingle_keys = SpillKeys()  # leader -> its shingle set in the spill file
        self.copies: dict[int, list[int]] = {}  # leader -> later exact copies
        self.index = CandidateIndex(Signer(params.minhash.num_perm, params.minhash.seed), params.minhash.lsh_threshold,
                                    tokens_store)  # band keys wait on disk until the pairs are asked for
        self.links: list[Link] = []

    @contextmanager
    def _timed(self, stage: str, timings: dict[str, float] | None = None) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        release_freed_memory()  # what the stage let go, out of the resident size before the next one builds its own
        (self.timings if timings is None else timings)[stage] = time.perf_counter() - t0

    def _count(self, counts: Mapping[str, int]) -> None:
        """Add a batch's counts to the scan's: a key keeps the place it first had (summary.json's order)."""
        _add(self.counts, counts)

    def run(self, documents: Iterable[Document]) -> ScanResult:
        started = time.perf_counter()
        with self._timed("read"):
            self.read(documents)
        if isinstance(self.engine, Auto):  # workers="auto": a cluster only now that the corpus's size is known
            self.engine.grow(self.records.chars)
        with self._timed("boilerplate"):
            self.boilerplate = self.counter.finish()
            # the counts of every short line of the corpus are done with (34 MB at 80,000 generated articles)
            self.counter = BoilerplateCounter(self.params.boilerplate)
            self.counts["boilerplate_lines"] = len(self.boilerplate.lines)
        with self._timed("signatures"):
            self.signatures()
        with self._timed("candidates_and_verify"):
            self.verify()
        with self._timed("cluster"):
            clusters, matches = self.cluster()
        passages, paraphrase = self._tiers()
        for tier in (passages, paraphrase):
            matches.extend(tier.matches)
            self.counts.update(tier.counts)
            self.timings.update(tier.timings)
        self.timings["total"] = time.perf_counter() - started  # the stages' own times overlap when tiers run side by side
        for stage, seconds in self.timings.items():
            log.info("stage %s took %.2fs", stage, seconds)
        log.info("counts: %s", self.counts)
        return self.result(matches, clusters, paraphrase.claims)

    def _tiers(self) -> tuple[_Tier, _Tier]:
        """The shared-passage and paraphrase tiers' outputs, in that order.

        Neither needs the other: both read the texts, the boilerplate and
        the duplicate links the stages before them left. When the engine's
        tasks leave this process a core of its own (:attr:`Engine.driver_core`:
        a cluster elsewhere, or fewer local workers than cores) they run side by
        side, the paraphrase tier in a thread of this process, so that each
        tier's own work here (signing passage windows; the claims tier's
        candidate LSH, decisions and clusters, between its maps) overlaps the
        other's tasks instead of leaving the workers idle. Otherwise they run
        one after the other: in one process threads would only take turns,
        and with a local worker on every core the driver's threads compete
        with the workers for cores (no gain measured on an idle machine, a
        loss on a busy one). Either way the driver adds their matches,
        counts and timings in this order, so every engine writes the same files.
        """
        params = self.params
        if not (getattr(self.engine, "driver_core", False) and params.passages.enabled and params.paraphrase.enabled):
            return self.passages(), self.paraphrase()
        beside = _Beside(self.paraphrase, self.engine)
        try:
            passages = self.passages(beside.check)
        except BaseException:
            beside.cancel()  # the scan has failed: the tier beside stops at its next result, its tasks cancelled
            raise
        return passages, beside.result()

    # 1. read, normalise, split; count short lines for boilerplate
    def read(self, documents: Iterable[Document]) -> None:
        for read, counts in self.engine.map(read_batch, _batches(documents), self.params):
            self._count(counts)
            for item in read:
                self._keep(item)
            self.notify("read", len(self.records), None)
        self.counts.setdefault("documents_read", 0)
        self.counts.setdefault("documents_skipped", 0)
        self.notify("read", len(self.records), len(self.records))

    def _keep(self, item: ReadDocument) -> None:
        """Fold one read document into the scan: its record, its text in the spill file, its boilerplate counts."""
        doc = item.doc
        record = DocumentInfo(doc.id, doc.source, doc.title, doc.date, doc.url, len(doc.text), item.words, doc.origin)
        index = self.records.append(record, doc.text if item.status != NOT_TEXT else None)
        if item.status is not None:
            self.skipped.append(Skipped(doc.id, item.reason or item.status, doc.origin))
            if item.status == TOO_SHORT:
                self.short_copies.setdefault(item.fingerprint, []).append(index)
            return
        text, short = doc.text, item.short
        self.counter.add(doc.source, item.fingerprint, item.keys, lambda i: unit_text(text, short[i]))
        for reason, line in item.local_notes:
            self.counter.note_local(reason, doc.source, line)
        self.pending.add(index, doc.source, item)

    # 3. shingles -> exact-copy groups -> signatures -> LSH
    def signatures(self) -> None:
        exact_leader: dict[int, int] = {}  # content hash -> first document index
        shingle_counts: dict[str, int] = {}
        done = 0
        batches = ([self.pending.words(k) for k in ks] for ks in batched(range(len(self.pending)), _BATCH))
        for (shingled, signatures), counts in self.engine.map(shingle_and_sign, batches, self.boilerplate,
                                                               self.params, self.index.signer):
            _add(shingle_counts, counts)
            leaders = []
            for row, item in enumerate(shingled):
                if item.dropped is not None:
                    self.dropped[item.index] = item.dropped
                leader = exact_leader.setdefault(item.content, item.index)
                if leader != item.index:
                    self.copies.setdefault(leader, []).append(item.index)
                    continue
                self.shingle_keys[item.index] = self.store.put_array(item.shingles)
                leaders.append(row)
            self.index.add([shingled[row].index for row in leaders], signatures[leaders])
            done += len(shingled)
            self.notify("signatures", done, len(self.pending))
        self.pending.clear()
        short_groups = self._short_copies()
        copies = sum(len(c) for c in self.copies.values())
        self.counts["documents_skipped"] = len(self.skipped)
        self.counts["documents_scanned"] = len(self.shingle_keys) + copies + short_groups
        self.counts.update(shingle_counts)
        self.counts["exact_copies"] = copies
        self.counts["signatures"] = len(self.index)

    def _short_copies(self) -> int:
        """Exact copies of short documents, never compared otherwise: they are compared (as copies),
        so they count as scanned and not as skipped, and every document read is one or the other."""
        short_groups = [group for group in self.short_copies.values() if len(group) > 1]
        for group in short_groups:
            self.copies[group[0]] = group[1:]
        compared = {self.records.id(i) for group in short_groups for i in group}
        self.skipped = [s for s in self.skipped if s.doc not in compared]
        return len(short_groups)

    # 4. candidates -> verified links (each pair joined with the two shingle sets it needs)
    def verify(self) -> None:
        threshold = self.params.duplicates.threshold
        self._count({"candidate_pairs": 0, "verified_pairs": 0, "rejected_candidates": 0})
        joined = ([(p.a, p.b, self._shingles(p.a), self._shingles(p.b)) for p in batch]
                  for batch in batched(self.index.pairs(self.engine), _VERIFY_BATCH))
        for links, counts in self.engine.map(verify_pairs, joined, threshold):
            self.links.extend(links)
            self._count(counts)

    def _shingles(self, leader: int) -> np.ndarray:
        return self.store.get_array(self.shingle_keys[leader], np.uint64)

    # 5. clusters: exact-copy groups act as one node, represented by their earliest member
    def cluster(self) -> tuple[list[Cluster], list[Match]]:
        (clusters, matches), counts = cluster_duplicates(self.records, self.shingle_keys, self.copies, self.links,
                                                         self.params.duplicates.threshold, self._shingles)
        self._count(counts)
        return clusters, matches

    # 6. shared passages between documents that are not already whole duplicates of each other
    def passages(self, check: Callable[[], None] = lambda: None) -> _Tier:
        """The ``reuse`` matches; ``check()`` after each batch (a tier beside this one raises its failure there)."""
        tier = _Tier()
        if not self.params.passages.enabled:
            return tier
        from ..passages.corpus import reuse_batches  # here: a scan without passages never loads their search

        with self._timed("passages", tier.timings):
            explained = explained_by_duplicates(self.copies, self.links)
            batches = reuse_batches(len(self.records), self.records.text_at, self.records.id,
                                    self.params.passages, ignore_of=self.texts.boilerplate_spans_at, skip=explained,
                                    engine=self.engine, spill_dir=self.store.directory)
            for matches, done, total in batches:
                tier.matches.extend(matches)
                self.notify("passages", done, total)
                check()
        tier.counts["reuse_matches"] = len(tier.matches)
        return tier


    # 7. paraphrase tier: same statement in other words (sentences and quotes, boilerplate excluded)
    def paraphrase(self, engine: Engine | None = None) -> _Tier:
        """The ``paraphrase`` matches and the claims tier's result (none when the tier is off or skipped
        over its document limit), its tasks on ``engine`` (default: the scan's)."""
        tier = _Tier()
        if not self.params.paraphrase.enabled:
            return tier
        limit = self.params.paraphrase.max_documents
        if limit and self.records.texts > limit:
            tier.counts["paraphrase_skipped_documents_over_limit"] = self.records.texts
            return tier
        # imported here: the claims tier's modules (its lexicons, quote patterns, model loaders) cost a
        # duplicate-tier scan a fifth of a second of start-up for nothing
        from ..claims.find import find_claims

        with self._timed("paraphrase", tier.timings):
            scanned = _SpilledDocuments(self.records)
            exclude = self.texts.boilerplate_everywhere()
            found, counts = find_claims(scanned, self.params.paraphrase, exclude=exclude, progress=self.notify,
                                        engine=engine or self.engine, spill_dir=self.store.directory)
            tier.matches.extend(found.matches)
            tier.claims = found
            tier.counts.update({f"paraphrase_{name}": counts[name] for name in _PARAPHRASE_COUNTS})
            tier.counts["claim_clusters"] = counts["clusters"]
            tier.counts.update({f"paraphrase_{name}": counts[name] for name in _PARAPHRASE_COUNTS_AFTER})
        return tier

    def result(self, matches: list[Match], clusters: list[Cluster], claims: ClaimResult | None) -> ScanResult:
        b, r = self.index.bands
        params = self.params
        return ScanResult(
            params=params,
            documents=self.records,
            matches=matches,
            clusters=clusters,
            boilerplate=self.boilerplate.lines,
            skipped=self.skipped,
            counts=self.counts,
            timings={k: round(v, 4) for k, v in self.timings.items()},
            lsh={"bands": b, "rows": r, "threshold": params.minhash.lsh_threshold, "scheme": SCHEME},
            texts=self.texts,
            claim_clusters=claims.clusters if claims is not None else None,
            paraphrase={"path": claims.path, "threshold": claims.threshold, "claim_threshold": claims.claim_threshold,
                        "role_check": claims.role_check,
                        "within_document": params.paraphrase.within_document, "set_aside": claims.set_aside,
                        "languages": claims.languages} if claims is not None else {},
        )


@dataclass(slots=True)
class _Tier:
    """What a tier gives the scan: its matches, counts and stage time, and the claims tier's result."""

    matches: list[Match] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    claims: ClaimResult | None = None


class _Beside:
    """A tier run in a thread of this process while the scan's main thread runs another (:meth:`_Scan._tiers`).

    Its failure (an error, the Ctrl-C the engine noted) is kept, never
    printed from the thread, and raised in the main thread: by :meth:`check`
    between the other tier's batches, so a failed scan stops soon, or by
    :meth:`result`. If the main thread fails first, :meth:`cancel` stops the
    tier at its next task's result (its tasks in flight are cancelled), so
    a scan that failed on an engine its caller keeps open leaves nothing
    running there. A daemon thread: nothing at exit waits for it.
    """

    def __init__(self, fn: Callable[[Engine], _Tier], engine: Engine) -> None:
        self._out: _Tier | None = None
        self._error: BaseException | None = None
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(fn, _Cancellable(engine, self._cancelled)),
                                        name="overlap-paraphrase", daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[Engine], _Tier], engine: Engine) -> None:
        try:
            self._out = fn(engine)
        except BaseException as exc:  # raised again in the main thread
            self._error = exc

    def check(self) -> None:
        if self._error is not None:
            raise self._error

    def result(self) -> _Tier:
        while self._thread.is_alive():
            self._thread.join(0.5)  # in slices: a Ctrl-C reaches the main thread while it waits
        self.check()
        assert self._out is not None
        return self._out

    def cancel(self) -> None:
        self._cancelled.set()


class _Cancelled(Exception):
    """The scan failed in its main thread: the tier beside it stops (:meth:`_Beside.cancel`)."""


class _Cancellable:
    """An engine whose maps stop at the next result once ``cancelled`` is set (leaving the inner map
    cancels what it still has in flight)."""

    driver_core = True

    def __init__(self, engine: Engine, cancelled: threading.Event) -> None:
        self.engine, self.cancelled = engine, cancelled

    @property
    def workers(self) -> int:
        return self.engine.workers

    def map(self, fn: Callable[..., object], items: Iterable[object], *shared: object) -> Iterator[object]:
        for result in self.engine.map(fn, items, *shared):
            if self.cancelled.is_set():
                raise _Cancelled
            yield result

    def close(self) -> None:
        """The scan's engine is closed by whoever opened it, not by a tier."""


class _SpilledDocuments(Lazy[Document]):
    """The scanned documents, each text read back from the spill file when the document is asked for.

    What the paraphrase tier reads, twice (statements, then claim clusters'
    dates and sources): a list of the documents held every text at once for
    one pass each (6.8 million characters at 8,000 generated articles, so
    over 100 MB at 128,000).
    """

    def __init__(self, records: SpilledRecords) -> None:
        self.records, self.positions = records, records.with_text()

    def __len__(self) -> int:
        return len(self.positions)

    def _at(self, i: int) -> Document:
        at = int(self.positions[i])
        r = self.records[at]
        return Document(r.id, self.records.text_at(at), source=r.source, title=r.title, date=r.date)


# The claims tier's counts a scan reports (as ``paraphrase_<name>``, in this order, around ``claim_clusters``)
_PARAPHRASE_COUNTS = ("statements", "candidates", "candidates_over_cap", "matches", "verbatim_skipped", "clauses", "statements_too_long",
                      "statements_over_document_cap", "same_statement", "same_claim", "embedded", "below_embed_floor",
                      "pair_model_scored", "below_pair_floor", "figure_conflicts", "role_conflicts")
_PARAPHRASE_COUNTS_AFTER = ("within_document", "restated", "set_aside", "not_english")


def _add(total: dict[str, int], counts: Mapping[str, int]) -> None:
    """Add one batch's counts to a stage's (a key keeps the place it first had)."""
    for key, n in counts.items():
        total[key] = total.get(key, 0) + n
