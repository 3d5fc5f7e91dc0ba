"""The import format of SPEC §3: parse JSONL or CSV and validate each row.

One validator serves `rykte import` and the staged output of crawls, so a mention means the same
thing whatever brought it in. The row is a pydantic model (`ImportRow`): small before-validators
accept what CSV and JSON exports really contain (numbers as ids, `ja`/`nei`, blank cells, `Z` times),
pydantic checks the types and the rating's range, and `row_error` turns its first error into our one
line naming the field (`RowError`). A bad row is reported with its line number and skipped; the rest
goes on. Times are normalised to naive UTC (naive input is taken as UTC).

Hostile input is one bad row, never a rejected file: JSON lines are decoded one physical line at a
time (a bad byte, a line nested too deeply for the parser, a number too long to convert are that
line's error), CSV cells that are not UTF-8 are their row's error, a date that overflows or lies more
than a day in the future is refused. Limits keep one row from stalling the writer: ids and names
have a maximum length (longer is an error: cutting an id would merge mentions), text longer than
`MAX_TEXT` characters is cut and reported as a warning (`ParseResult.warnings`), the row is kept.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
MAX_TEXT = 100_000  # characters of text (and title) kept; the rest is cut with a warning
MAX_ID = 512  # external_id, parent_id, thread_id
MAX_NAME = 300  # source, author, lang
MAX_URL = 4096
FUTURE_TOLERANCE = timedelta(days=1)  # a published date later than now + this is refused


class RowError(ValueError):
    """One row is invalid; the message names the field."""


@dataclass
class ParseResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file:line: reason" (the row was skipped)
    warnings: list[str] = field(default_factory=list)  # "file:line: reason" (the row was kept, changed)


def _show(value: Any, limit: int = 60) -> str:
    """A short repr for a message (a 5,000-digit number or a 1 MB string must not end up in it)."""
    try:
        text = repr(value)
    except ValueError:  # int too long to convert to text
        return f"<{type(value).__name__} too large to show>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    if dt.tzinfo is None:
        return dt
    try:
        return dt.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError(f"out of range: {dt.isoformat()} is outside the years 1-9999 in UTC") from None


def _not_future(dt: datetime) -> datetime:
    limit = datetime.now(UTC).replace(tzinfo=None) + FUTURE_TOLERANCE
    if dt > limit:
        raise ValueError(f"more than a day in the future: {dt.isoformat()}")
    return dt


def _max_length(limit: int) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is not None and len(value) > limit:
            raise ValueError(f"longer than {limit} characters")
        return value

    return AfterValidator(check)


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
Id = Annotated[RequiredText, _max_length(MAX_ID)]
OptionalId = Annotated[Text, _max_length(MAX_ID)]
Name = Annotated[RequiredText, _max_length(MAX_NAME)]
Stars = Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)]


class ImportRow(BaseModel):
    """One mention in the import format (SPEC §3). Unknown keys are ignored (and reported as unknown)."""

    model_config = ConfigDict(extra="ignore")

    source: Name
    external_id: Id
    parent_id: OptionalId = None
    thread_id: OptionalId = None
    author: Name
    is_official: Annotated[StrictBool | None, BeforeValidator(_as_bool)] = None
    published_at: Annotated[
        datetime, BeforeValidator(parse_time), AfterValidator(_naive_utc), AfterValidator(_not_future)
    ]
    text: Annotated[str, BeforeValidator(_as_text)]  # kept as written: no stripping (cut at MAX_TEXT)
    title: Text = None
    url: Annotated[Text, _max_length(MAX_URL)] = None
    lang: Annotated[Text, _max_length(MAX_NAME)] = None
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
        return RowError(f"rating: expected a number from 1 to 5, got {_show(value)}")
    if name == "is_official":
        return RowError(f"is_official: expected true or false, got {_show(value)}")
    if err["type"] == "value_error":
        return RowError(f"{name}: {err['ctx']['error']}")
    return RowError(f"{name}: expected a string, got {type(value).__name__}")


def _cut_long_text(data: dict[str, Any]) -> list[str]:
    """Cut text and title to MAX_TEXT characters in place; the names of the fields cut."""
    cut = []
    for name in ("text", "title"):
        value = data.get(name)
        if isinstance(value, str) and len(value) > MAX_TEXT:
            data[name] = value[:MAX_TEXT]
            cut.append(name)
    return cut


def validate_row(raw: dict[str, Any], default_source: str | None = None) -> dict[str, Any]:
    """One raw row → a canonical mention dict; RowError names the problem."""
    if not isinstance(raw, dict):
        raise RowError("expected a JSON object")
    unknown = sorted(str(k)[:60] for k in raw if k not in FIELDS and not str(k).startswith("_"))
    data = {**raw, "source": raw.get("source") or default_source}
    cut = _cut_long_text(data)
    try:
        row = ImportRow.model_validate(data).model_dump()
    except ValidationError as exc:
        raise row_error(exc.errors(include_url=False)[0], data) from None
    except (RecursionError, OverflowError, ValueError) as exc:  # a value pydantic could not even inspect
        raise RowError(f"unreadable value: {type(exc).__name__}") from None
    row["_unknown"] = unknown
    row["_cut"] = cut
    return row


def _json_line(raw: bytes, first: bool) -> Any:
    """One physical line → its JSON value, a RowError, or None for a blank line."""
    if first and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RowError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return RowError(f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return RowError("invalid JSON: nested too deeply")
    except ValueError as exc:  # e.g. an integer longer than Python converts
        return RowError(f"invalid JSON: {exc}")


def _jsonl_lines(lines: Iterable[bytes]) -> Iterator[tuple[int, Any]]:
    """(physical line number, raw row or RowError); lines are split on b"\\n" only, so a U+2028 or
    a lone CR inside a JSON string does not shift the numbers."""
    for lineno, raw in enumerate(lines, start=1):
        value = _json_line(raw, lineno == 1)
        if value is not None:
            yield lineno, value


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open("rb") as fh:  # binary: iteration splits on b"\n" only
        yield from _jsonl_lines(fh)


def _not_utf8(raw: dict[str, Any]) -> str | None:
    """The first field whose cell held bytes that are not UTF-8 (read with surrogateescape)."""
    for key, value in raw.items():
        if isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value):
            return str(key)
    return None


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            fieldnames = reader.fieldnames
        except csv.Error as exc:
            raise InputError(f"{path}:1: unreadable CSV header: {exc}") from None
        if fieldnames is None:
            return
        missing = [f for f in ("external_id", "author", "published_at", "text") if f not in fieldnames]
        if missing:
            raise InputError(f"{path}:1: CSV header lacks required column(s): {', '.join(missing)}")
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a cell beyond the field size limit: that row only
                yield reader.line_num, RowError(f"unreadable CSV row: {exc}")
                continue
            row = {k: v for k, v in raw.items() if k is not None}
            bad = _not_utf8(row)
            yield reader.line_num, (RowError(f"not UTF-8 text ({bad})") if bad else row)


def read_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, raw row or RowError) for a .jsonl/.json or .csv file."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a directory (give a .jsonl or .csv file)")
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
            row = validate_row(raw, default_source)
        except RowError as exc:
            result.errors.append(f"{label}:{lineno}: {exc}")
            continue
        for name in row.pop("_cut"):
            result.warnings.append(f"{label}:{lineno}: {name} cut to {MAX_TEXT} characters")
        result.rows.append(row)
    return result


def parse_lines(lines: Iterable[bytes], label: str, default_source: str | None = None) -> ParseResult:
    """JSON lines given as bytes (one physical line each), as :func:`parse_file` reads a .jsonl file."""
    return parse_rows(_jsonl_lines(lines), label, default_source)


def parse_file(path: Path, default_source: str | None = None) -> ParseResult:
    try:
        return parse_rows(read_rows(path), str(path), default_source)
    except PermissionError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
