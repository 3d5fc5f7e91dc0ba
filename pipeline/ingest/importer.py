"""The import format of SPEC §3: parse JSONL or CSV and validate each row.

One validator serves `rykte import` and the staged output of crawls, so a mention means the same
thing whatever brought it in. A bad row is reported with its line number and skipped; the rest goes
on. Times are normalised to naive UTC (naive input is taken as UTC).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dateutil import parser as dateparser

from pipeline.errors import InputError

FIELDS = ("source", "external_id", "parent_id", "thread_id", "author", "is_official",
          "published_at", "text", "title", "url", "lang", "rating")
REQUIRED = ("source", "external_id", "author", "published_at", "text")
TRUE = {"true", "1", "yes", "y", "t", "ja"}
FALSE = {"false", "0", "no", "n", "f", "nei", ""}


class RowError(ValueError):
    """One row is invalid; the message names the field."""


@dataclass
class ParseResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file:line: reason"


def _text(value: Any, name: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowError(f"missing required field {name!r}")
        return None
    if isinstance(value, bool | dict | list):
        raise RowError(f"{name}: expected a string, got {type(value).__name__}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if name != "text" else str(value)


def parse_time(value: Any, name: str = "published_at") -> datetime:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowError(f"missing required field {name!r}")
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                dt = dateparser.isoparse(text)
            except (ValueError, OverflowError):
                raise RowError(f"{name}: not an ISO 8601 date/time: {text!r}") from None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def _bool(value: Any, name: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return None if s == "" else False
    raise RowError(f"{name}: expected true or false, got {value!r}")


def _rating(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowError(f"rating: expected a number from 1 to 5, got {value!r}")
    try:
        r = float(value)
    except (TypeError, ValueError):
        raise RowError(f"rating: expected a number from 1 to 5, got {value!r}") from None
    if math.isnan(r) or not 1 <= r <= 5:
        raise RowError(f"rating: expected a number from 1 to 5, got {value!r}")
    return r


def validate_row(raw: dict[str, Any], default_source: str | None = None) -> dict[str, Any]:
    """One raw row → a canonical mention dict; RowError names the problem."""
    if not isinstance(raw, dict):
        raise RowError("expected a JSON object")
    unknown = sorted(k for k in raw if k not in FIELDS and not str(k).startswith("_"))
    row: dict[str, Any] = {
        "source": _text(raw.get("source") or default_source, "source", required=True),
        "external_id": _text(raw.get("external_id"), "external_id", required=True),
        "parent_id": _text(raw.get("parent_id"), "parent_id"),
        "thread_id": _text(raw.get("thread_id"), "thread_id"),
        "author": _text(raw.get("author"), "author", required=True),
        "is_official": _bool(raw.get("is_official"), "is_official"),
        "published_at": parse_time(raw.get("published_at")),
        "text": _text(raw.get("text"), "text", required=True),
        "title": _text(raw.get("title"), "title"),
        "url": _text(raw.get("url"), "url"),
        "lang": _text(raw.get("lang"), "lang"),
        "rating": _rating(raw.get("rating")),
    }
    if row["parent_id"] == row["external_id"]:
        raise RowError("parent_id equals external_id (a mention cannot reply to itself)")
    row["_unknown"] = unknown
    return row


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors="strict") as fh:
        lineno = 0
        try:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield lineno, RowError(f"invalid JSON: {exc.msg} at column {exc.colno}")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}:{lineno + 1}: not UTF-8 text ({exc.reason})") from None


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            return
        missing = [f for f in ("external_id", "author", "published_at", "text") if f not in reader.fieldnames]
        if missing:
            raise InputError(f"{path}:1: CSV header lacks required column(s): {', '.join(missing)}")
        try:
            for raw in reader:
                yield reader.line_num, {k: v for k, v in raw.items() if k is not None}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path}:{reader.line_num}: unreadable CSV: {exc}") from None


def read_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, raw row or RowError) for a .jsonl/.json or .csv file."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _jsonl_rows(path)
    if suffix == ".csv":
        return _csv_rows(path)
    raise InputError(f"{path}: unsupported file type {suffix!r} (use .jsonl or .csv)")


def parse_rows(rows: Iterable[tuple[int, Any]], label: str, default_source: str | None = None) -> ParseResult:
    result = ParseResult()
    for lineno, raw in rows:
        try:
            if isinstance(raw, RowError):
                raise raw
            result.rows.append(validate_row(raw, default_source))
        except RowError as exc:
            result.errors.append(f"{label}:{lineno}: {exc}")
    return result


def parse_file(path: Path, default_source: str | None = None) -> ParseResult:
    return parse_rows(read_rows(path), str(path), default_source)
