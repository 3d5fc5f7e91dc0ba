"""Svar: how fast and how well the company answers criticism, reused replies, outcomes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from pipeline import charts
from pipeline.charts import fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.store import queries

ctx = common.context()
st.title("Svar")
st.caption(ctx.window_label)

k = common.q(queries.kpis, ctx.since, ctx.until, ctx.source)
answered: pd.DataFrame = common.q(queries.responded_criticisms, ctx.since, ctx.until, ctx.source)
within = None if answered.empty else float((~answered["sla_breached"].fillna(False).astype(bool)).mean())
c = st.columns(4)
c[0].metric("Besvart kritikk", fmt_int(k["criticisms_responded"]), border=True)
c[1].metric("Median første svar", fmt_hours(k["first_response_hours"]["median"]), border=True)
c[2].metric(f"Besvart innen SLA ({ctx.sla_hours:g} t)", fmt_pct(within), border=True)
c[3].metric("Snitt svarkvalitet", fmt_quality(k["quality_mean"]), border=True)

left, right = st.columns(2)
with left:
    st.altair_chart(charts.band_chart(
        common.q(queries.delay_distribution, ctx.since, ctx.until, ctx.source), "band", "answered",
        title="Tid til første svar", x_title="Svartid (døgnklokke)"), width="stretch")
with right:
    st.altair_chart(charts.band_chart(
        common.q(queries.quality_distribution, ctx.since, ctx.until, ctx.source), "band", "answered",
        title="Svarkvalitet", x_title="Kvalitet (0–100)", colour=charts.GREEN), width="stretch")

st.altair_chart(charts.outcome_chart(common.q(queries.outcomes, ctx.since, ctx.until, ctx.source)), width="stretch")
st.caption("Løst: kritikeren skrev igjen og var tydelig mindre negativ. Ikke løst: like negativ. "
           "Ingen oppfølging: kritikeren skrev ikke igjen i tråden.")

st.subheader("Standardsvar")
tpl: pd.DataFrame = common.q(queries.template_replies, ctx.since, ctx.until, ctx.source)
if tpl.empty:
    st.success("Ingen svartekster er brukt mer enn én gang i perioden.")
else:
    st.caption("Samme svartekst brukt flere ganger. Standardsvar gir lavere kvalitetspoeng.")
    st.dataframe(pd.DataFrame({
        "Svartekst": tpl["text"].map(lambda t: common.snippet(t, 200)),
        "Brukt (ganger)": tpl["uses"],
        "Kilder": tpl["sources"],
        "Sist brukt (UTC)": pd.to_datetime(tpl["last_used"]).dt.strftime("%d.%m.%Y %H:%M"),
    }), hide_index=True, width="stretch")
