"""Text normalisation and light stemming shared by every reply-quality component.

One place decides what "the same word" means: NFC, curly quotes folded to ``'``, lower case, and a
cross-Scandinavian/English stem. Phrase matching, template shingles and the "specific" component
all depend on it agreeing with itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pipeline.responses.quality import lexicon

LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)  # words of letters only (content words)
WORDS = re.compile(r"\w+", re.UNICODE)  # words incl. digits (shingles, length)

_QUOTES = {0x2019: "'", 0x2018: "'", 0x00B4: "'", 0x0060: "'"}
_SUFFIXES = tuple(
    sorted(
        set(
            "erne erna arna orna ene ane heten heter ande ende ingen inga ingar inger ing ene ens ets het ert "
            "ede est ers er en et ar or na ne te de s e a ly ed es".split()
        ),
        key=len,
        reverse=True,
    )
)
_FOLD = str.maketrans({"æ": "e", "ä": "e", "ø": "o", "ö": "o", "å": "a", "é": "e", "ü": "u"})
_DOUBLE = re.compile(r"(\w)\1+")


def normalise(text: str) -> str:
    """NFC, typographic apostrophes as ``'``, lower case: the form every phrase list expects."""
    t = unicodedata.normalize("NFC", text)
    return t.translate(_QUOTES).lower()


def quote(s: str) -> str:
    """A matched phrase for evidence strings: whitespace collapsed, in single quotes."""
    return "'" + " ".join(s.split()) + "'"


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light cross-Scandinavian/English stem: strip one inflectional suffix, fold æøåäö, undouble."""
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            word = word[: -len(suf)]
            break
    return _DOUBLE.sub(r"\1", word.translate(_FOLD))


def content_stems(norm_text: str) -> set[str]:
    """Stems (>= 3 letters) of the non-stopwords of normalised ``norm_text``."""
    stems = {stem(w) for w in set(LETTERS.findall(norm_text)) - lexicon.stopwords() if len(w) >= 3}
    return {s for s in stems if len(s) >= 3}
