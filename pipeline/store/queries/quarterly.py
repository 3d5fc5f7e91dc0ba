"""The quarterly comparison: where the company is talked about, against where people are.

Why: "40 % of what is said about us is on Facebook" means little alone. Set against the share of the
platform's reach among the platforms we monitor, it says whether a platform is over- or
under-represented for us (1.0 = as big a share of our mentions as of the reach), and how our
negative share and our answers there moved since the previous quarter.

Per quarter (those with mentions, the latest `max_quarters`) and monitored platform (the
`mentions.source` values, or `platforms`):

- `mentions`: non-official mentions there; `mention_share`: of all the company's mentions that
  quarter (every source, news and review sites too);
- `reach`: the platform's figure of `reach_metric` (default `daily_use_share`, the share of the
  population using it daily) from the imported statistics, the latest published at or before the
  quarter (`reach_quarter` says which; surveys lag, and the Ipsos tracker stopped publishing openly
  after 2023), and `reach_source` its source and publication;
- `reach_share`: that figure normalised over the *compared* platforms — monitored platforms that
  have a reach figure — so the shares sum to 1; `compared_share`: the platform's share of the
  mentions on those same platforms; `representation` = compared_share / reach_share;
- `negative_share`: criticisms / mentions (criticism as SPEC §4 defines it), `response_rate` and
  `median_response_hours` (to first response, criticism): all from `grouped_metrics` by quarter and
  source (one pass; the same SQL as `compute_metrics` with source = the platform, the one
  implementation of the KPIs);
- `<column>_change`: the change from the previous calendar quarter (absolute, not relative).

Statistics' platform names are joined to mention sources by `pipeline.store.platforms.platform_id`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb
import pandas as pd

from pipeline.store.metrics import empty_metrics, grouped_metrics
from pipeline.store.platforms import platform_id
from pipeline.store.queries.common import quarter_bounds, quarter_of

DEFAULT_REACH_METRIC = "daily_use_share"
CHANGED = ("mentions", "mention_share", "reach_share", "representation", "negative_share", "response_rate",
           "median_response_hours")
COLUMNS = ["quarter", "platform", "mentions", "mention_share", "reach", "reach_quarter", "reach_source",
           "reach_share", "compared_share", "representation", "negative_share", "response_rate",
           "median_response_hours", *(f"{c}_change" for c in CHANGED)]


def previous_quarter(quarter: str) -> str:
    start, _end = quarter_bounds(quarter)
    return f"{start.year - 1}-Q4" if start.month == 1 else f"{start.year}-Q{(start.month - 1) // 3}"


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def _reach_figures(con: duckdb.DuckDBPyConnection, metric: str) -> pd.DataFrame:
    cols = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'quarterly_stats'").fetchall()}
    src = "concat_ws(', ', source, publication)" if {"source", "publication"} <= cols else "NULL"
    df = con.execute(f"SELECT quarter, platform, value, {src} AS reach_source FROM quarterly_stats "
                     "WHERE metric = ? ORDER BY quarter", [metric]).df()
    df["platform"] = [platform_id(p) for p in df["platform"]]
    return df


def _reach_at(figures: pd.DataFrame, quarter: str) -> dict[str, tuple[float, str, str | None]]:
    """platform → (value, quarter, source) of the latest figure at or before `quarter`."""
    out: dict[str, tuple[float, str, str | None]] = {}
    for q, p, v, s in figures[figures["quarter"] <= quarter].itertuples(index=False):
        out[p] = (float(v), q, s or None)  # rows are in quarter order: the latest wins
    return out


def _quarter_rows(quarter: str, monitored: list[str], figures: pd.DataFrame,
                  per_source: dict[tuple[Any, ...], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The rows of one quarter, given the KPIs by (quarter, source)."""
    total = sum(k["mentions"] for (q, _src), k in per_source.items() if q == quarter)  # every source's
    reach = _reach_at(figures, quarter)
    kpis = {p: per_source.get((quarter, p)) or empty_metrics() for p in monitored}
    compared = [p for p in monitored if platform_id(p) in reach]
    reach_sum = sum(reach[platform_id(p)][0] for p in compared)
    compared_mentions = sum(kpis[p]["mentions"] for p in compared)
    rows: dict[str, dict[str, Any]] = {}
    for p in monitored:
        k = kpis[p]
        value, reach_q, source = reach.get(platform_id(p), (None, None, None))
        reach_share = _ratio(value, reach_sum) if p in compared else None
        compared_share = _ratio(k["mentions"], compared_mentions) if p in compared else None
        rows[p] = {
            "quarter": quarter, "platform": p, "mentions": k["mentions"],
            "mention_share": _ratio(k["mentions"], total), "reach": value, "reach_quarter": reach_q,
            "reach_source": source, "reach_share": reach_share, "compared_share": compared_share,
            "representation": _ratio(compared_share, reach_share),
            "negative_share": _ratio(k["criticisms"], k["mentions"]), "response_rate": k["response_rate"],
            "median_response_hours": k["first_response_hours"]["median"],
        }
    return rows


def platform_comparison(con: duckdb.DuckDBPyConnection, *, reach_metric: str = DEFAULT_REACH_METRIC,
                        max_quarters: int = 8, platforms: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per quarter and monitored platform (see the module docstring), sorted by quarter
    and platform; shares and rates are 0..1, NaN where there is nothing to divide by."""
    monitored = sorted(set(platforms)) if platforms is not None else [r[0] for r in con.execute(
        "SELECT DISTINCT source FROM mentions WHERE NOT official ORDER BY source").fetchall()]
    quarters = sorted({quarter_of(d) for (d,) in con.execute(
        "SELECT DISTINCT date_trunc('quarter', published_at) FROM mentions WHERE NOT official").fetchall()})
    chosen = quarters[-max_quarters:] if max_quarters > 0 else []
    figures = _reach_figures(con, reach_metric)
    needed = sorted(set(chosen) | {previous_quarter(q) for q in chosen})
    per_source: dict[tuple[Any, ...], dict[str, Any]] = {}
    if needed:
        (per_source,) = grouped_metrics(con, quarter_bounds(needed[0])[0], quarter_bounds(needed[-1])[1],
                                        by=[("quarter", "source")])
    by_quarter = {q: _quarter_rows(q, monitored, figures, per_source) for q in needed}
    out = []
    for q in chosen:
        before = by_quarter[previous_quarter(q)]
        for p, row in by_quarter[q].items():
            for c in CHANGED:
                now, then = row[c], before[p][c]
                row[f"{c}_change"] = None if now is None or then is None else now - then
            out.append(row)
    df = pd.DataFrame(out, columns=COLUMNS)
    numeric = [c for c in COLUMNS if c not in ("quarter", "platform", "reach_quarter", "reach_source", "mentions")]
    df[numeric] = df[numeric].astype("float64")
    df["mentions"] = df["mentions"].astype("int64")
    return df
