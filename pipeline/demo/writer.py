"""Sentence building for the demo world: seeded picks from the hand-written material.

``material/material.yaml`` holds sentence parts per language and aspect (criticism, praise, replies
of good and poor quality, …), ``material/news.yaml`` the news articles. :class:`Writer` fills their
placeholders (company aliases, other aspects) with one seeded RNG, so the same seed gives the same
texts.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.demo.posts import ASPECTS, COMPANY

DATA_DIR = Path(__file__).parent / "material"


@cache
def material() -> dict[str, Any]:
    with open(DATA_DIR / "material.yaml", encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


@cache
def news_material() -> dict[str, Any]:
    with open(DATA_DIR / "news.yaml", encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


class Writer:
    """Builds texts from the material with one seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.m = material()

    def pick(self, seq: list[str]) -> str:
        return self.rng.choice(seq)

    def fill(self, text: str, lang: str) -> str:
        aliases = COMPANY["aliases"]
        co = aliases[0] if self.rng.random() < 0.75 else aliases[1]
        return (
            text.replace("{co}", co)
            .replace("{place}", self.pick(self.m["places"]))
            .replace("{contact}", self.m["contacts"][lang])
        )

    def join(self, *parts: str) -> str:
        return " ".join(p for p in parts if p).strip()

    def criticism(self, lang: str, aspect: str, mention: bool) -> str:
        c = self.m["criticism"][lang]
        opener = self.pick(c["opener_mention"] if mention else c["opener"])
        body = self.pick(c[aspect])
        extra = ""
        if self.rng.random() < 0.35:
            other = self.pick([a for a in ASPECTS if a != aspect])
            extra = self.pick(c[other])
        return self.fill(self.join(opener, body, extra, self.pick(c["closer"])), lang)

    def simple(self, section: str, lang: str, mention: bool) -> str:
        sec = self.m[section][lang]
        if isinstance(sec, dict):
            return self.fill(self.pick(sec["mention" if mention else "plain"]), lang)
        return self.fill(self.pick(sec), lang)

    def reply_good(self, lang: str, aspect: str, full: bool = True) -> str:
        g = self.m["reply_good"][lang]
        parts = [self.pick(g["ack"])]
        if full or self.rng.random() < 0.5:
            parts.append(self.pick(g["apology"]))
        parts.append(self.pick(g["explain"][aspect]))
        if full or self.rng.random() < 0.5:
            parts.append(self.pick(g["next"]))
        if full or self.rng.random() < 0.6:
            parts.append(self.pick(g["private"]))
        return self.fill(self.join(*parts), lang)

    def reply_poor(self, lang: str, style: str) -> tuple[str, str]:
        """(text, language of the text). ``wrong_language`` answers in the wrong language."""
        p = self.m["reply_poor"]
        if style == "wrong_language":
            other = "en" if lang != "en" else "nb"
            return self.pick(p["templated"][other]), other
        return self.pick(p[style][lang]), lang


# --------------------------------------------------------------------------------------------------
# thread generation
