"""``scan()``: the only place that knows the order of the stages.

1. read, set aside what is not text (:mod:`overlap.text.screen`: binary, encoded
   blobs, number tables, documents over ``max_chars``), normalise and split
   into lines and words (streaming; texts and word hashes spill to a
   temporary file, not to Python objects);
2. count short lines per source -> boilerplate;
3. shingles without boilerplate -> exact-copy groups -> MinHash signatures
   in numpy batches -> datasketch LSH;
4. candidate pairs -> exact verification -> duplicate links;
5. star clusters around the earliest publication;
6. shared passages (:mod:`overlap.passages`) between documents that are not
   whole duplicates of each other, boilerplate excluded.

Each stage records its counts, and its wall time, in the result.
"""

from __future__ import annotations

import logging
import platform
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import xxhash
from xxhash import xxh3_64_intdigest as xxh64

from ._version import __version__
from .text.boilerplate import (FURNITURE, WITHIN, BoilerplateCounter, BoilerplateSet, UnitRef, every_occurrence, is_furniture,
                               unit_spans, unit_text, words_and_short_units)
from .minhash.lsh import CandidateIndex
from .duplicates.cluster import star_clusters
from .claims.find import find_claims
from .model import ClaimCluster, Cluster, Document, DocumentInfo, Match, MatchSide, ScanResult, Skipped, Span
from .params import Params
from .passages import reuse_matches
from .text.screen import screen
from .text.shingle import fold32, shingle_hashes, word_hashes
from .minhash.signatures import SCHEME, Signer
from .store import SpillStore
from .minhash.verify import set_similarity

__all__ = ["scan", "versions", "SpilledTexts", "STAGE_UNITS"]

log = logging.getLogger(__name__)

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
_BATCH = 256


@dataclass(frozen=True, slots=True)
class SpilledTexts:
    """A live scan's texts: in the spill file, read back one at a time (:class:`~overlap.model.Texts`)."""

    store: SpillStore
    keys: dict[str, tuple[int, int]]  # document id -> its text in the store (none for documents set aside)
    dropped: dict[str, list[UnitRef]]  # document id -> its boilerplate units

    def text(self, doc_id: str) -> str:
        return self.store.get_text(self.keys[doc_id])

    def excerpt(self, doc_id: str, span: Span) -> str:
        return self.text(doc_id)[span.start : span.end]

    def boilerplate_spans(self, doc_id: str) -> list[Span]:
        refs = self.dropped.get(doc_id)
        return unit_spans(self.text(doc_id), refs) if refs else []

    def close(self) -> None:
        self.store.close()


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


@dataclass(slots=True)
class _Pending:
    """Per-document state between the first and the second pass."""

    index: int  # the document's position in the scan's documents
    record: DocumentInfo
    token_key: tuple[int, int]
    fingerprint: int  # of all the document's words: byte-identical copies share it
    short: np.ndarray  # (n, 4) int32 UnitRefs of short lines/blocks: boilerplate candidates
    keys: np.ndarray  # their uint64 keys (compact: this lives until the second pass)
    local_drop: list[int]  # indices into ``short`` that are boilerplate in this document on their own


def scan(
    documents: Iterable[Document],
    params: Params | None = None,
    *,
    passages: bool | None = None,
    paraphrase: bool | None = None,
    claims: bool | None = None,
    progress: Progress | None = None,
    spill_dir: str | None = None,
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

    Returns:
        ScanResult: ``matches``, duplicate ``clusters``, ``claim_clusters``,
        ``documents`` (metadata), ``skipped`` documents with their reasons,
        ``boilerplate`` lines set aside, ``counts`` and ``timings`` per stage;
        :meth:`ScanResult.text` reads a document's original text back.
        :func:`overlap.write_scan` writes it all as a scan folder.

    Raises:
        OverlapError: a data problem in the documents (for example a
            duplicate id), with where it is.

    >>> docs = [Document(f"d{i}", "the same wire story about grain exports rising again this year") for i in range(3)]
    >>> with scan(docs, paraphrase=False) as result:
    ...     [c.members for c in result.clusters], len(result.matches)
    ([('d0', 'd1', 'd2')], 2)
    """
    params = params or Params()
    tiers: dict[str, dict[str, bool]] = {}
    if passages is not None:
        tiers["passages"] = {"enabled": passages}
    if paraphrase is not None or claims is not None:
        tiers["paraphrase"] = {k: v for k, v in (("enabled", paraphrase), ("claims", claims)) if v is not None}
    if tiers:
        params = params.with_(**tiers)
    notify = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    store = SpillStore(spill_dir)
    tokens_store = SpillStore(spill_dir)  # word hashes, needed only until signatures are done
    try:
        return _scan(documents, params, notify, timings, counts, store, tokens_store)
    except BaseException:
        store.close()
        raise
    finally:
        tokens_store.close()


def _scan(
    documents: Iterable[Document],
    params: Params,
    notify: Progress,
    timings: dict[str, float],
    counts: dict[str, int],
    store: SpillStore,
    tokens_store: SpillStore,
) -> ScanResult:
    bp_params = params.boilerplate
    min_words = params.duplicates.min_words
    max_chars = params.duplicates.max_chars
    counter = BoilerplateCounter(bp_params)
    records: list[DocumentInfo] = []
    pending: list[_Pending] = []
    skipped: list[Skipped] = []
    text_keys: dict[str, tuple[int, int]] = {}
    seen_ids: set[str] = set()
    short_copies: dict[int, list[int]] = {}  # too short to compare, but byte-identical copies still count

    # 1. read, normalise, split; count short lines for boilerplate
    t0 = time.perf_counter()
    read = 0
    for doc in documents:
        read += 1
        if doc.id in seen_ids:
            raise ValueError(f"duplicate document id {doc.id!r}: ids must be unique within a scan")
        seen_ids.add(doc.id)
        # a binary file, an encoded blob, a number table or an outsized text is set aside
        # before any stage reads it: each stage is bounded per document only for text
        not_text = screen(doc.text, max_chars)
        if not_text is not None:
            records.append(DocumentInfo(doc.id, doc.source, doc.title, doc.date, doc.url, len(doc.text), 0,
                                        doc.origin))
            skipped.append(Skipped(doc.id, not_text, doc.origin))
            continue
        words, short = words_and_short_units(doc.text, bp_params.max_words)
        n_words = len(words)
        index = len(records)
        record = DocumentInfo(
            id=doc.id,
            source=doc.source,
            title=doc.title,
            date=doc.date,
            url=doc.url,
            origin=doc.origin,
            length=len(doc.text),
            words=n_words,
        )
        records.append(record)
        text_keys[doc.id] = store.put_text(doc.text)
        if n_words == 0:
            skipped.append(Skipped(doc.id, "empty", doc.origin))
            continue
        tokens = word_hashes(words)
        raw = tokens.tobytes()
        fingerprint = xxh64(raw)
        if n_words < min_words:
            skipped.append(Skipped(doc.id, f"too short ({n_words} words < {min_words})", doc.origin))
            short_copies.setdefault(fingerprint, []).append(index)
            continue
        keys = [xxh64(raw[8 * first : 8 * end]) or 1 for first, end, _, _ in short]
        text = doc.text
        counter.add(doc.source, fingerprint, keys, lambda i: unit_text(text, short[i]))
        local_drop: list[int] = []
        if short and bp_params.enabled:
            seen_here: set[int] = set()
            noted: set[int] = set()
            for k, key in enumerate(keys):
                if key in seen_here:
                    local_drop.append(k)
                    if key not in noted:  # count documents, not occurrences
                        noted.add(key)
                        counter.note_local(WITHIN, doc.source, unit_text(text, short[k]))
                else:
                    first, end = short[k][0], short[k][1]
                    if is_furniture(words[first:end]):
                        local_drop.append(k)
                        counter.note_local(FURNITURE, doc.source, unit_text(text, short[k]))
                seen_here.add(key)
        pending.append(
            _Pending(
                index,
                record,
                tokens_store.put_array(tokens),
                fingerprint,
                np.array(short, dtype=np.int32).reshape(-1, 4),
                np.array(keys, dtype=np.uint64),
                local_drop,
            )
        )
        if read % 1000 == 0:
            notify("read", read, None)
    notify("read", read, read)
    counts["documents_read"] = read
    counts["documents_skipped"] = len(skipped)
    timings["read"] = time.perf_counter() - t0

    # 2. boilerplate
    t0 = time.perf_counter()
    boilerplate: BoilerplateSet = counter.finish()
    counts["boilerplate_lines"] = len(boilerplate.lines)
    timings["boilerplate"] = time.perf_counter() - t0

    # 3. shingles -> exact-copy groups -> signatures -> LSH
    t0 = time.perf_counter()
    signer = Signer(params.minhash.num_perm, params.minhash.seed)
    index = CandidateIndex(signer, params.minhash.lsh_threshold)
    shingle_keys: dict[int, tuple[int, int]] = {}
    shingle_sizes: dict[int, int] = {}
    exact_leader: dict[int, int] = {}  # content hash -> first document index
    copies: dict[int, list[int]] = {}  # leader -> later exact copies
    batch_keys: list[int] = []
    batch_sets: list[np.ndarray] = []
    boilerplate_docs = 0
    dropped_spans: dict[str, list[UnitRef]] = {}
    kept_whole = 0
    for n, item in enumerate(pending):
        tokens = tokens_store.get_array(item.token_key, np.uint64)
        src = item.record.source
        drop = [k for k, key in enumerate(item.keys.tolist()) if (src, key) in boilerplate]
        if item.local_drop:
            drop = sorted(set(drop).union(item.local_drop))
        if drop:
            dropped = [tuple(item.short[k].tolist()) for k in drop]
            mask = np.ones(len(tokens), dtype=bool)
            for first, end, _, _ in dropped:
                mask[first:end] = False
            kept = int(mask.sum())
            # Boilerplate is what surrounds content. A document that would be left with
            # (almost) nothing is all template, a notice or a one-paragraph item that
            # others repeat: it is compared whole, or its copies would go unseen.
            if kept >= min_words:
                boilerplate_docs += 1
                dropped_spans[item.record.id] = dropped
                tokens = tokens[mask]
            else:
                kept_whole += 1
        shingles = np.unique(shingle_hashes(tokens, params.shingle.size))
        doc_index = item.index
        content = xxhash.xxh3_128_intdigest(shingles.tobytes())  # identical sets after boilerplate
        leader = exact_leader.setdefault(content, doc_index)
        if leader != doc_index:
            copies.setdefault(leader, []).append(doc_index)
            continue
        shingle_keys[doc_index] = store.put_array(shingles)
        shingle_sizes[doc_index] = len(shingles)
        batch_keys.append(doc_index)
        batch_sets.append(fold32(shingles))
        if len(batch_keys) >= _BATCH:
            index.add(batch_keys, signer.sign(batch_sets))
            batch_keys, batch_sets = [], []
        if (n + 1) % 1000 == 0:
            notify("signatures", n + 1, len(pending))
    if batch_keys:
        index.add(batch_keys, signer.sign(batch_sets))
    pending.clear()
    # exact copies of short documents, never compared otherwise: they are compared (as copies), so
    # they count as scanned and not as skipped, and every document read is one or the other
    short_groups = [group for group in short_copies.values() if len(group) > 1]
    for group in short_groups:
        copies[group[0]] = group[1:]
    compared = {records[i].id for group in short_groups for i in group}
    skipped = [s for s in skipped if s.doc not in compared]
    counts["documents_skipped"] = len(skipped)
    counts["documents_scanned"] = len(shingle_keys) + sum(len(c) for c in copies.values()) + len(short_groups)
    counts["documents_with_boilerplate"] = boilerplate_docs
    counts["documents_all_boilerplate_kept_whole"] = kept_whole
    counts["exact_copies"] = sum(len(c) for c in copies.values())
    counts["signatures"] = len(index)
    timings["signatures"] = time.perf_counter() - t0

    # 4. candidates -> verified links
    t0 = time.perf_counter()
    threshold = params.duplicates.threshold
    links: dict[int, dict[int, float]] = {}
    verified: list[tuple[int, int, float, float, float]] = []
    n_candidates = 0
    for pair in index.pairs():
        n_candidates += 1
        sim = set_similarity(
            store.get_array(shingle_keys[pair.a], np.uint64), store.get_array(shingle_keys[pair.b], np.uint64)
        )
        if sim.jaccard >= threshold:
            verified.append((pair.a, pair.b, sim.jaccard, sim.a_in_b, sim.b_in_a))
            links.setdefault(pair.a, {})[pair.b] = sim.jaccard
            links.setdefault(pair.b, {})[pair.a] = sim.jaccard
    counts["candidate_pairs"] = n_candidates
    counts["verified_pairs"] = len(verified)
    counts["rejected_candidates"] = n_candidates - len(verified)
    timings["candidates_and_verify"] = time.perf_counter() - t0

    # 5. clusters: exact-copy groups act as one node, represented by their earliest member
    t0 = time.perf_counter()

    def when(i: int) -> tuple[int, str, int]:
        published = records[i].date
        return (0, published, i) if published else (1, "", i)


    group_of: dict[int, list[int]] = {lead: sorted([lead, *rest], key=when) for lead, rest in copies.items()}
    node_order = sorted(shingle_keys, key=lambda lead: when(group_of.get(lead, [lead])[0]))

    def exact(x: int, y: int) -> float:
        """Exact Jaccard of two exact-copy groups (leaders) from their stored shingle sets."""
        if x == y:
            return 1.0
        if x not in shingle_keys or y not in shingle_keys:  # short documents: only exact copies
            return 0.0
        known = links.get(x, {}).get(y)
        if known is not None:
            return known
        return set_similarity(
            store.get_array(shingle_keys[x], np.uint64), store.get_array(shingle_keys[y], np.uint64)
        ).jaccard

    stars = star_clusters(node_order, links, exact, threshold)
    clustered = {lead for lead, _ in stars} | {m for _, ms in stars for m, _ in ms}
    stars.extend((lead, []) for lead in sorted(copies) if lead not in clustered)

    clusters: list[Cluster] = []
    ranked = []
    for centre, members in stars:
        nodes = [centre] + [node for node, _ in members]
        docs = sorted((i for node in nodes for i in group_of.get(node, [node])), key=when)
        ranked.append((when(docs[0]), docs, nodes))
    ranked.sort(key=lambda item: item[0])
    for cid, (_, docs, nodes) in enumerate(ranked, start=1):
        representative = docs[0]
        rep_node = next(n for n in nodes if representative in group_of.get(n, [n]))
        leader_of = {i: n for n in nodes for i in group_of.get(n, [n])}
        scores = [exact(rep_node, leader_of[i]) for i in docs[1:]]
        clusters.append(
            Cluster(
                id=cid,
                representative=records[representative].id,
                members=tuple(records[i].id for i in docs),
                min_jaccard=round(min(scores), 6),
                mean_jaccard=round(sum(scores) / len(scores), 6),
            )
        )

    # matches: every verified link, plus every exact copy linked to its first copy
    matches: list[Match] = []

    def whole(i: int) -> MatchSide:
        return MatchSide(records[i].id, Span(0, records[i].length))

    for lead, rest in sorted(copies.items()):
        first = group_of[lead][0]
        for i in group_of[lead][1:]:
            a, b = sorted((first, i))
            matches.append(Match("duplicate", 1.0, whole(a), whole(b), jaccard=1.0, a_in_b=1.0, b_in_a=1.0))
    for a, b, jac, a_in_b, b_in_a in verified:
        matches.append(
            Match("duplicate", round(jac, 6), whole(a), whole(b), round(jac, 6), round(a_in_b, 6), round(b_in_a, 6))
        )
    position = {r.id: i for i, r in enumerate(records)}
    matches.sort(key=lambda m: (-m.score, position[m.a.doc], position[m.b.doc]))
    counts["duplicate_matches"] = len(matches)
    counts["clusters"] = len(clusters)
    counts["documents_in_clusters"] = sum(len(c.members) for c in clusters)
    timings["cluster"] = time.perf_counter() - t0

    # 6. shared passages between documents that are not already whole duplicates of each other
    if params.passages.enabled:
        t0 = time.perf_counter()
        leader_of = {i: lead for lead, group in group_of.items() for i in group}

        def explained(i: int, j: int) -> bool:
            li, lj = leader_of.get(i, i), leader_of.get(j, j)
            return li == lj or lj in links.get(li, {})

        def text_of(i: int) -> str:
            key = text_keys.get(records[i].id)  # none for documents set aside as not text
            return store.get_text(key) if key is not None else ""

        def ignore_of(i: int) -> list[Span]:
            refs = dropped_spans.get(records[i].id)
            return unit_spans(text_of(i), refs) if refs else []

        reuse = reuse_matches(
            len(records), text_of, lambda i: records[i].id, params.passages,
            ignore_of=ignore_of, skip=explained,
            progress=lambda done, total: notify("passages", done, total) if done % 200 == 0 or done == total else None,
        )
        matches.extend(reuse)
        counts["reuse_matches"] = len(reuse)
        timings["passages"] = time.perf_counter() - t0
    # paraphrase tier: same statement in other words (sentences and quotes, boilerplate excluded)
    claims: list[ClaimCluster] = []
    para_info: dict[str, Any] = {}
    limit = params.paraphrase.max_documents
    too_many = bool(limit) and len(text_keys) > limit
    if params.paraphrase.enabled and too_many:
        counts["paraphrase_skipped_documents_over_limit"] = len(text_keys)
    if params.paraphrase.enabled and not too_many:
        t0 = time.perf_counter()
        scanned = []
        exclude: dict[str, list[Span]] = {}
        for r in records:
            if r.id not in text_keys:
                continue
            text = store.get_text(text_keys[r.id])
            scanned.append(Document(r.id, text, source=r.source, title=r.title, date=r.date))
            if dropped_spans.get(r.id):  # every occurrence: a repeated title's first one too
                exclude[r.id] = every_occurrence(text, unit_spans(text, dropped_spans[r.id]))
        found, tier = find_claims(scanned, params.paraphrase, exclude=exclude, progress=notify)
        matches.extend(found.matches)
        claims = found.clusters
        for name in ("statements", "candidates", "matches", "verbatim_skipped", "clauses", "statements_too_long",
                     "statements_over_document_cap", "same_statement", "same_claim", "embedded",
                     "below_embed_floor", "pair_model_scored"):
            counts[f"paraphrase_{name}"] = tier[name]
        counts["claim_clusters"] = tier["clusters"]
        counts["paraphrase_within_document"] = tier["within_document"]
        counts["paraphrase_set_aside"] = tier["set_aside"]
        counts["paraphrase_not_english"] = tier["not_english"]
        para_info = {"path": found.path, "threshold": found.threshold, "claim_threshold": found.claim_threshold,
                     "within_document": params.paraphrase.within_document, "set_aside": found.set_aside,
                     "languages": found.languages}
        timings["paraphrase"] = time.perf_counter() - t0
    b, r = index.bands
    for stage, seconds in timings.items():
        log.info("stage %s took %.2fs", stage, seconds)
    log.info("counts: %s", counts)

    return ScanResult(
        params=params,
        documents=records,
        matches=matches,
        clusters=clusters,
        boilerplate=boilerplate.lines,
        skipped=skipped,
        counts=counts,
        timings={k: round(v, 4) for k, v in timings.items()},
        lsh={"bands": b, "rows": r, "threshold": params.minhash.lsh_threshold, "scheme": SCHEME},
        texts=SpilledTexts(store, text_keys, dropped_spans),
        claim_clusters=claims if params.paraphrase.enabled and not too_many else None,
        paraphrase=para_info,
    )
