"""Language of a mention: "nb", "nn", "sv", "da", "en" or "other".

Uses lingua-language-detector, built lazily once per process. Besides our five languages the detector
knows a few "decoy" languages that commonly show up in Nordic social media (German, Dutch, Finnish,
French, Spanish); a text recognised as one of those is "other", so a German post is not forced into
Danish. Low-accuracy mode (trigrams only) is NOT used: on one-line posts it confuses bokmål, nynorsk and
Danish far more often, and the high-accuracy models for these ten languages fit in roughly 200 MB.

Rules for the edge cases:
* empty text, or text without any letter (emoji, digits, punctuation, URLs only) → "other";
* text mostly in a non-Latin script (e.g. Cyrillic, Arabic, CJK) → "other";
* otherwise lingua's best guess, even for a single word: "Takk!" gets a guess (usually "nb") rather than
  "other", because a short Nordic reply is far more likely than a foreign one in our sources. Bokmål
  vs Danish margins are thin on very short texts; callers should not rely on a two-word guess.

Bounded cost: lingua's time grows with the square of a word's length (a 100k-character "word" took
seconds; a 10 MB text blocked the writer for hours), and a language shows in its first sentences. So
every step works on a bounded window: the first `WINDOW_CHARS` characters are cleaned of URLs and
tags (a tag pattern that cannot backtrack over a run of "<"), and the detector sees at most
`SAMPLE_CHARS` of what is left, cut at a word boundary (`detection_sample`). The cache keys on that
sample, so a huge text is not kept in memory by the cache either.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

OURS = ("nb", "nn", "sv", "da", "en")
SAMPLE_CHARS = 2_000  # what the detector sees at most
WINDOW_CHARS = 8 * SAMPLE_CHARS  # what is cleaned (URLs and tags removed) to find that sample
_URL_RE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_TAG_RE = re.compile(r"<[^<>]{0,500}>")
_lock = threading.Lock()
_detector: Any = None
_codes: dict[Any, str] = {}


def _get_detector() -> Any:
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                ours = {Language.BOKMAL: "nb", Language.NYNORSK: "nn", Language.SWEDISH: "sv",
                        Language.DANISH: "da", Language.ENGLISH: "en"}
                decoys = [Language.GERMAN, Language.DUTCH, Language.FINNISH, Language.FRENCH,
                          Language.SPANISH]
                _codes.update(ours)
                _detector = LanguageDetectorBuilder.from_languages(*ours, *decoys).build()
    return _detector


def _latin_share(text: str) -> tuple[int, float]:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0, 0.0
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return len(letters), latin / len(letters)


def detection_sample(text: str) -> str:
    """The bounded part of ``text`` the language is read from: URLs and tags removed from the first
    WINDOW_CHARS characters, then at most SAMPLE_CHARS characters, cut at a word boundary."""
    t = _URL_RE.sub(" ", str(text)[:WINDOW_CHARS])
    if "<" in t:
        t = _TAG_RE.sub(" ", t)
    if len(t) <= SAMPLE_CHARS:
        return t
    cut = t[:SAMPLE_CHARS]
    space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
    return cut[:space] if space >= SAMPLE_CHARS // 2 else cut


def detect_language(text: str) -> str:
    """"nb", "nn", "sv", "da", "en" or "other" (see the module docstring for short/empty texts)."""
    if not text:
        return "other"
    return _detect_sample(detection_sample(text))


@lru_cache(maxsize=20_000)
def _detect_sample(t: str) -> str:
    n_letters, latin = _latin_share(t)
    if n_letters == 0 or latin < 0.5:
        return "other"
    lang = _get_detector().detect_language_of(t)
    code = _codes.get(lang, "other") if lang is not None else "other"
    if code in ("nb", "da", "sv"):
        code = _nynorsk_override(t, code)
    elif code == "nn":
        code = _bokmal_override(t)
    return code


# Words that occur in nynorsk but not in bokmål (and the bokmål forms they replace). lingua often says
# "nb" for short nynorsk sentences; a clear majority of nynorsk-only words overrides that, and the
# other way round lingua's "nn" for a bokmål sentence full of bokmål-only words ("ikke", "jeg").
_NN_WORDS = frozenset(
    ["eg", "ikkje", "kva", "kvifor", "korleis", "kven", "kvar", "frå", "berre", "noko", "nokon", "nokre", "mykje", "eit", "vore", "òg", "meir", "heile", "heilt", "sjølv", "sjølve", "kjem", "gjer", "seier", "dei", "deira", "desse", "vart", "vere", "ho", "hjå", "no", "sidan", "mellom", "enno", "kvarandre", "tilsette", "leiinga", "leiar", "leiarar", "arbeidsgjevar", "søkjar", "søkjarar", "veke", "veka"]
)
_NB_WORDS = frozenset(
    ["jeg", "ikke", "hva", "hvorfor", "hvordan", "hvem", "hver", "fra", "bare", "noe", "noen", "noen", "mye", "ett", "vært", "også", "mer", "hele", "selv", "kommer", "gjør", "sier", "de", "deres", "disse", "ble", "være", "hun", "hos", "nå", "siden", "ennå", "hverandre", "ansatte", "ledelsen", "leder", "ledere", "arbeidsgiver", "søker", "søkere", "uke", "uka"]
)
_WORD_RE = re.compile(r"[^\W\d_]+")


def _nynorsk_override(text: str, code: str) -> str:
    words = [w.lower() for w in _WORD_RE.findall(text)]
    nn = sum(1 for w in words if w in _NN_WORDS)
    nb = sum(1 for w in words if w in _NB_WORDS)
    need = 2 if code == "sv" else 1
    return "nn" if nn >= need and nn > nb else code


def _bokmal_override(text: str) -> str:
    words = [w.lower() for w in _WORD_RE.findall(text)]
    nn = sum(1 for w in words if w in _NN_WORDS)
    nb = sum(1 for w in words if w in _NB_WORDS)
    return "nb" if nb >= 1 and nb > nn else "nn"
