"""Responses: how fast and how well the company answers criticism, reused replies, outcomes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard.common import t
from pipeline import charts
from pipeline.charts import fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.store import queries

ctx = common.context()
st.title(t("page.responses"))
st.caption(ctx.window_label)

k = common.q(queries.kpis, ctx.since, ctx.until, ctx.source)
answered: pd.DataFrame = common.q(queries.responded_criticisms, ctx.since, ctx.until, ctx.source)
within = None if answered.empty else float((~answered["sla_breached"].fillna(False).astype(bool)).mean())
c = st.columns(4)
c[0].metric(t("responses.answered"), fmt_int(k["criticisms_responded"]), border=True)
c[1].metric(t("responses.median_first"), fmt_hours(k["first_response_hours"]["median"]), border=True)
c[2].metric(t("responses.within_sla", hours=f"{ctx.sla_hours:g}"), fmt_pct(within), border=True)
c[3].metric(t("responses.quality_mean"), fmt_quality(k["quality_mean"]), border=True)

left, right = st.columns(2)
with left:
    st.altair_chart(charts.band_chart(
        common.q(queries.delay_distribution, ctx.since, ctx.until, ctx.source), "band", "answered",
        title=t("responses.delay_title"), x_title=t("responses.delay_axis"), lang=common.LANG), width="stretch")
with right:
    st.altair_chart(charts.band_chart(
        common.q(queries.quality_distribution, ctx.since, ctx.until, ctx.source), "band", "answered",
        title=t("responses.quality_title"), x_title=t("responses.quality_axis"), colour=charts.GREEN,
        lang=common.LANG), width="stretch")

st.altair_chart(charts.outcome_chart(common.q(queries.outcomes, ctx.since, ctx.until, ctx.source),
                                    lang=common.LANG), width="stretch")
st.caption(t("responses.outcomes_explained"))

st.subheader(t("responses.templates"))
tpl: pd.DataFrame = common.q(queries.template_replies, ctx.since, ctx.until, ctx.source)
if tpl.empty:
    st.success(t("responses.no_templates"))
else:
    st.caption(t("responses.templates_explained"))
    st.dataframe(pd.DataFrame({
        t("responses.col.text"): tpl["text"].map(lambda text: common.snippet(text, 200)),
        t("responses.col.uses"): tpl["uses"],
        t("responses.col.sources"): tpl["sources"],
        t("responses.col.last_used"): pd.to_datetime(tpl["last_used"]).dt.strftime("%d.%m.%Y %H:%M"),
    }), hide_index=True, width="stretch")
