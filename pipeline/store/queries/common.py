"""Shared building blocks of the read-side queries: windows, calendar helpers, filter choices.

Why: every query module filters on the same *window* (`since <= published_at < until`, the one
filter `pipeline.store.metrics.window_sql` that the metrics use too) and speaks the
same calendar (ISO weeks, quarters). Keeping those helpers, the defaults, and the small lookups
that feed the dashboard's filters (sources, languages, aspects, data bounds, default window) in
one place means the other modules cannot drift apart on what a window or a week is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

DEFAULT_WINDOW_DAYS = 30
TREND_WEEKS = 12


def aspect_names(raw: Any) -> list[str]:
    """The aspect names in a mention's `aspects` JSON (list of {"aspect", "term"} or of strings)."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except (TypeError, ValueError):
        return []
    names: list[str] = []
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return []
    for it in items:
        name = it.get("aspect") if isinstance(it, dict) else it
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    return names


def aspect_names_column(values: Iterable[Any]) -> list[list[str]]:
    """`aspect_names` of a whole column, each distinct JSON text parsed once (most repeat)."""
    parsed: dict[Any, list[str]] = {}
    out = []
    for raw in values:
        key = raw if isinstance(raw, str) or raw is None else id(raw)
        if key not in parsed:
            parsed[key] = aspect_names(raw)
        out.append(list(parsed[key]))
    return out


def iso_week(d: date | datetime) -> str:
    y, w, _ = (d.date() if isinstance(d, datetime) else d).isocalendar()
    return f"{y}-W{w:02d}"


def week_start(d: date | datetime) -> date:
    dd = d.date() if isinstance(d, datetime) else d
    return dd - timedelta(days=dd.weekday())


def weeks(since: date, until: date) -> Iterator[tuple[date, date, date]]:
    """(week monday, clipped start, clipped end) for each ISO week overlapping [since, until)."""
    monday = week_start(since)
    while monday < until:
        nxt = monday + timedelta(days=7)
        yield monday, max(monday, since), min(nxt, until)
        monday = nxt


def trend_window(today: date, n_weeks: int = TREND_WEEKS) -> tuple[date, date]:
    """The trends' window: the last `n_weeks` ISO weeks up to and including today, whatever window
    the reader chose (the overview's trend and the responses page's weekly response times)."""
    return week_start(today) - timedelta(weeks=n_weeks - 1), today + timedelta(days=1)


def quarter_of(d: date | datetime) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_bounds(quarter: str) -> tuple[date, date]:
    m = QUARTER_RE.match(quarter)
    if not m:
        raise ValueError(f"not a quarter (YYYY-Qn): {quarter!r}")
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end


# --------------------------------------------------------------------------------------------
# Window and sources


def sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT source FROM mentions ORDER BY source").fetchall()]


def data_bounds(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """First/last published date, number of mentions and the last update time."""
    row = con.execute(
        "SELECT min(published_at), max(published_at), count(*), max(updated_at) FROM mentions"
    ).fetchone()
    assert row is not None
    return {"first": row[0], "last": row[1], "mentions": int(row[2]), "updated_at": row[3]}


def default_window(con: duckdb.DuckDBPyConnection, today: date, days: int = DEFAULT_WINDOW_DAYS) -> tuple[date, date]:
    """The dashboard's initial window: the last `days` days up to and including today (or the last
    mention, if it is later)."""
    last = data_bounds(con)["last"]
    end = max(today, last.date()) if last is not None else today
    until = end + timedelta(days=1)
    return until - timedelta(days=days), until


# --------------------------------------------------------------------------------------------
# Filter choices


def languages(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT coalesce(language, lang) AS l FROM mentions WHERE l IS NOT NULL ORDER BY l"
    ).fetchall()]


def all_aspects(con: duckdb.DuckDBPyConnection) -> list[str]:
    names: set[str] = set()
    for (raw,) in con.execute("SELECT DISTINCT aspects FROM mentions WHERE aspects IS NOT NULL").fetchall():
        names.update(aspect_names(raw))
    return sorted(names)
