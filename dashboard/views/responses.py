"""Responses: how fast and how well the company answers criticism, reused replies, outcomes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common, panels
from dashboard.common import t
from pipeline import charts, i18n
from pipeline.store import queries
from pipeline.store.queries import desk

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

# Week by week, the last 12 ISO weeks whatever the window (the overview's trend query: the same KPI code).
weekly = common.q(queries.weekly_trend, *queries.trend_window(ctx.now.date()), ctx.source)
st.altair_chart(charts.response_time_trend_chart(
    weekly, title=t("responses.weekly_title", weeks=queries.TREND_WEEKS), lang=lang), width="stretch")
st.caption(t("responses.weekly_explained", weeks=queries.TREND_WEEKS))

st.altair_chart(charts.outcome_chart(common.q(queries.outcomes, ctx.since, ctx.until, ctx.source),
                                    lang=lang), width="stretch")
st.caption(t("responses.outcomes_explained"))



st.subheader(t("responses.by_source"))
per_source = common.q(queries.by_source, ctx.since, ctx.until, ctx.source)
if answered.empty:
    st.info(t("responses.none_answered"))
else:
    within_by_source = (~answered["sla_breached"].fillna(False).astype(bool)).groupby(answered["source"]).mean()
    st.dataframe({
        t("responses.col.source"): per_source["source"].map(common.source_name),
        t("responses.col.answered"): per_source["criticisms_responded"].map(common.num),
        t("responses.col.response_rate"): per_source["response_rate"].map(common.pct),
        t("responses.col.median_first"): per_source["median_first_response_hours"].map(common.hours),
        t("responses.col.within_sla"): per_source["source"].map(
            lambda s: common.pct(within_by_source.get(s)) if s in within_by_source else "–"),
        t("responses.col.quality"): per_source["quality_mean"].map(common.quality),
    }, hide_index=True, width="stretch")

    st.subheader(t("responses.best_worst"))
    st.caption(t("responses.best_worst_explained"))
    scored = answered[answered["quality"].notna()].sort_values(["quality", "id"])
    picks = [("best", r) for r in scored.iloc[::-1].head(3).itertuples()] + [
        ("worst", r) for r in scored.head(3).itertuples() if r.id not in set(scored.iloc[::-1].head(3)["id"])]
    for kind, r in picks:
        tv = common.q(queries.thread_view, int(r.id))
        if tv is None:
            continue
        thread = tv["thread"]
        reply = thread[thread["is_first_response"]]
        with st.expander(t(f"responses.{kind}", quality=common.quality(r.quality), source=common.source_name(r.source),
                           text=common.snippet(tv["mention"]["text"], 80))):
            st.markdown(t("responses.criticism_said", text=common.md_escape(tv["mention"]["text"])))
            if not reply.empty:
                st.markdown(t("responses.reply_said", text=common.md_escape(reply["text"].iloc[0])))
            panels.quality_components(tv["components"])


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


# the reply desk's own figures (pipeline.store.queries.desk; the same numbers as the weekly report's)
st.subheader(t("responses.desk.title"))
figures = common.q(desk.desk_figures, ctx.since, ctx.until, ctx.source)
if not figures["drafts"]:
    st.info(t("responses.desk.none"))
else:
    st.caption(t("responses.desk.caption"))
    d = st.columns(4)
    d[0].metric(t("responses.desk.drafts"), common.num(figures["drafts"]), border=True)
    d[1].metric(t("responses.desk.to_draft"), common.hours(figures["hours_to_draft"]), border=True)
    d[2].metric(t("responses.desk.to_approval"), common.hours(figures["hours_to_approval"]), border=True)
    d[3].metric(t("responses.desk.to_posting"), common.hours(figures["hours_to_posting"]), border=True)
    qd, qo = st.columns(2)
    qd.metric(t("responses.desk.quality_desk", n=common.num(figures["replies_desk"])),
              common.quality(figures["quality_desk"]), border=True)
    qo.metric(t("responses.desk.quality_outside", n=common.num(figures["replies_outside"])),
              common.quality(figures["quality_outside"]), border=True)
    st.caption(t("responses.desk.by_state", states=", ".join(
        f"{i18n.t(f'replydesk.state.{state}', lang)} {common.num(n)}" for state, n in sorted(figures["by_state"].items()))))
