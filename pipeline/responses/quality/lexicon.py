"""The multilingual phrase and word lists, read from ``phrases.yaml`` and ``words.yaml``.

Why data files: the lists are edited by people who read Norwegian, Swedish and Danish rather than
Python, and they are most of the rubric's bulk. Each file is parsed once, on first use
(``functools.cache``), so importing the package reads nothing. Callers get the same objects on
every call and must not mutate them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).parent


@cache
def _load(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load((_HERE / name).read_text(encoding="utf-8"), Loader=loader)
    return data


def _expand(fragment: str, macros: dict[str, str]) -> str:
    for name, value in macros.items():
        fragment = fragment.replace("{{" + name + "}}", value)
    return fragment


@cache
def phrases() -> dict[str, dict[str, tuple[str, ...]]]:
    """Category → language → regular-expression fragments (``{{MACRO}}`` placeholders expanded)."""
    data = _load("phrases.yaml")
    macros: dict[str, str] = data["macros"]
    return {
        category: {lang: tuple(_expand(f, macros) for f in frags) for lang, frags in by_lang.items()}
        for category, by_lang in data["categories"].items()
    }


@cache
def degree_positive() -> str:
    """One fragment for overselling: a degree adverb, an optional word, a positive word."""
    over = _load("phrases.yaml")["overselling"]
    degree, positive = "|".join(over["degree_adverbs"]), "|".join(over["positive_words"])
    return rf"(?:{degree}) (?:\w+ )?(?:{positive})"


@cache
def stopwords() -> frozenset[str]:
    """Words of every language (and generic employer words) that carry no specific point."""
    return frozenset(w for words in _load("words.yaml")["stopwords"].values() for w in words)


@cache
def generic_mailboxes() -> frozenset[str]:
    """Local parts of shared mailboxes (``post@``, ``hr@``): such an address is no named contact."""
    return frozenset(_load("words.yaml")["generic_mailboxes"])


@cache
def not_names() -> frozenset[str]:
    """Capitalised words after a sign-off or "contact" that are not a person's name."""
    return frozenset(_load("words.yaml")["not_names"])
