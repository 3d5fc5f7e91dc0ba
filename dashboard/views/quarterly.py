"""Quarters: our KPIs per quarter beside the imported social-media statistics."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard.common import t
from pipeline import charts
from pipeline.charts import fmt_hours, fmt_pct, fmt_quality
from pipeline.store import queries

ctx = common.context()
st.title(t("page.quarterly"))
st.caption(t("quarterly.caption", source=ctx.source or t("window.all_sources")))

comp: pd.DataFrame = common.q(queries.quarterly_comparison, ctx.source)
stats: pd.DataFrame = common.q(queries.quarterly_stats)
if comp.empty:
    st.info(t("quarterly.empty"))
    st.stop()

FORMATS = {"response_rate": fmt_pct, "median_first_response_hours": fmt_hours, "quality_mean": fmt_quality}
table = comp.copy()
for column, fmt in FORMATS.items():
    table[column] = table[column].map(fmt)
names = {c: t(f"quarterly.col.{c}") for c in ("quarter", "mentions", "criticisms", *FORMATS)}
st.dataframe(table.rename(columns=names), hide_index=True, width="stretch")

st.altair_chart(charts.quarterly_chart(comp, lang=common.LANG), width="stretch")
if stats.empty:
    st.info(t("quarterly.no_stats"))
else:
    st.altair_chart(charts.stats_chart(stats, lang=common.LANG), width="stretch")
