"""Read-side queries of the weekly report that the dashboard does not need.

Why a module of its own: the report looks at one ISO week as it stood at the end of that week
(criticism still open then, with its time left), breaks the week down by language and by day, and
shows single replies with their text. Every count uses the stored criticism flag and the one window
filter (`metrics.window_sql`), so per-language and per-source sums equal `compute_metrics`; the KPIs
themselves are never computed here.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from pipeline.store.metrics import window_sql

LANGUAGE_COLUMNS = ["language", "mentions", "criticisms"]
OPEN_COLUMNS = ["id", "source", "published_at", "language", "text", "responded_at"]
REPLY_COLUMNS = ["id", "source", "published_at", "text", "quality", "quality_components", "delay_hours",
                 "reply_text", "responded_at"]


def by_language(con: duckdb.DuckDBPyConnection, since: date | datetime, until: date | datetime) -> pd.DataFrame:
    """Non-official mentions and criticism per detected language (`unknown` when not detected),
    most mentions first."""
    cond, params = window_sql(since, until)
    df = con.execute(
        f"""SELECT coalesce(m.language, m.lang, 'unknown') AS language, count(*) AS mentions,
                   count(*) FILTER (WHERE coalesce(m.is_criticism, false)) AS criticisms
            FROM mentions m WHERE NOT m.official AND {cond}
            GROUP BY ALL ORDER BY mentions DESC, language""",
        params,
    ).df()
    return df if not df.empty else pd.DataFrame(columns=LANGUAGE_COLUMNS)


def sentiment_by_week(con: duckdb.DuckDBPyConnection, since: date, until: date) -> pd.DataFrame:
    """Non-official mentions per ISO week (its Monday) and sentiment id (`unscored` if not analysed)."""
    cond, params = window_sql(since, until)
    return con.execute(
        f"""SELECT CAST(date_trunc('week', m.published_at) AS DATE) AS week_start,
                   coalesce(m.sentiment, 'unscored') AS sentiment, count(*) AS mentions
            FROM mentions m WHERE NOT m.official AND {cond}
            GROUP BY ALL ORDER BY week_start, sentiment""",
        params,
    ).df()


def criticism_per_day(con: duckdb.DuckDBPyConnection, since: date, until: date) -> dict[date, int]:
    """Criticism per UTC day in the window; days without criticism are absent."""
    cond, params = window_sql(since, until)
    rows = con.execute(
        f"""SELECT CAST(m.published_at AS DATE), count(*) FROM mentions m
            WHERE NOT m.official AND coalesce(m.is_criticism, false) AND {cond} GROUP BY 1""",
        params,
    ).fetchall()
    return {d: int(n) for d, n in rows}


def open_at(con: duckdb.DuckDBPyConnection, since: date | datetime, until: date | datetime,
            as_of: datetime) -> pd.DataFrame:
    """Criticism published in the window before `as_of` that had no reply at `as_of` (none at all,
    or the first one came later: `responded_at` then says when), oldest first."""
    cond, params = window_sql(since, until)
    df = con.execute(
        f"""SELECT m.id, m.source, m.published_at, coalesce(m.language, m.lang) AS language, m.text,
                   r.responded_at
            FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
            WHERE NOT m.official AND coalesce(m.is_criticism, false) AND {cond} AND m.published_at < ?
              AND (r.response_id IS NULL OR r.responded_at >= ?)
            ORDER BY m.published_at, m.id""",
        [*params, as_of, as_of],
    ).df()
    return df if not df.empty else pd.DataFrame(columns=OPEN_COLUMNS)


def scored_replies(con: duckdb.DuckDBPyConnection, since: date | datetime, until: date | datetime) -> pd.DataFrame:
    """Criticism in the window with a scored first reply: the criticism, the reply's text and time,
    its quality 0..100 and components (JSON), best first (ties: earlier criticism first)."""
    cond, params = window_sql(since, until)
    df = con.execute(
        f"""SELECT m.id, m.source, m.published_at, m.text, r.quality, r.quality_components, r.delay_hours,
                   o.text AS reply_text, r.responded_at
            FROM mentions m JOIN responses r ON r.mention_id = m.id
            LEFT JOIN mentions o ON o.id = r.response_id
            WHERE NOT m.official AND coalesce(m.is_criticism, false) AND r.response_id IS NOT NULL
              AND r.quality IS NOT NULL AND {cond}
            ORDER BY r.quality DESC, m.published_at, m.id""",
        params,
    ).df()
    return df if not df.empty else pd.DataFrame(columns=REPLY_COLUMNS)
