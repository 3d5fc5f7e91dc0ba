"""The KPIs of SPEC §4, computed in SQL over the store.

This is the one implementation: `rykte metrics --json`, the dashboard and the weekly report all call
`compute_metrics`, so they always show the same numbers. It reads `mentions` (the resolved `official`
flag and `is_criticism`) and `responses` (the first response of every non-official mention, linked by
`pipeline.responses.link`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import duckdb

# SPEC §4 criticism rule, given a mention's rating and whether the model called it negative.
CRITICISM_SQL = """(NOT official AND CASE
    WHEN rating IS NOT NULL AND rating <= 2 THEN true
    WHEN rating IS NOT NULL AND rating >= 4 THEN false
    ELSE coalesce(p_negative >= ?, false) END)"""


def refresh_criticism(con: duckdb.DuckDBPyConnection, threshold: float) -> None:
    """Re-apply the criticism rule to every mention (cheap; official flags or ratings may change)."""
    con.execute(
        f"UPDATE mentions SET is_criticism = {CRITICISM_SQL} "
        f"WHERE is_criticism IS DISTINCT FROM {CRITICISM_SQL}",
        [threshold, threshold],
    )


def window_bound(d: date | datetime | None) -> datetime | None:
    """A window bound as a naive UTC datetime: a date means its UTC midnight."""
    if d is None:
        return None
    if isinstance(d, datetime):
        return d
    return datetime.combine(d, time())


def window_sql(since: date | datetime | None, until: date | datetime | None, source: str | None = None,
               alias: str = "m") -> tuple[str, list[Any]]:
    """The SPEC §4 window as a SQL condition on `alias` and its parameters:
    `since <= published_at < until` (either bound may be open), optionally one source.

    The one window filter: the metrics and every read-side query build their WHERE with it.
    """
    where: list[str] = ["true"]
    params: list[Any] = []
    if since is not None:
        where.append(f"{alias}.published_at >= ?")
        params.append(window_bound(since))
    if until is not None:
        where.append(f"{alias}.published_at < ?")
        params.append(window_bound(until))
    if source is not None:
        where.append(f"{alias}.source = ?")
        params.append(source)
    return " AND ".join(where), params


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def _hours(v: Any) -> float | None:
    return None if v is None else float(v)


def compute_metrics(
    con: duckdb.DuckDBPyConnection,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The SPEC §4 object for mentions with since <= published_at < until (UTC), optionally one source."""
    cond, params = window_sql(since, until, source)
    base = f"""
        SELECT m.source, m.official, coalesce(m.is_criticism, false) AS crit,
               r.response_id IS NOT NULL AS responded, r.delay_hours, r.clock_anomaly, r.quality
        FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
        WHERE {cond}
    """
    row = con.execute(
        f"""
        WITH w AS ({base})
        SELECT
            count(*) FILTER (WHERE NOT official),
            count(*) FILTER (WHERE official),
            count(*) FILTER (WHERE NOT official AND crit),
            count(*) FILTER (WHERE NOT official AND crit AND responded),
            quantile_cont(delay_hours, 0.5) FILTER (WHERE NOT official AND crit AND responded),
            quantile_cont(delay_hours, 0.9) FILTER (WHERE NOT official AND crit AND responded),
            count(*) FILTER (WHERE NOT official AND responded),
            quantile_cont(delay_hours, 0.5) FILTER (WHERE NOT official AND responded),
            quantile_cont(delay_hours, 0.9) FILTER (WHERE NOT official AND responded),
            avg(quality) FILTER (WHERE NOT official AND crit AND responded),
            count(*) FILTER (WHERE NOT official AND crit AND responded AND clock_anomaly),
            count(*) FILTER (WHERE NOT official AND responded AND clock_anomaly)
        FROM w
        """,
        params,
    ).fetchone()
    assert row is not None
    (mentions, official, crits, crits_resp, med, p90, all_resp, all_med, all_p90, quality,
     anomalies, all_anomalies) = row
    by_source: dict[str, Any] = {}
    for src, n, c, cr in con.execute(
        f"""
        WITH w AS ({base})
        SELECT source,
               count(*) FILTER (WHERE NOT official),
               count(*) FILTER (WHERE NOT official AND crit),
               count(*) FILTER (WHERE NOT official AND crit AND responded)
        FROM w GROUP BY source ORDER BY source
        """,
        params,
    ).fetchall():
        by_source[src] = {"mentions": n, "criticisms": c, "criticisms_responded": cr,
                          "response_rate": _rate(cr, c)}
    return {
        "since": window_bound(since).date().isoformat() if since is not None else None,  # type: ignore[union-attr]
        "until": window_bound(until).date().isoformat() if until is not None else None,  # type: ignore[union-attr]
        "source": source,
        "mentions": mentions,
        "official_mentions": official,
        "criticisms": crits,
        "criticisms_responded": crits_resp,
        "response_rate": _rate(crits_resp, crits),
        "first_response_hours": {"median": _hours(med), "p90": _hours(p90)},
        "all_mentions": {
            "responded": all_resp,
            "response_rate": _rate(all_resp, mentions),
            "first_response_hours": {"median": _hours(all_med), "p90": _hours(all_p90)},
            "clock_anomalies": all_anomalies,
        },
        "quality_mean": None if quality is None else float(quality),
        "clock_anomalies": anomalies,
        "by_source": by_source,
    }
