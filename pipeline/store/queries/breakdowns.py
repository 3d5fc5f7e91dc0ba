"""Breakdowns of what people write: sentiment per language and per source, and criticism per aspect.

Why: the overview page charts *what* is said, not how well it was answered. These counts come
straight from the mentions (not from `compute_metrics`, which has no per-language or per-aspect
block), so they live apart from the KPI module that must only reshape `compute_metrics`.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from pipeline.store.metrics import window_sql
from pipeline.store.queries.common import aspect_names


def sentiment_by_language(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                          until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Non-official mentions counted by detected language (`unknown` if none) and sentiment id
    (`unscored` if not analysed)."""
    return _sentiment_by(con, "coalesce(m.language, m.lang, 'unknown')", "language", since, until, source)


def sentiment_by_source(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                        until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Non-official mentions counted by source and sentiment id (`unscored` if not analysed)."""
    return _sentiment_by(con, "m.source", "source", since, until, source)


def _sentiment_by(con: duckdb.DuckDBPyConnection, expr: str, name: str, since: date | datetime | None,
                  until: date | datetime | None, source: str | None) -> pd.DataFrame:
    cond, params = window_sql(since, until, source)
    return con.execute(
        f"""
        SELECT {expr} AS {name}, coalesce(m.sentiment, 'unscored') AS sentiment, count(*) AS mentions
        FROM mentions m WHERE NOT m.official AND {cond}
        GROUP BY ALL ORDER BY {name}, sentiment
        """,
        params,
    ).df()


def criticism_aspects(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                      until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """What criticism is about: per aspect, the number of criticisms and how many were answered."""
    cond, params = window_sql(since, until, source)
    rows = con.execute(
        f"""SELECT m.aspects, r.response_id IS NOT NULL
            FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
            WHERE NOT m.official AND coalesce(m.is_criticism, false) AND {cond}""",
        params,
    ).fetchall()
    counts: dict[str, list[int]] = {}
    for raw, responded in rows:
        for name in aspect_names(raw):
            c = counts.setdefault(name, [0, 0])
            c[0] += 1
            c[1] += int(bool(responded))
    df = pd.DataFrame([{"aspect": a, "criticisms": c[0], "answered": c[1]} for a, c in counts.items()],
                      columns=["aspect", "criticisms", "answered"])
    return df.sort_values(["criticisms", "aspect"], ascending=[False, True]).reset_index(drop=True)
