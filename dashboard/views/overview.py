"""Overview: the SPEC §4 KPIs for the window (from compute_metrics), the weekly trend, sources."""

from __future__ import annotations

import streamlit as st

from dashboard import common
from dashboard.common import t
from pipeline import charts
from pipeline.charts import fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.store import queries

ctx = common.context()
k, prev = common.q(queries.kpis_with_previous, ctx.since, ctx.until, ctx.source)

st.title(t("page.overview"))
st.caption(t("overview.caption", window=ctx.window_label))


def _delta_int(cur: int | None, old: int | None) -> str | None:
    if cur is None or old is None:
        return None
    d = cur - old
    return f"{d:+d}" if d else "0"


def _delta_pp(cur: float | None, old: float | None) -> str | None:
    if cur is None or old is None:
        return None
    return f"{(cur - old) * 100:+.1f} pp".replace(".", ",")


def _delta_h(cur: float | None, old: float | None) -> str | None:
    if cur is None or old is None:
        return None
    return f"{cur - old:+.1f} t".replace(".", ",")


def _delta_q(cur: float | None, old: float | None) -> str | None:
    if cur is None or old is None:
        return None
    return f"{cur - old:+.1f}".replace(".", ",")


row1 = st.columns(4)
row1[0].metric(t("overview.mentions"), fmt_int(k["mentions"]), _delta_int(k["mentions"], prev["mentions"]),
               delta_color="off", help=t("overview.mentions_help"), border=True)
row1[1].metric(t("overview.criticisms"), fmt_int(k["criticisms"]), _delta_int(k["criticisms"], prev["criticisms"]),
               delta_color="inverse", border=True, help=t("overview.criticisms_help"))
row1[2].metric(t("overview.response_rate"), fmt_pct(k["response_rate"]),
               _delta_pp(k["response_rate"], prev["response_rate"]), border=True,
               help=t("overview.response_rate_help", answered=k["criticisms_responded"], total=k["criticisms"]))
row1[3].metric(t("overview.quality_mean"), fmt_quality(k["quality_mean"]),
               _delta_q(k["quality_mean"], prev["quality_mean"]), border=True, help=t("overview.quality_mean_help"))
row2 = st.columns(4)
fr, fr_prev = k["first_response_hours"], prev["first_response_hours"]
row2[0].metric(t("overview.median_first"), fmt_hours(fr["median"]), _delta_h(fr["median"], fr_prev["median"]),
               delta_color="inverse", border=True, help=t("overview.median_first_help"))
row2[1].metric(t("overview.p90_first"), fmt_hours(fr["p90"]), _delta_h(fr["p90"], fr_prev["p90"]),
               delta_color="inverse", border=True, help=t("overview.p90_first_help"))
row2[2].metric(t("overview.answered"), fmt_int(k["criticisms_responded"]),
               _delta_int(k["criticisms_responded"], prev["criticisms_responded"]), border=True)
row2[3].metric(t("overview.clock_anomalies"), fmt_int(k["clock_anomalies"]), delta_color="off", border=True,
               help=t("overview.clock_anomalies_help"))

trend = common.q(queries.weekly_trend, ctx.since, ctx.until, ctx.source)
st.altair_chart(charts.weekly_trend_chart(trend, lang=common.LANG), width="stretch")

left, right = st.columns([3, 2])
with left:
    st.subheader(t("overview.per_source"))
    table = common.q(queries.by_source, ctx.since, ctx.until, ctx.source).copy()
    for column, fmt in {"response_rate": fmt_pct, "median_first_response_hours": fmt_hours,
                        "quality_mean": fmt_quality}.items():
        table[column] = table[column].map(fmt)
    st.dataframe(table.rename(columns=lambda c: t(f"overview.col.{c}")), hide_index=True, width="stretch")
with right:
    st.altair_chart(charts.sentiment_language_chart(
        common.q(queries.sentiment_by_language, ctx.since, ctx.until, ctx.source), lang=common.LANG), width="stretch")

st.altair_chart(charts.aspects_chart(common.q(queries.criticism_aspects, ctx.since, ctx.until, ctx.source),
                                     lang=common.LANG), width="stretch")
