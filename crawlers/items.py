"""The canonical mention item: one line of the import format (SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Mention:
    """One public mention, exactly the fields of the import format (SPEC §3)."""

    source: str
    external_id: str
    author: str
    published_at: str  # ISO 8601, UTC, "2026-11-20T10:15:00Z"
    text: str
    parent_id: str | None = None
    thread_id: str | None = None
    is_official: bool | None = None
    title: str | None = None
    url: str | None = None
    lang: str | None = None
    rating: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def clean_rating(value: Any) -> float | None:
    """A 1–5 star rating or None."""
    if value is None or value == "":
        return None
    try:
        r = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return r if 1 <= r <= 5 else None
