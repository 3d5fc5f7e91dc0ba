"""The import format of SPEC §3: parse JSONL or CSV and validate each row.

One validator serves `rykte import` and the staged output of crawls, so a mention means the same
thing whatever brought it in. The row is a pydantic model (`ImportRow`): small before-validators
accept what CSV and JSON exports really contain (numbers as ids, `ja`/`nei`, blank cells, `Z` times),
pydantic checks the types and the rating's range, and `row_error` turns its first error into our one
line naming the field (`RowError`). A bad row is reported with its line number and skipped; the rest
goes on. Times are normalised to naive UTC (naive input is taken as UTC).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from dateutil import parser as dateparser
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> Any:
    """Blank → None; a number (an id in a CSV or JSON export) → its digits; anything else unchanged."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _strip(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def _as_bool(value: Any) -> Any:
    """``true``/``ja``/``1``… → True, ``false``/``nei``/``0``… → False, blank → None."""
    if value is None or isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return None if s == "" else False
    return value  # refused by StrictBool


def parse_time(value: Any) -> Any:
    """ISO 8601 (``Z`` allowed) → aware or naive datetime; blank → None (reported as missing)."""
    if _blank(value) or isinstance(value, datetime):
        return None if _blank(value) else value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            return dateparser.isoparse(text)
        except (ValueError, OverflowError):
            raise ValueError(f"not an ISO 8601 date/time: {text!r}") from None


def _naive_utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo is not None else dt


def _as_rating(value: Any) -> Any:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a rating")
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("NaN is not a rating")
    return value


Text = Annotated[str | None, BeforeValidator(_as_text), AfterValidator(_strip)]
RequiredText = Annotated[str, BeforeValidator(_as_text), AfterValidator(_strip)]
Stars = Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)]


class ImportRow(BaseModel):
    """One mention in the import format (SPEC §3). Unknown keys are ignored (and reported as unknown)."""

    model_config = ConfigDict(extra="ignore")

    source: RequiredText
    external_id: RequiredText
    parent_id: Text = None
    thread_id: Text = None
    author: RequiredText
    is_official: Annotated[StrictBool | None, BeforeValidator(_as_bool)] = None
    published_at: Annotated[datetime, BeforeValidator(parse_time), AfterValidator(_naive_utc)]
    text: Annotated[str, BeforeValidator(_as_text)]  # kept as written: no stripping
    title: Text = None
    url: Text = None
    lang: Text = None
    rating: Annotated[Stars | None, BeforeValidator(_as_rating)] = None

    @model_validator(mode="after")
    def _not_its_own_parent(self) -> ImportRow:
        if self.parent_id is not None and self.parent_id == self.external_id:
            raise ValueError("parent_id equals external_id (a mention cannot reply to itself)")
        return self


def row_error(err: ErrorDetails, raw: dict[str, Any]) -> RowError:
    """Pydantic's error as our one line naming the field, e.g. ``rating: expected a number from 1 to 5, got 9``."""
    name = str(err["loc"][0]) if err["loc"] else ""
    value = raw.get(name)
    if not name:
        return RowError(str(err.get("ctx", {}).get("error", err["msg"])))
    if name in REQUIRED and (err["type"] == "missing" or _blank(value)):
        return RowError(f"missing required field {name!r}")
    if name == "rating":
        return RowError(f"rating: expected a number from 1 to 5, got {value!r}")
    if name == "is_official":
        return RowError(f"is_official: expected true or false, got {value!r}")
    if err["type"] == "value_error":
        return RowError(f"{name}: {err['ctx']['error']}")
    return RowError(f"{name}: expected a string, got {type(value).__name__}")


def validate_row(raw: dict[str, Any], default_source: str | None = None) -> dict[str, Any]:
    """One raw row → a canonical mention dict; RowError names the problem."""
    if not isinstance(raw, dict):
        raise RowError("expected a JSON object")
    unknown = sorted(k for k in raw if k not in FIELDS and not str(k).startswith("_"))
    data = {**raw, "source": raw.get("source") or default_source}
    try:
        row = ImportRow.model_validate(data).model_dump()
    except ValidationError as exc:
        raise row_error(exc.errors(include_url=False)[0], data) from None
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
