"""The quarterly comparison up to a date: the weekly report's "quarter to date".

Why apart from `quarterly.platform_comparison`: that compares whole quarters as stored, so a report
for a past week would change as later weeks of its quarter arrive. The report shows the quarter
from its first day up to the end of the report's week. The reach side (the latest published figure
at or before the quarter, normalised over the compared platforms) does not depend on the window,
so it is taken from `platform_comparison` as it is; only the mention side is computed again for the
shorter window, with `compute_metrics` (the one implementation of the KPIs) and the same formulas:
`compared_share` = the platform's share of the mentions on the compared platforms, and
`representation` = compared_share / reach_share.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from pipeline.store.metrics import compute_metrics
from pipeline.store.queries.common import quarter_bounds
from pipeline.store.queries.quarterly import COLUMNS, platform_comparison

TO_DATE_COLUMNS = ["quarter", "platform", "mentions", "mention_share", "reach", "reach_quarter", "reach_source",
                   "reach_share", "compared_share", "representation", "negative_share", "response_rate",
                   "median_response_hours"]


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def quarter_to_date(con: duckdb.DuckDBPyConnection, quarter: str, until: date) -> pd.DataFrame:
    """One row per monitored platform for `quarter` from its first day up to `until` (exclusive),
    with the columns of `platform_comparison` (without the changes); empty when the store has no
    mentions in that quarter."""
    start, end = quarter_bounds(quarter)
    until = min(until, end)
    whole = platform_comparison(con)
    whole = whole[whole["quarter"] == quarter]
    if whole.empty:
        return pd.DataFrame(columns=TO_DATE_COLUMNS)
    kpis = {p: compute_metrics(con, start, until, p) for p in whole["platform"]}
    total = compute_metrics(con, start, until)["mentions"]
    compared = [p for p, share in zip(whole["platform"], whole["reach_share"], strict=True) if not pd.isna(share)]
    compared_mentions = sum(kpis[p]["mentions"] for p in compared)
    rows = []
    for r in whole.to_dict("records"):
        k = kpis[r["platform"]]
        reach_share = None if pd.isna(r["reach_share"]) else float(r["reach_share"])
        compared_share = _ratio(k["mentions"], compared_mentions) if r["platform"] in compared else None
        rows.append({**{c: r[c] for c in ("quarter", "platform", "reach", "reach_quarter", "reach_source")},
                     "mentions": k["mentions"], "mention_share": _ratio(k["mentions"], total),
                     "reach_share": reach_share, "compared_share": compared_share,
                     "representation": _ratio(compared_share, reach_share),
                     "negative_share": _ratio(k["criticisms"], k["mentions"]), "response_rate": k["response_rate"],
                     "median_response_hours": k["first_response_hours"]["median"]})
    df = pd.DataFrame(rows, columns=TO_DATE_COLUMNS)
    numeric = [c for c in TO_DATE_COLUMNS if c in COLUMNS and c not in
               ("quarter", "platform", "reach_quarter", "reach_source", "mentions")]
    df[numeric] = df[numeric].astype("float64")
    return df
