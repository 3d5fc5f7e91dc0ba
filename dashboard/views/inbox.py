"""The criticism inbox: open criticism oldest first with SLA flags, answered criticism with delay and
quality; click a row (or pick it below) to read the whole thread and correct a sentiment label.
The SLA is the configured one, published with the snapshot; texts: `dashboard.inbox` in the catalogue."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard.common import LANG, t
from pipeline import i18n
from pipeline.charts import fmt_hours, fmt_pct, fmt_quality, outcome_name, sentiment_name
from pipeline.store import queries
from pipeline.store.inbox import LABELS, append_label_correction

ctx = common.context()
sla = f"{ctx.sla_hours:g}"
st.title(t("page.inbox"))
st.caption(t("inbox.caption", window=ctx.window_label, hours=sla))

c1, c2, c3 = st.columns(3)
status = c1.selectbox(t("inbox.filter.status"), [None, "open", "answered"], key="inbox_status",
                      format_func=lambda s: t(f"inbox.filter.{s or 'all'}"))
lang = c2.selectbox(t("inbox.filter.language"), [None, *common.q(queries.languages)], key="inbox_language",
                    format_func=lambda x: x or t("inbox.filter.all"))
aspect = c3.selectbox(t("inbox.filter.topic"), [None, *common.q(queries.all_aspects)], key="inbox_aspect",
                      format_func=lambda a: i18n.name("aspect", a, LANG) if a else t("inbox.filter.all"))

df: pd.DataFrame = common.q(queries.criticism_inbox, ctx.since, ctx.until, ctx.source, now=ctx.now,
                            status=status, language=lang, aspect=aspect)

n_open = int((df["status"] == "open").sum())
n_breach = int(((df["status"] == "open") & df["sla_breached"]).sum())
m1, m2, m3 = st.columns(3)
m1.metric(t("inbox.metric.open"), n_open, border=True)
m2.metric(t("inbox.metric.open_past_sla"), n_breach, border=True)
m3.metric(t("inbox.metric.answered"), int((df["status"] == "answered").sum()), border=True)


def _status(row: pd.Series) -> str:
    breached = "_past_sla" if row["sla_breached"] else ""
    return t(f"inbox.status.{row['status']}{breached}")


if df.empty:
    st.info(t("inbox.empty"))
    st.stop()

view = pd.DataFrame({
    t("inbox.col.status"): df.apply(_status, axis=1),
    t("inbox.col.waited"): [fmt_hours(a) if s == "open" else fmt_hours(d)
                            for s, a, d in zip(df["status"], df["age_hours"], df["delay_hours"], strict=True)],
    t("inbox.col.published"): pd.to_datetime(df["published_at"]).dt.strftime("%d.%m.%Y %H:%M"),
    t("inbox.col.source"): df["source"],
    t("inbox.col.author"): df["author"],
    t("inbox.col.language"): df["language"].fillna("–"),
    t("inbox.col.topic"): df["aspects"].map(
        lambda a: ", ".join(i18n.name("aspect", x, LANG) for x in a) if len(a) else "–"),
    t("inbox.col.text"): df["text"].map(common.snippet),
    t("inbox.col.quality"): df["quality"].map(fmt_quality),
    t("inbox.col.outcome"): df["outcome"].map(lambda o: outcome_name(o, LANG) if isinstance(o, str) else "–"),
})
event = st.dataframe(view, hide_index=True, width="stretch", on_select="rerun",
                     selection_mode="single-row", key="inbox_table")

ids = [int(i) for i in df["id"]]
labels = {int(r.id): f"#{int(r.id)} · {r.source} · {common.snippet(r.text, 70)}" for r in df.itertuples()}
selected_rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
if selected_rows and 0 <= selected_rows[0] < len(ids):
    st.session_state["inbox_thread"] = ids[selected_rows[0]]
if st.session_state.get("inbox_thread") not in ids:
    st.session_state["inbox_thread"] = ids[0]
mention_id = st.selectbox(t("inbox.show_thread"), ids, format_func=lambda i: labels[i], key="inbox_thread")

tv = common.q(queries.thread_view, int(mention_id))
if tv is None:
    st.warning(t("inbox.gone"))
    st.stop()

st.subheader(t("inbox.thread"))
resp = tv["response"]
thread: pd.DataFrame = tv["thread"]
for r in thread.itertuples():
    indent = "↳ " * int(r.depth)
    when = pd.Timestamp(r.published_at).strftime("%d.%m.%Y %H:%M")
    badges = []
    if r.official:
        badges.append(t("inbox.badge.official"))
    if r.is_first_response:
        badges.append(t("inbox.badge.first_response"))
    if r.is_target:
        badges.append(t("inbox.badge.target"))
    with st.container(border=True):
        st.markdown(f"{indent}**{common.md_escape(r.author)}** · {when} UTC"
                    + (" · " + " · ".join(badges) if badges else ""))
        st.markdown(common.md_escape(r.text))
        if isinstance(r.url, str) and r.url.startswith(("http://", "https://")):
            st.caption(r.url)

st.subheader(t("inbox.response"))
if resp is None or resp.get("response_id") is None:
    age = df.loc[df["id"] == mention_id, "age_hours"]
    st.warning(t("inbox.unanswered", waited=fmt_hours(age.iloc[0]) if len(age) else "–", hours=sla))
else:
    a, b, c, d = st.columns(4)
    a.metric(t("inbox.metric.first_response"), fmt_hours(resp["delay_hours"]), border=True)
    b.metric(t("inbox.metric.business_hours"), fmt_hours(resp["business_delay_hours"]), border=True)
    c.metric(t("inbox.metric.quality"), fmt_quality(resp["quality"]), border=True)
    d.metric(t("inbox.metric.outcome"), outcome_name(resp.get("outcome"), LANG), border=True)
    if resp.get("clock_anomaly"):
        st.info(t("inbox.clock_anomaly"))
    comps: pd.DataFrame = tv["components"]
    if not comps.empty:
        st.markdown(t("inbox.quality_explained"))
        comps = comps.assign(explanation=comps["component"].map(
            lambda c: i18n.t(f"quality.component.{c}", LANG) if i18n.has(f"quality.component.{c}") else ""))
        st.dataframe(comps.rename(columns=lambda col: t(f"inbox.component.{col}")), hide_index=True, width="stretch")

st.subheader(t("inbox.correct.title"))
mention = tv["mention"]
current = mention.get("sentiment")
p_negative = df.loc[df["id"] == mention_id, "p_negative"]
st.caption(t("inbox.correct.model_says", label=sentiment_name(current, LANG))
           + (t("inbox.correct.p_negative", p=fmt_pct(p_negative.iloc[0])) if len(p_negative) else ""))
f1, f2 = st.columns(2)
new_label = f1.selectbox(t("inbox.correct.label"), list(LABELS), format_func=lambda s: sentiment_name(s, LANG),
                         key=f"label_{mention_id}")
who = f2.text_input(t("inbox.correct.who"), key="corrected_by")
if st.button(t("inbox.correct.save"), key=f"save_label_{mention_id}"):
    append_label_correction(ctx.data_dir, int(mention_id), str(mention["text"]), new_label,
                            corrected_by=who.strip() or None)
    st.success(t("inbox.correct.saved"))
