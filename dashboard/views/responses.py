"""Responses: how fast and how well the company answers criticism, reused replies, outcomes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard.common import t
from pipeline import charts
from pipeline.store import queries

ctx = common.context()
lang = common.lang()
st.title(t("page.responses"))
st.caption(ctx.window_label)

k = common.q(queries.kpis, ctx.since, ctx.until, ctx.source)
answered: pd.DataFrame = common.q(queries.responded_criticisms, ctx.since, ctx.until, ctx.source)
within = None if answered.empty else float((~answered["sla_breached"].fillna(False).astype(bool)).mean())
c = st.columns(4)
c[0].metric(t("responses.answered"), common.num(k["criticisms_responded"]), border=True)
c[1].metric(t("responses.median_first"), common.hours(k["first_response_hours"]["median"]), border=True)
c[2].metric(t("responses.within_sla", hours=common.sla_text(ctx.sla_hours)), common.pct(within), border=True)
c[3].metric(t("responses.quality_mean"), common.quality(k["quality_mean"]), border=True)



def _delay_bands(df: pd.DataFrame) -> pd.DataFrame:
    """The query's delay bands (in the order of `queries.DELAY_BINS`) in the reader's words."""
    return df.assign(band=[t(f"responses.delay_band.b{i}") for i in range(len(df))])


left, right = st.columns(2)
with left:
    st.altair_chart(charts.band_chart(
        _delay_bands(common.q(queries.delay_distribution, ctx.since, ctx.until, ctx.source)), "band", "answered",
        title=t("responses.delay_title"), x_title=t("responses.delay_axis"), lang=lang), width="stretch")
with right:
    st.altair_chart(charts.band_chart(
        common.q(queries.quality_distribution, ctx.since, ctx.until, ctx.source), "band", "answered",
        title=t("responses.quality_title"), x_title=t("responses.quality_axis"), colour=charts.GREEN,
        lang=lang), width="stretch")

st.altair_chart(charts.outcome_chart(common.q(queries.outcomes, ctx.since, ctx.until, ctx.source),
                                    lang=lang), width="stretch")
st.caption(t("responses.outcomes_explained"))



def _sources(value: object) -> str:
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return ", ".join(common.source_name(str(v).strip()) for v in items if str(v).strip())


st.subheader(t("responses.templates"))
tpl: pd.DataFrame = common.q(queries.template_replies, ctx.since, ctx.until, ctx.source)
if tpl.empty:
    st.success(t("responses.no_templates"))
else:
    st.caption(t("responses.templates_explained"))
    st.dataframe(pd.DataFrame({
        t("responses.col.text"): tpl["text"].map(lambda text: common.snippet(text, 200)),
        t("responses.col.uses"): tpl["uses"].map(common.num),
        t("responses.col.sources"): tpl["sources"].map(_sources),
        t("responses.col.last_used"): common.when_column(tpl["last_used"]),
    }), hide_index=True, width="stretch")
