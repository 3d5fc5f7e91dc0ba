"""Panels the Inbox and Mentions pages share for one mention: its thread, the handling panel (history
of who did what and when; mark handled elsewhere with a reason or reopen, assign to a colleague,
add a note) and the sentiment label correction.

Why here: these are the dashboard's only writes, and they follow one path:
`pipeline.store.inbox` appends a line to the writer's inbox file, the page shows it at once from
that file, and the writer takes it into the store on its next batch. Only an editor may act
(`common.can_edit`); everybody sees the history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, common
from dashboard.common import t
from pipeline import i18n
from pipeline.charts import sentiment_name
from pipeline.store.inbox import LABELS, append_action, append_label_correction

FLASH_KEY = "_inbox_flash"


def _what(action: str, value: str | None) -> str:
    if action == "assigned" and not value:
        return t("inbox.handling.did.unassigned")
    return t(f"inbox.handling.did.{action}", value=value or "")


def history(actions: pd.DataFrame) -> pd.DataFrame:
    """One criticism's actions, newest first, in the reader's words and local times."""
    rows = actions.sort_values("acted_at", ascending=False, kind="stable")
    return pd.DataFrame({
        t("inbox.handling.col.when"): common.when_column(rows["acted_at"]),
        t("inbox.handling.col.who"): rows["actor"].astype(str),
        t("inbox.handling.col.what"): [_what(a, v if isinstance(v, str) else None)
                                       for a, v in zip(rows["action"], rows["value"], strict=True)],
    })


def handling(data_dir: Path, mention_id: int, state: str, actions: pd.DataFrame) -> None:
    st.subheader(t("inbox.handling.title"))
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    mine = actions[actions["mention_id"] == mention_id]
    if mine.empty:
        st.caption(t("inbox.handling.none"))
    else:
        st.dataframe(history(mine), hide_index=True, width="stretch", key=f"history_{mention_id}")
    if not common.can_edit():
        st.caption(t("inbox.handling.read_only"))
        return
    handled_col, assign_col, note_col = st.columns(3)
    with handled_col:
        if state == "handled":
            if st.button(t("inbox.handling.reopen"), key=f"reopen_{mention_id}"):
                _submit(data_dir, mention_id, "reopened", None)
        elif state == "waiting":
            reason = st.text_input(t("inbox.handling.reason"), key=f"reason_{mention_id}",
                                   placeholder=t("inbox.handling.reason_example"))
            if st.button(t("inbox.handling.mark_handled"), key=f"handled_{mention_id}"):
                _submit(data_dir, mention_id, "handled", reason)
    with assign_col:
        colleague = st.text_input(t("inbox.handling.colleague"), key=f"assignee_{mention_id}",
                                  help=t("inbox.handling.colleague_help"))
        if st.button(t("inbox.handling.assign"), key=f"assign_{mention_id}"):
            _submit(data_dir, mention_id, "assigned", colleague)
    with note_col:
        note = st.text_area(t("inbox.handling.note"), key=f"note_{mention_id}", height=80)
        if st.button(t("inbox.handling.add_note"), key=f"add_note_{mention_id}"):
            _submit(data_dir, mention_id, "note", note)


def _submit(data_dir: Path, mention_id: int, action: str, value: str | None) -> None:
    """Append the action as the signed-in editor (auth.require_editor stops a viewer), then rerun
    so the page shows it."""
    value = (value or "").strip() or None
    if action in ("handled", "note") and not value:
        st.error(t(f"inbox.handling.missing.{action}"))
        return
    user = auth.require_editor()
    append_action(data_dir, mention_id, action, value, actor=user.name)
    st.session_state[FLASH_KEY] = t(f"inbox.handling.done.{action}")
    st.rerun()


def thread(tv: dict[str, Any]) -> None:
    """The whole thread of a mention (`queries.thread_view`), the company's replies marked."""
    st.subheader(t("inbox.thread"))
    url = tv["mention"].get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        st.link_button(t("inbox.open_original"), url)
    for r in tv["thread"].itertuples():
        badges = [t(f"inbox.badge.{b}") for b, on in (("official", r.official), ("first_response", r.is_first_response),
                                                       ("target", r.is_target)) if on]
        with st.container(border=True):
            st.markdown(f"{'↳ ' * int(r.depth)}**{common.md_escape(common.author_name(r.author))}** · "
                        f"{common.when(r.published_at)}" + (" · " + " · ".join(badges) if badges else ""))
            if isinstance(r.title, str) and r.title.strip():
                st.markdown(f"**{common.md_escape(r.title)}**")
            st.markdown(common.md_escape(r.text))


def label_correction(data_dir: Path, mention_id: int, text: str, sentiment: str | None,
                     p_negative: float | None) -> None:
    """Correct the model's sentiment label; the writer takes the correction in on its next batch."""
    lang = common.lang()
    st.subheader(t("inbox.correct.title"))
    st.caption(t("inbox.correct.model_says", label=sentiment_name(sentiment, lang))
               + (t("inbox.correct.p_negative", p=common.pct(p_negative))
                  if p_negative is not None and not pd.isna(p_negative) else ""))
    new_label = common.select(st, t("inbox.correct.label"), list(LABELS), f"label_{mention_id}",
                              lambda s: sentiment_name(s, lang))
    if not common.can_edit():
        st.caption(t("inbox.handling.read_only"))
    elif st.button(t("inbox.correct.save"), key=f"save_label_{mention_id}"):
        user = auth.require_editor()
        append_label_correction(data_dir, mention_id, text, new_label, corrected_by=user.name)
        st.success(t("inbox.correct.saved"))


def quality_components(comps: pd.DataFrame) -> None:
    """How a reply's quality was computed: each component by name, its value, weight and a plain
    explanation (`quality.name.*`, `quality.component.*` in the catalogue). The scorer's evidence
    strings are not shown: they are English engineer's notes with ids ("aspects 1 of 1: covered
    [recruitment ...]"), not text for HR."""
    if comps.empty:
        return
    lang = common.lang()

    def number(v: object, digits: int) -> str:
        return i18n.fmt_number(float(v), lang, digits) if isinstance(v, int | float) and not pd.isna(v) else "–"

    st.markdown(t("inbox.quality_explained"))
    st.dataframe({
        t("inbox.component.component"): comps["component"].map(
            lambda c: i18n.t(f"quality.name.{c}", lang) if i18n.has(f"quality.name.{c}") else c),
        t("inbox.component.value"): comps["value"].map(lambda v: number(v, 2)),
        t("inbox.component.weight"): comps["weight"].map(lambda v: number(v, 0)),
        t("inbox.component.explanation"): comps["component"].map(
            lambda c: i18n.t(f"quality.component.{c}", lang) if i18n.has(f"quality.component.{c}") else ""),
    }, hide_index=True, width="stretch")
