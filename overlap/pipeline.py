"""``scan()``: the only place that knows the order of the stages.

1. read + normalise + split into lines and words (streaming; texts and word
   hashes spill to a temporary file, not to Python objects);
2. count short lines per source -> boilerplate;
3. shingles without boilerplate -> exact-copy groups -> MinHash signatures
   in numpy batches -> datasketch LSH;
4. candidate pairs -> exact verification -> duplicate links;
5. star clusters around the earliest publication.

Each stage records its counts, and its wall time, in the result.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import xxhash

from . import __version__
from .boilerplate import FURNITURE, WITHIN, BoilerplateCounter, BoilerplateSet, is_furniture, line_key
from .candidates import CandidateIndex
from .cluster import star_clusters
from .claims import find_paraphrases
from .model import Boilerplate, ClaimCluster, Cluster, Document, Match, MatchSide, Skipped, Span
from .normalize import fold_lines
from .params import Params
from .shingle import WORD, fold32, shingle_hashes, word_hashes
from .signatures import SCHEME, Signer
from .store import SpillStore
from .verify import set_similarity

__all__ = ["ScanResult", "DocRecord", "scan", "versions"]

Progress = Callable[[str, int, "int | None"], None]
_BATCH = 256


@dataclass(frozen=True, slots=True)
class DocRecord:
    """What a scan keeps of a document in memory: metadata, not text."""

    index: int
    id: str
    source: str | None
    title: str | None
    published: str | None
    url: str | None
    origin: str | None
    length: int
    words: int


@dataclass
class ScanResult:
    """Everything a scan found, plus how it was made.

    Texts stay in a temporary spill file: use :meth:`text` to read one, and
    :meth:`close` (or ``with``) when done.
    """

    params: Params
    documents: list[DocRecord]
    matches: list[Match]
    clusters: list[Cluster]
    boilerplate: tuple[Boilerplate, ...]
    skipped: list[Skipped]
    counts: dict[str, int]
    timings: dict[str, float]
    lsh: dict[str, Any]
    boilerplate_spans: dict[str, list[Span]]
    _store: SpillStore = field(repr=False)
    _text_keys: dict[str, tuple[int, int]] = field(repr=False)
    _by_id: dict[str, DocRecord] = field(repr=False, default_factory=dict)
    claims: list[ClaimCluster] = field(default_factory=list)
    paraphrase: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {d.id: d for d in self.documents}

    def text(self, doc_id: str) -> str:
        """The original text of a document."""
        return self._store.get_text(self._text_keys[doc_id])

    def document(self, doc_id: str) -> DocRecord:
        return self._by_id[doc_id]

    def excerpt(self, doc_id: str, span: Span) -> str:
        return self.text(doc_id)[span.start : span.end]

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> "ScanResult":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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

    record: DocRecord
    token_key: tuple[int, int]
    line_words: list[int]  # words per line
    line_keys: list[int]  # key of each short line, 0 for long or empty lines
    local_drop: list[int]  # lines that are boilerplate in this document on their own


def _split_lines(text: str, max_words: int) -> tuple[list[list[str]], list[tuple[int, int, str]]]:
    """Words of every line, and ``(line index, key, text)`` of the short non-empty lines."""
    findall = WORD.findall
    line_words = [findall(line) for line in fold_lines(text)]
    short: list[tuple[int, int, str]] = []
    raw_lines: list[str] | None = None
    for i, ws in enumerate(line_words):
        if 0 < len(ws) <= max_words:
            if raw_lines is None:
                raw_lines = text.split("\n")
            short.append((i, line_key(ws), raw_lines[i].strip()))
    return line_words, short


def _line_spans(text: str, indices: set[int]) -> list[Span]:
    """Original spans (white space trimmed) of the lines with the given indices."""
    spans: list[Span] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        if i in indices:
            start, end = pos, pos + len(line)
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                spans.append(Span(start, end))
        pos += len(line) + 1
    return spans


def scan(
    documents: Iterable[Document],
    params: Params | None = None,
    *,
    progress: Progress | None = None,
    spill_dir: str | None = None,
) -> ScanResult:
    """Find near-duplicate documents in a stream of documents.

    >>> docs = [Document(f"d{i}", "the same wire story about grain exports rising again this year") for i in range(3)]
    >>> with scan(docs) as result:
    ...     [c.members for c in result.clusters]
    [('d0', 'd1', 'd2')]
    """
    params = params or Params()
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
    counter = BoilerplateCounter(bp_params)
    records: list[DocRecord] = []
    pending: list[_Pending] = []
    skipped: list[Skipped] = []
    text_keys: dict[str, tuple[int, int]] = {}
    seen_ids: set[str] = set()

    # 1. read, normalise, split; count short lines for boilerplate
    t0 = time.perf_counter()
    read = 0
    for doc in documents:
        read += 1
        if doc.id in seen_ids:
            raise ValueError(f"duplicate document id {doc.id!r}: ids must be unique within a scan")
        seen_ids.add(doc.id)
        line_words, short = _split_lines(doc.text, bp_params.max_words)
        n_words = sum(len(w) for w in line_words)
        record = DocRecord(
            index=len(records),
            id=doc.id,
            source=doc.source,
            title=doc.title,
            published=doc.published,
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
        if n_words < min_words:
            skipped.append(Skipped(doc.id, f"too short ({n_words} words < {min_words})", doc.origin))
            continue
        flat = [w for ws in line_words for w in ws]
        tokens = word_hashes(flat)
        fingerprint = xxhash.xxh3_64_intdigest(tokens.tobytes())
        counter.add(doc.source, fingerprint, ((key, raw) for _, key, raw in short))
        sizes = [len(ws) for ws in line_words]
        keys = [0] * len(sizes)
        local_drop: list[int] = []
        if short and bp_params.enabled:
            seen_here: set[int] = set()
            noted: set[int] = set()
            for i, key, raw in short:
                keys[i] = key
                if key in seen_here:
                    local_drop.append(i)
                    if key not in noted:  # count documents, not occurrences
                        noted.add(key)
                        counter.note_local(WITHIN, doc.source, raw)
                elif is_furniture(line_words[i]):
                    local_drop.append(i)
                    counter.note_local(FURNITURE, doc.source, raw)
                seen_here.add(key)
        pending.append(_Pending(record, tokens_store.put_array(tokens), sizes, keys, local_drop))
        if read % 5000 == 0:
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
    boilerplate_spans: dict[str, list[Span]] = {}
    for n, item in enumerate(pending):
        tokens = tokens_store.get_array(item.token_key, np.uint64)
        src = item.record.source
        drop = [i for i, key in enumerate(item.line_keys) if key and (src, key) in boilerplate]
        if item.local_drop:
            drop = sorted(set(drop).union(item.local_drop))
        if drop:
            boilerplate_docs += 1
            boilerplate_spans[item.record.id] = _line_spans(store.get_text(text_keys[item.record.id]), set(drop))
            bounds = np.concatenate(([0], np.cumsum(item.line_words)))
            mask = np.ones(len(tokens), dtype=bool)
            for i in drop:
                mask[bounds[i] : bounds[i + 1]] = False
            tokens = tokens[mask]
        if len(tokens) < min_words:
            skipped.append(
                Skipped(item.record.id, f"too short without boilerplate ({len(tokens)} words)", item.record.origin)
            )
            continue
        shingles = np.unique(shingle_hashes(tokens, params.shingle.size))
        doc_index = item.record.index
        content = xxhash.xxh3_128_intdigest(shingles.tobytes())
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
        if (n + 1) % 5000 == 0:
            notify("signatures", n + 1, len(pending))
    if batch_keys:
        index.add(batch_keys, signer.sign(batch_sets))
    pending.clear()
    counts["documents_skipped"] = len(skipped)
    counts["documents_scanned"] = len(shingle_keys) + sum(len(c) for c in copies.values())
    counts["documents_with_boilerplate"] = boilerplate_docs
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
        published = records[i].published
        return (0, published, i) if published else (1, "", i)


    group_of: dict[int, list[int]] = {lead: sorted([lead, *rest], key=when) for lead, rest in copies.items()}
    node_order = sorted(shingle_keys, key=lambda lead: when(group_of.get(lead, [lead])[0]))
    for lead in copies:  # exact copies link their group even when nothing else does
        links.setdefault(lead, {})
    stars = star_clusters(node_order, {k: v for k, v in links.items() if v or k in copies})
    clustered = {lead for lead, _ in stars} | {m for _, ms in stars for m, _ in ms}
    for lead in copies:
        if lead not in clustered:
            stars.append((lead, []))
    stars.sort(key=lambda s: when(group_of.get(s[0], [s[0]])[0]))

    clusters: list[Cluster] = []
    for cid, (lead, members) in enumerate(stars, start=1):
        rep_group = group_of.get(lead, [lead])
        member_scores: list[tuple[int, float]] = [(i, 1.0) for i in rep_group[1:]]
        for node, score in members:
            member_scores.extend((i, score) for i in group_of.get(node, [node]))
        ordered = [rep_group[0]] + [i for i, _ in sorted(member_scores, key=lambda ms: when(ms[0]))]
        scores = [s for _, s in member_scores]
        clusters.append(
            Cluster(
                id=cid,
                representative=records[rep_group[0]].id,
                members=tuple(records[i].id for i in ordered),
                min_score=round(min(scores), 6),
                mean_score=round(sum(scores) / len(scores), 6),
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
    position = {r.id: r.index for r in records}
    matches.sort(key=lambda m: (-m.score, position[m.a.doc], position[m.b.doc]))
    counts["duplicate_matches"] = len(matches)
    counts["clusters"] = len(clusters)
    counts["documents_in_clusters"] = sum(len(c.members) for c in clusters)
    timings["cluster"] = time.perf_counter() - t0

    # paraphrase tier: same statement in other words (sentences and quotes, boilerplate excluded)
    claims: list[ClaimCluster] = []
    para_stats: dict[str, Any] = {}
    if params.paraphrase.enabled:
        t0 = time.perf_counter()
        notify("paraphrase", 0, len(records))
        scanned = [
            Document(r.id, store.get_text(text_keys[r.id]), source=r.source, title=r.title, published=r.published)
            for r in records
            if r.id in text_keys
        ]
        para_matches, claims = find_paraphrases(scanned, params.paraphrase, exclude=boilerplate_spans, stats=para_stats)
        matches.extend(para_matches)
        counts["paraphrase_statements"] = para_stats.get("statements", 0)
        counts["paraphrase_candidates"] = para_stats.get("candidates", 0)
        counts["paraphrase_matches"] = len(para_matches)
        counts["paraphrase_verbatim_skipped"] = para_stats.get("verbatim_skipped", 0)
        counts["claim_clusters"] = len(claims)
        timings["paraphrase"] = time.perf_counter() - t0
    b, r = index.bands

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
        boilerplate_spans=boilerplate_spans,
        _store=store,
        _text_keys=text_keys,
        claims=claims,
        paraphrase={"path": para_stats.get("path"), "threshold": para_stats.get("threshold")} if para_stats else {},
    )
