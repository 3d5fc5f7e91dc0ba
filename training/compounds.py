"""Compound sentences: two training sentences of the same label and language joined into one text.

Why: real criticism piles complaints up ("the pay is awful and I hate going to work"), while most of
our employer set says one thing per sentence. Builds c4 and c5 (trained on it) read "Lønna er elendig
og jeg hater å gå på jobb." as 99 % positive although each half alone reads ≥ 93 % negative: the
adapter had learnt that two negative cues in one sentence mean a negated complaint ("vanskelig å
finne noe negativt å si"). Joining same-label sentences teaches what is almost always true: two
complaints make a complaint, two compliments a compliment, two facts a fact. Mixed pairs are not made
(their label depends on what is said last and how), so the contrast rows of the sets keep that job.

Half the compounds are joined by the language's "and" (the first sentence's end punctuation dropped,
the second's first letter lowered), half are two sentences in one text. The choice is seeded apart
from the training seed, so every run of a recipe sees the same compounds. Off by default
(`train.COMPOUNDS`): runs c6/c7 with 600 did not beat c4 (MODEL_CARD.md).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

COMPOUND_SEED = 20
COMPOUND_WEIGHT = 2.5  # half an employer row: they are made from those rows
JOINERS = {"nb": " og ", "nn": " og ", "da": " og ", "sv": " och ", "en": " and "}
END = ".!?…"


def _lower_first(text: str) -> str:
    """"Ledelsen lytter" -> "ledelsen lytter"; left alone: "I", acronyms ("HR"), names after a word in capitals."""
    first = text.split(" ", 1)[0]
    if first == "I" or (len(first) > 1 and first[:2].isupper()):
        return text
    return text[:1].lower() + text[1:]


def join(first: str, second: str, lang: str, with_and: bool) -> str:
    """One text from two sentences: "A og b." (with_and) or "A. B."."""
    a, b = first.strip(), second.strip()
    if with_and:
        return a.rstrip(END).rstrip(",;: ") + JOINERS.get(lang, " and ") + _lower_first(b)
    return (a if a.endswith(tuple(END)) else a + ".") + " " + b


def compounds(rows: Sequence[dict[str, Any]], n: int, seed: int = COMPOUND_SEED) -> list[dict[str, Any]]:
    """`n` compound rows `{"text", "label", "lang"}` from `rows` (same label and language in each, two
    different rows); groups are drawn in proportion to their size. Rows with a context are skipped
    (a reply's meaning depends on its parent)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        if not r.get("context"):
            groups.setdefault((str(r.get("lang") or "en"), str(r["label"])), []).append(str(r["text"]))
    keys = [k for k, texts in groups.items() if len(texts) >= 2]
    if not keys or n <= 0:
        return []
    rng = random.Random(seed)
    sizes = [len(groups[k]) for k in keys]
    out: list[dict[str, Any]] = []
    for i in range(n):
        lang, label = rng.choices(keys, weights=sizes)[0]
        a, b = rng.sample(groups[(lang, label)], 2)
        out.append({"text": join(a, b, lang, with_and=i % 2 == 0), "label": label, "lang": lang})
    return out
