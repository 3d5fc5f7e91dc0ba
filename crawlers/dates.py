"""Publication times: the one place that turns what a source gives into an aware UTC datetime.

Why one module: every spider parses dates, and a rule written per spider drifts (the web spider once
read ``2026-11-12`` day-first as 11 December). The rules:

* epoch numbers (seconds; 9–11 digit strings too) are seconds since 1970 UTC;
* text is read as ISO 8601 first (``2026-11-12``, ``2026-11-12T10:15:00Z``, ``…+01:00``); a year-first
  date is never read day-first;
* only the ambiguous local formats (``12.11.2026``, ``12/11/2026 10:15``) are read day-first, as the
  Nordic and European sites we crawl write them;
* naive times are UTC; anything out of range (a millisecond epoch taken for seconds, an offset that
  leaves year 1) or before 1990 (epoch 0 and year 1 are placeholders) is a :class:`MissingDate`,
  never an exception that ends a page.

:func:`clamp_future` is the crawl-side guard: a mention dated more than a day after it was fetched is
never trusted (``RykteSpider.mention`` clamps it to the fetch time and counts ``future_date``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil import parser as dateparser

#: how far after its fetch time a mention may be dated (clock skew, a local time taken for UTC)
FUTURE_TOLERANCE = timedelta(days=1)
_EPOCH_RE = re.compile(r"\d{9,11}(\.\d+)?")
_YEAR_FIRST_RE = re.compile(r"\s*[+-]?\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?\b")
MIN_YEAR = 1990  # earlier "dates" are placeholders (epoch 0, year 1), not publication times
MAX_DATE_TEXT = 200  # a date longer than this is not a date (and dateutil's cost grows with it)


class MissingDate(ValueError):
    """The source gave no usable publication time."""


def _aware_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        out = dt.astimezone(UTC)
    except (OverflowError, ValueError) as exc:  # 0001-01-01T00:00+01:00 leaves year 1
        raise MissingDate(f"date out of range: {dt.isoformat()}") from exc
    if out.year < MIN_YEAR:
        raise MissingDate(f"date before {MIN_YEAR} (a placeholder, not a publication time): {out:%Y-%m-%d}")
    return out


def _from_epoch(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MissingDate(f"epoch out of range: {seconds!r}") from exc


def parse_date_text(value: str, formats: Iterable[str] = ()) -> datetime:
    """A date string → aware UTC datetime: ISO 8601 first, then ``formats``, then day-first."""
    text = value.strip()
    if not text:
        raise MissingDate("no date")
    if len(text) > MAX_DATE_TEXT:
        raise MissingDate(f"unparseable date {text[:40]!r}… ({len(text)} characters)")
    if _EPOCH_RE.fullmatch(text):
        return _from_epoch(float(text))
    try:
        return _aware_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return _aware_utc(dateparser.isoparse(text))
    except (ValueError, OverflowError):
        pass
    for fmt in formats:
        try:
            return _aware_utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    year_first = bool(_YEAR_FIRST_RE.match(text))
    try:
        dt = dateparser.parse(text, dayfirst=not year_first, yearfirst=year_first)
    except (ValueError, OverflowError, TypeError) as exc:
        raise MissingDate(f"unparseable date {text[:80]!r}") from exc
    return _aware_utc(dt)


def to_utc(value: Any, formats: Iterable[str] = ()) -> datetime:
    """An epoch number, a datetime or a date string → aware UTC datetime (MissingDate otherwise)."""
    if value is None or value == "":
        raise MissingDate("no date")
    if isinstance(value, datetime):
        return _aware_utc(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value:  # NaN
            raise MissingDate("no date (NaN)")
        return _from_epoch(float(value))
    if isinstance(value, str):
        return parse_date_text(value, formats)
    raise MissingDate(f"unparseable date {str(value)[:80]!r}")


def iso_utc(dt: datetime) -> str:
    """ISO 8601 UTC with a trailing Z, second precision."""
    u = dt.astimezone(UTC)
    return f"{u.year:04d}-{u:%m-%dT%H:%M:%S}Z"


def clamp_future(when: datetime, fetched: datetime) -> tuple[datetime, bool]:
    """(the time to store, whether it was clamped): more than a day after ``fetched`` → ``fetched``."""
    if when > fetched + FUTURE_TOLERANCE:
        return fetched, True
    return when, False
