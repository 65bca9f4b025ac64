"""From scores to matches: which relation, if any, holds between two statements.

Per candidate statement pair (:func:`decide`): the *paraphrase* score of the
whole statements (MRPC-fitted; at or above its cut: ``relation="paraphrase"``),
else the best *claim* score over the statements and their clauses
(STS-B-fitted; ``relation="claim"``). Near-verbatim pairs (``ratio >=
params.verbatim``) are copies, left to the reuse tier and counted. With the
role check's parser, a clause without a verb carries no claim (a venue, a
name: :func:`overlap.claims.roles.states`), and a pair is decided again on
its other parts. A quote and the sentence holding it give one match, not
two (:func:`one_per_place`).
:class:`Acceptor` answers the same question for one more pair, for the
claim clusters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..engine import Engine
from ..model import ClaimLink, Match, MatchSide, Passage, Span
from ..params import ParaphraseParams
from .figures import can_carry
from .roles import Reading, quotes_conflict, role_conflict, states
from .score import PartVectors, Scorers, ScoredPairs, score_batch
from .scorer import TextMemo
from .signals import Prepared, prepare, signals
from .statements import Parts, statement_parts

__all__ = ["decide", "one_per_place", "Acceptor"]


@dataclass(frozen=True)
class _Evidence:
    """What the decision on one statement pair reads: the scored rows and the parts they point at."""

    scored: ScoredPairs
    pairs: Sequence[tuple[int, int]]
    parts: Parts  # ``parts.full``: a part fully prepared when asked for
    parts_of: Sequence[range]
    statements: Sequence[Passage]
    vectors: PartVectors | None
    scorers: Scorers
    params: ParaphraseParams

    def relation(self, block: Sequence[int]) -> tuple[str, int, int | None] | str | None:
        """``(relation, evidence row, whole row)``; ``"verbatim"`` for a copy; ``None`` for no relation."""
        rows, para, claim, s = self.scored.rows, self.scored.paraphrase, self.scored.claim, self.scorers
        ratio = self.scored.column("ratio")
        w = next((t for t in block if rows[t][3]), None)  # the whole statements' row, unless the floors set it aside
        if w is not None and ratio[w] >= self.params.verbatim:
            return "verbatim"  # copied whole statements: never scored by the pair model (see find.score_parts)
        best = max(block, key=lambda t: claim[t])
        if w is not None and para[w] >= s.cut:
            return "paraphrase", w, w
        if claim[best] >= s.claim_cut:
            if ratio[best] >= self.params.verbatim:
                return "verbatim"  # a clause copied word for word: the reuse tier's business
            return "claim", best, w
        return None

    def clauses(self, block: Sequence[int], relation: str, evidence: int, i: int, j: int) -> tuple[int, int]:
        """The parts that carry the relation.

        For a claim, which clause of each sentence carries it: the best pair of
        clauses (a sentence without clauses is its own), so that a sentence
        making two claims joins each claim's cluster by the clause that makes
        it, whichever pair scored highest.
        """
        rows, claim = self.scored.rows, self.scored.claim
        _, x, y, _w = rows[evidence]
        if relation == "claim":
            wi, wj = self.parts_of[i][0], self.parts_of[j][0]
            specific = [t for t in block
                        if (rows[t][1] != wi or len(self.parts_of[i]) == 1)
                        and (rows[t][2] != wj or len(self.parts_of[j]) == 1)]
            if specific:
                _, x, y, _w = rows[max(specific, key=lambda t: claim[t])]
        return x, y

    def signals(self, w: int | None, wi: int, wj: int) -> dict[str, float]:
        """The whole statements' signals, for the report (computed here if the floors set their row aside)."""
        if w is not None:
            return dict(zip(self.scored.names, (float(v) for v in self.scored.features[w])))
        prep, vectors = self.parts.full, self.vectors
        sig = signals(prep[wi], prep[wj])
        if vectors is not None and vectors[wi].any() and vectors[wj].any():
            sig["cosine"] = float(np.clip(vectors[wi] @ vectors[wj], 0.0, 1.0))
        return sig

    def sides(self, block: Sequence[int]) -> tuple[Passage, Passage]:
        """The two statements of the pair whose rows are ``block``."""
        i, j = self.pairs[self.scored.rows[block[0]][0]]
        return self.statements[i], self.statements[j]

    def texts(self, block: Sequence[int]) -> tuple[str, str]:
        """The two whole statements' texts of the pair whose rows are ``block``."""
        a, b = self.sides(block)
        return a.text, b.text

    def agreeing(self, block: Sequence[int]) -> list[int]:
        """The rows of ``block`` whose two parts can carry one claim by their figures (:func:`can_carry`)."""
        rows, passages = self.scored.rows, self.parts.passages
        ok = can_carry(self.texts(block), [(passages[rows[t][1]].text, passages[rows[t][2]].text) for t in block])
        return [t for t, carries in zip(block, ok) if carries]

    def stated(self, match: Match, block: Sequence[int], read: Mapping[str, Reading]) -> Match | str | None:
        """``match`` (the pair whose rows are ``block``) decided again on the rows whose parts can state a
        claim (:func:`~overlap.claims.roles.states`, ``read``: each statement's reading by the role
        check's parser): the whole statements, and the clauses with a verb. ``match`` itself when
        every row's can; ``None`` when no relation holds without the others; ``"verbatim"`` when what
        holds then is a clause copied word for word."""
        rows = self.scored.rows
        i, j = self.pairs[rows[block[0]][0]]
        read_i, read_j = read[self.statements[i].text], read[self.statements[j].text]
        kept = [t for t in block if self._states(rows[t][1], i, read_i) and self._states(rows[t][2], j, read_j)]
        if len(kept) == len(block):
            return match
        return self.match(kept) if kept else None

    def _states(self, part: int, statement: int, reading: Reading) -> bool:
        """Whether ``part`` of ``statement`` can state a claim: the statement itself, or a clause with a verb."""
        if part == self.parts_of[statement][0]:
            return True
        base, span = self.statements[statement].span.start, self.parts.passages[part].span
        return states(reading, span.start - base, span.end - base)

    def match(self, block: Sequence[int]) -> Match | str | None:
        """The match of the statement pair whose rows are ``block``, ``"verbatim"`` or ``None``."""
        found = self.relation(block)
        if found is None or isinstance(found, str):
            return found
        relation, ev, w = found
        n = self.scored.rows[ev][0]
        i, j = self.pairs[n]
        wi, wj = self.parts_of[i][0], self.parts_of[j][0]
        x, y = self.clauses(block, relation, ev, i, j)
        para, claim = self.scored.paraphrase, self.scored.claim
        passages, prep = self.parts.passages, self.parts.full
        return _match(self.statements[i], self.statements[j], prep[wi], prep[wj],
                      float(para[ev] if relation == "paraphrase" else claim[ev]), self.signals(w, wi, wj),
                      self.scorers.path, relation=relation,
                      paraphrase=float(para[w]) if w is not None else self.scored.lexical_whole.get(n, 0.0),
                      claim=float(claim[max(block, key=lambda t: claim[t])]) if self.scorers.claims else None,
                      clause_a=passages[x] if x != wi else None,
                      clause_b=passages[y] if y != wj else None)


def _blocks(rows: Sequence[tuple]) -> list[range]:
    """The runs of rows that belong to one statement pair (rows are grouped by their first field)."""
    out: list[range] = []
    k = 0
    while k < len(rows):
        end = k
        while end < len(rows) and rows[end][0] == rows[k][0]:
            end += 1
        out.append(range(k, end))
        k = end
    return out


def decide(
    scored: ScoredPairs,
    pairs: Sequence[tuple[int, int]],
    parts: Parts,
    statements: Sequence[Passage],
    vectors: PartVectors | None,
    scorers: Scorers,
    params: ParaphraseParams,
    engine: Engine | None = None,
) -> tuple[list[Match], dict[str, int]]:
    """The paraphrase and claim matches of the scored statement pairs, and the counts.

    ``pairs[n]`` is the statement pair ``(i, j)`` (indices into
    ``statements``) of the rows whose first field is ``n``; ``vectors``
    (one per part, or ``None``) give a match its cosine when its whole pair
    was never embedded. Matches are sorted by their sides' documents and
    offsets; counts: ``verbatim_skipped``, ``figure_conflicts`` (accepted, then rejected
    because on every pair of parts that could carry it each gives a figure the other does not:
    :mod:`overlap.claims.figures`),
    ``role_conflicts`` (then rejected by the role check: :mod:`overlap.claims.roles`, or left with
    no relation once the clauses without a verb are set aside, or two quotes with next to no word in
    common: :mod:`overlap.claims.quoted`), ``matches``,
    ``same_statement``, ``same_claim``, ``within_document``. ``engine`` parses the
    accepted pairs' statements for the role check (on a cluster's workers).
    """
    evidence = _Evidence(scored, pairs, parts, parts.of_statement(), statements, vectors, scorers, params)
    found: list[tuple[Match, list[int]]] = []
    verbatim = 0
    figures = 0
    for block in _blocks(scored.rows):
        match = evidence.match(block)
        if isinstance(match, Match):  # figures first: no parse for a pair its figures reject
            agreeing = evidence.agreeing(block)
            if len(agreeing) < len(block):
                match = evidence.match(agreeing) if agreeing else None
                figures += match is None
            block = agreeing
        if match == "verbatim":
            verbatim += 1
        elif isinstance(match, Match):
            found.append((match, list(block)))
    texts = [evidence.texts(block) for _m, block in found]
    kept: list[Match] = [m for m, _block in found]
    conflicts = 0
    if scorers.roles is not None:
        read = scorers.roles.read_pairs(texts, engine)
        kept = []
        for (m, block), pair in zip(found, texts):
            stated = evidence.stated(m, block, read)
            if stated == "verbatim":
                verbatim += 1  # what is left of the pair is a clause copied word for word
            elif stated is None or (role_conflict(read[pair[0]], read[pair[1]])
                                    or quotes_conflict(*evidence.sides(block), read[pair[0]], read[pair[1]])) is not None:
                conflicts += 1
            else:
                kept.append(stated)  # type: ignore[arg-type]
    matches = one_per_place(kept)
    matches.sort(key=lambda m: (m.a.doc, m.a.span.start, m.b.doc, m.b.span.start))
    return matches, {
        "verbatim_skipped": verbatim,
        "figure_conflicts": figures,
        "role_conflicts": conflicts,
        "matches": len(matches),
        "same_statement": sum(1 for m in matches if m.details["relation"] == "paraphrase"),
        "same_claim": sum(1 for m in matches if m.details["relation"] == "claim"),
        "within_document": sum(1 for m in matches if m.details.get("within_document")),
    }


def one_per_place(matches: list[Match]) -> list[Match]:
    """Keep the best of matches that overlap on both sides (a quote and the sentence holding it
    are both statements, so the same evidence would otherwise be reported twice)."""
    by_docs: dict[tuple[str, str], list[Match]] = {}
    for m in matches:
        by_docs.setdefault((m.a.doc, m.b.doc), []).append(m)
    out: list[Match] = []
    for group in by_docs.values():
        group.sort(key=lambda m: (-m.score, m.a.span.start, m.b.span.start))
        kept: list[Match] = []
        for m in group:
            if not any(m.a.span.overlaps(k.a.span) and m.b.span.overlaps(k.b.span) for k in kept):
                kept.append(m)
        out.extend(kept)
    return out


def _match(
    a: Passage,
    b: Passage,
    pa: Prepared,
    pb: Prepared,
    score: float,
    sig: dict,
    path: str,
    *,
    relation: str = "paraphrase",
    paraphrase: float | None = None,
    claim: float | None = None,
    clause_a: Passage | None = None,
    clause_b: Passage | None = None,
) -> Match:
    """A ``kind="paraphrase"`` match, ``a`` the side that comes first (document, offset)."""
    if (b.doc, b.span.start) < (a.doc, a.span.start):
        a, b, pa, pb, clause_a, clause_b = b, a, pb, pa, clause_b, clause_a
    common = len(pa.content & pb.content)
    details: dict = {
        "relation": relation,
        "paraphrase_score": round(score if paraphrase is None else paraphrase, 4),
    }
    if claim is not None:
        details["claim_score"] = round(claim, 4)
    if clause_a is not None:
        details["a_clause"] = [clause_a.span.start, clause_a.span.end]
    if clause_b is not None:
        details["b_clause"] = [clause_b.span.start, clause_b.span.end]
    if a.doc == b.doc:
        details["within_document"] = True  # a reporter restating a quote in the same article
    details.update({
        "signals": {k: round(v, 4) for k, v in sig.items()},
        "containment": round(sig["containment"], 4),
        "path": path,
        "a_kind": a.kind,
        "b_kind": b.kind,
        "a_speaker": a.speaker,
        "b_speaker": b.speaker,
    })
    return Match(
        kind="paraphrase",
        score=round(score, 4),
        a=MatchSide(a.doc, a.span),
        b=MatchSide(b.doc, b.span),
        jaccard=round(sig["content"], 4),
        a_in_b=round(common / len(pa.content), 4) if pa.content else 0.0,
        b_in_a=round(common / len(pb.content), 4) if pb.content else 0.0,
        details=details,
    )


@dataclass(frozen=True)
class Acceptor:
    """Scores one more pair of statements the way the tier does: the link if the models accept it, else ``None``.

    For a statement left out of every star (:func:`overlap.claims.clusters.claim_clusters`).
    Same statement on the whole statements, else the best claim score over
    the statements and their clauses (:func:`overlap.claims.statements.statement_parts`),
    as in :func:`decide`, scored by :func:`overlap.claims.score.score_batch`
    as there; a near-verbatim pair is a copy and never a link, and a pair
    whose figures disagree or that the role check rejects (actors
    swapped or other, an action negated or opposed) is no link, as there.
    """

    scorers: Scorers
    params: ParaphraseParams
    #: prepared texts and vectors kept across pairs (seed it with the vectors the tier computed)
    memo: TextMemo = field(default_factory=TextMemo, compare=False, repr=False)
    _parts: dict[str, list[Passage]] = field(default_factory=dict, compare=False, repr=False)

    def _of(self, u: Passage) -> list[Passage]:
        """The parts of statement ``u``, itself first, as passages of ``u``'s text (spans from 0)."""
        alone = Passage(u.doc, Span(0, len(u.text)), u.text, u.kind, u.speaker)
        if not self.scorers.claims:
            return [alone]
        found = self._parts.get(u.text)
        if found is None:
            found = self._parts[u.text] = list(statement_parts([alone], [prepare(u.text, full=False)], self.params).passages)
        return found

    def __call__(self, a: Passage, b: Passage) -> ClaimLink | None:
        decided = self.decided(a, b)
        return None if decided is None else decided[0]

    def decided(self, a: Passage, b: Passage) -> tuple[ClaimLink, float, float, dict[str, float]] | None:
        """The link, the paraphrase and best claim scores and the whole pair's signals, if the models
        accept the pair (else ``None``): what :meth:`match` and the call give."""
        within = a.doc == b.doc
        if within and not self.params.within_document:
            return None
        s = self.scorers
        of_a, of_b = self._of(a), self._of(b)
        texts = [(x.text, y.text) for x in of_a for y in of_b]  # the whole statements first
        sigs = [r.signals for r in s.paraphrase.score_pairs(texts, memo=self.memo)]  # (with the cosine on the embedding path)
        names = list(sigs[0])
        para, claim = score_batch(texts, np.array([[sig[f] for f in names] for sig in sigs]), names, s)
        if sigs[0]["ratio"] >= self.params.verbatim:
            return None  # a copy: the reuse tier's business, never a claim link
        # a pair of parts whose figures disagree carries nothing, as in decide
        agree = np.array(can_carry((a.text, b.text), texts))
        para, claim = np.where(agree, para, 0.0), np.where(agree, claim, 0.0)
        if not self._accepts(para[0], claim):
            return None
        if s.roles is not None:
            read_a, read_b = s.roles.readings([a.text, b.text])
            if (role_conflict(read_a, read_b) or quotes_conflict(a, b, read_a, read_b)) is not None:
                return None  # who did what to whom, whether or which way differs; or who said what: as in decide
            # only the parts that can state a claim carry one (the statements, clauses with a verb), as in decide
            able_a = [k == 0 or states(read_a, p.span.start, p.span.end) for k, p in enumerate(of_a)]
            able_b = [k == 0 or states(read_b, p.span.start, p.span.end) for k, p in enumerate(of_b)]
            claim = np.where([x and y for x in able_a for y in able_b], claim, 0.0)
        link = self._accepts(para[0], claim)
        if link is None:
            return None
        return ClaimLink(round(link[1], 4), link[0], within), float(para[0]), float(claim.max()), sigs[0]

    def _accepts(self, para: float, claim: np.ndarray) -> tuple[str, float] | None:
        """The relation the whole pair's paraphrase score and its parts' claim scores make, and its score."""
        if para >= self.scorers.cut:
            return "paraphrase", float(para)
        if self.scorers.claims and claim.max() >= self.scorers.claim_cut:
            return "claim", float(claim.max())
        return None

    def match(self, a: Passage, b: Passage, read_a: Passage, read_b: Passage) -> Match | None:
        """The match of statements ``a`` and ``b`` if the models accept them as read (``read_a``,
        ``read_b``: the texts the pair is decided on, e.g. a clause of ``b``; spans within theirs)."""
        decided = self.decided(read_a, read_b)
        if decided is None:
            return None
        link, para, claim, sig = decided
        clauses = {"clause_a": read_a if read_a.span != a.span else None,
                   "clause_b": read_b if read_b.span != b.span else None}
        return _match(a, b, prepare(read_a.text), prepare(read_b.text), link.score, sig,
                      self.scorers.path, relation=link.relation, paraphrase=para, claim=claim, **clauses)
