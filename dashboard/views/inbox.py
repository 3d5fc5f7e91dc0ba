"""The criticism inbox: criticism waiting for an answer, least time left to the SLA deadline first,
then the criticism handled elsewhere and the answered criticism. Open one to read the whole thread,
follow the link to the original, mark it handled elsewhere (with a reason), assign it to a colleague,
add a note or correct its sentiment label; every action goes through the writer's inbox
(`pipeline.store.inbox`) and is shown with who did it and when. The SLA is the configured one,
published with the snapshot; texts: `dashboard.inbox` in the catalogue."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, common, panels
from dashboard.common import t
from pipeline import i18n
from pipeline.charts import outcome_name
from pipeline.store import queries
from pipeline.store.inbox import pending_actions

STATES = ("waiting", "handled", "answered")
SHOWN = 200

ctx = common.context()
lang = common.lang()
st.title(t("page.inbox"))
st.caption(t("inbox.caption", window=ctx.window_label, hours=common.sla_text(ctx.sla_hours)))

c1, c2, c3, c4 = st.columns(4)
state_filter = common.select(c1, t("inbox.filter.status"), [*STATES, "all"], "inbox_status",
                             lambda s: t(f"inbox.filter.{s}"))
language = common.select(c2, t("inbox.filter.language"), [None, *common.q(queries.languages)], "inbox_language",
                         lambda x: common.language_name(x) if x else t("inbox.filter.all"))
aspect = common.select(c3, t("inbox.filter.topic"), [None, *common.q(queries.all_aspects)], "inbox_aspect",
                       lambda a: i18n.name("aspect", a, lang) if a else t("inbox.filter.all"))

actions = queries.merge_actions(common.q(queries.inbox_actions), pending_actions(ctx.data_dir))
state = queries.action_state(actions).set_index("mention_id")
assignees = sorted({str(a) for a in state["assignee"].dropna()})
assignee = common.select(c4, t("inbox.filter.assignee"), [None, *assignees], "inbox_assignee",
                         lambda a: a or t("inbox.filter.anyone"))

df: pd.DataFrame = common.q(queries.criticism_inbox, ctx.since, ctx.until, ctx.source, now=ctx.now,
                            language=language, aspect=aspect)
handled = df["id"].isin(state.index[state["handled"].astype(bool)])
df = df.assign(state=["answered" if s == "answered" else "handled" if h else "waiting"
                      for s, h in zip(df["status"], handled, strict=True)],
               assignee=df["id"].map(state["assignee"]) if len(df) else pd.Series(dtype=object))
waiting = df[df["state"] == "waiting"]
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("inbox.metric.waiting"), common.num(len(waiting)), border=True)
m2.metric(t("inbox.metric.overdue"), common.num(int((waiting["hours_left"] < 0).sum())), border=True)
m3.metric(t("inbox.metric.handled"), common.num(int((df["state"] == "handled").sum())), border=True)
m4.metric(t("inbox.metric.answered"), common.num(int((df["state"] == "answered").sum())), border=True)

if state_filter in STATES:
    df = df[df["state"] == state_filter]
if assignee:
    df = df[df["assignee"] == assignee]
df = df.assign(rank=df["state"].map({s: i for i, s in enumerate(STATES)})).sort_values("rank", kind="stable")
if df.empty:
    st.info(t(f"inbox.empty_{state_filter}" if state_filter == "waiting" else "inbox.empty"))
    st.stop()
total = len(df)
df = df.head(SHOWN)  # the most urgent first; a table of thousands helps nobody and is slow to draw
if total > SHOWN:
    st.caption(t("inbox.showing", n=common.num(SHOWN), total=common.num(total)))


def _status(row: pd.Series) -> str:
    if row["state"] == "answered":
        return t("inbox.status.answered_past_sla" if row["sla_breached"] else "inbox.status.answered")
    if row["state"] == "handled":
        return t("inbox.status.handled")
    return t("inbox.status.overdue" if row["hours_left"] < 0 else "inbox.status.waiting")


def _left(row: pd.Series) -> str:
    if row["state"] == "answered":
        return t("inbox.answered_after", after=common.duration(row["delay_hours"]))
    return "–" if row["state"] == "handled" else common.time_left(row["hours_left"])


view = pd.DataFrame({
    t("inbox.col.status"): df.apply(_status, axis=1),
    t("inbox.col.time_left"): df.apply(_left, axis=1),
    t("inbox.col.text"): df["text"].map(lambda x: common.snippet(x, 90)),
    t("inbox.col.deadline"): [common.when(d) if s != "answered" else "–" for d, s in zip(df["deadline"], df["state"],
                                                                                        strict=True)],
    t("inbox.col.age"): [common.duration(a) for a in df["age_hours"]],
    t("inbox.col.published"): common.when_column(df["published_at"]),
    t("inbox.col.source"): df["source"].map(common.source_name),
    t("inbox.col.author"): df["author"].map(common.author_name),
    t("inbox.col.language"): df["language"].map(common.language_name),
    t("inbox.col.topic"): df["aspects"].map(common.aspect_list),
    t("inbox.col.assignee"): df["assignee"].map(lambda a: a if isinstance(a, str) and a else "–"),
    t("inbox.col.link"): df["url"].map(lambda u: u if isinstance(u, str) and u.startswith(("http://", "https://"))
                                       else None),
})
event = st.dataframe(view, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="inbox_table", column_config={t("inbox.col.link"): st.column_config.LinkColumn(
                         display_text=t("inbox.open_original"))})

ids = [int(i) for i in df["id"]]
labels = {int(r.id): f"#{int(r.id)} · {common.source_name(r.source)} · {common.snippet(r.text, 70)}"
          for r in df.itertuples()}
selected_rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
if selected_rows and 0 <= selected_rows[0] < len(ids):
    st.session_state["inbox_thread"] = ids[selected_rows[0]]
if st.session_state.get("inbox_thread") not in ids:
    st.session_state["inbox_thread"] = ids[0]
mention_id = common.select(st, t("inbox.show_thread"), ids, "inbox_thread", labels.__getitem__)
row = df[df["id"] == mention_id].iloc[0]

tv = common.q(queries.thread_view, int(mention_id))
if tv is None:
    st.warning(t("inbox.gone"))
    st.stop()

panels.thread(tv)
if auth.can_write():  # editors draft an answer on the reply desk, arriving with this criticism chosen
    st.page_link("views/reply_desk.py", label=i18n.t("replydesk.page.draft_link", lang), icon="✍️",
                 query_params={"mention": str(int(mention_id))})

st.subheader(t("inbox.response"))
resp = tv["response"]
if resp is None or resp.get("response_id") is None:
    st.warning(t("inbox.unanswered", waited=common.duration(row["age_hours"]), left=common.time_left(row["hours_left"]),
                 deadline=common.when(row["deadline"])))
else:
    a, b, c, d = st.columns(4)
    a.metric(t("inbox.metric.first_response"), common.hours(resp["delay_hours"]), border=True)
    b.metric(t("inbox.metric.business_hours"), common.hours(resp["business_delay_hours"]), border=True)
    c.metric(t("inbox.metric.quality"), common.quality(resp["quality"]), border=True)
    d.metric(t("inbox.metric.outcome"), outcome_name(resp.get("outcome"), lang), border=True)
    if resp.get("clock_anomaly"):
        st.info(t("inbox.clock_anomaly"))
    panels.quality_components(tv["components"])

panels.handling(ctx.data_dir, int(mention_id), row["state"], actions)
panels.label_correction(ctx.data_dir, int(mention_id), str(tv["mention"]["text"]), tv["mention"].get("sentiment"),
                        row["p_negative"])
