"""Searching the mentions: free text and filters, one page of results or every matching row for export.

Why `ILIKE` and not DuckDB's full-text index: the `fts` extension is not in the duckdb wheel and
`INSTALL fts` downloads it, which an offline installation cannot do; a scan of the text column with
`ILIKE` is fast on a columnar snapshot (see `bench/dashboard.py` for 1 million mentions) and finds
word parts ("lønn" finds "lønna" and "lønnsnivå"), which is what HR expects of a search box.
Every word typed must occur (in the text or the title), in any order, case-insensitively.

Window and filters are the same as everywhere (`metrics.window_sql`); a mention is *answered* when
`responses.response_id` is set (the company replied in its thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.store.metrics import window_sql
from pipeline.store.queries.common import aspect_names_column

EXPORT_COLUMNS = ["id", "source", "external_id", "published_at", "author", "official", "language", "sentiment",
                  "p_negative", "is_criticism", "aspects", "answered", "responded_at", "rating", "title", "text",
                  "url", "thread_id", "parent_id"]
PAGE_SIZE = 200


@dataclass(frozen=True)
class MentionFilter:
    """What the Mentions page asks for; None = no filter. Hashable, so the dashboard can cache on it."""

    text: str | None = None
    language: str | None = None
    sentiment: str | None = None
    aspect: str | None = None
    criticism: bool | None = None
    answered: bool | None = None


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(since: date | datetime | None, until: date | datetime | None, source: str | None,
           f: MentionFilter) -> tuple[str, list[Any]]:
    cond, params = window_sql(since, until, source, alias="m")
    parts, values = [cond], list(params)
    for word in (f.text or "").split():
        parts.append("(m.text ILIKE ? ESCAPE '\\' OR coalesce(m.title, '') ILIKE ? ESCAPE '\\')")
        values += [f"%{_escape(word)}%"] * 2
    if f.language:
        parts.append("coalesce(m.language, m.lang) = ?")
        values.append(f.language)
    if f.sentiment:
        parts.append("coalesce(m.sentiment, 'unscored') = ?")
        values.append(f.sentiment)
    if f.aspect:
        parts.append("list_contains(json_extract_string(m.aspects, '$[*].aspect'), ?)")
        values.append(f.aspect)
    if f.criticism is not None:
        parts.append("coalesce(m.is_criticism, false) = ?")
        values.append(f.criticism)
    if f.answered is not None:
        parts.append("(r.response_id IS NOT NULL) = ?")
        values.append(f.answered)
    return " AND ".join(parts), values


SELECT = """
SELECT m.id, m.source, m.external_id, m.published_at, m.author, m.official,
       coalesce(m.language, m.lang) AS language, m.sentiment, m.p_negative,
       coalesce(m.is_criticism, false) AS is_criticism, m.aspects, r.response_id IS NOT NULL AS answered,
       r.responded_at, m.rating, m.title, m.text, m.url, m.thread_id, m.parent_id
FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
WHERE {where}
ORDER BY m.published_at DESC, m.id DESC
"""


def search_mentions(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                    until: date | datetime | None = None, source: str | None = None,
                    flt: MentionFilter = MentionFilter(), *, limit: int | None = PAGE_SIZE,
                    offset: int = 0) -> tuple[int, pd.DataFrame]:
    """(number of matches, the matching mentions newest first: `limit` rows from `offset`, or all
    with `limit=None`) with the full text; `aspects` as a list of ids."""
    where, values = _where(since, until, source, flt)
    join = "LEFT JOIN responses r ON r.mention_id = m.id" if flt.answered is not None else ""  # count: join only if asked
    total_row = con.execute(f"SELECT count(*) FROM mentions m {join} WHERE {where}", values).fetchone()
    total = int(total_row[0]) if total_row else 0
    sql = SELECT.format(where=where) + ("" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}")
    df = con.execute(sql, values).df()
    df["aspects"] = aspect_names_column(df["aspects"])
    return total, df[EXPORT_COLUMNS]
