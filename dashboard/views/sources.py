"""Sources: the health of each configured source (last crawl, items, errors, freshness).

Freshness is `pipeline.store.freshness`'s rule, over the limits the writer published from the
config, so this page and `rykte status` always agree. Texts: `dashboard.sources` in the catalogue.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import channels, common
from pipeline import i18n
from pipeline.store import queries


def t(key: str) -> str:
    return common.t(f"sources.{key}")


def freshness_label(state: str, enabled: bool) -> str:
    return t(f"freshness.{state}" if enabled else "freshness.off")


def status_label(status: object) -> str:
    if not isinstance(status, str) or not status:
        return "–"  # never run
    return t(f"status.{status}") if i18n.has(f"dashboard.sources.status.{status}") else status


def _samples(value: object) -> str:
    """Error examples as one line ("–" for none)."""
    if isinstance(value, str):
        return value or "–"
    if hasattr(value, "tolist"):  # a numpy array from DuckDB's list column
        value = value.tolist()
    items = [str(v) for v in value] if isinstance(value, list | tuple) else []
    return " · ".join(items) if items else "–"


ctx = common.context()
st.title(t("title"))
st.caption(t("caption"))

health: pd.DataFrame = common.q(queries.source_health, now=ctx.now)
if health.empty:
    st.info(t("empty"))
else:
    a, b, c = st.columns(3)
    a.metric(t("metric.sources"), len(health), border=True)
    b.metric(t("metric.stale_or_failing"), int(health["freshness"].isin(["stale", "failing"]).sum()), border=True)
    c.metric(t("metric.last_errors"), int(health["last_errors"].sum()), border=True)
    st.dataframe(pd.DataFrame({
        t("col.source"): health["source_name"],
        t("col.freshness"): [freshness_label(f, bool(on)) for f, on in
                             zip(health["freshness"], health["enabled"], strict=True)],
        t("col.last_run"): common.when_column(health["last_started"]),
        t("col.status"): health["last_status"].map(status_label),
        t("col.items"): health["last_items"].map(common.num),
        t("col.new"): health["last_new_items"].map(common.num),
        t("col.errors"): health["last_errors"].map(common.num),
        t("col.since_success"): health["hours_since_success"].map(common.duration),
        t("col.limit"): health["stale_limit_hours"].map(common.duration),
        t("col.failed_in_row"): health["failed_in_row"].map(common.num),
        t("col.runs"): health["runs"].map(common.num),
        t("col.runs_failed"): health["runs_failed"].map(common.num),
        t("col.error_samples"): health["error_samples"].map(_samples),
    }), hide_index=True, width="stretch")
    st.caption(t("rule"))

st.subheader(t("per_source"))
st.caption(ctx.window_label)
src = common.q(queries.by_source, ctx.since, ctx.until, ctx.source)
st.dataframe(pd.DataFrame({
    t("col.source"): src["source"].map(common.source_name), t("col.mentions"): src["mentions"].map(common.num),
    t("col.criticisms"): src["criticisms"].map(common.num),
    t("col.answered"): src["criticisms_responded"].map(common.num), t("col.response_rate"): src["response_rate"].map(common.pct),
}), hide_index=True, width="stretch")

channels.show()  # the alert channels' delivery health (dashboard/channels.py)
