"""Operational views: crawl health per source, quarterly statistics beside our KPIs, reports.

Why: these answer "is the system working and what has it produced" rather than "what are people
saying": crawl freshness from `crawl_runs`, the imported quarterly social-media statistics (with
our KPIs per quarter from `compute_metrics` beside them) and the list of weekly reports.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pandas as pd

from pipeline.store.metrics import compute_metrics
from pipeline.store.queries.common import quarter_bounds, quarter_of

# --------------------------------------------------------------------------------------------
# Crawl health


def crawl_health(con: duckdb.DuckDBPyConnection, *, now: datetime,
                 stale_after_hours: dict[str, float] | None = None,
                 default_stale_hours: float = 72.0) -> pd.DataFrame:
    """Per configured source name: last run, its status/items/errors, last success, freshness.

    Freshness is "stale" when the last successful (ok/partial) run is older than the source's
    limit: `stale_after_hours[name]` if given, else 3 × the median interval between its runs (at
    least one hour), else `default_stale_hours`.
    """
    runs = con.execute(
        """SELECT source_name, started_at, finished_at, items, new_items, errors, error_samples, status
           FROM crawl_runs ORDER BY source_name, started_at"""
    ).df()
    cols = ["source_name", "last_started", "last_status", "last_items", "last_new_items", "last_errors",
            "last_success", "hours_since_success", "runs", "runs_failed", "items_total", "errors_total",
            "stale_limit_hours", "freshness", "error_samples"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for name, g in runs.groupby("source_name", sort=True):
        g = g.sort_values("started_at")
        last = g.iloc[-1]
        ok = g[g["status"].isin(["ok", "partial"])]
        last_success = ok["finished_at"].fillna(ok["started_at"]).max() if not ok.empty else None
        if stale_after_hours and name in stale_after_hours:
            limit = float(stale_after_hours[str(name)])
        elif len(g) >= 2:
            gaps = g["started_at"].diff().dropna().dt.total_seconds() / 3600.0
            limit = max(1.0, 3 * float(gaps.median()))
        else:
            limit = default_stale_hours
        since_ok = None if last_success is None or pd.isna(last_success) else \
            (pd.Timestamp(now) - pd.Timestamp(last_success)).total_seconds() / 3600.0
        samples: list[str] = []
        raw = last["error_samples"]
        if isinstance(raw, str) and raw:
            try:
                samples = [str(s) for s in json.loads(raw)][:5]
            except ValueError:
                samples = [raw]
        out.append({
            "source_name": name, "last_started": last["started_at"], "last_status": last["status"],
            "last_items": int(last["items"]), "last_new_items": int(last["new_items"]),
            "last_errors": int(last["errors"]), "last_success": last_success,
            "hours_since_success": since_ok, "runs": len(g),
            "runs_failed": int((g["status"] == "failed").sum()),
            "items_total": int(g["items"].sum()), "errors_total": int(g["errors"].sum()),
            "stale_limit_hours": limit,
            "freshness": "ok" if since_ok is not None and since_ok <= limit else "stale",
            "error_samples": "; ".join(samples),
        })
    return pd.DataFrame(out, columns=cols)


# --------------------------------------------------------------------------------------------
# Quarterly comparison


def quarterly_stats(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The imported social-media statistics, long format."""
    return con.execute(
        "SELECT quarter, platform, metric, value FROM quarterly_stats ORDER BY quarter, platform, metric"
    ).df()


def quarterly_comparison(con: duckdb.DuckDBPyConnection, source: str | None = None,
                         max_quarters: int = 8) -> pd.DataFrame:
    """Our KPIs per quarter (compute_metrics over the quarter) beside the imported statistics.

    Quarters: those with imported statistics or with mentions, the latest `max_quarters`. The
    statistics become one column per "platform metric".
    """
    quarters: set[str] = set(quarterly_stats(con)["quarter"])
    for (d,) in con.execute(
        "SELECT DISTINCT date_trunc('quarter', published_at) FROM mentions"
    ).fetchall():
        quarters.add(quarter_of(d))
    chosen = sorted(quarters)[-max_quarters:]
    rows = []
    for q in chosen:
        start, end = quarter_bounds(q)
        k = compute_metrics(con, start, end, source)
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


# --------------------------------------------------------------------------------------------
# Reports listing


def reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT week, pdf_path, html_path, created_at, sent_at, last_error FROM reports ORDER BY week DESC"
    ).df()
