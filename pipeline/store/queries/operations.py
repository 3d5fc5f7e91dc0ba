"""Operational views: the health of each source, quarterly statistics beside our KPIs.

Why: these answer "is the system working" rather than "what are people saying": each source's
runs and freshness (the rule of `pipeline.store.freshness`, the same as `rykte status`), and the
imported quarterly social-media statistics with our KPIs per quarter beside them (`grouped_metrics` by
quarter: the same SQL as `compute_metrics`, in one pass).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.store.freshness import source_freshness
from pipeline.store.metrics import empty_metrics, grouped_metrics
from pipeline.store.queries.common import quarter_bounds, quarter_of

# --------------------------------------------------------------------------------------------
# Source health

HEALTH_COLUMNS = ["source_name", "type", "enabled", "configured", "freshness", "last_started", "last_status",
                  "last_items", "last_new_items", "last_errors", "last_success", "hours_since_success",
                  "stale_limit_hours", "failed_in_row", "runs", "runs_failed", "items_total", "errors_total",
                  "error_samples"]


def source_health(con: duckdb.DuckDBPyConnection, *, now: datetime) -> pd.DataFrame:
    """Per source: its latest run, last success and freshness by the one rule
    (`pipeline.store.freshness`), with the limits the writer published from the config."""
    rows = [{
        "source_name": f.name, "type": f.type, "enabled": f.enabled, "configured": f.configured,
        "freshness": f.state, "last_started": f.last_run_at, "last_status": f.last_status,
        "last_items": f.last_items, "last_new_items": f.last_new_items, "last_errors": f.last_errors,
        "last_success": f.last_success_at, "hours_since_success": f.hours_since_success(now),
        "stale_limit_hours": f.stale_seconds / 3600.0, "failed_in_row": f.failed_in_row, "runs": f.runs,
        "runs_failed": f.runs_failed, "items_total": f.items_total, "errors_total": f.errors_total,
        "error_samples": "; ".join(f.error_samples[:5]),
    } for f in source_freshness(con, now)]
    return pd.DataFrame(rows, columns=HEALTH_COLUMNS)


# --------------------------------------------------------------------------------------------
# Quarterly comparison


def quarterly_stats(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The imported social-media statistics, long format."""
    return con.execute(
        "SELECT quarter, platform, metric, value FROM quarterly_stats ORDER BY quarter, platform, metric"
    ).df()


def quarterly_comparison(con: duckdb.DuckDBPyConnection, source: str | None = None,
                         max_quarters: int = 8) -> pd.DataFrame:
    """Our KPIs per quarter (`grouped_metrics` by quarter, the same as compute_metrics over each
    quarter) beside the imported statistics.

    Quarters: those with imported statistics or with mentions, the latest `max_quarters`. The
    statistics become one column per "platform metric".
    """
    quarters: set[str] = set(quarterly_stats(con)["quarter"])
    for (d,) in con.execute(
        "SELECT DISTINCT date_trunc('quarter', published_at) FROM mentions"
    ).fetchall():
        quarters.add(quarter_of(d))
    chosen = sorted(quarters)[-max_quarters:]
    per_quarter: dict[tuple[Any, ...], dict[str, Any]] = {}
    if chosen:
        (per_quarter,) = grouped_metrics(con, quarter_bounds(chosen[0])[0], quarter_bounds(chosen[-1])[1], source,
                                         by=[("quarter",)])
    rows = []
    for q in chosen:
        k = per_quarter.get((q,)) or empty_metrics()
        rows.append({"quarter": q, "mentions": k["mentions"], "criticisms": k["criticisms"],
                     "response_rate": k["response_rate"],
                     "median_first_response_hours": k["first_response_hours"]["median"],
                     "quality_mean": k["quality_mean"]})
    ours = pd.DataFrame(rows, columns=["quarter", "mentions", "criticisms", "response_rate",
                                       "median_first_response_hours", "quality_mean"])
    stats = quarterly_stats(con)
    if stats.empty or ours.empty:
        return ours
    stats["column"] = stats["platform"] + " " + stats["metric"]
    wide = stats.pivot_table(index="quarter", columns="column", values="value", aggfunc="last")
    wide.columns.name = None
    return ours.merge(wide.reset_index(), on="quarter", how="left")
