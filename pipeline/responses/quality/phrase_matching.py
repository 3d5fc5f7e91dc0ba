"""Fast matching of the phrase lists: :class:`PhraseMatcher` and the per-category search helpers.

Why not one big regular expression: Python's ``re`` has no trie for large alternations, so a union
of a few hundred phrases costs ~100 µs per text. Here each phrase list is split by the first
letters its fragments can start with, and a small alternation is tried only at the word starts
whose first letters match (a few µs per text). Category matchers are compiled on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from pipeline.responses.quality import lexicon


def _close_paren(f: str, i: int) -> int:
    """Index of the ``)`` closing the group opened at ``f[i]``."""
    depth, j, in_class = 0, i, False
    while j < len(f):
        ch = f[j]
        if ch == "\\":
            j += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError(f"unbalanced group in {f!r}")


def _split_top(inner: str) -> list[str]:
    parts, depth, cur, j, in_class = [], 0, [], 0, False
    while j < len(inner):
        ch = inner[j]
        if ch == "\\":
            cur.append(inner[j : j + 2])
            j += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(cur))
            cur = []
            j += 1
            continue
        cur.append(ch)
        j += 1
    parts.append("".join(cur))
    return parts


def _expand_lead(f: str) -> list[str]:
    """Expand leading groups so that every fragment starts with a literal: "(vi|jeg) har" → two."""
    if not f.startswith("("):
        return [f]
    j = _close_paren(f, 0)
    inner = f[3:j] if f.startswith("(?:") else f[1:j]
    rest = f[j + 1 :]
    out: list[str] = []
    if rest[:1] in ("?", "*"):
        rest = rest[1:]
        out.extend(_expand_lead(rest.lstrip(" ")))
    for alt in _split_top(inner):
        out.extend(_expand_lead(alt + rest))
    return out


_LEAD = re.compile(r"[^\W\d_]+")


def _lead_key(f: str) -> str | None:
    """The token key a fragment can start at: first 3 letters, a whole short word, "#" for digits."""
    if f.startswith("\\d"):
        return "#"
    m = _LEAD.match(f)
    if not m:
        return None
    lit, nxt = m.group(0), f[m.end() : m.end() + 1]
    if nxt in ("?", "*", "{"):
        lit = lit[:-1]
    if len(lit) >= 3:
        return lit[:3]
    if lit and (nxt in ("", " ", ",", "'", "-", ".", ":", "!") or f[m.end() : m.end() + 2] in ("('", "( ")):
        return lit  # a whole short word ("vi", "we" in "we('ll| will)")
    return None


_WORD3 = re.compile(r"(?<!\w)\w{1,3}")  # the key of every word: its first three characters


@functools.lru_cache(maxsize=256)
def _index(text: str) -> dict[str, list[int]]:
    """Token key → word-start positions, once per text."""
    idx: dict[str, list[int]] = {}
    for m in _WORD3.finditer(text):
        key = m.group(0)
        if key[0] in "0123456789":
            key = "#"
        if key in idx:
            idx[key].append(m.start())
        else:
            idx[key] = [m.start()]
    return idx


class PhraseMatcher:
    r"""A phrase list compiled for speed: one small alternation per leading-token key, tried only at
    word starts whose first letters match.

    Texts must already be lower-cased (``text.normalise``). Semantics = ``(?<!\w)(?:alts)(?!\w)``,
    leftmost match first, non-overlapping.
    """

    def __init__(self, fragments: Iterable[str], *, suffix: str = r"(?!\w)") -> None:
        groups: dict[str | None, set[str]] = {}
        for frag in fragments:
            for e in _expand_lead(frag):
                groups.setdefault(_lead_key(e), set()).add(e.replace(" ", r",?\s+"))
        self._by_key: dict[str, re.Pattern[str]] = {}
        self._always: re.Pattern[str] | None = None
        for key, alts in groups.items():
            body = "(?:" + "|".join(sorted(alts, key=len, reverse=True)) + ")" + suffix
            if key is None:
                self._always = re.compile(r"(?<!\w)" + body)
            else:
                self._by_key[key] = re.compile(body)
        self._keys = frozenset(self._by_key)

    def finditer(self, text: str) -> list[re.Match[str]]:
        idx = _index(text)
        found: list[re.Match[str]] = []
        for key in self._keys.intersection(idx):
            rx = self._by_key[key]
            for pos in idx[key]:
                if (m := rx.match(text, pos)) is not None:
                    found.append(m)
        if self._always is not None:
            found.extend(self._always.finditer(text))
        if len(found) < 2:
            return found
        out, end = [], -1
        for m in sorted(found, key=lambda m: (m.start(), -m.end())):
            if m.start() >= end:
                out.append(m)
                end = m.end()
        return out

    def search(self, text: str) -> re.Match[str] | None:
        idx = _index(text)
        best: re.Match[str] | None = None
        for key in self._keys.intersection(idx):
            rx = self._by_key[key]
            for pos in idx[key]:
                if best is not None and pos >= best.start():
                    break
                if (m := rx.match(text, pos)) is not None:
                    best = m
                    break
        if (
            self._always is not None
            and (m := self._always.search(text)) is not None
            and (best is None or m.start() < best.start())
        ):
            best = m
        return best

    def sub(self, repl: Callable[[re.Match[str]], str], text: str) -> str:
        parts, last = [], 0
        for m in self.finditer(text):
            parts.append(text[last : m.start()])
            parts.append(repl(m))
            last = m.end()
        parts.append(text[last:])
        return "".join(parts)


@functools.cache
def matchers() -> dict[str, PhraseMatcher]:
    """One matcher per lexicon category (all languages as one union), plus ``degree_positive``."""
    rx = {
        cat: PhraseMatcher(p for phrases in by_lang.values() for p in phrases)
        for cat, by_lang in lexicon.phrases().items()
    }
    rx["degree_positive"] = PhraseMatcher([lexicon.degree_positive()])
    return rx


def find(cat: str, text: str) -> str | None:
    """The leftmost phrase of category ``cat`` in normalised ``text``, or None."""
    m = matchers()[cat].search(text)
    return m.group(0) if m else None


def find_all(cat: str, text: str) -> list[str]:
    """Every non-overlapping phrase of category ``cat`` in normalised ``text``, left to right."""
    return [m.group(0) for m in matchers()[cat].finditer(text)]


def blank(cat: str, text: str) -> tuple[str, str | None]:
    """Remove every match of ``cat`` from ``text`` (so a longer, weaker phrase hides its sub-phrase)."""
    first: str | None = None

    def repl(m: re.Match[str]) -> str:
        nonlocal first
        if first is None:
            first = m.group(0)
        return " " * len(m.group(0))

    return matchers()[cat].sub(repl, text), first
