"""Company matching: does a text talk about the company?

* aliases are matched case-insensitively on word boundaries, where letters include the Nordic
  æ ø å ä ö (Python's Unicode ``\\w``), and a Scandinavian genitive ``-s`` / ``'s`` is allowed
  ("Nordlys Logistikks ledelse");
* an exclusion term that overlaps an alias occurrence ("Nordlys Hotell") hides that occurrence only;
  an exclusion term that contains no alias vetoes the whole text;
* :func:`select_thread` keeps every node under a matching node so replies are not lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


def _term_regex(term: str, genitive: bool) -> str:
    words = [re.escape(w) for w in term.split()]
    body = r"\s+".join(words)
    suffix = r"(?:s|'s|’s|')?" if genitive else ""
    return rf"(?<!\w){body}{suffix}(?!\w)"


@dataclass
class CompanyMatcher:
    name: str
    aliases: Sequence[str] = ()
    exclude: Sequence[str] = ()
    official_accounts: Sequence[str] = ()
    _alias_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _masks: list[re.Pattern[str]] = field(default_factory=list, init=False, repr=False)
    _vetoes: list[re.Pattern[str]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        terms = sorted(
            {t.strip() for t in [self.name, *self.aliases] if t and t.strip()}, key=len, reverse=True
        )
        if terms:
            self._alias_re = re.compile("|".join(_term_regex(t, True) for t in terms), re.IGNORECASE)
        for term in self.exclude:
            term = term.strip()
            if not term:
                continue
            pattern = re.compile(_term_regex(term, False), re.IGNORECASE)
            if self._alias_re is not None and self._alias_re.search(term):
                self._masks.append(pattern)
            else:
                self._vetoes.append(pattern)

    @property
    def search_terms(self) -> list[str]:
        """The name and aliases, deduplicated (case-insensitive), in configured order."""
        seen: set[str] = set()
        out: list[str] = []
        for t in [self.name, *self.aliases]:
            if t and t.strip() and t.strip().lower() not in seen:
                seen.add(t.strip().lower())
                out.append(t.strip())
        return out

    def matches(self, *texts: str | None) -> bool:
        text = "\n".join(t for t in texts if t)
        if not text or self._alias_re is None:
            return False
        if any(v.search(text) for v in self._vetoes):
            return False
        for mask in self._masks:
            text = mask.sub(lambda m: " " * len(m.group(0)), text)
        return self._alias_re.search(text) is not None

    def is_official_author(self, author: str | None) -> bool:
        if not author:
            return False
        norm = author.strip().lstrip("@").lower()
        return any(norm == a.strip().lstrip("@").lower() for a in self.official_accounts)


def select_thread(
    parents: Mapping[str, str | None],
    matching: Iterable[str],
) -> set[str]:
    """Ids to keep: every matching node and all of its descendants.

    ``parents`` maps each node id to its parent id (None or an unknown id for a root).
    """
    children: dict[str, list[str]] = {}
    for node, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    keep: set[str] = set()
    stack = [m for m in matching if m in parents]
    while stack:
        node = stack.pop()
        if node in keep:
            continue
        keep.add(node)
        stack.extend(children.get(node, ()))
    return keep
