"""``overlap score``: pairs of texts in as JSON lines, one scored result out per line.

The file format belongs here, the scoring to :mod:`overlap.claims.scorer` and
the gate to :mod:`overlap.claims.gate`: a bad line is a value (an
:class:`overlap.errors.InputError` naming ``file:line``) in the output
stream, never an exception, so the command line chooses between skipping
and stopping.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..engine import Engine, InProcess
from ..errors import InputError
from ..ingest import RecordError, decode_utf8, parse_json_line
from .figures import figure_conflict
from .gate import check
from .pair_model import PAIR_CLAIM_CUT, PAIR_CUT, PairModel, check_scores
from .roles import RoleParser
from .scorer import PairScore, Scorer

__all__ = ["score_lines", "parse_pair_line"]


def parse_pair_line(raw: str | bytes, source: str, lineno: int,
                    on_warning: Callable[[str], None] | None = None) -> tuple[str, str] | InputError:
    """One line ``{"a": text, "b": text}`` as the pair of texts, or the error naming ``source:lineno``.

    >>> parse_pair_line('{"a": "x", "b": "y"}', "in.jsonl", 1)
    ('x', 'y')
    >>> str(parse_pair_line('{"a": "x"}', "in.jsonl", 3))
    'in.jsonl:3: missing field(s) \\'b\\': expected "a" and "b" texts'
    """
    if isinstance(raw, bytes):
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw, bad = decode_utf8(raw)  # as every reader does: replaced, counted, said
        if bad is not None and on_warning is not None:
            on_warning(f"{source}:{lineno}: invalid UTF-8 at byte offset {bad}, decoded with replacement")
    try:
        obj = parse_json_line(raw)
    except RecordError as exc:
        return InputError(source, lineno, exc.message)
    if not isinstance(obj, dict):
        return InputError(source, lineno, 'expected a JSON object like {"a": "...", "b": "..."}')
    missing = [k for k in ("a", "b") if k not in obj]
    if missing:
        return InputError(source, lineno, f"missing field(s) {', '.join(repr(k) for k in missing)}: expected \"a\" and \"b\" texts")
    bad = [k for k in ("a", "b") if not isinstance(obj[k], str)]
    if bad:
        return InputError(source, lineno, f"field(s) {', '.join(repr(k) for k in bad)} must be strings")
    return obj["a"], obj["b"]


def _unscored_sides(pair: tuple[str, str]) -> dict[str, str]:
    """Why each side cannot be scored (only the sides that cannot): a model's number on text it cannot read means nothing."""
    return {side: why.label() for side, text in zip("ab", pair) if (why := check(text)) is not None}


@dataclass(frozen=True)
class _Judges:
    """Who scores and where the cuts are: the fitted scorer (and claim scorer), or the pair model with its cuts."""

    scorer: Scorer
    claim_scorer: Scorer | None
    cut: float
    claim_cut: float | None
    pair: PairModel | None
    path: str
    roles: RoleParser | None = None
    checker: PairModel | None = None


def _not_scored(reasons: dict[str, str], j: _Judges) -> dict:
    """The result of a pair the gate stopped: no score, no decision but "not a paraphrase"."""
    out = {"scored": False, "not_scored": reasons, "score": None, "paraphrase": False, "threshold": round(j.cut, 4)}
    if j.claim_cut is not None:
        out.update(claim_score=None, claim=False, claim_threshold=round(j.claim_cut, 4))
    out["model"] = j.path
    return out


def _scored(r: PairScore, j: _Judges, probs: Sequence[float] | None) -> dict:
    """The result of a scored pair, its keys in the order ``overlap score`` has always written them.
    ``probs`` are the pair model's two scores when it judges (the signals are still shown)."""
    score = float(probs[0]) if probs is not None else r.score
    out = {"scored": True, "score": round(score, 4), "paraphrase": bool(score >= j.cut), "threshold": round(j.cut, 4)}
    if j.claim_cut is not None:
        c = float(probs[1]) if probs is not None else j.claim_scorer.combine(r.signals)
        out.update(claim_score=round(c, 4), claim=bool(c >= j.claim_cut), claim_threshold=round(j.claim_cut, 4))
    out.update(
        containment=round(r.signals["containment"], 4),
        signals={k: round(v, 4) for k, v in r.signals.items()},
        model=j.path,
    )
    return out


def _vetoed(out: dict, check: str, conflict: object | None) -> None:
    """Write what ``check`` found (``None``: nothing) into a scored result; a conflict decides "no" whatever the scores."""
    if conflict is not None:
        out["paraphrase"] = False
        if "claim" in out:
            out["claim"] = False
    out[check] = str(conflict) if conflict is not None else None


def _figures_checked(outs: list[dict], figures: list[str | None]) -> None:
    """Percentages or amounts that disagree (``figures``: :func:`overlap.claims.figures.figure_conflict` of
    each pair), as in a scan; each scored result says ``figures``."""
    for out, conflict in zip(outs, figures):
        _vetoed(out, "figures", conflict)


def _pair_checked(outs: list[dict], pairs: list[tuple[str, str]], checker: PairModel, figures: list[str | None]) -> None:
    """The pair model's veto on the fitted scores, as in a scan: it reads the pairs either relation accepts
    whose figures (``figures``) do not already reject them, and a relation it gives a probability under its
    check level is rejected (the score falls to that probability; not the claim of a pair where one text says the other
    and more); each scored result says ``pair_check`` (the two probabilities, or ``None``: not asked)."""
    asked = [k for k, out in enumerate(outs) if (out["paraphrase"] or out.get("claim")) and figures[k] is None]
    probs = checker.score([pairs[k] for k in asked]) if asked else np.empty((0, 2))
    for out in outs:
        out["pair_check"] = None
    sig = [outs[k]["signals"] for k in asked]
    para, claim = check_scores(np.array([outs[k]["score"] for k in asked]), np.array([outs[k].get("claim_score", 0.0) for k in asked]),
                        probs, np.array([x["containment"] for x in sig]), np.array([x["coverage"] for x in sig]))
    for k, s_para, s_claim, (p_para, p_claim) in zip(asked, para, claim, probs):
        out = outs[k]
        if s_para != out["score"]:  # vetoed: only then does the decision move
            out["score"] = round(float(s_para), 4)
            out["paraphrase"] = bool(out["score"] >= out["threshold"])
        if "claim" in out and s_claim != out["claim_score"]:
            out["claim_score"] = round(float(s_claim), 4)
            out["claim"] = bool(out["claim_score"] >= out["claim_threshold"])
        out["pair_check"] = {"paraphrase": round(float(p_para), 4), "claim": round(float(p_claim), 4)}


def _checked(outs: list[dict], pairs: list[tuple[str, str]], roles: RoleParser) -> None:
    """The role check on the scored pairs either relation accepts (the only ones parsed, as in a scan); each
    result says ``roles``."""
    asked = [k for k, out in enumerate(outs) if out["paraphrase"] or out.get("claim")]
    found = dict(zip(asked, roles.conflicts([pairs[k] for k in asked])))
    for k, out in enumerate(outs):
        _vetoed(out, "roles", found.get(k))


def _score_batch(items: list[tuple[str, str] | InputError], j: _Judges) -> Iterator[dict | InputError]:
    """Results of one batch of parsed lines, in order: the pairs the gate lets through are scored at once."""
    gates = [None if isinstance(p, InputError) else _unscored_sides(p) for p in items]
    pairs = [p for p, g in zip(items, gates) if g == {}]
    results = list(j.scorer.score_pairs(pairs, batch=max(1, len(pairs))))
    probs: list = [None] * len(pairs)
    if j.pair is not None and pairs:
        para, claim = j.pair.judge(pairs, np.array([r.signals["cosine"] for r in results]))
        probs = list(zip(para, claim))
    outs = [_scored(r, j, p) for r, p in zip(results, probs)]
    figures = [figure_conflict(a, b) for a, b in pairs]
    if j.checker is not None:
        _pair_checked(outs, pairs, j.checker, figures)
    _figures_checked(outs, figures)
    if j.roles is not None:
        _checked(outs, pairs, j.roles)
    scored = iter(outs)
    for item, gate in zip(items, gates):
        if isinstance(item, InputError):
            yield item
        elif gate:
            yield _not_scored(gate, j)
        else:
            yield next(scored)


def score_lines(
    lines: Iterable[str | bytes],
    source: str,
    scorer: Scorer,
    threshold: float | None = None,
    batch: int = 64,
    claim_scorer: Scorer | None = None,
    on_warning: Callable[[str], None] | None = None,
    pair: PairModel | None = None,
    roles: RoleParser | None = None,
    checker: PairModel | None = None,
    engine: Engine | None = None,
) -> Iterator[dict | InputError]:
    """What ``overlap score`` computes: one result per non-blank JSON line, in order.

    Each line (``str``, or ``bytes`` decoded here as every reader decodes:
    bytes that are not UTF-8 replaced, and said through ``on_warning``) is
    ``{"a": text, "b": text}``. A good line gives a dict
    ``{"score", "paraphrase", "threshold", "containment", "signals", "model"}``;
    a bad line gives (not raises) an :class:`InputError` naming ``source:line``,
    so the caller chooses between skipping and stopping. Blank lines are
    ignored. A pair with a side the models cannot read (:func:`overlap.claims.gate.check`:
    not English, empty, too few words, numbers, a list of names, a score line, a heading)
    is not scored: ``{"scored": false, "not_scored": {"a": reason, ...},
    "score": null, "paraphrase": false, ...}``; scored pairs say ``"scored": true``.
    ``threshold`` overrides the model's cross-validated cut. With a
    ``claim_scorer`` (:func:`overlap.claims.scorer.load_claim_scorer`, same path as ``scorer``) each
    result also has ``claim_score`` and ``claim`` (the same claim, looser than
    a paraphrase: what a fact-checker testing a claim wants). With ``pair``
    (:func:`overlap.claims.pair_model.load_pair_model`), the pair model judges: ``score`` and
    ``claim_score`` are its probabilities, cut at its own cross-validated cuts (``threshold``
    still overrides the first), and ``model`` says so; the signals are still given. With
    ``checker`` instead (the same model), the fitted scores judge and the model checks the pairs
    they accept, as a scan does by default (:func:`_pair_checked`). With
    ``roles`` (:func:`overlap.claims.roles.load_role_parser`) a pair either relation accepts is
    parsed, and one whose texts swap named actors between a verb's roles, or negate or oppose one's
    action, is neither; each scored result says ``roles`` (why, or ``None``: also for a pair no
    relation accepted, which is not parsed). With an ``engine`` of several workers
    (:func:`overlap.engine.open_engine`) each ``batch`` of lines is scored there, every step of it
    (the lines are read and their errors said here); the results are the same, in order.

    >>> from overlap.claims.scorer import load_scorer
    >>> s = load_scorer(lexical_only=True)
    >>> out = list(score_lines(['{"a": "The cat sat on the mat.", "b": "The cat sat on the mat."}', '[1]',
    ...                         '{"a": "", "b": ""}'], "in.jsonl", s))
    >>> out[0]["paraphrase"], str(out[1])
    (True, 'in.jsonl:2: expected a JSON object like {"a": "...", "b": "..."}')
    >>> out[2]["scored"], out[2]["not_scored"], out[2]["paraphrase"]
    (False, {'a': 'empty', 'b': 'empty'}, False)
    """
    if pair is not None and not scorer.uses_embeddings:
        raise ValueError("the pair model needs the embedding scorer: its claim score is graded with the cosine")
    checker = checker if pair is None and scorer.uses_embeddings else None
    if pair is not None:
        judges = _Judges(scorer, claim_scorer, PAIR_CUT if threshold is None else threshold,
                         PAIR_CLAIM_CUT if claim_scorer is not None else None, pair,
                         f"pair model ({pair.model_id}); signals from {scorer.path}", roles)
    else:
        path = f"{scorer.path}; checked by pair model ({checker.model_id})" if checker is not None else scorer.path
        judges = _Judges(scorer, claim_scorer, scorer.threshold if threshold is None else threshold,
                         claim_scorer.threshold if claim_scorer is not None else None, None, path, roles, checker)
    batches = _batches(lines, source, batch, on_warning)
    if engine is None or isinstance(engine, InProcess):
        for items in batches:
            yield from _score_batch(items, judges)
        return
    held: deque[list[tuple[str, str] | InputError]] = deque()  # each batch sent, its errors kept here

    def sent() -> Iterator[list[tuple[str, str]]]:
        for items in batches:
            held.append(items)
            yield [item for item in items if not isinstance(item, InputError)]

    for outs in engine.map(score_batch_task, sent(), judges):
        scored = iter(outs)
        yield from (item if isinstance(item, InputError) else next(scored) for item in held.popleft())


def _batches(lines: Iterable[str | bytes], source: str, batch: int,
             on_warning: Callable[[str], None] | None) -> Iterator[list[tuple[str, str] | InputError]]:
    """The non-blank lines parsed (a pair, or the error naming ``source:line``), ``batch`` at a time."""
    pending: list[tuple[str, str] | InputError] = []
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        pending.append(parse_pair_line(raw, source, lineno, on_warning))
        if len(pending) >= batch:
            yield pending
            pending = []
    if pending:
        yield pending


def score_batch_task(pairs: list[tuple[str, str]], judges: _Judges) -> list[dict]:
    """The results of a batch of pairs, where the batch runs (an engine task): the judges arrive pickled,
    each model as that process's own loaded copy (:class:`~overlap.claims.pair_model.PairModel`, the
    embedder and the role parser reduce to their loaders)."""
    return list(_score_batch(list(pairs), judges))
