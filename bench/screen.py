#!/usr/bin/env python3
"""How many real articles the not-text rules would set aside (the answer must be 0), and how close they come.

Runs :func:`overlap.text.screen.screen` over every document of the given corpora
(read as ``overlap scan`` reads them) and prints, per corpus, the documents
set aside by reason and the nearest any article comes to each rule: the
longest text, the highest share of control or undecodable characters, of
characters in long base64/hex runs, and the lowest share of tokens with a
letter among texts with enough tokens for the numbers rule.

    python bench/screen.py ../shared/data/reuters21578/reuters21578_docs.jsonl.gz:newid:body \\
                           ../shared/data/bbc_news/bbc_news.jsonl.gz
"""

from __future__ import annotations

import argparse
from collections import Counter

from overlap.ingest import FieldMap, read_documents
from overlap.params import DuplicateParams
from overlap.text.screen import NUMBERS_MIN_TOKENS, _ENCODED_RUN, _LETTER, _TOKEN, _UNREADABLE, screen


def margins(text: str) -> tuple[float, float, float | None]:
    """(unreadable share, encoded share, letter-token share or None when the numbers rule does not apply)."""
    tokens = _TOKEN.findall(text)
    solid = sum(map(len, tokens)) or 1
    unreadable = sum(1 for _ in _UNREADABLE.finditer(text)) / max(len(text), 1)
    encoded = sum(len(m.group()) for m in _ENCODED_RUN.finditer(text)) / solid
    letters = sum(1 for t in tokens if _LETTER.search(t)) / len(tokens) if len(tokens) >= NUMBERS_MIN_TOKENS else None
    return unreadable, encoded, letters


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="+", help="PATH[:ID_FIELD:TEXT_FIELD], e.g. reuters.jsonl.gz:newid:body")
    ap.add_argument("--max-chars", type=int, default=DuplicateParams.max_chars)
    args = ap.parse_args()
    for spec in args.corpora:
        path, _, rest = spec.partition(":")
        id_field, _, text_field = rest.partition(":")
        fields = FieldMap(id=id_field or "id", text=text_field or "text")
        reasons: Counter[str] = Counter()
        n = longest = 0
        worst = [0.0, 0.0, 1.0]
        for doc in read_documents([path], fields=fields):
            n += 1
            longest = max(longest, len(doc.text))
            reason = screen(doc.text, args.max_chars)
            if reason is not None:
                reasons[reason.split(" (")[0]] += 1
                print(f"  set aside: {doc.id}: {reason}")
            u, e, l = margins(doc.text)
            worst[0], worst[1] = max(worst[0], u), max(worst[1], e)
            if l is not None:
                worst[2] = min(worst[2], l)
        print(f"{path}: {n:,} documents, {sum(reasons.values())} set aside {dict(reasons)}; longest {longest:,} "
              f"characters, at most {worst[0]:.1%} unreadable, {worst[1]:.1%} in encoded runs, at least "
              f"{worst[2]:.1%} tokens with a letter (of texts with {NUMBERS_MIN_TOKENS}+ tokens)")


if __name__ == "__main__":
    main()
