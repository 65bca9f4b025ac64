#!/usr/bin/env python3
"""Generated news corpora of any size whose true overlaps grow linearly with their size.

A corpus drawn from a fixed pool of real sentences shares sentences by
chance, and those chance pairs grow with the square of its size: a
benchmark on it measures the pool, not the tool. Here every article is new
text from a word-level Markov chain (order 2) trained on Reuters-21578
bodies, so it reads like wire copy (numbers, names, templates and all) but
no sentence is used twice. Overlap is planted, and recorded:

- ``near_duplicates``: ~10% of the articles are lightly edited copies of
  another (a word changed per ~80 words, sometimes a sentence added at the
  end, as a wire update is);
- ``shared_paragraphs``: ~10% of the articles carry one paragraph (2-4
  sentences, verbatim) of another article, inserted at a paragraph break.

Each planted pair uses articles no other planted pair uses, so a pair is
found or missed on its own. The same ``--articles`` and ``--seed`` give the
same bytes. The truth file (``FILE.truth.json`` beside the corpus) lists the
planted pairs as ``[earlier id, later id]`` in corpus order.

    python bench/corpus.py --articles 8000 --seed 1 -o /tmp/gen8k.jsonl.gz

Records are JSONL: ``id``, ``source``, ``date``, ``title``, ``text``
(overlap's default field names). Articles are shuffled, so a copy may come
before its original. Reuters is read from ``../shared/data`` unless
``--reuters`` says where; nothing of it is stored except as the chain.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
_REL = Path("shared", "data", "reuters21578", "reuters21578_docs.jsonl.gz")
# ../shared/data from the project root (also from a worktree a level deeper)
DEFAULT_REUTERS = next((p / _REL for p in ROOT.parents if (p / _REL).exists()), ROOT.parent / _REL)

ORDER = 2  # words of context: 3 copies long stretches of Reuters verbatim, 1 is word salad
# A state with fewer distinct successors than this draws its next word from the last word alone.
# Without it an order-2 chain walks through rare states word for word as Reuters wrote them, so two
# articles share eight-word runs by chance, and such pairs grow with the square of the corpus
# (measured: 6,102 chance article pairs sharing an 8-word run at 8,000 articles, 93,874 at 32,000).
BRANCHES = 3
NEAR_DUPLICATE_SHARE = 0.10  # of all articles: a lightly edited copy of another
SHARED_PARAGRAPH_SHARE = 0.10  # of all articles: carries a paragraph of another
SOURCES = 24  # outlets the articles are spread over
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_PARAGRAPH = re.compile(r"\n\s{2,}")
_TRAILER = re.compile(r"\s*\bReuter\s*$", re.IGNORECASE)
_BOS, _EOS = 0, 1
_MIN_WORDS, _MAX_WORDS = 6, 60  # a generated sentence outside these is drawn again


class Chain:
    """A word-level Markov chain of order :data:`ORDER` over sentences, and Reuters' article shapes.

    Words are interned as integers and each state's successors kept as a
    list with repeats (drawing an index is drawing by frequency), so a
    128k-article corpus takes about a minute to write.
    """

    def __init__(self, path: Path) -> None:
        self.words: list[str] = ["<s>", "</s>"]
        ids: dict[str, int] = {}
        self.next: dict[tuple[int, ...], list[int]] = {}
        self.after: dict[int, list[int]] = {}  # order 1: the words after a word, for narrow states
        self.shapes: list[list[int]] = []  # sentences per paragraph of each real body
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                body = json.loads(line).get("body")
                if not body:
                    continue
                shape = []
                for para in _PARAGRAPH.split(_TRAILER.sub("", body)):
                    sentences = [s.split() for s in _SENTENCE.split(" ".join(para.split())) if len(s.split()) >= 3]
                    for words in sentences:
                        seq = [_BOS] * ORDER + [ids.setdefault(w, len(ids) + 2) for w in words] + [_EOS]
                        for k in range(ORDER, len(seq)):
                            self.next.setdefault(tuple(seq[k - ORDER : k]), []).append(seq[k])
                            self.after.setdefault(seq[k - 1], []).append(seq[k])
                    if sentences:
                        shape.append(len(sentences))
                if shape:
                    self.shapes.append(shape)
        self.words += list(ids)
        self.narrow = {state for state, options in self.next.items() if len(set(options)) < BRANCHES}

    def sentence(self, rng: random.Random) -> str:
        """One new sentence: a walk from the start state to the end token (see :data:`BRANCHES`)."""
        while True:
            state, out = (_BOS,) * ORDER, []
            while len(out) <= _MAX_WORDS:
                if state in self.narrow or state not in self.next:
                    options = self.after[state[-1]]  # back off: a rare state would copy Reuters verbatim
                else:
                    options = self.next[state]
                w = options[int(rng.random() * len(options))]
                if w == _EOS:
                    break
                out.append(w)
                state = state[1:] + (w,)
            if _MIN_WORDS <= len(out) <= _MAX_WORDS:
                return " ".join(self.words[w] for w in out)


def _edit(rng: random.Random, paragraphs: list[list[str]], chain: Chain, fresh) -> list[list[str]]:
    """A light edit of an article, as a wire update is: a word changed per ~80 words, maybe a sentence added."""
    out = [list(p) for p in paragraphs]
    words = sum(len(s.split()) for p in out for s in p)
    for _ in range(max(1, words // 80)):
        p = rng.randrange(len(out))
        s = rng.randrange(len(out[p]))
        toks = out[p][s].split()
        k = rng.randrange(len(toks))
        if rng.random() < 0.5 and len(toks) > _MIN_WORDS:
            del toks[k]  # a word dropped
        else:
            toks[k] = rng.choice(toks)  # a word replaced by another of the sentence
        out[p][s] = " ".join(toks)
    if rng.random() < 0.3:
        out[-1].append(fresh())
    return out


def generate(chain: Chain, articles: int, seed: int) -> tuple[list[dict], dict]:
    """``articles`` records and the truth (planted pairs by id), deterministic for ``seed``."""
    rng = random.Random(seed)
    seen: set[str] = set()

    def fresh() -> str:
        """A sentence never produced before in this corpus (chance repeats of a short one are not overlap)."""
        while True:
            s = chain.sentence(rng)
            if s not in seen:
                seen.add(s)
                return s

    n_dup = round(articles * NEAR_DUPLICATE_SHARE)
    n_par = round(articles * SHARED_PARAGRAPH_SHARE)
    novel = articles - n_dup
    bodies: list[list[list[str]]] = []
    for _ in range(novel):
        shape = rng.choice(chain.shapes)
        bodies.append([[fresh() for _ in range(n)] for n in shape])
    order = list(range(novel))
    rng.shuffle(order)  # which novel articles the plants use: each at most once
    dup_src, rest = order[:n_dup], order[n_dup:]
    par_pairs = [(rest[2 * k], rest[2 * k + 1]) for k in range(min(n_par, len(rest) // 2))]
    for giver, taker in par_pairs:
        paragraph = rng.choice(bodies[giver])
        if len(paragraph) < 2:  # one sentence is barely a passage: the giver's paragraph gets a second
            paragraph.append(fresh())
        bodies[taker].insert(rng.randrange(len(bodies[taker]) + 1), list(paragraph[:4]))
    copies = [_edit(rng, bodies[src], chain, fresh) for src in dup_src]
    texts = bodies + copies
    slots = list(range(articles))
    rng.shuffle(slots)  # slot of article k in the written corpus
    ids = [f"g{slots[k]:07d}" for k in range(articles)]
    start = date(1987, 1, 1)
    records: list[dict | None] = [None] * articles
    for k, paragraphs in enumerate(texts):
        first = paragraphs[0][0].split()
        records[slots[k]] = {
            "id": ids[k],
            "source": f"outlet{rng.randrange(SOURCES):02d}",
            "date": (start + timedelta(days=rng.randrange(365))).isoformat(),
            "title": " ".join(first[:8]),
            "text": "\n\n".join(" ".join(p) for p in paragraphs) + "\n",
        }

    def pair(a: int, b: int) -> list[str]:
        return sorted((ids[a], ids[b]))

    truth = {
        "articles": articles,
        "seed": seed,
        "order": ORDER,
        "near_duplicates": sorted(pair(src, novel + k) for k, src in enumerate(dup_src)),
        "shared_paragraphs": sorted(pair(g, t) for g, t in par_pairs),
    }
    return records, truth  # type: ignore[return-value]


def truth_path(corpus: Path) -> Path:
    """Where the truth of ``corpus`` is written: ``gen8k.jsonl.gz`` -> ``gen8k.truth.json``."""
    name = corpus.name
    for suffix in (".gz", ".jsonl"):
        name = name.removesuffix(suffix)
    return corpus.with_name(name + ".truth.json")


def write(chain: Chain, articles: int, seed: int, out: Path) -> dict:
    """Write the corpus (gzip JSONL when ``out`` ends in ``.gz``) and its truth file, each whole or not at all."""
    records, truth = generate(chain, articles, seed)
    tmp = out.with_name(out.name + ".tmp")
    opener = gzip.open if out.suffix == ".gz" else open
    with opener(tmp, "wt", encoding="utf-8") as f:  # type: ignore[operator]
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    tpath = truth_path(out)
    tpath.with_name(tpath.name + ".tmp").write_text(json.dumps(truth) + "\n")
    os.replace(tpath.with_name(tpath.name + ".tmp"), tpath)
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, required=True, help="articles in the corpus, e.g. 8000")
    ap.add_argument("--seed", type=int, default=1, help="the same seed and size give the same bytes")
    ap.add_argument("-o", "--output", type=Path, required=True, help="corpus file, e.g. gen8k.jsonl.gz")
    ap.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS, help="Reuters-21578 JSONL.gz the chain learns from")
    args = ap.parse_args(argv)
    if not args.reuters.exists():
        print(f"corpus.py: {args.reuters}: no such file (give --reuters)", file=sys.stderr)
        return 1
    if args.articles < 10:
        print("corpus.py: --articles must be at least 10", file=sys.stderr)
        return 2
    truth = write(Chain(args.reuters), args.articles, args.seed, args.output)
    print(f"{args.output}: {args.articles} articles, {len(truth['near_duplicates'])} near-duplicate pairs, "
          f"{len(truth['shared_paragraphs'])} shared-paragraph pairs; truth in {truth_path(args.output)}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
