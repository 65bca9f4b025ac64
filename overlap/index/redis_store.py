"""The shared store: datasketch's Redis LSH layout plus records and anchors in Redis.

Band buckets live in datasketch's own Redis layout (the keys
``MinHashLSH(storage_config={"type": "redis", "basename": ...})`` reads and
writes; datasketch's LSH over the same basename sees every indexed document,
and removals go through it), the document records and anchors in Redis
hashes and sets, so several ingest workers on several machines share one
index. A batch is added by one Lua script, atomically (and ~70x fewer client
commands than datasketch's insertion session, which spends its time packing
commands in Python); queries send one ``SUNION`` per document. Workers
deciding at the same moment never both keep near-duplicates: a kept
document is *reserved* (one more script) before its output is written, and a
reservation another worker made since this one read the index is verified
first. Any URL ``redis.Redis.from_url`` reads (``rediss://``, ``unix://``,
``?password=``) works; printed locations mask user and password. Needs a
single Redis server (or primary), not Redis Cluster (the scripts touch keys
they compute).
"""

from __future__ import annotations

import json
import os
import struct
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from ..errors import ConfigError, IndexStateError
from .prepare import Prepared, Preparer
from .store import pack_shingles, unpack_shingles

__all__ = ["RESERVATION_TTL", "RedisStore", "redact_url"]


#: How long a Redis reservation lives unless its document is indexed first (``?reservation_ttl=`` seconds).
RESERVATION_TTL = 60.0
_OWN_QUERY = ("prefix", "reservation_ttl")


def _redis_settings(url: str) -> tuple[dict[str, Any], str, float, str]:
    """``redis.Redis`` keyword arguments, key prefix, reservation lifetime and a printable location.

    Accepts what ``redis.Redis.from_url`` accepts (``redis://``, ``rediss://``
    for TLS, ``unix://`` sockets; user and password in the URL or as
    ``?password=``; its query options) plus overlap's own ``prefix`` and
    ``reservation_ttl``. The location never shows a password or user name.
    """
    from redis.connection import SSLConnection, UnixDomainSocketConnection, parse_url

    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    own = {k: v for k, v in query if k in _OWN_QUERY}
    prefix = own.get("prefix") or "overlap"
    clean = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k not in _OWN_QUERY])))
    shown = redact_url(url)
    try:
        conn = parse_url(clean)
    except ValueError as exc:
        raise ConfigError(f"{shown}: not a usable Redis URL ({exc}); e.g. redis://localhost:6379/0?prefix=news") from None
    try:
        ttl = float(own.get("reservation_ttl", RESERVATION_TTL))
        if not 1 <= ttl <= 86400:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{shown}: reservation_ttl must be a number of seconds from 1 to 86400") from None
    cls = conn.pop("connection_class", None)
    cred = "***@" if parts.username or parts.password or "password" in conn else ""
    db = conn.get("db", 0)
    if cls is UnixDomainSocketConnection:
        path = conn.pop("path", None)
        if not path:
            raise ConfigError(f"{shown}: a unix:// Redis URL needs the socket path, e.g. unix:///run/redis.sock")
        conn["unix_socket_path"] = path
        location = f"unix://{cred}{path}?db={db}&prefix={prefix}"
    else:
        if cls is SSLConnection:
            conn["ssl"] = True
        location = f"{parts.scheme}://{cred}{conn.get('host', 'localhost')}:{conn.get('port', 6379)}/{db}?prefix={prefix}"
    conn.setdefault("socket_connect_timeout", 5)
    conn.setdefault("socket_timeout", 60)
    return conn, prefix, ttl, location


def redact_url(url: str) -> str:
    """The URL with any user:password and ``password=`` value replaced by ``***``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = "***@" + netloc.rsplit("@", 1)[1]
        query = "&".join(
            f"{k}=***" if k.lower() in ("password", "username", "user") else (f"{k}={v}" if v else k)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        )
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return "<a URL that cannot be parsed>"


def _redacted(message: str, conn: Mapping[str, Any]) -> str:
    """An error message with any password or user name of ``conn`` masked (redis-py may quote them)."""
    for key in ("password", "username"):
        secret = conn.get(key)
        if secret and len(str(secret)) >= 4:  # masking "a" everywhere would garble the message
            message = message.replace(str(secret), "***")
    return message


class RedisStore:
    """The shared store: datasketch's Redis LSH layout plus records and anchors in Redis."""

    kind = "redis"

    def __init__(self, url: str, create: bool, readonly: bool) -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - redis is a declared dependency
            raise IndexStateError("the Python package 'redis' is needed for redis:// indexes") from None
        self._redis_mod = redis
        conn, prefix, ttl, self.location = _redis_settings(url)
        self.prefix = prefix.encode()
        self.readonly = readonly
        self.create = create
        self._conn = conn
        self.reservation_ttl_ms = int(ttl * 1000)
        self._token = os.urandom(16)  # this client's reservations, told apart from other workers'
        try:
            self.r = redis.Redis(**conn)
        except TypeError as exc:  # an option in the URL query redis-py does not know
            raise ConfigError(f"{self.location}: unsupported option in the Redis URL ({exc})") from None
        self._k_manifest = self.prefix + b":manifest"
        self._k_docs = self.prefix + b":docs"
        self._k_anchor = self.prefix + b":anchor:"
        self._k_resv = self.prefix + b":resv:"  # + time slot: hash of band key -> reserving ids
        self._k_resv_doc = self.prefix + b":resvdoc:"  # id -> reserving client's token + record, expiring
        self._k_id_kind = self.prefix + b":id_kind"
        self.lsh = None
        self._add_script = None
        self._reserve_script = None
        try:
            self.r.ping()
        except redis.exceptions.RedisError as exc:
            raise IndexStateError(f"{self.location}: cannot reach Redis ({_redacted(str(exc), conn)})") from None

    def _run(self, fn, *args):
        try:
            return fn(*args)
        except self._redis_mod.exceptions.RedisError as exc:
            raise IndexStateError(f"{self.location}: Redis error: {_redacted(str(exc), self._conn)}") from None

    def attach(self, manifest: dict[str, Any]) -> None:
        """Open datasketch's LSH over the shared Redis keys (bands and rows from the manifest)."""
        from datasketch import MinHashLSH

        self.bands, self.rows = int(manifest["bands"]), int(manifest["rows"])
        self.lsh = MinHashLSH(
            num_perm=int(manifest["num_perm"]),
            params=(self.bands, self.rows),
            storage_config={"type": "redis", "basename": self.prefix + b":lsh", "redis": dict(self._conn)},
            prepickle=False,
        )

    def read_manifest(self) -> dict[str, Any] | None:
        raw = self._run(self.r.get, self._k_manifest)
        return None if raw is None else json.loads(raw)

    def initialise(self, manifest: dict[str, Any]) -> None:
        # SET NX: of several workers creating the same index at once, one wins
        # and the others then read (and check) its manifest.
        self._run(self.r.set, self._k_manifest, json.dumps(manifest, sort_keys=True), None, None, True)

    def _datasketch_keys(self, prep: Prepared) -> list[bytes]:
        hv = prep.signature
        return [self.lsh._H(hv[s:e]) for s, e in self.lsh.hashranges]

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        def known() -> set[str]:
            uniq = list(dict.fromkeys(ids))
            if not uniq:
                return set()
            vals = self.r.hmget(self._k_docs, [i.encode() for i in uniq])
            return {i for i, v in zip(uniq, vals) if v is not None}

        return self._run(known)

    def band_candidates(self, preps: Sequence[Prepared]) -> list[set]:
        def query() -> list[set]:
            # one SUNION per document over its buckets in datasketch's layout
            # (``MinHashLSH.query`` would send two commands per band)
            pipe = self.r.pipeline(transaction=False)
            for p in preps:
                pipe.sunion([table.redis_key(H) for H, table in zip(self._datasketch_keys(p), self.lsh.hashtables)])
            return [set(r) for r in pipe.execute()]

        return self._run(query) if preps else []

    def anchor_candidates(self, preps: Sequence[Prepared]) -> list[Counter]:
        def query() -> list[Counter]:
            pipe = self.r.pipeline(transaction=False)
            for p in preps:
                for k in _anchor_keys(p.anchors):
                    pipe.smembers(self._k_anchor + k)
            res = iter(pipe.execute())
            out = []
            for p in preps:
                c: Counter = Counter()
                for _ in range(len(p.anchors)):
                    c.update(next(res))
                out.append(c)
            return out

        return self._run(query) if preps else []

    def load(self, handles: Iterable) -> dict[Any, tuple[str, np.ndarray]]:
        def load() -> dict[Any, tuple[str, np.ndarray]]:
            handles_l = list(handles)
            if not handles_l:
                return {}
            out = {}
            for h, rec in zip(handles_l, self.r.hmget(self._k_docs, handles_l)):
                if rec is None:  # LSH entry of a worker that died before its record: not indexed
                    continue
                out[h] = (h.decode(), unpack_shingles(_unpack_record(rec)[3]))
            return out

        return self._run(load)

    # Adds a batch in one atomic script: for each document its LSH entries,
    # written exactly as datasketch's RedisSetStorage/RedisListStorage write
    # them (bucket hash + set per band, key hash + list of band keys), its
    # anchors and, last, its record. Atomic, so no half-written document can
    # exist; one call instead of ~70 commands a document from Python.
    _ADD_SCRIPT = """
    local bands, width = tonumber(ARGV[1]), tonumber(ARGV[2])
    local docs_key, keys_name, anchor_prefix, resv_doc_prefix = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
    local names = {}
    for b = 1, bands do names[b] = ARGV[6 + b] end
    local added = 0
    for i = 7 + bands, #ARGV, 4 do
        local id, record, hblob, ablob = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
        if redis.call('HSETNX', docs_key, id, record) == 1 then
            local hs = {}
            for b = 1, bands do
                local h = string.sub(hblob, (b - 1) * width + 1, b * width)
                redis.call('HSET', names[b], h, names[b] .. h)
                redis.call('SADD', names[b] .. h, id)
                hs[b] = h
            end
            for a = 1, #ablob, 8 do
                redis.call('SADD', anchor_prefix .. string.sub(ablob, a, a + 7), id)
            end
            redis.call('HSET', keys_name, id, keys_name .. id)
            redis.call('DEL', keys_name .. id)
            redis.call('RPUSH', keys_name .. id, unpack(hs))
            added = added + 1
        end
        -- the record now lives in the index; the reservation's bucket entries
        -- stay until they expire, so a worker that read before this commit
        -- and reserves after it still meets this document
        redis.call('DEL', resv_doc_prefix .. id)
    end
    return added
    """

    def add(self, preps: Sequence[Prepared]) -> int:
        def add() -> int:
            if self._add_script is None:
                self._add_script = self.r.register_script(self._ADD_SCRIPT)
            names = [t._name for t in self.lsh.hashtables]
            width = self.rows * 4  # datasketch's bucket key: the band's 32-bit values, big-endian
            head: list[Any] = [len(names), width, self._k_docs, self.lsh.keys._name, self._k_anchor,
                               self._k_resv_doc, *names]
            total = 0
            for start in range(0, len(preps), 256):  # bounded script runs: other workers wait less
                argv = list(head)
                for p in preps[start : start + 256]:
                    keys = self._datasketch_keys(p)
                    assert all(len(k) == width for k in keys)
                    argv += [p.id.encode(), _pack_record(p), b"".join(keys), p.anchors.astype("<i8").tobytes()]
                total += int(self._add_script(args=argv))
            return total

        return self._run(add)

    # Reserves kept documents before their output is written, so that two
    # workers never both keep near-duplicates: for each document in order,
    # atomically, the live reservations sharing one of its LSH bands that the
    # worker has not verified yet (another worker's, or indexed since the
    # worker's read) are returned instead of reserving; the worker verifies
    # them exactly and asks again, or drops the document. Scripts run one at a
    # time, so of two twins the later reservation always sees the earlier.
    # A reservation expires (a killed worker blocks nothing for longer than
    # the reservation lifetime); the commit replaces its record by the
    # indexed one.
    # Reservations of a time slot (the lifetime long) live in one hash, band
    # key -> length-prefixed ids, expiring as a whole two slots later: a
    # few calls per band and no key per bucket (a sorted set per bucket cost
    # twice the Redis CPU and 4.6 kB a document). An entry is alive while its
    # record key (token + record, expiring after the lifetime) exists or its
    # document is indexed.
    _RESERVE_SCRIPT = """
    local ttl, token, docs_key = tonumber(ARGV[1]), ARGV[2], ARGV[3]
    local slot_prefix, doc_prefix = ARGV[4], ARGV[5]
    local t = redis.call('TIME')
    local slot = math.floor((tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) / ttl)
    local cur, prev = slot_prefix .. slot, slot_prefix .. (slot - 1)
    local function enc(s)
        local n = #s
        return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
                           math.floor(n / 256) % 256, n % 256) .. s
    end
    local i, k, touched = 6, 0, false
    while i <= #ARGV do
        k = k + 1
        local id, record, blob, nknown = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
        local skip = {}
        skip[id] = true
        for j = 1, nknown do skip[ARGV[i + 3 + j]] = true end
        i = i + 4 + nknown
        local fields, current, found = {}, {}, {}
        for b = 1, #blob / 8 do
            local field = string.sub(blob, (b - 1) * 8 + 1, b * 8)
            fields[b] = field
            local lists = {redis.call('HGET', cur, field), redis.call('HGET', prev, field)}
            current[b] = lists[1] or ''
            for l = 1, 2 do
                local v = lists[l]
                if v then
                    local pos = 1
                    while pos < #v do
                        local a, b2, c, d = string.byte(v, pos, pos + 3)
                        local n = ((a * 256 + b2) * 256 + c) * 256 + d
                        local other = string.sub(v, pos + 4, pos + 3 + n)
                        pos = pos + 4 + n
                        if not skip[other] then
                            skip[other] = true
                            local rec = redis.call('GET', doc_prefix .. other)
                            if rec then
                                if string.sub(rec, 1, 16) ~= token then
                                    found[#found + 1] = other
                                    found[#found + 1] = string.sub(rec, 17)
                                end
                            else
                                rec = redis.call('HGET', docs_key, other)
                                if rec then
                                    found[#found + 1] = other
                                    found[#found + 1] = rec
                                end
                            end
                        end
                    end
                end
            end
        end
        if #found > 0 then
            if touched then redis.call('PEXPIRE', cur, 2 * ttl + 1000) end
            return {k, found}
        end
        local e = enc(id)
        for b = 1, #fields do
            redis.call('HSET', cur, fields[b], current[b] .. e)
        end
        redis.call('SET', doc_prefix .. id, token .. record, 'PX', ttl)
        touched = true
    end
    if touched then redis.call('PEXPIRE', cur, 2 * ttl + 1000) end
    return {0, {}}
    """

    def reserve(
        self, items: Sequence[tuple[Prepared, set[str]]], anchors: bool = False
    ) -> tuple[int, list[tuple[str, np.ndarray]]] | None:
        def reserve() -> tuple[int, list[tuple[str, np.ndarray]]] | None:
            if self._reserve_script is None:
                self._reserve_script = self.r.register_script(self._RESERVE_SCRIPT)
            head: list[Any] = [self.reservation_ttl_ms, self._token, self._k_docs, self._k_resv,
                               self._k_resv_doc]
            done = 0
            while done < len(items):  # bounded script runs: other workers wait less
                chunk = items[done : done + 256]
                argv = list(head)
                for p, seen in chunk:
                    # band keys and anchors share one bucket space: a chance collision
                    # of the two only costs one more exact verification
                    keys = np.concatenate((p.band_keys, p.anchors)) if anchors else p.band_keys
                    argv += [p.id.encode(), _pack_record(p), keys.astype("<i8").tobytes(), len(seen)]
                    argv += [i.encode() for i in seen]
                k, found = self._reserve_script(args=argv)
                if k:
                    others = [
                        (found[j].decode(), unpack_shingles(_unpack_record(found[j + 1])[3]))
                        for j in range(0, len(found), 2)
                    ]
                    return done + int(k) - 1, others
                done += len(chunk)
            return None

        return self._run(reserve) if items else None

    def id_kind(self, kind: str) -> str:
        def record() -> str:
            if not self.readonly:
                self.r.set(self._k_id_kind, kind, nx=True)
            got = self.r.get(self._k_id_kind)
            return kind if got is None else got.decode()

        return self._run(record)

    def remove(self, ids: Sequence[str], preparer: Preparer) -> int:
        def remove() -> int:
            removed = 0
            for doc_id in dict.fromkeys(ids):
                key = doc_id.encode()
                rec = self.r.hget(self._k_docs, key)
                if rec is None:
                    continue
                _, _, anchors, _ = _unpack_record(rec)
                pipe = self.r.pipeline(transaction=True)
                # record first: the document is gone for queries at once; LSH
                # entries left by a crash before lsh.remove are ignored, then swept by compact()
                pipe.hdel(self._k_docs, key)
                for k in _anchor_keys(np.frombuffer(anchors, dtype=np.int64)):
                    pipe.srem(self._k_anchor + k, key)
                pipe.execute()
                if key in self.lsh:
                    self.lsh.remove(key)
                removed += 1
            return removed

        return self._run(remove)

    def stats(self) -> tuple[int, int, int, int]:
        def stats() -> tuple[int, int, int, int]:
            docs = self.r.hlen(self._k_docs)
            bands = docs * len(self.lsh.hashtables)
            anchors = 0
            for key in self.r.scan_iter(match=self._k_anchor + b"*", count=1000):
                anchors += self.r.scard(key)
            mem = int(self.r.info("memory").get("used_memory", 0))
            return docs, bands, anchors, mem

        return self._run(stats)

    def compact(self) -> None:
        """Sweep LSH entries without a record (a removal killed half-way, or written by another client)."""

        def compact() -> None:
            for key in list(self.lsh.keys.keys()):
                if not self.r.hexists(self._k_docs, key):
                    self.lsh.remove(key)

        self._run(compact)

    def close(self) -> None:
        try:
            self.r.close()
        except Exception:  # pragma: no cover - closing a dead connection
            pass


def _anchor_keys(anchors: np.ndarray) -> list[bytes]:
    """Redis key suffixes of anchors: 8 little-endian bytes each (as the add script slices them)."""
    raw = anchors.astype("<i8").tobytes()
    return [raw[i : i + 8] for i in range(0, len(raw), 8)]


def _pack_record(p: Prepared) -> bytes:
    sig, anchors, shingles = p.signature.tobytes(), p.anchors.tobytes(), pack_shingles(p.shingles)
    return struct.pack("<IIII", len(p.shingles), len(sig), len(anchors), len(shingles)) + sig + anchors + shingles


def _unpack_record(rec: bytes) -> tuple[int, bytes, bytes, bytes]:
    count, ls, la, lh = struct.unpack_from("<IIII", rec)
    o = 16
    return count, rec[o : o + ls], rec[o + ls : o + ls + la], rec[o + ls + la : o + ls + la + lh]

