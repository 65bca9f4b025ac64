"""A reporter restating a quote: the speaker's "we" is the party the reporter names.

News tells a statement twice: in the speaker's words ("We are ready to work with the US partners on
the basis of equality", Patrushev told Sputnik) and in the reporter's ("The former director of the
FSS ... said Russia was keen to work with the US on an equitable basis"). No score built on the two
sentences as written calls that the same claim (the fitted claim score 0.17, cosine 0.39): the
reporter turned direct speech into indirect speech, and *we* became *Russia*, a word the quote
never says, with the attribution around it. Read as the reporter's clause, with the quote's *we*
read as the party the reporter put in its place, the same pair scores 0.59 (cut 0.45).

So, within one document, a quote and a sentence of reported speech are scored that way when:

* the sentence's main verb is a verb of saying (:data:`overlap.text.quotes.SPEECH`) with a clause
  for what was said that opens with its subject, a name (the party, ``P``: "said Russia was keen",
  "Snow Patrol had no other course ..., Gary Lightbody has said"), with nothing but a comma or
  "that" between the verb and the clause: after 'Irureta said: "Liverpool played ...' the clause is
  the speaker's own words, not the reporter's;
* the one saying is the quote's speaker: the same surname, or "he" / "she" or a role noun ("the
  former director of ...", :data:`_SAYERS`) after that speaker was the last one named;
* the quote speaks as *we* (the subject "we"), and is not inside the sentence.

The quote is then read with *we* / *our* / *us* as ``P`` / ``P's`` / ``P`` ("We are" as "P is")
and the sentence as its reported clause (a span of it), and the pair is decided as the tier decides
any pair (:class:`overlap.claims.decide.Acceptor`: the same models and cuts, copies skipped, figures
and the role check on the texts as read). A match says what was read: ``details["restated"]`` is
``{"we": P}``; it is within one document, so ``--no-within-document`` turns this off with the rest.

Why only within a document and only for the same speaker: there the reporter's own text says
who *we* is. ``P`` is never guessed from the quote; a wrong ``P`` ("Patrushev said the US was a
threat") only makes a pair that does not match. It needs the role check's parser (no parser, no
restatements; the tier says which parser it has).

Measured 2026-12-04 on default scans, every one read by hand: the seeds 1 (Patrushev's, right); BBC
News 5 (4 right: Snow Patrol's bassist, Gerrard on Liverpool's chances, Dominici on France twice;
1 borderline); Reuters-21578 31 (21 right, 5 borderline, 5 wrong: related statements of one story,
e.g. "Li said Hongshan does not suffer from power shortages ..." against "We borrowed money to start
our cement factory"). So about as precise as the tier's other matches. Nothing else changes: on BBC
News no other match is added or lost.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from typing import Mapping, NamedTuple, Sequence

from ..engine import Engine
from ..errors import OverlapError
from ..model import Match, Passage, Span
from ..params import ParaphraseParams
from ..text.quotes import ROLE_NOUNS, SPEECH, pointing_back
from .decide import Acceptor
from .roles import TASK_TEXTS, load_role_parser, role_check_status
from .score import Scorers

__all__ = ["restatements", "read_batch", "read_as", "Said"]

log = logging.getLogger(__name__)

_SAYS = re.compile(rf"\b{SPEECH}\b")
#: what may stand between the verb of saying and an indirect clause ("said Russia was", "Russia was ..., he said")
_INDIRECT = re.compile(r"\s*,?\s*")
_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
_WE = re.compile(r"\b[Ww]e\b")
#: a sentence that may report speech as this module reads it: a name (or "the ...") right after the verb
#: of saying or "that" ("said Russia was", "admitted that Liverpool have"), or the verb in the last
#: comma-free stretch ("Snow Patrol had ..., lead singer Gary Lightbody has said."): what :func:`_saying`
#: accepts, as text, so that other sentences are never parsed
_MAY_REPORT = re.compile(rf"\b{SPEECH}\s+(?:that\s+)?(?:the\s+)?[A-Z]|,\s*[^,]{{0,120}}\b{SPEECH}\b[^,]{{0,60}}$")
#: *we* + the verb after it, in the third person ("We are ready" -> "Russia is ready")
_AGREE = {"are": "is", "were": "was", "have": "has", "'re": " is", "\u2019re": " is", "'ve": " has", "\u2019ve": " has"}
#: nouns for people who speak, read as the last speaker named ("the former director of the FSS said")
_SAYERS = ROLE_NOUNS | {"director", "chairman", "chief", "head", "founder", "commander"}
_POINTS_BACK = re.compile(rf"\b{pointing_back(_SAYERS, 3)}\b")


class Said(NamedTuple):
    """What restating needs of one statement's parse, small enough to send back from a worker."""

    we: bool  # speaks as *we* (the subject "we")
    saying: tuple[str, str | None, tuple[int, int]] | None  # :func:`_saying`
    words: tuple[tuple[str, str, str], ...]  # (text, trailing space, "we" / "agree" / "our" / "us" / "") for read_as


def restatements(
    matches: Sequence[Match], statements: Sequence[Passage], scorers: Scorers, params: ParaphraseParams,
    accept: Acceptor, engine: Engine | None = None,
) -> list[Match]:
    """The quote / reported-speech pairs of each document that are the same claim once read as restated
    (see the module docstring), other than pairs ``matches`` already holds, each decided by ``accept``;
    ``[]`` without the role check's parser, with the claim relation off, or with
    ``params.within_document`` off. It parses only quotes with a speaker that say "we", then, in the
    documents where one speaks as *we*, the sentences with a verb of saying that may report that
    speaker (:func:`_may_be`), with ``engine`` when it has workers (:func:`read_batch`): parsing every
    quote and sentence of saying in those documents (6,867 on BBC News) cost 29 of the scan's 72 CPU
    s; this way 1,737 are parsed, for the same matches (scan CPU 40.7 -> 45.2 s on BBC News, 189.9 ->
    198.2 s on Reuters-21578, one process, 2026-12-04)."""
    if scorers.roles is None or not scorers.claims or not params.within_document:
        return []
    by_doc: dict[str, list[Passage]] = defaultdict(list)
    for u in statements:
        if (u.kind == "quote" and u.speaker) or (u.kind != "quote" and _SAYS.search(u.text)):
            by_doc[u.doc].append(u)
    reporting = {u.doc for units in by_doc.values() for u in units if u.kind != "quote" and _MAY_REPORT.search(u.text)}
    we = [u for d in reporting for u in by_doc[d] if u.kind == "quote" and _WE.search(u.text)]
    said = _read(list(dict.fromkeys(u.text for u in we)), engine)  # first the quotes: few speak as *we*
    speakers = defaultdict(set)
    for u in we:
        if said[u.text].we:
            speakers[u.doc].add(u.speaker.split()[-1])
    docs = [sorted(by_doc[d], key=lambda u: u.span.start) for d in speakers]
    said.update(_read(list(dict.fromkeys(u.text for units in docs for u in units if u.kind != "quote"
                                         and _may_be(u.text, speakers[u.doc]))), engine))
    taken = {(m.a.doc, m.a.span.start, m.b.span.start) for m in matches}
    found: list[Match] = []
    for units in docs:
        for quote, sentence, party, clause in _pairs(units, said, speakers[units[0].doc]):
            first, second = sorted((quote, sentence), key=lambda u: u.span.start)
            if (first.doc, first.span.start, second.span.start) in taken:
                continue
            read = Passage(quote.doc, quote.span, read_as(said[quote.text].words, party), quote.kind, quote.speaker)
            match = accept.match(quote, sentence, read, clause)
            if match is not None:
                match.details["restated"] = {"we": party}
                found.append(match)
                taken.add((first.doc, first.span.start, second.span.start))
    log.info("restatements: %d statements of %d documents read, %d matched", len(said), len(docs), len(found))
    return found


def _read(texts: list[str], engine: Engine | None) -> dict[str, Said]:
    """Each text's :class:`Said`: parsed here, or by ``engine``'s workers in tasks of :data:`TASK_TEXTS`."""
    if engine is not None and engine.workers > 1 and texts:
        batches = [texts[k: k + TASK_TEXTS] for k in range(0, len(texts), TASK_TEXTS)]
        return dict(zip(texts, (s for batch in engine.map(read_batch, batches) for s in batch)))
    return dict(zip(texts, read_batch(texts)))


def read_batch(texts: Sequence[str]) -> list[Said]:
    """The :class:`Said` of each text, by this process's role parser (an engine task)."""
    parser = load_role_parser()
    if parser is None:
        raise OverlapError(f"restatements: a worker has no parser ({role_check_status()}); install "
                           "'overlap[embed]' on every worker or pass --no-role-check")
    docs = parser.nlp.pipe(texts, batch_size=64, disable=["lemmatizer"])  # no lemma read here: 25% less CPU
    out = []
    for doc in docs:
        we = _first_plural(doc)
        out.append(Said(we, _saying(doc), _words(doc) if we else ()))  # words are read for *we* quotes only
    return out


def _pairs(
    units: Sequence[Passage], said: Mapping[str, Said], surnames: set[str]
) -> list[tuple[Passage, Passage, str, Passage]]:
    """(quote, reported sentence, party, reported clause) of one document's units, in text order: each
    sentence's speaker resolved as the text had named them by then, paired with that speaker's *we*
    quotes before or after it."""
    last: str | None = None
    quotes: list[Passage] = []
    sentences: list[tuple[Passage, str, str, Passage]] = []
    for u in units:
        if u.kind == "quote":
            last = u.speaker or last
            if u.text in said and said[u.text].we:
                quotes.append(u)
            continue
        if u.text not in said:  # not parsed (see _may_be): who speaks, as far as its words tell
            named = next((name for name in surnames if name in u.text), None)
            if named is not None or not _POINTS_BACK.search(u.text):
                last = named  # "Patrushev today said ..." / "analysts said": no pointing back past it
            continue
        saying = said[u.text].saying
        if saying is None:
            continue
        sayer, party, reach = saying
        last = sayer or last
        if party is not None and last is not None:
            start, end = reach
            clause = Passage(u.doc, Span(u.span.start + start, u.span.start + end), u.text[start:end], u.kind)
            sentences.append((u, last, party, clause))
    return [(q, u, party, clause) for u, sayer, party, clause in sentences for q in quotes
            if _same(q.speaker, sayer) and not q.span.overlaps(u.span)]  # (a quote inside the sentence is its own words)


def _may_be(text: str, surnames: set[str]) -> bool:
    """Whether a sentence with a verb of saying may report one of ``surnames`` (names one, or points back
    with "he" / "she" / "the ... director", and has the shape of :data:`_MAY_REPORT`): the only
    sentences parsed."""
    return _MAY_REPORT.search(text) is not None and (
        any(name in text for name in surnames) or _POINTS_BACK.search(text) is not None)


def _same(speaker: str | None, sayer: str | None) -> bool:
    """One person: the same surname (quotes carry "Nikolai Patrushev", a sentence may say "Patrushev")."""
    return bool(speaker and sayer) and speaker.split()[-1].lower() == sayer.split()[-1].lower()


def _first_plural(doc) -> bool:
    """Whether the quote speaks as *we*: "we" as a subject (not "us" alone, which the speaker's side
    may be the object of in any voice)."""
    return any(t.lower_ == "we" and t.dep_ in ("nsubj", "nsubjpass") for t in doc)


def _saying(doc) -> tuple[str, str | None, tuple[int, int]] | None:
    """Who says (a name, or ``""`` for a pronoun or role noun that points back), the party the said
    clause is about (``None`` when its subject is no name) and the clause's character range, of a
    sentence whose main verb is a verb of saying; ``None`` for any other sentence, and when who says is
    someone the text neither names nor points back to ("analysts said")."""
    verb = next((t for t in doc if t.dep_ == "ROOT"), None)
    if verb is None or not re.fullmatch(SPEECH, verb.lower_):
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    said = next((c for c in verb.children if c.dep_ == "ccomp"), None)
    if subject is None:
        return None
    if subject.pos_ == "PROPN":
        sayer = " ".join(t.text for t in subject.subtree if t.pos_ == "PROPN")
    elif subject.lower_ in ("he", "she") or (subject.lower_ in _SAYERS and any(c.lower_ == "the" for c in subject.children)):
        sayer = ""
    else:
        return None
    party = None if said is None else next((c for c in said.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if party is None or party.pos_ != "PROPN" or any(t.pos_ not in ("PROPN", "DET") for t in party.subtree):
        return sayer, None, (0, 0)  # "Russia's government", "Russia and China", "a worsening": no one party
    name = list(party.subtree)
    first = said.left_edge
    if first.dep_ == "mark" and first.lower_ == "that":
        first = doc[first.i + 1]  # "said that Russia was ...": the clause is what follows "that"
    reach = (first.idx, said.right_edge.idx + len(said.right_edge.text))
    between = (doc.text[verb.idx + len(verb.text): said.left_edge.idx] if reach[0] > verb.idx
               else doc.text[reach[1]: subject.left_edge.idx])
    if not _INDIRECT.fullmatch(between) or doc.text[reach[0]] in _QUOTE_MARKS:
        return sayer, None, (0, 0)  # 'Irureta said: "Liverpool played very well ...": the clause is his words, not the reporter's
    if name[0].idx != reach[0]:
        return sayer, None, (0, 0)  # "Enlarging on reforms Washington would like to see, Baker said ...": not "P did"
    return sayer, doc.text[name[0].idx: name[-1].idx + len(name[-1].text)], reach


def _words(doc) -> tuple[tuple[str, str, str], ...]:
    """Each token's text, trailing space and part in *we* (see :func:`read_as`)."""
    out = []
    after_we = False
    for t in doc:
        if t.lower_ == "we" and t.dep_ in ("nsubj", "nsubjpass"):
            part, after_we = "we", True
        else:
            part = ("agree" if after_we and t.lower_ in _AGREE else "our" if t.lower_ == "our"
                    else "us" if t.text == "us" else "")
            after_we = False
        out.append((t.text, t.whitespace_, part))
    return tuple(out)


def read_as(words: Sequence[tuple[str, str, str]], party: str) -> str:
    """The quote's text with its *we* read as ``party`` ("We are ready" -> "Russia is ready", "our
    partners" -> "Russia's partners", "with us" -> "with Russia"); ``words`` from :func:`_words`.

    >>> read_as([("We", " ", "we"), ("are", " ", "agree"), ("ready", "", ""), (".", "", "")], "Russia")
    'Russia is ready.'
    """
    out: list[str] = []
    for text, space, part in words:
        if part == "agree":
            text = _AGREE[text.lower()]
            if text.startswith(" "):  # "We're" -> "Russia is"
                out[-1], text = out[-1].rstrip() + " ", text.lstrip()
        elif part in ("we", "us"):
            text = party
        elif part == "our":
            text = f"{party}'s"
        out.append(text + space)
    return "".join(out).strip()
