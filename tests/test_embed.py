"""The optional embedder: tokenizer ids, hash check, lexical fallback."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from overlap.claims import embed
from overlap.claims.embed import VOCAB_PATH, WordPiece, _is_cjk, _is_punctuation



def _no_model() -> None:
    """Skip without the optional model, except in CI, which installs it (``.[test]``): there it fails."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("embedding model not installed, but CI installs it with '.[test]'")
    pytest.skip("embedding model not installed (pip install -e '.[embed]')")

def test_wordpiece_ids_match_the_reference_tokenizer() -> None:
    # ids from Hugging Face tokenizers 0.23.3 with the model's tokenizer.json (the bench checks
    # 22,781 MRPC, STS-B and seed sentences the same way: 0 differences)
    wp = WordPiece(VOCAB_PATH)
    assert wp.encode("Kremlin spokesperson Dmitry Peskov told reporters.") == [
        101, 1047, 28578, 4115, 15974, 22141, 21877, 21590, 2615, 2409, 12060, 1012, 102]
    assert wp.encode("Naïve façade, “quoted” — 東京!") == [
        101, 15743, 8508, 1010, 1523, 9339, 1524, 1517, 1879, 1755, 999, 102]


def _basic_reference(text: str) -> list[str]:
    """BERT's basic tokenizer a character at a time, as Hugging Face's ``BasicTokenizer`` (uncased) runs it:
    the oracle of the translate-based :meth:`WordPiece._basic`."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat == "Zs" or ch == " ":
            out.append(" ")
        elif cat.startswith("C"):
            continue
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    text = unicodedata.normalize("NFD", "".join(out).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    pieces: list[str] = []
    for word in text.split():
        current: list[str] = []
        for ch in word:
            if _is_punctuation(ch):
                if current:
                    pieces.append("".join(current))
                    current = []
                pieces.append(ch)
            else:
                current.append(ch)
        if current:
            pieces.append("".join(current))
    return pieces


_WP = WordPiece(VOCAB_PATH)
# ASCII (controls included), news punctuation, accents and marks, CJK, white space of every kind, U+FFFD
_NEWS_CHARS = st.sampled_from(list("aZ09 .,'\"-!?()\t\n\r\x00\x0b\x0c\x1c\x7f\x85\xa0\u2028\u3000\ufffd"
                                   "éÉñßİıÅ\u0301\u0670“”’—…«»東京中한글ﬁⅫ²\U0001d400\U00020000"))


@given(st.text(_NEWS_CHARS, max_size=60) | st.text(max_size=40))
def test_basic_tokenizer_cuts_as_the_reference_does(text: str) -> None:
    assert _WP._basic(text) == _basic_reference(text)


def test_basic_tokenizer_on_the_seeds_cuts_as_the_reference_does() -> None:
    from pathlib import Path

    texts = [p.read_text(encoding="utf-8") for p in sorted(Path("seeds").glob("*.txt"))]
    assert texts and all(_WP._basic(t) == _basic_reference(t) for t in texts)
    assert all(_WP._basic(t.encode("ascii", "ignore").decode()) == _basic_reference(t.encode("ascii", "ignore").decode())
               for t in texts)


def test_wordpiece_truncates_to_max_tokens() -> None:
    wp = WordPiece(VOCAB_PATH, max_tokens=8)
    ids = wp.encode("one two three four five six seven eight nine ten")
    assert len(ids) == 8 and ids[0] == wp.cls and ids[-1] == wp.sep


def test_model_with_wrong_hash_falls_back_to_lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    if embed.load_embedder() is None:
        _no_model()  # skips locally without the extra, fails in CI (which installs it)
    monkeypatch.setattr(embed, "MODEL_SHA256", "0" * 64)
    embed._load.cache_clear()
    try:
        assert embed.load_embedder() is None
        assert embed.embedder_status().startswith("lexical (model file")
    finally:
        monkeypatch.undo()
        embed._load.cache_clear()


def test_embeddings_are_unit_vectors_and_closer_for_paraphrases() -> None:
    e = embed.load_embedder()
    if e is None:
        _no_model()
    v = e.encode([
        "Russia is ready to work with the United States.",
        "Moscow is prepared to cooperate with Washington.",
        "The cat slept on the warm mat.",
    ])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3
    assert e.encode([]).shape == (0, 384)


def test_loading_the_model_writes_nothing_to_home(tmp_path) -> None:
    """onnxruntime writes a device id under ~/.cache/Microsoft unless telemetry is off before import."""
    import os
    import subprocess
    import sys

    pytest.importorskip("onnxruntime")
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["HOME"] = str(tmp_path)
    code = "from overlap.claims.embed import load_embedder; e = load_embedder(); assert e is not None; e.encode(['a b'])"
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=os.getcwd(), timeout=120)
    assert not (tmp_path / ".cache" / "Microsoft").exists()


def _encode_watching_batches(e, texts, **kw):
    """``e.encode(texts, **kw)`` with the (rows, tokens) shape of every batch the model was given."""
    shapes = []
    session = e._run_session()  # the session is made at the first text this process runs

    class Spy:
        def run(self, names, feeds):
            shapes.append(feeds["input_ids"].shape)
            return session.run(names, feeds)

    e._session = Spy()
    try:
        return shapes, e.encode(texts, **kw)
    finally:
        e._session = session


def test_every_text_runs_alone_and_at_most_max_tokens() -> None:
    """The int8 model's activations are quantised per run: a text runs alone, cut at the model's 128 tokens."""
    from overlap.claims.embed import MAX_TOKENS, load_embedder

    e = load_embedder()
    if e is None:
        _no_model()
    long = "word " * 300
    texts = [f"A short sentence about the weather on day {i}." for i in range(100)] + [long + str(i) for i in range(20)]
    widths, vecs = _encode_watching_batches(e, texts)
    assert len(widths) == len(texts) and all(rows == 1 and width <= MAX_TOKENS for rows, width in widths)
    assert max(width for _, width in widths) == MAX_TOKENS
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert float(vecs[0] @ vecs[1]) > 0.9 and float(vecs[-1] @ vecs[-2]) > 0.999


def test_a_text_given_twice_is_embedded_once():
    """Reprints repeat statements: each distinct text goes through the model once, and every copy gets its vector."""
    from overlap.claims.embed import load_embedder

    e = load_embedder()
    if e is None:
        _no_model()
    texts = ["Grain exports rose again this year."] * 30 + ["The central bank held its rate."] * 20 + ["Grain exports rose again this year."]
    shapes, vecs = _encode_watching_batches(e, texts)
    assert sum(rows for rows, _ in shapes) == 2
    assert vecs.shape == (51, 384)
    assert np.array_equal(vecs[0], vecs[50]) and np.array_equal(vecs[30], vecs[49])
    assert float(vecs[0] @ vecs[30]) < 0.9


def test_an_embedder_sent_to_another_process_is_loaded_there_once() -> None:
    """What one model load per worker rests on: unpickling gives the process's one copy of that model file,
    and vectors computed batch by batch through an engine are the ones :meth:`encode` gives."""
    import pickle

    from overlap.engine import InProcess

    e = embed.load_embedder()
    if e is None:
        _no_model()
    texts = ["Russia is ready to talk.", "Moscow is open to dialogue with Washington on arms control.", "Rain."]
    first, second = pickle.loads(pickle.dumps(e)), pickle.loads(pickle.dumps(e))
    assert first is second and first is not e
    assert np.array_equal(first.encode(texts), e.encode(texts, engine=InProcess()))


def test_a_sentence_vector_depends_on_neither_what_else_is_embedded_nor_the_thread_count() -> None:
    """What lets the claim clusters reuse the tier's vectors (``scorer.TextMemo``), a worker run onnxruntime
    on one thread and every engine write the same bytes: the same bits embedded alone or among longer and
    shorter sentences, in any order, on 1 or 2 threads. (Regression: the int8 model run on batches
    gave a sentence other bits beside other sentences.)"""
    e = embed.load_embedder()
    if e is None:
        _no_model()
    texts = [f"Sentence {n}: " + " ".join(["officials said the talks on grain exports would resume"] * (1 + n % 7))
             for n in range(40)] + ["Rain.", "Moscow is open to dialogue with Washington on arms control."]
    together = e.encode(texts)
    alone = np.vstack([e.encode([t]) for t in texts])
    one_thread = embed.Embedder(embed.Path(e._spec[0]), threads=1).encode(texts)
    two_threads = embed.Embedder(embed.Path(e._spec[0]), threads=2).encode(texts[::-1])[::-1]
    for other in (alone, one_thread, two_threads):
        assert np.array_equal(together, other)


def test_the_model_is_loaded_where_a_text_runs_not_where_the_embedder_is_made() -> None:
    """The driver of a Dask scan tokenises the texts and sends them with its embedder to the workers: it
    never runs the model, and a session made with the embedder held its memory for nothing."""
    from overlap.claims.embed import Embedder, load_embedder

    e = load_embedder()
    if e is None:
        _no_model()
    texts = ["Russia is ready to talk.", "Moscow is open to dialogue."]
    fresh = Embedder(Path(e._spec[0]))
    assert fresh._session is None
    vectors = fresh.encode(texts)
    assert fresh._session is not None and np.array_equal(vectors, e.encode(texts))
