"""Kvartal: our KPIs per quarter beside the imported social-media statistics."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from pipeline import charts
from pipeline.charts import fmt_hours, fmt_pct, fmt_quality
from pipeline.store import queries

ctx = common.context()
st.title("Kvartal")
st.caption(f"Hele kvartaler · {ctx.source or 'alle kilder'}")

comp: pd.DataFrame = common.q(queries.quarterly_comparison, ctx.source)
stats: pd.DataFrame = common.q(queries.quarterly_stats)
if comp.empty:
    st.info("Ingen data per kvartal ennå.")
    st.stop()

ours = {"quarter": "Kvartal", "mentions": "Omtaler", "criticisms": "Kritikk", "response_rate": "Svarrate",
        "median_first_response_hours": "Median første svar", "quality_mean": "Snitt kvalitet"}
table = comp.rename(columns=ours)
table["Svarrate"] = table["Svarrate"].map(fmt_pct)
table["Median første svar"] = table["Median første svar"].map(fmt_hours)
table["Snitt kvalitet"] = table["Snitt kvalitet"].map(fmt_quality)
st.dataframe(table, hide_index=True, width="stretch")

st.altair_chart(charts.quarterly_chart(comp), width="stretch")
if stats.empty:
    st.info("Ingen statistikk fra sosiale medier er importert. Importer en CSV- eller Excel-fil med "
            "`rykte stats import FIL` (kolonner: quarter, platform, metric, value).")
else:
    st.altair_chart(charts.stats_chart(stats), width="stretch")
