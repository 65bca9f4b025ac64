"""One tree of frozen, validated parameters, written into every report.

Every knob that changes a result lives here, so a report can say exactly how
it was made and a rerun with the same parameters gives the same bytes.
Validation happens at construction: a bad value is a :class:`ConfigError`
naming the parameter and the valid range, before any work starts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from typing import Any, Mapping

from .errors import ConfigError

__all__ = [
    "ShingleParams",
    "MinHashParams",
    "DuplicateParams",
    "BoilerplateParams",
    "PassageParams",
    "ParaphraseParams",
    "Params",
]


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not (lo <= value <= hi):
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value!r}")


@dataclass(frozen=True)
class ShingleParams:
    """How documents become sets: ``size`` consecutive words per shingle."""

    size: int = 5

    def __post_init__(self) -> None:
        _check_range("shingle.size", self.size, 1, 16)


@dataclass(frozen=True)
class MinHashParams:
    """MinHash and LSH settings.

    ``lsh_threshold`` is where LSH starts proposing candidates; it sits below
    the verification threshold so that pairs just above it are not lost to
    LSH's soft cut-off (recall), at the price of more candidates to verify.
    """

    num_perm: int = 128
    seed: int = 1
    lsh_threshold: float = 0.4

    def __post_init__(self) -> None:
        _check_range("minhash.num_perm", self.num_perm, 16, 1024)
        _check_range("minhash.seed", self.seed, 0, 2**32 - 1)
        _check_range("minhash.lsh_threshold", self.lsh_threshold, 0.05, 1.0)


@dataclass(frozen=True)
class DuplicateParams:
    """When two documents are near-duplicates.

    ``threshold`` applies to the exact Jaccard similarity of the two shingle
    sets: lower finds more rewritten copies (recall) and more false links
    (precision). ``min_words`` skips documents too short to judge.
    ``max_chars`` sets aside longer documents (with binary files, encoded
    blobs and number tables: :mod:`overlap.text.screen`) so that no single
    document can make a stage's cost unbounded; one million characters is
    a book, 40 times the longest BBC News article.
    """

    threshold: float = 0.5
    min_words: int = 10
    max_chars: int = 1_000_000

    def __post_init__(self) -> None:
        _check_range("duplicates.threshold", self.threshold, 0.0, 1.0)
        _check_range("duplicates.min_words", self.min_words, 1, 100_000)
        _check_range("duplicates.max_chars", self.max_chars, 1, 10**10)


@dataclass(frozen=True)
class BoilerplateParams:
    """What counts as boilerplate.

    A line (after normalisation) of at most ``max_words`` words that occurs in
    at least ``min_docs`` distinct documents of one source, and in at least
    ``min_share`` of that source's documents, is boilerplate (sign-ups,
    "Leave a Reply", bylines, share buttons, repeated titles). Long
    paragraphs repeated across documents are reuse, not boilerplate, which is
    why the length cap exists. The share keeps large sources from losing
    content lines that recur by chance ("Pay April 15" in 40 of 19,000
    Reuters notices is data, "Reuter" in 97% of them is not); documents with
    no source count as one source.
    """

    enabled: bool = True
    min_docs: int = 3
    max_words: int = 30
    min_share: float = 0.01

    def __post_init__(self) -> None:
        _check_range("boilerplate.min_docs", self.min_docs, 2, 1_000_000)
        _check_range("boilerplate.max_words", self.max_words, 1, 10_000)
        _check_range("boilerplate.min_share", self.min_share, 0.0, 1.0)


@dataclass(frozen=True)
class PassageParams:
    """How shared passages are found and aligned (see :mod:`overlap.passages.align`).

    Alignment works on sentences: two sentences *seed* a passage when both
    their tf-idf cosine (``seed_cosine``) and their word-set Dice coefficient
    (``seed_dice``) reach the thresholds; lower values find more reworded
    copies (recall) and more chance look-alikes (precision). Seeds closer than
    ``max_gap`` sentences in both texts grow into one passage, which must keep
    a passage-level cosine of ``min_similarity``; ``summary_gap`` is the gap
    allowed on the longer side when one text condenses the other. Passages
    shorter than ``min_chars`` characters (on either side) are dropped:
    raising it silences single-sentence coincidences, lowering it reports
    short shared quotes.

    ``enabled`` switches the passage stage of ``overlap scan`` on or off.
    ``snap_words`` is how far (in words) an edge found by word alignment may
    lie from its sentence boundary and still snap to it (-1: no trimming).

    The corpus-level search (:mod:`overlap.passages.corpus`) cuts documents into
    windows of ``window`` sentences (step ``window_step``), and proposes a
    document pair when MinHash LSH over the content-word sets of two windows
    reaches ``lsh_threshold`` (estimated Jaccard); lower finds more reworded
    copies at the cost of more pairs to align (on BBC News, 2 sentences at
    0.4 proposed 4,600 pairs and kept 99% of the pairs whose passages score
    0.7 or more, 90% of those scoring 0.5, 78% of all that 0.3 with 3
    sentences finds from 48,000 pairs). Each window pair LSH proposes is
    then checked: its Jaccard estimated from the windows' signatures must
    reach ``window_jaccard``, below the LSH threshold on purpose (two
    windows sharing one of their two sentences are at about a third), so
    only the chance collisions LSH makes far below its threshold, which grow
    with the square of the corpus, are dropped. ``max_candidates`` caps the
    partners one document may get (most shared windows first), so a corpus
    of near-identical documents cannot make the search quadratic. Words in
    more than ``common_share`` of a corpus's documents (100 or more) are left
    out of the window sets, so templates ("Shr 34 cts vs 1.19 dlrs") do not
    propose pairs; alignment still sees every word. Then the words a
    checked window pair shares, common ones included, must be rarer
    together than chance explains in a corpus of ``W`` windows: the sum of
    their inverse document frequencies ``ln(N / df)`` must reach
    ``ln(W) + window_rarity`` (nats; corpora of 100 documents or more; -100
    turns the check off). Two
    windows sharing a handful of a topic's words ("oil", "prices", "opec")
    pass the Jaccard check ever more often as a corpus grows, with the square
    of its size, but never reach that sum; a copied sentence does.
    """

    enabled: bool = True
    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    max_gap: int = 4
    summary_gap: int = 24
    min_similarity: float = 0.34
    min_chars: int = 150
    min_sentence_words: int = 3
    snap_words: int = 6
    window: int = 2
    window_step: int = 1
    lsh_threshold: float = 0.4
    window_jaccard: float = 0.2
    num_perm: int = 64
    seed: int = 1
    max_candidates: int = 50
    common_share: float = 0.05
    window_rarity: float = 4.0

    def __post_init__(self) -> None:
        _check_range("passages.seed_cosine", self.seed_cosine, 0.0, 1.0)
        _check_range("passages.seed_dice", self.seed_dice, 0.0, 1.0)
        _check_range("passages.max_gap", self.max_gap, 0, 100)
        _check_range("passages.summary_gap", self.summary_gap, 0, 1000)
        _check_range("passages.min_similarity", self.min_similarity, 0.0, 1.0)
        _check_range("passages.min_chars", self.min_chars, 1, 1_000_000)
        _check_range("passages.min_sentence_words", self.min_sentence_words, 1, 100)
        _check_range("passages.snap_words", self.snap_words, -1, 1000)
        _check_range("passages.window", self.window, 1, 100)
        _check_range("passages.window_step", self.window_step, 1, self.window)
        _check_range("passages.lsh_threshold", self.lsh_threshold, 0.05, 1.0)
        _check_range("passages.window_jaccard", self.window_jaccard, 0.0, 1.0)
        _check_range("passages.num_perm", self.num_perm, 16, 1024)
        _check_range("passages.seed", self.seed, 0, 2**32 - 1)
        _check_range("passages.max_candidates", self.max_candidates, 1, 1_000_000)
        _check_range("passages.common_share", self.common_share, 0.0, 1.0)
        _check_range("passages.window_rarity", self.window_rarity, -100.0, 1000.0)


@dataclass(frozen=True)
class ParaphraseParams:
    """The paraphrase tier: same statement, different words (see :mod:`overlap.claims`).

    ``threshold`` is the cut on the calibrated score (:mod:`overlap.claims.scorer`);
    ``None`` uses the model's own cross-validated cut (about 0.54 with
    embeddings, 0.56 lexical); higher trades recall for precision. ``lsh_threshold`` is the Jaccard
    level where LSH over stemmed content words starts proposing pairs: 0.3
    recalls about 95% of MRPC paraphrase pairs, lower finds more at the price
    of many more candidates to score. ``neighbours`` adds each statement's
    nearest embedding neighbours as candidates (only with the embedding model):
    3 raises MRPC candidate recall from 0.947 to 0.987 but embeds every
    statement, which dominates scan time (off by default; then only statements
    in candidate pairs are embedded). Pairs whose ``ratio`` is at least ``verbatim`` are copies,
    left to the reuse tier. ``min_words``/``min_content`` keep out headings and
    fragments. ``embeddings`` false forces the lexical score. A pair must share
    ``min_rare_shared`` content words that occur in at most ``rare_share`` of
    all statements (at least ``rare_min_statements``): sharing only common
    words ("Qtly div ... cts vs ... cts prior") is a template, not a claim.
    0.1% rather than 0.5%: on all of Reuters-21578 (127,000 statements) 0.5%
    let words of 636 statements count as rare, so "Fees comprise 1-1/4 pct
    selling concession ..." (about 300 bond notices) and "Avg shrs X mln vs Y
    mln" (494) passed, 24,500 matches came out, and a sample of 30 held 5 real
    paraphrases; at 0.1% (127 statements) 2,700 matches, 15 of 30 real. The
    floor of 50 is because a template is only visible in a big corpus: in a
    few articles on one story, or MRPC's 7,800 sentences from story clusters,
    the story's own words recur in tens of statements, and those are the words
    its paraphrases share (MRPC candidate recall after the filters: floor 3,
    0.800; 30, 0.768; 50, 0.825).
    ``within_document``: pairs of statements in the same document count (a
    reporter restating a quote in their own words, the most common way a claim
    is repeated in news); they are marked ``details["within_document"]``.
    Off keeps only pairs across documents.
    ``numbers_must_agree``: two statements that both give figures must share one;
    ``names_must_agree``: two that both name people or places must share one.
    The floor keeps the template rule quiet in small corpora: a template is only
    visible as a shape repeated across a big corpus; in five articles on one story
    the topic words are what paraphrases share, not a template. The ceiling
    ``rare_max_statements`` (200; all of Reuters-21578 stays under it, at 112)
    keeps a word in more statements than that from counting as rare however big
    the corpus: a rare word's pairs grow with the square of its statements, so a
    ceiling that grew with the corpus made the candidates grow with its square.
    ``max_candidates`` is the most partners one statement or clause keeps (those
    met in most LSH bands; a pair stays when either side keeps it; 0: no cap), so
    a statement repeated in many stories cannot make the tier quadratic; what
    the cap left out is counted (``candidates_over_cap``).

    ``claims`` adds the looser *same claim* relation (the STS-B-fitted claim
    score, cut at ``claim_threshold`` or the model's own), scored over the
    statements and, with ``clauses``, their clauses of at least
    ``min_clause_words`` words and ``min_clause_content`` content words. When
    statements plus clauses number at most ``embed_all_max`` and the embedding
    model is on, every unit is embedded and its ``auto_neighbours`` nearest
    become candidates too: in a small corpus a restated claim shares too few
    content words for LSH, and embedding a few thousand units takes seconds.

    ``embed_floor``: with the embedding model, a pair whose lexical paraphrase score
    is below this (and whose lexical claim score is below ``claim_embed_floor``)
    is decided without embedding its statements (0 and 0 embed every candidate). Embedding is the slow part (~160 sentences/s); on MRPC train no
    pair the embedding model accepts scores below 0.25 lexically, and 0.3
    loses 2 of its 2,804 positives (0.07%). The claim floor is lower because the
    claim score is: on STS-B dev, a lexical claim score under 0.1 holds 1.5% of
    the embedding claim model's positives and 36% of all pairs.

    ``pair_model``: with the embedding model installed, the pair model
    (:mod:`overlap.claims.pair_model`: a cross-encoder that reads both statements together)
    decides every candidate pair whose fitted score reaches its floor, with its own cuts
    (``threshold`` and ``claim_threshold`` then apply to its scores); the fitted scores only
    propose. Off by default: it is more precise on held-out PAWS, MRPC and STS-B pairs, but on a
    sample of BBC news 4 in 10 of the matches it dropped were right and 4 in 10 of those it added
    wrong, on the seeds it loses all but one cross-outlet claim, and it costs 3.4x the tier's CPU (see
    its model card).

    ``pair_check``: when the fitted scores judge (``pair_model`` off) and the pair model can load, it
    reads every pair they accept and rejects one whose probability of the relation is under its
    check level (:data:`overlap.claims.pair_model.CHECK_LEVELS`): the fitted scores' ranking and
    recall stay, and the pairs the model is confident differ (PAWS-Wiki's swapped roles above all)
    go. On by default; ``--no-pair-check`` is the fitted scores alone. Its figures and cost are in
    the model card.

    ``roles``: a pair the scores accept is still rejected when its statements give
    the same verb's agent or patient to different named actors, swapped between
    them ("Russia accused Ukraine" / "Ukraine accused Russia"), negate the same
    verb of the same subject in one only ("will send" / "will not send"), or say
    opposite verbs of one subject ("rates rose" / "rates fell"): a dependency parse
    of the accepted pairs only (:mod:`overlap.claims.roles`; needs the embed extra's
    spaCy parser, else the tier runs without it and says so). On by default: on
    PAWS-Wiki it rejects 5.2% of the non-paraphrases and 2 of 3,539 paraphrases, on
    MRPC and STS-B train 34 negatives and 5 of 5,747 positives.

    ``max_statement_chars`` and ``max_statements_per_document`` bound what one
    document can cost the tier (see :func:`overlap.claims.statements`): a
    longer "statement" is a table or text without punctuation, and a pair's
    signals cost the product of the two lengths.
    """

    enabled: bool = True
    # Above this many documents the tier is skipped and the report says so (0 = no limit). No
    # limit by default: the tier no longer forms template pairs, so its cost grows with the
    # statements (Reuters-21578, 19,043 articles: see bench/claims_speed.py and the README).
    max_documents: int = 0
    threshold: float | None = None
    lsh_threshold: float = 0.3
    num_perm: int = 128
    seed: int = 1
    neighbours: int = 0
    min_cosine: float = 0.6
    verbatim: float = 0.9
    min_words: int = 6
    min_content: int = 4
    within_document: bool = True
    embeddings: bool = True
    min_rare_shared: int = 2
    rare_share: float = 0.001
    rare_min_statements: int = 50
    rare_max_statements: int = 200
    max_candidates: int = 50
    numbers_must_agree: bool = True
    names_must_agree: bool = True
    embed_floor: float = 0.3
    claim_embed_floor: float = 0.1
    # the claim relation (STS-B-fitted, looser than paraphrase) over statements and their clauses
    claims: bool = True
    claim_threshold: float | None = None
    pair_model: bool = False
    pair_check: bool = True
    roles: bool = True
    clauses: bool = True
    min_clause_words: int = 4
    min_clause_content: int = 3
    # up to this many units (statements + clauses), all are embedded and each one's
    # auto_neighbours nearest become candidates (embedding model only)
    embed_all_max: int = 3000
    auto_neighbours: int = 5
    # per-document bounds (see claims.statements): the longest statement of Reuters-21578 has
    # 2,357 characters (99.9% have under 430), the most statements in one BBC News article are 221
    max_statement_chars: int = 3000
    max_statements_per_document: int = 1000

    def __post_init__(self) -> None:
        _check_range("paraphrase.max_documents", self.max_documents, 0, 10**9)
        if self.threshold is not None:
            _check_range("paraphrase.threshold", self.threshold, 0.0, 1.0)
        _check_range("paraphrase.lsh_threshold", self.lsh_threshold, 0.05, 1.0)
        _check_range("paraphrase.num_perm", self.num_perm, 16, 1024)
        _check_range("paraphrase.seed", self.seed, 0, 2**32 - 1)
        _check_range("paraphrase.neighbours", self.neighbours, 0, 100)
        _check_range("paraphrase.min_cosine", self.min_cosine, 0.0, 1.0)
        _check_range("paraphrase.verbatim", self.verbatim, 0.0, 1.0)
        _check_range("paraphrase.min_words", self.min_words, 1, 1000)
        _check_range("paraphrase.min_content", self.min_content, 1, 1000)
        _check_range("paraphrase.min_rare_shared", self.min_rare_shared, 0, 1000)
        _check_range("paraphrase.rare_share", self.rare_share, 0.0, 1.0)
        _check_range("paraphrase.rare_min_statements", self.rare_min_statements, 1, 1_000_000)
        _check_range("paraphrase.rare_max_statements", self.rare_max_statements, 1, 10**9)
        _check_range("paraphrase.max_candidates", self.max_candidates, 0, 1_000_000)
        if self.claim_threshold is not None:
            _check_range("paraphrase.claim_threshold", self.claim_threshold, 0.0, 1.0)
        _check_range("paraphrase.min_clause_words", self.min_clause_words, 1, 1000)
        _check_range("paraphrase.min_clause_content", self.min_clause_content, 1, 1000)
        _check_range("paraphrase.embed_all_max", self.embed_all_max, 0, 10**9)
        _check_range("paraphrase.auto_neighbours", self.auto_neighbours, 0, 100)
        _check_range("paraphrase.claim_embed_floor", self.claim_embed_floor, 0.0, 1.0)
        _check_range("paraphrase.embed_floor", self.embed_floor, 0.0, 1.0)
        _check_range("paraphrase.max_statement_chars", self.max_statement_chars, 1, 10**9)
        _check_range("paraphrase.max_statements_per_document", self.max_statements_per_document, 1, 10**9)


@dataclass(frozen=True)
class Params:
    """All parameters of a scan, one group per tier; the defaults are the command line's.

    Groups are frozen dataclasses; :meth:`with_` returns a copy with some
    fields replaced, and :meth:`to_dict` is what ``summary.json`` records.

    >>> p = Params().with_(duplicates={"threshold": 0.8}, passages={"enabled": False})
    >>> p.duplicates.threshold, p.passages.enabled, p.minhash.num_perm
    (0.8, False, 128)
    """

    shingle: ShingleParams = field(default_factory=ShingleParams)
    minhash: MinHashParams = field(default_factory=MinHashParams)
    duplicates: DuplicateParams = field(default_factory=DuplicateParams)
    boilerplate: BoilerplateParams = field(default_factory=BoilerplateParams)
    passages: PassageParams = field(default_factory=PassageParams)
    paraphrase: ParaphraseParams = field(default_factory=ParaphraseParams)

    def __post_init__(self) -> None:
        if self.minhash.lsh_threshold > max(self.duplicates.threshold, 0.05) + 1e-9:
            raise ConfigError(
                f"minhash.lsh_threshold ({self.minhash.lsh_threshold}) must not exceed "
                f"duplicates.threshold ({self.duplicates.threshold}): LSH would drop pairs verify accepts"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict, for reports."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Params":
        """Build from a nested dict (e.g. a report's ``parameters``); unknown keys are errors."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            sub = data[f.name]
            default = f.default_factory()  # type: ignore[misc]
            if not isinstance(sub, Mapping):
                raise ConfigError(f"parameter group {f.name!r} must be a mapping")
            known = {sf.name for sf in fields(default)}
            unknown = set(sub) - known
            if unknown:
                raise ConfigError(f"unknown parameter(s) in {f.name}: {', '.join(sorted(unknown))}")
            kwargs[f.name] = replace(default, **sub)
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown parameter group(s): {', '.join(sorted(unknown))}")
        return cls(**kwargs)

    def with_(self, **groups: Any) -> "Params":
        """A copy with some groups' fields replaced: ``p.with_(duplicates={"threshold": 0.8})``."""
        kwargs = {}
        for name, changes in groups.items():
            current = getattr(self, name)
            if not is_dataclass(current):
                raise ValueError(f"unknown parameter group {name!r}")
            kwargs[name] = replace(current, **changes)
        return replace(self, **kwargs)
