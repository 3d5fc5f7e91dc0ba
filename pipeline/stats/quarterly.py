"""Importing quarterly social-media statistics (`rykte stats import FILE`).

Accepted files: CSV (comma, semicolon or tab separated, UTF-8) or XLSX (the first sheet), with a
header row in one of two layouts:

* long: `quarter, platform, metric, value` — one number per row;
* wide: `quarter, platform` and one column per metric (`followers, impressions, ...`); empty cells
  are skipped.

`quarter` is `YYYY-Qn` (also read: `YYYYQn`, `YYYY Qn`, `Qn YYYY`). Platform and metric names are
stored in lower case (spaces in metric names become `_`). Values are numbers; a decimal comma and
thousands separators (space, no-break space) are accepted, and a trailing `%` is dropped (the
number is stored as written: `4,2 %` → 4.2).

The whole file is checked before anything is written: a bad row raises `InputError` naming
`file:row` (the row number as a spreadsheet shows it, header = row 1) and nothing is imported.
Importing is idempotent: (quarter, platform, metric) is the key, and a re-import replaces values.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from pipeline.errors import InputError
from pipeline.store.db import utcnow

LONG = ("quarter", "platform", "metric", "value")
_QUARTER_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])$", re.I),
    re.compile(r"^Q(?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})$", re.I),
)


def parse_quarter(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    for pat in _QUARTER_PATTERNS:
        m = pat.match(text)
        if m:
            return f"{m.group('y')}-Q{m.group('q')}"
    raise ValueError(f"quarter {text!r} is not YYYY-Qn")


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


def _name(value: Any, what: str) -> str:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError(f"{what} is empty")
    return text.lower()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(fh, dialect)
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
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield i, list(row)
    finally:
        wb.close()


def read_stats(path: Path) -> list[tuple[str, str, str, float]]:
    """Parse and check the whole file → (quarter, platform, metric, value) rows."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        rows = _csv_rows(path)
    else:
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'} (use .csv or .xlsx)")
    header: list[str] | None = None
    out: dict[tuple[str, str, str], tuple[int, float]] = {}
    for rowno, raw in rows:
        cells = ["" if c is None else c for c in raw]
        if not any(str(c).strip() for c in cells):
            continue
        if header is None:
            header = [str(c).strip().lower() for c in cells]
            missing = [c for c in ("quarter", "platform") if c not in header]
            if missing:
                raise InputError(f"{path}:{rowno}: header lacks column(s) {', '.join(missing)} "
                                 "(need quarter, platform, and metric+value or one column per metric)")
            continue
        rec = dict(zip(header, cells, strict=False))
        try:
            quarter = parse_quarter(rec.get("quarter"))
            platform = _name(rec.get("platform"), "platform")
            if "metric" in header and "value" in header:
                items = [(rec.get("metric"), rec.get("value"))]
            else:
                items = [(col, rec.get(col)) for col in header
                         if col and col not in ("quarter", "platform") and str(rec.get(col, "")).strip()]
                if not items:
                    raise ValueError("no metric values in this row")
            for metric_raw, value_raw in items:
                metric = re.sub(r"\s+", "_", _name(metric_raw, "metric"))
                value = parse_value(value_raw)
                key = (quarter, platform, metric)
                if key in out and out[key][1] != value:
                    raise ValueError(f"{quarter} {platform} {metric} given twice with different values "
                                     f"(also row {out[key][0]})")
                out[key] = (rowno, value)
        except ValueError as exc:
            raise InputError(f"{path}:{rowno}: {exc}") from None
    if header is None:
        raise InputError(f"{path}: empty file (no header row)")
    return [(q, p, m, v) for (q, p, m), (_row, v) in out.items()]


def import_stats(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Import the file into `quarterly_stats` (upsert on quarter/platform/metric); rows imported."""
    rows = read_stats(path)
    if not rows:
        return 0
    now = utcnow()
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(
            """INSERT INTO quarterly_stats (quarter, platform, metric, value, imported_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (quarter, platform, metric) DO UPDATE SET
                   value = excluded.value, imported_at = excluded.imported_at
               WHERE quarterly_stats.value IS DISTINCT FROM excluded.value""",
            [(q, p, m, v, now) for q, p, m, v in rows],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(rows)
