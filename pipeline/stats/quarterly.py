"""Reading and checking a file of quarterly social-media statistics (`rykte stats import FILE`).

Why a reader of its own: people bring these figures from survey reports, spreadsheets and their
own page insights, by hand. A mistake in row 40 must not hide the one in row 90, so the whole
file is checked and every bad row is named (`file:row`, the row number a spreadsheet shows,
header = row 1) before anything is written (`pipeline.stats.importer`).

Accepted files: CSV (comma, semicolon or tab separated, UTF-8) or XLSX (the first sheet), with a
header row in one of two layouts:

* long: `quarter, platform, metric, value` — one number per row;
* wide: `quarter, platform` and one column per metric (`followers, impressions, ...`); empty cells
  are skipped.

Either layout may add the columns `source, publication, url, published, note`: who published the
figure, where, its address, when (YYYY, YYYY-MM or YYYY-MM-DD) and what it measures. They are
stored with every figure of the row.

`quarter` is `YYYY-Qn` (also read: `YYYYQn`, `YYYY Qn`, `Qn YYYY`); a bare year `YYYY` is an annual
figure and is stored for each of the year's four quarters. Platform names are mapped to our source
ids by the one mapping (`pipeline.store.platforms`: "Twitter/X" → `twitter`); metric names are
stored in lower case with `_` for spaces. Values are numbers; a decimal comma and thousands
separators (space, no-break space) are accepted, a trailing `%` is dropped (the number is stored as
written: `4,2 %` → 4.2), and an XLSX cell formatted as a percentage is stored as its percentage.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.store.platforms import platform_id

META = ("source", "publication", "url", "published", "note")
RESERVED = ("quarter", "platform", "metric", "value", *META)
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_QUARTER_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])$", re.I),
    re.compile(r"^Q(?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})$", re.I),
)
_YEAR = re.compile(r"^\d{4}$")
_PUBLISHED = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class StatRow:
    """One checked figure, with where it came from (`at` = "file:row")."""

    quarter: str
    platform: str
    metric: str
    value: float
    source: str | None = None
    publication: str | None = None
    url: str | None = None
    published: str | None = None
    note: str | None = None
    at: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.quarter, self.platform, self.metric)

    def meta(self) -> tuple[str | None, ...]:
        return (self.source, self.publication, self.url, self.published, self.note)


class BadStatsFile(InputError):
    """One or more bad rows: `errors` holds every one as "file:row: reason"; nothing was imported."""

    def __init__(self, where: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{where}: {len(errors)} bad row(s); nothing imported")


def parse_quarters(value: Any) -> list[str]:
    """`2024-Q3` → ["2024-Q3"]; a year `2024` → its four quarters (an annual figure)."""
    text = str(value if value is not None else "").strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if _YEAR.match(text):
        return [f"{text}-Q{q}" for q in range(1, 5)]
    for pat in _QUARTER_PATTERNS:
        m = pat.match(text)
        if m:
            return [f"{m.group('y')}-Q{m.group('q')}"]
    raise ValueError(f"quarter {text!r} is not YYYY-Qn (or a year YYYY)")


def parse_value(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"value {value!r} is not a number")
    if isinstance(value, int | float):
        v = float(value)
    else:
        text = str(value if value is not None else "").strip().rstrip("%").strip()
        text = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        # "1,234.5" (comma thousands) or "1234,5" (decimal comma)
        text = text.replace(",", "") if "," in text and "." in text else text.replace(",", ".")
        try:
            v = float(text)
        except ValueError:
            raise ValueError(f"value {str(value).strip()!r} is not a number") from None
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"value {value!r} is not a finite number")
    return v


def _text(value: Any) -> str | None:
    text = str(value if value is not None else "").strip()
    return text or None


def _name(value: Any, what: str) -> str:
    text = _text(value)
    if text is None:
        raise ValueError(f"{what} is empty")
    return text.lower()


def _published(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    text = _text(value)
    if text is not None and not _PUBLISHED.match(text):
        raise ValueError(f"published {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def _url(value: Any) -> str | None:
    text = _text(value)
    if text is not None and not re.match(r"^https?://\S+$", text):
        raise ValueError(f"url {text!r} is not an http(s) address")
    return text


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        # the delimiter the header uses (notes and publications may hold ';' or ',' in quotes)
        delimiter = max((",", ";", "\t"), key=first.count)
        reader = csv.reader(fh, delimiter=delimiter)
        for row in reader:
            yield reader.line_num, row


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise InputError(f"{path}: not a readable XLSX file ({exc})") from None
    try:
        ws = wb.worksheets[0]
        for i, row in enumerate(ws.iter_rows(), start=1):
            yield i, [c.value * 100 if isinstance(c.value, int | float) and not isinstance(c.value, bool)
                      and "%" in str(getattr(c, "number_format", "") or "") else c.value for c in row]
    finally:
        wb.close()


def _rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if suffix in (".csv", ".tsv", ".txt"):
        return _csv_rows(path)
    raise InputError(f"{path}: unsupported file type {suffix or '(none)'} (use .csv or .xlsx)")


def _parse_record(rec: dict[str, Any], header: list[str], at: str) -> list[StatRow]:
    quarters = parse_quarters(rec.get("quarter"))
    platform = platform_id(_name(rec.get("platform"), "platform"))
    meta = {"source": _text(rec.get("source")), "publication": _text(rec.get("publication")),
            "url": _url(rec.get("url")), "published": _published(rec.get("published")),
            "note": _text(rec.get("note"))}
    if "metric" in header and "value" in header:
        items = [(rec.get("metric"), rec.get("value"))]
    else:
        items = [(col, rec.get(col)) for col in header
                 if col and col not in RESERVED and str(rec.get(col, "") or "").strip()]
        if not items:
            raise ValueError("no metric values in this row")
    out = []
    for metric_raw, value_raw in items:
        metric = re.sub(r"\s+", "_", _name(metric_raw, "metric"))
        value = parse_value(value_raw)
        out += [StatRow(q, platform, metric, value, at=at, **meta) for q in quarters]
    return out


def read_stats(paths: Path | Iterable[Path]) -> list[StatRow]:
    """Parse and check whole files (a directory: its .csv/.xlsx files) → rows; raises `BadStatsFile`
    naming every bad row, or `InputError` for a file that cannot be read at all."""
    files = _expand([paths] if isinstance(paths, Path | str) else list(paths))
    errors: list[str] = []
    out: dict[tuple[str, str, str], StatRow] = {}
    for path in files:
        header: list[str] | None = None
        for rowno, raw in _rows(path):
            cells = ["" if c is None else c for c in raw]
            if not any(str(c).strip() for c in cells):
                continue
            at = f"{path}:{rowno}"
            if header is None:
                header = [str(c).strip().lower() for c in cells]
                missing = [c for c in ("quarter", "platform") if c not in header]
                if missing:
                    raise InputError(f"{at}: header lacks column(s) {', '.join(missing)} "
                                     "(need quarter, platform, and metric+value or one column per metric)")
                continue
            try:
                for row in _parse_record(dict(zip(header, cells, strict=False)), header, at):
                    seen = out.get(row.key)
                    if seen is not None and seen.value != row.value:
                        raise ValueError(f"{row.quarter} {row.platform} {row.metric} given twice with "
                                         f"different values (also {seen.at})")
                    out.setdefault(row.key, row)
            except ValueError as exc:
                errors.append(f"{at}: {exc}")
        if header is None:
            raise InputError(f"{path}: empty file (no header row)")
    if errors:
        raise BadStatsFile(str(files[0]) if len(files) == 1 else f"{len(files)} files", errors)
    return list(out.values())


def _expand(paths: list[Path | str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and not f.name.startswith("."))
            if not found:
                raise InputError(f"{p}: no .csv or .xlsx files in this directory")
            files += found
        else:
            files.append(p)
    if not files:
        raise InputError("no statistics file given")
    return files
