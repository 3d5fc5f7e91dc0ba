"""Mentions: search every mention in the window (words in the text or title, `queries.search_mentions`)
and filter by language, sentiment, aspect, criticism and answered; open one to read the full text and
its thread and to correct its sentiment label; export every matching row as CSV or XLSX."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common, export, panels
from dashboard.common import t
from pipeline import i18n
from pipeline.charts import SENTIMENT_ORDER, sentiment_name
from pipeline.store import queries
from pipeline.store.queries.mentions import PAGE_SIZE, MentionFilter, search_mentions

EXPORT_LIMIT = 100_000

ctx = common.context()
lang = common.lang()
st.title(t("page.mentions"))
st.caption(ctx.window_label)



def _yes_no(v: bool | None) -> str:
    return t("mentions.filter.all") if v is None else t(f"mentions.{'yes' if v else 'no'}")


text = st.text_input(t("mentions.search"), key="m_text", placeholder=t("mentions.search_example"))
c1, c2, c3, c4, c5 = st.columns(5)
language = common.select(c1, t("mentions.filter.language"), [None, *common.q(queries.languages)], "m_language",
                         lambda x: common.language_name(x) if x else t("mentions.filter.all"))
sentiment = common.select(c2, t("mentions.filter.sentiment"), [None, *SENTIMENT_ORDER], "m_sentiment",
                          lambda s: sentiment_name(s, lang) if s else t("mentions.filter.all"))
aspect = common.select(c3, t("mentions.filter.topic"), [None, *common.q(queries.all_aspects)], "m_aspect",
                       lambda a: i18n.name("aspect", a, lang) if a else t("mentions.filter.all"))
criticism = common.select(c4, t("mentions.filter.criticism"), [None, True, False], "m_criticism", _yes_no)
answered = common.select(c5, t("mentions.filter.answered"), [None, True, False], "m_answered", _yes_no)
flt = MentionFilter(text=text.strip() or None, language=language, sentiment=sentiment, aspect=aspect,
                    criticism=criticism, answered=answered)

total, page = common.q(search_mentions, ctx.since, ctx.until, ctx.source, flt)
if total == 0:
    st.info(t("mentions.empty"))
    st.stop()
st.markdown(t("mentions.count", n=common.num(total))
            + (t("mentions.first", n=common.num(PAGE_SIZE)) if total > PAGE_SIZE else ""))

view = pd.DataFrame({
    t("mentions.col.published"): common.when_column(page["published_at"]),
    t("mentions.col.source"): page["source"].map(common.source_name),
    t("mentions.col.author"): page["author"].map(common.author_name),
    t("mentions.col.text"): page["text"].map(lambda x: common.snippet(x, 90)),
    t("mentions.col.language"): page["language"].map(common.language_name),
    t("mentions.col.sentiment"): page["sentiment"].map(lambda s: sentiment_name(s if isinstance(s, str) else None, lang)),
    t("mentions.col.criticism"): page["is_criticism"].map(lambda v: "⚠️" if v else ""),
    t("mentions.col.answered"): page["answered"].map(lambda v: "✔" if v else ""),
    t("mentions.col.topic"): page["aspects"].map(common.aspect_list),
})
event = st.dataframe(view, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="m_table")

with st.expander(t("mentions.export.title", n=common.num(min(total, EXPORT_LIMIT)))):
    if total > EXPORT_LIMIT:
        st.caption(t("mentions.export.limited", n=common.num(EXPORT_LIMIT)))
    if st.button(t("mentions.export.prepare"), key="m_prepare"):
        _n, rows = common.q(search_mentions, ctx.since, ctx.until, ctx.source, flt, limit=EXPORT_LIMIT)
        table = export.export_table(rows, lang, common.when)
        st.download_button(t("mentions.export.csv"), export.to_csv(table, lang), file_name="rykte-mentions.csv",
                           mime="text/csv", key="m_csv")
        st.download_button(t("mentions.export.xlsx"), export.to_xlsx(table, t("page.mentions")),
                           file_name="rykte-mentions.xlsx", key="m_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

ids = [int(i) for i in page["id"]]
selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
if selected and 0 <= selected[0] < len(ids):
    st.session_state["m_open"] = ids[selected[0]]
if st.session_state.get("m_open") not in ids:
    st.caption(t("mentions.pick"))
    st.stop()
mention_id = int(st.session_state["m_open"])
row = page[page["id"] == mention_id].iloc[0]
st.subheader(t("mentions.full_text"))
with st.container(border=True):
    st.markdown(f"**{common.md_escape(common.author_name(row['author']))}** · {common.when(row['published_at'])} · "
                f"{common.source_name(row['source'])} · {common.language_name(row['language'])}")
    if isinstance(row["title"], str) and row["title"].strip():
        st.markdown(f"**{common.md_escape(row['title'])}**")
    st.markdown(common.md_escape(row["text"]))
tv = common.q(queries.thread_view, mention_id)
if tv is not None and len(tv["thread"]) > 1:
    panels.thread(tv)
elif isinstance(row["url"], str) and row["url"].startswith(("http://", "https://")):
    st.link_button(t("inbox.open_original"), row["url"])
panels.label_correction(ctx.data_dir, mention_id, str(row["text"]), row["sentiment"] if isinstance(row["sentiment"], str)
                        else None, row["p_negative"])
