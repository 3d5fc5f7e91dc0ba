"""Overview: the SPEC §4 KPIs for the window against the period before (from compute_metrics, so the
same numbers as `rykte metrics --json`), the trend of the last 12 weeks whatever the window, how
sentiment and criticism split by source and language, and whether the sources are fresh."""

from __future__ import annotations

import streamlit as st

from dashboard import common
from dashboard.common import t
from pipeline import charts
from pipeline.store import queries

ctx = common.context()
lang = common.lang()
k, prev = common.q(queries.kpis_with_previous, ctx.since, ctx.until, ctx.source)

st.title(t("page.overview"))
st.caption(t("overview.caption", window=ctx.window_label))


def _delta(cur: float | None, old: float | None, fmt: str) -> str | None:
    """The change against the previous period in the tile's own unit ("+3", "+1,2 pp", "−2,0 t")."""
    if cur is None or old is None:
        return None
    d = float(cur) - float(old)
    if d == 0:
        return "0"
    sign = "+" if d > 0 else "-"
    if fmt == "int":
        return sign + charts.fmt_int(abs(d), lang)
    if fmt == "pp":
        return f"{sign}{charts.fmt_quality(abs(d) * 100, lang)} pp"
    if fmt == "hours":
        return sign + charts.fmt_hours(abs(d), lang=lang)
    return sign + charts.fmt_quality(abs(d), lang)


if k["mentions"] == 0 and prev["mentions"] == 0:
    st.info(t("overview.empty"))

row1 = st.columns(4)
row1[0].metric(t("overview.mentions"), common.num(k["mentions"]), _delta(k["mentions"], prev["mentions"], "int"),
               delta_color="off", help=t("overview.mentions_help"), border=True)
row1[1].metric(t("overview.criticisms"), common.num(k["criticisms"]),
               _delta(k["criticisms"], prev["criticisms"], "int"),
               delta_color="inverse", border=True, help=t("overview.criticisms_help"))
row1[2].metric(t("overview.response_rate"), common.pct(k["response_rate"]),
               _delta(k["response_rate"], prev["response_rate"], "pp"), border=True,
               help=t("overview.response_rate_help", answered=common.num(k["criticisms_responded"]),
                      total=common.num(k["criticisms"])))
row1[3].metric(t("overview.quality_mean"), common.quality(k["quality_mean"]),
               _delta(k["quality_mean"], prev["quality_mean"], "q"), border=True,
               help=t("overview.quality_mean_help"))
row2 = st.columns(4)
fr, fr_prev = k["first_response_hours"], prev["first_response_hours"]
row2[0].metric(t("overview.median_first"), common.hours(fr["median"]), _delta(fr["median"], fr_prev["median"], "hours"),
               delta_color="inverse", border=True, help=t("overview.median_first_help"))
row2[1].metric(t("overview.p90_first"), common.hours(fr["p90"]), _delta(fr["p90"], fr_prev["p90"], "hours"),
               delta_color="inverse", border=True, help=t("overview.p90_first_help"))
row2[2].metric(t("overview.answered"), common.num(k["criticisms_responded"]),
               _delta(k["criticisms_responded"], prev["criticisms_responded"], "int"), border=True)
row2[3].metric(t("overview.clock_anomalies"), common.num(k["clock_anomalies"]), delta_color="off", border=True,
               help=t("overview.clock_anomalies_help"))

# The trend: always the last 12 ISO weeks up to today, whatever window the sidebar shows.
trend = common.q(queries.weekly_trend, *queries.trend_window(ctx.now.date()), ctx.source)
st.altair_chart(charts.weekly_trend_chart(trend, title=t("overview.trend_title", weeks=queries.TREND_WEEKS),
                                          lang=lang),
                width="stretch")

left, right = st.columns([3, 2])
with left:
    st.subheader(t("overview.per_source"))
    table = common.q(queries.by_source, ctx.since, ctx.until, ctx.source)
    if table.empty:
        st.info(t("overview.no_sources"))
    else:
        st.dataframe({
            t("overview.col.source"): table["source"].map(common.source_name),
            t("overview.col.mentions"): table["mentions"].map(common.num),
            t("overview.col.criticisms"): table["criticisms"].map(common.num),
            t("overview.col.criticisms_responded"): table["criticisms_responded"].map(common.num),
            t("overview.col.response_rate"): table["response_rate"].map(common.pct),
            t("overview.col.median_first_response"): table["median_first_response_hours"].map(common.hours),
            t("overview.col.quality_mean"): table["quality_mean"].map(common.quality),
        }, hide_index=True, width="stretch")
with right:
    st.altair_chart(charts.sentiment_language_chart(
        common.q(queries.sentiment_by_language, ctx.since, ctx.until, ctx.source), lang=lang), width="stretch")

left, right = st.columns([2, 3])
left.altair_chart(charts.sentiment_source_chart(
    common.q(queries.sentiment_by_source, ctx.since, ctx.until, ctx.source), lang=lang), width="stretch")
right.altair_chart(charts.aspects_chart(common.q(queries.criticism_aspects, ctx.since, ctx.until, ctx.source),
                                        lang=lang), width="stretch")

st.subheader(t("overview.freshness"))
health = common.q(queries.source_health, now=ctx.now)
if health.empty:
    st.info(t("overview.freshness_none"))
else:
    enabled = health[health["enabled"].astype(bool)]
    bad = enabled[enabled["freshness"].isin(["stale", "failing", "never"])]
    if bad.empty:
        st.success(t("overview.freshness_ok", n=len(enabled)))
    else:
        st.warning(t("overview.freshness_bad", n=len(bad), total=len(enabled),
                     names=", ".join(str(s) for s in bad["source_name"])))
st.page_link("views/sources.py", label=t("overview.to_sources"), icon="🛰️")
