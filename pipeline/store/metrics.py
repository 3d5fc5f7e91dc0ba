"""The KPIs of SPEC §4, computed in SQL over the store.

This is the one implementation: `rykte metrics --json`, the dashboard and the weekly report all call
`compute_metrics`, so they always show the same numbers. It reads `mentions` (the resolved `official`
flag and `is_criticism`) and `responses` (the first response of every non-official mention, linked by
`pipeline.responses.link`).

`grouped_metrics` gives the same KPIs split by source, ISO week and/or quarter in one pass (the
quarterly pages and the weekly trends would otherwise run `compute_metrics` once per group), and
`compute_metrics` is built on it, so there is still one SQL for the KPIs.
"""

from __future__ import annotations

from collections.abc import Sequence
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


# The groups `grouped_metrics` can split by: a mention's source, ISO week (its Monday, a date) and
# calendar quarter (named "2026-Q1" in the answer), all of the naive UTC `published_at` (the same
# calendar as the windows). Quarters are grouped by their first day: building the name in SQL for
# every row costs more than the whole aggregation.
GROUP_KEYS = {
    "source": "m.source",
    "week": "CAST(date_trunc('week', m.published_at) AS DATE)",
    "quarter": "CAST(date_trunc('quarter', m.published_at) AS DATE)",
}


def _key_value(name: str, value: Any) -> Any:
    if name == "quarter" and value is not None:
        return f"{value.year}-Q{(value.month - 1) // 3 + 1}"
    return value

# The SPEC §4 aggregates over the window's rows `w` (see `_KPI_BASE`), in the order `_kpi_block` reads them.
_KPI_AGGREGATES = """
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
"""
_EMPTY_ROW: tuple[Any, ...] = (0, 0, 0, 0, None, None, 0, None, None, None, 0, 0)


def _kpi_block(row: tuple[Any, ...]) -> dict[str, Any]:
    """The SPEC §4 fields of one group (all but the window, `source` and `by_source`)."""
    (mentions, official, crits, crits_resp, med, p90, all_resp, all_med, all_p90, quality,
     anomalies, all_anomalies) = row
    return {
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
    }


def empty_metrics() -> dict[str, Any]:
    """The KPI block of a group without mentions (what `grouped_metrics` leaves out)."""
    return _kpi_block(_EMPTY_ROW)


def grouped_metrics(
    con: duckdb.DuckDBPyConnection,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    source: str | None = None,
    *,
    by: Sequence[Sequence[str]],
) -> list[dict[tuple[Any, ...], dict[str, Any]]]:
    """The SPEC §4 KPIs of the window, split by each grouping in `by`, in one pass over the store.

    Each grouping is a tuple of `GROUP_KEYS` names (`()` is the whole window); the answer holds, per
    grouping, {key values: KPI block}, only for groups with at least one mention (official or not;
    `empty_metrics()` for the others). A group's block is exactly what `compute_metrics` gives for
    that group's own window (a week or quarter clipped to `since`/`until`) and source: it is the same
    SQL, and `compute_metrics` is built on this function.
    """
    sets = [tuple(g) for g in by]
    names = sorted({k for g in sets for k in g})
    unknown = set(names) - set(GROUP_KEYS)
    if unknown:
        raise ValueError(f"unknown grouping: {sorted(unknown)}")
    cond, params = window_sql(since, until, source)
    keys_sql = "".join(f"{GROUP_KEYS[k]} AS g_{k}, " for k in names)
    grouping = ", ".join("(" + ", ".join(f"g_{k}" for k in g) + ")" for g in sets)
    marker = f"grouping({', '.join(f'g_{k}' for k in names)})" if names else "0"
    rows = con.execute(
        f"""
        WITH w AS (
            SELECT {keys_sql}m.official, coalesce(m.is_criticism, false) AS crit,
                   r.mention_id IS NOT NULL AS responded, r.delay_hours, r.clock_anomaly, r.quality
            FROM mentions m LEFT JOIN (  -- only answered mentions: a smaller join, the same figures
                SELECT mention_id, delay_hours, clock_anomaly, quality FROM responses
                WHERE response_id IS NOT NULL) r ON r.mention_id = m.id
            WHERE {cond}
        )
        SELECT {marker}, {''.join(f'g_{k}, ' for k in names)}{_KPI_AGGREGATES}
        FROM w GROUP BY GROUPING SETS ({grouping})
        """,
        params,
    ).fetchall()
    # grouping(...) sets one bit per name (the first name the highest) that is NOT in the set.
    bits = {g: sum(1 << (len(names) - 1 - i) for i, k in enumerate(names) if k not in g) for g in sets}
    out: list[dict[tuple[Any, ...], dict[str, Any]]] = [{} for _ in sets]
    for row in rows:
        marker_value = row[0]
        values = {k: _key_value(k, v) for k, v in zip(names, row[1:1 + len(names)], strict=True)}
        block = _kpi_block(tuple(row[1 + len(names):]))
        for i, g in enumerate(sets):
            if bits[g] == marker_value:
                out[i][tuple(values[k] for k in g)] = block
    for groups in out:  # sorted by key, whatever order the engine returned
        items = sorted(groups.items(), key=lambda kv: tuple((v is None, v) for v in kv[0]))
        groups.clear()
        groups.update(items)
    return out


def compute_metrics(
    con: duckdb.DuckDBPyConnection,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """The SPEC §4 object for mentions with since <= published_at < until (UTC), optionally one source."""
    whole, per_source = grouped_metrics(con, since, until, source, by=[(), ("source",)])
    by_source = {src: {"mentions": k["mentions"], "criticisms": k["criticisms"],
                       "criticisms_responded": k["criticisms_responded"], "response_rate": k["response_rate"]}
                 for (src,), k in per_source.items()}
    return {
        "since": window_bound(since).date().isoformat() if since is not None else None,  # type: ignore[union-attr]
        "until": window_bound(until).date().isoformat() if until is not None else None,  # type: ignore[union-attr]
        "source": source,
        **whole.get((), empty_metrics()),
        "by_source": by_source,
    }
