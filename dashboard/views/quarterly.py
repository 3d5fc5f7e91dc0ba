"""Quarters: our KPIs per quarter, and each platform's share of our mentions against its share of the
reach in the imported social-media statistics (`queries.quarterly.platform_comparison`, drawn by
`pipeline.charts_quarterly`, the same as `rykte stats` and the report use)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard.common import t
from pipeline import charts, charts_quarterly, i18n
from pipeline.store import queries
from pipeline.store.queries.quarterly import platform_comparison

ctx = common.context()
lang = common.lang()
st.title(t("page.quarterly"))
st.caption(t("quarterly.caption", source=common.source_name(ctx.source) if ctx.source else t("window.all_sources")))

comp: pd.DataFrame = common.q(queries.quarterly_comparison, ctx.source)
if comp.empty:
    st.info(t("quarterly.empty"))
    st.stop()

OURS = {"mentions": common.num, "criticisms": common.num, "response_rate": common.pct,
        "median_first_response_hours": common.hours, "quality_mean": common.quality}
st.dataframe({t("quarterly.col.quarter"): comp["quarter"],
              **{t(f"quarterly.col.{c}"): comp[c].map(fmt) for c, fmt in OURS.items()}},
             hide_index=True, width="stretch")
st.altair_chart(charts.quarterly_chart(comp, lang=lang), width="stretch")

st.subheader(i18n.t("quarterly.title", lang))
platforms: pd.DataFrame = common.q(platform_comparison)
if platforms.empty or platforms["reach_share"].isna().all():
    st.info(t("quarterly.no_stats"))
    st.stop()
left, right = st.columns(2)
left.altair_chart(charts_quarterly.share_chart(platforms, lang=lang), width="stretch")
right.altair_chart(charts_quarterly.representation_chart(platforms, lang=lang), width="stretch")

SHARES = ("mention_share", "reach_share", "compared_share", "negative_share", "response_rate")
shown = pd.DataFrame({"quarter": platforms["quarter"], "platform": platforms["platform"],
                      "mentions": platforms["mentions"].map(common.num),
                      **{c: platforms[c].map(lambda v: None if pd.isna(v) else v).map(common.pct) for c in SHARES},
                      "representation": platforms["representation"].map(
                          lambda v: "–" if pd.isna(v) else i18n.fmt_number(float(v), lang, 2)),
                      "median_response_hours": platforms["median_response_hours"].map(
                          lambda v: common.hours(None if pd.isna(v) else float(v)))})
st.dataframe(charts_quarterly.comparison_table(shown, lang), hide_index=True, width="stretch")
st.download_button(t("quarterly.download"), charts_quarterly.comparison_csv(platforms, lang),
                   file_name=f"rykte-quarters-{lang}.csv", mime="text/csv", key="quarterly_csv")
