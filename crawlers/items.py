"""The canonical mention item: one line of the import format (SPEC §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as dateparser


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


class MissingDate(ValueError):
    """The source gave no usable publication time."""


def to_utc(value: Any) -> datetime:
    """Parse an epoch number or a date string into an aware UTC datetime (naive input = UTC)."""
    if value is None or value == "":
        raise MissingDate("no date")
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        dt = datetime.fromtimestamp(float(value), tz=UTC)
    elif isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"\d{9,11}(\.\d+)?", s):
            dt = datetime.fromtimestamp(float(s), tz=UTC)
        else:
            try:
                dt = dateparser.parse(s)
            except (ValueError, OverflowError) as exc:
                raise MissingDate(f"unparseable date {s!r}") from exc
    else:
        raise MissingDate(f"unparseable date {value!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def iso_utc(dt: datetime) -> str:
    """ISO 8601 UTC with a trailing Z, second precision."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_rating(value: Any) -> float | None:
    """A 1–5 star rating or None."""
    if value is None or value == "":
        return None
    try:
        r = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return r if 1 <= r <= 5 else None
