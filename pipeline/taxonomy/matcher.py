"""The term matcher behind the aspect taxonomy: labelled word and stem lists, found in linear time.

Why not one regular expression per label: Python's `re` tries every alternative of an alternation at
every position of the text, so a few hundred terms cost time in proportion to text length × term
count, and the lookbehind that keeps "løn" out of "kløne" is re-checked for each. Here the text is
scanned once for word starts (one C-level `finditer`); each word start is keyed by its first three
letters, and only the few terms sharing that key are tried there, with one small compiled
alternation per (key, label). Each try reads at most the term plus the rest of its word, so the
work is linear in the length of the text, whatever it holds (a megabyte without spaces included).

Term syntax (the rules a reader of the YAML lists needs):
- matched case-insensitively on NFC text, only at a word start: not after a letter, digit, `_` or `-`;
- `stem*` also matches the rest of the word, hyphenated parts included ("lønn*" → "lønnsøkning");
  the first word of a stem needs at least three letters (shorter stems would match too much);
- a term without `*` must end where the word ends ("raise" does not match "raised"), though a hyphen
  may follow ("hr" matches in "hr-avdelingen");
- a space in a term matches any run of whitespace ("laid off", "pay rise*").

Explainable: every hit carries the text as it appeared and the listed term that matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

KEY_LEN = 3
_WORD_START = re.compile(rf"(?<![\w-])\w{{1,{KEY_LEN}}}")
_LEAD = re.compile(r"\w+")


class TermError(ValueError):
    """A term the matcher cannot use (empty, not starting with a letter or digit, stem too short)."""


class Hit(NamedTuple):
    label: str
    text: str  # the text as it appeared
    term: str  # the listed term that matched ("lønn*")
    start: int


def _key(term: str) -> str:
    lead = _LEAD.match(term)
    if lead is None:
        raise TermError(f"{term!r}: a term must start with a letter or digit")
    word = lead.group(0)
    if term.endswith("*") and lead.end() == len(term) - 1 and len(word) < KEY_LEN:
        raise TermError(f"{term!r}: a stem needs at least {KEY_LEN} letters before '*'")
    return word[:KEY_LEN].lower()


def _pattern(term: str) -> str:
    stem = term.endswith("*")
    core = term[:-1] if stem else term
    body = r"\s+".join(re.escape(part) for part in core.split())
    return body + (r"[\w-]*" if stem else r"(?!\w)")


class TermMatcher:
    """Labelled terms compiled for one pass over a text; see the module docstring for the syntax."""

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        grouped: dict[str, dict[str, list[str]]] = {}
        self.labels: tuple[str, ...] = ()
        labels: list[str] = []
        for label, raw in terms:
            term = unicodedata.normalize("NFC", " ".join(raw.split()))
            if not term or term == "*":
                raise TermError(f"{label}: empty term")
            if label not in labels:
                labels.append(label)
            bucket = grouped.setdefault(_key(term), {}).setdefault(label, [])
            if term not in bucket:
                bucket.append(term)
        self.labels = tuple(labels)
        # per key: (label, pattern, terms by group number); longest first, so a phrase beats its word
        self._by_key: dict[str, list[tuple[str, re.Pattern[str], list[str]]]] = {}
        for key, by_label in grouped.items():
            entries = []
            for label in self.labels:
                if label not in by_label:
                    continue
                ordered = sorted(by_label[label], key=lambda t: (-len(t.rstrip("*")), t))
                rx = re.compile("|".join(f"({_pattern(t)})" for t in ordered), re.IGNORECASE)
                entries.append((label, rx, ordered))
            self._by_key[key] = entries

    def first_hits(self, text: str) -> dict[str, Hit]:
        """The leftmost hit of each label found in `text` (labels in no particular order)."""
        found: dict[str, Hit] = {}
        if not text:
            return found
        text = unicodedata.normalize("NFC", text)
        wanted = len(self.labels)
        for start in _WORD_START.finditer(text):
            entries = self._by_key.get(start.group(0).lower())
            if not entries:
                continue
            pos = start.start()
            for label, rx, ordered in entries:
                if label in found:
                    continue
                m = rx.match(text, pos)
                if m is not None and m.lastindex is not None:
                    found[label] = Hit(label, m.group(0), ordered[m.lastindex - 1], pos)
            if len(found) == wanted:
                break
        return found
