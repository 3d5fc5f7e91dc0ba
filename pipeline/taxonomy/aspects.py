"""The one aspect taxonomy: what employer criticism is about, as English ids with explainable terms.

Why one: the analysis stage (which stores `mentions.aspects`), the reply-quality score ("addresses
the specific points"), the alerts, the dashboard and the weekly report must agree on what "pay" is.
The ids are `ASPECTS`; their display names (nb, en) live in the message catalogue
(`pipeline/i18n/aspects.yaml`, `i18n.name("aspect", id, lang)`); the terms per language live in
`aspect_terms.yaml` beside this module, with the rules of what goes where; the matcher is
`matcher.TermMatcher`. Changing an id changes stored data: add a migration that renames it.
Changing terms changes only mentions analysed afterwards (new or edited texts, a new model
version); `rykte analyze --rescore` recomputes the stored ones.

`detect_aspects(text, lang)` returns one `AspectHit(aspect, term)` per aspect whose terms occur in
the text, in `ASPECTS` order, where `term` is the first match as it appeared, so a reader can see
why. A text matching nothing gets `[]`. Which lists are used:
- a known language (nb, nn, sv, da): its own list plus English (mixed-language posts are common);
  `en`: English only. Keeping the other languages out avoids false friends ("varsel" is a layoff
  notice in Swedish, a warning in Norwegian; "samtale" an interview in Danish, a talk in Norwegian);
- `None`, "other" or any unknown language: every list. The reply-quality score uses this, because it
  compares a criticism and a reply that may be in different languages, and short texts are often
  misdetected (nb/da especially).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import NamedTuple

import yaml

from pipeline.taxonomy.matcher import Hit, TermMatcher

ASPECTS = ("pay", "management", "work_environment", "workload", "recruitment", "layoffs", "other")
LANGS = ("nb", "nn", "sv", "da", "en")
TERMS_FILE = "aspect_terms.yaml"


class AspectHit(NamedTuple):
    aspect: str
    term: str  # the text as it appeared


@cache
def terms() -> dict[str, dict[str, tuple[str, ...]]]:
    """Aspect id → language → terms, read once from `aspect_terms.yaml` and checked against the ids."""
    raw = yaml.safe_load(files(__package__).joinpath(TERMS_FILE).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or list(raw) != list(ASPECTS):
        got = list(raw) if isinstance(raw, dict) else raw
        raise ValueError(f"{TERMS_FILE}: aspects must be exactly {list(ASPECTS)} in that order, got {got}")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for aspect, by_lang in raw.items():
        if not isinstance(by_lang, dict) or sorted(by_lang) != sorted(LANGS):
            got = sorted(by_lang) if isinstance(by_lang, dict) else by_lang
            raise ValueError(f"{TERMS_FILE}: {aspect}: needs term lists for {list(LANGS)}, got {got}")
        for lang, words in by_lang.items():
            if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
                raise ValueError(f"{TERMS_FILE}: {aspect}.{lang}: expected a non-empty list of terms")
        out[aspect] = {lang: tuple(by_lang[lang]) for lang in LANGS}
    return out


def languages_for(lang: str | None) -> tuple[str, ...]:
    """The term lists used for a text in `lang` (see the module docstring)."""
    if lang == "en":
        return ("en",)
    if lang in LANGS:
        return (lang, "en")
    return LANGS


@cache
def matcher(langs: tuple[str, ...]) -> TermMatcher:
    """One compiled matcher per language selection (at most six exist)."""
    table = terms()
    return TermMatcher((aspect, term) for aspect in ASPECTS for lg in langs for term in table[aspect][lg])


def explain(text: str, lang: str | None) -> list[Hit]:
    """Each aspect found (in `ASPECTS` order) with the matched text, the listed term and its offset."""
    found = matcher(languages_for(lang)).first_hits(text)
    return [found[a] for a in ASPECTS if a in found]


def detect_aspects(text: str, lang: str | None) -> list[AspectHit]:
    """Aspects whose terms occur in `text` (in `ASPECTS` order), each with the first matched text."""
    return [AspectHit(hit.label, hit.text) for hit in explain(text, lang)]
