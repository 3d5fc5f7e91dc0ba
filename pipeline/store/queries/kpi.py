"""KPI cards, weekly trend and per-source table — always through `compute_metrics`.

Why: the KPIs are never recomputed here. Every number comes from
`pipeline.store.metrics.compute_metrics`, the one implementation of SPEC §4 (or its grouped form
`grouped_metrics`, the same SQL split by week or source in one pass), so the dashboard, the
weekly report and `rykte metrics --json` always agree. This module only chooses the windows
(previous period, ISO weeks, each source) and reshapes the answers for display. (Named `kpi`, not
`kpis`, so the module does not share a name with the `kpis` function the package re-exports.)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.store.metrics import compute_metrics, empty_metrics, grouped_metrics
from pipeline.store.queries.common import iso_week, weeks


def kpis(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
         until: date | datetime | None = None, source: str | None = None) -> dict[str, Any]:
    """The SPEC §4 object: exactly `compute_metrics`."""
    return compute_metrics(con, since, until, source)


def kpis_with_previous(con: duckdb.DuckDBPyConnection, since: date, until: date,
                       source: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """KPIs of the window and of the equally long window just before it (for deltas)."""
    span = until - since
    return compute_metrics(con, since, until, source), compute_metrics(con, since - span, since, source)


def weekly_trend(con: duckdb.DuckDBPyConnection, since: date, until: date,
                 source: str | None = None) -> pd.DataFrame:
    """One row per ISO week in the window (weeks clipped to the window): each week's
    `compute_metrics`, all weeks in one pass (`grouped_metrics` by week)."""
    (per_week,) = grouped_metrics(con, since, until, source, by=[("week",)])
    rows = []
    for monday, _start, _end in weeks(since, until):
        k = per_week.get((monday,)) or empty_metrics()
        rows.append({
            "week": iso_week(monday),
            "week_start": pd.Timestamp(monday),
            "mentions": k["mentions"],
            "criticisms": k["criticisms"],
            "criticisms_responded": k["criticisms_responded"],
            "response_rate": k["response_rate"],
            "median_first_response_hours": k["first_response_hours"]["median"],
            "p90_first_response_hours": k["first_response_hours"]["p90"],
            "quality_mean": k["quality_mean"],
        })
    cols = ["week", "week_start", "mentions", "criticisms", "criticisms_responded", "response_rate",
            "median_first_response_hours", "p90_first_response_hours", "quality_mean"]
    return pd.DataFrame(rows, columns=cols)


def by_source(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
              until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """The per-source block of compute_metrics, plus each source's median first response and
    quality (each source's own `compute_metrics`, all sources in one pass)."""
    (per_source,) = grouped_metrics(con, since, until, source, by=[("source",)])
    rows = []
    for (src,), v in per_source.items():
        rows.append({"source": src, "mentions": v["mentions"], "criticisms": v["criticisms"],
                     "criticisms_responded": v["criticisms_responded"],
                     "response_rate": v["response_rate"],
                     "median_first_response_hours": v["first_response_hours"]["median"],
                     "quality_mean": v["quality_mean"]})
    return pd.DataFrame(rows, columns=["source", "mentions", "criticisms", "criticisms_responded",
                                       "response_rate", "median_first_response_hours", "quality_mean"])
