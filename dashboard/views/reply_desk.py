"""The reply desk: draft an answer to a criticism, see its quality and advice while writing, submit it,
and let a colleague approve it (four eyes) before it is posted.

Every action is a desk record appended to the writer's inbox (`pipeline.store.inbox`); the page shows
the records the writer has not taken in yet at once (folded with the same rules,
`pipeline.replydesk.workflow`), and the writer checks them again. Editors only; texts:
`replydesk.*` in the catalogue. Arrive from the inbox with `?mention=<id>`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, common
from dashboard.common import t
from pipeline import i18n
from pipeline.replydesk.advice import advise, sla_text
from pipeline.replydesk.events import from_record, new_event, to_record
from pipeline.replydesk.platforms import posts_by_api
from pipeline.replydesk.workflow import DeskRefused, Draft, Event, apply, fold, may_decide
from pipeline.store import queries
from pipeline.store.inbox import append_desk_event, pending_desk_events
from pipeline.store.queries import desk

ctx = common.context()
lang = common.lang()
st.title(t("page.reply_desk"))


def r(key: str, **values: object) -> str:
    return i18n.t(f"replydesk.{key}", lang, **values)


st.caption(r("page.caption"))
user = auth.require_editor()

records = [*common.q(desk.desk_events), *pending_desk_events(ctx.data_dir)]
events: list[Event] = []
for rec in records:
    try:
        events.append(from_record(rec))
    except ValueError:
        continue
drafts, _refused = fold(events)
pending_ids = {str(rec.get("event_id")) for rec in pending_desk_events(ctx.data_dir)}


def record(*new: Event) -> bool:
    """Check the events against the rules, then append them; False (and the reason shown) if refused."""
    for ev in new:
        try:
            drafts[ev.draft_id] = apply(drafts.get(ev.draft_id), ev)
        except DeskRefused as exc:
            st.error(r(f"error.{exc.code}"))
            return False
    for ev in new:
        append_desk_event(ctx.data_dir, to_record(ev))
    return True


inbox = common.q(queries.criticism_inbox, ctx.since, ctx.until, ctx.source, now=ctx.now, status="open")
published = common.q(desk.published_replies)
wanted = st.query_params.get("mention")
ids = [int(i) for i in inbox["id"]]
if wanted and wanted.isdigit() and int(wanted) in ids and "desk_mention" not in st.session_state:
    st.session_state["desk_mention"] = int(wanted)

tab_write, tab_review, tab_history = st.tabs([r("page.drafts"), r("page.queue"), r("page.history")])


def criticism_of(mention_id: int) -> dict[str, Any] | None:
    rows = inbox[inbox["id"] == mention_id]
    if not rows.empty:
        return dict(rows.iloc[0])
    tv = common.q(queries.thread_view, int(mention_id))
    return None if tv is None else dict(tv["mention"])


def show_advice(crit: dict[str, Any], text: str) -> None:
    at = crit.get("published_at")
    a = advise(str(crit.get("text") or ""), text, criticism_lang=crit.get("language"), published=published,
               lang=lang, criticism_published_at=None if at is None or pd.isna(at) else pd.Timestamp(at).to_pydatetime(),
               now=ctx.now, sla_hours=ctx.sla_hours)
    c1, c2 = st.columns([1, 3])
    c1.metric(r("page.score"), i18n.fmt_number(a.score, lang), border=True)
    if a.sla is not None:
        (c2.error if a.sla.breached else c2.info)(sla_text(a.sla, lang))
    st.markdown(f"**{r('page.advice')}**")
    if a.tips:
        st.markdown("\n".join(f"- {tip.text}" for tip in a.tips))
    else:
        st.success(r("page.no_advice"))


with tab_write:
    if not ids:
        st.info(r("page.none_open"))
    else:
        labels = {int(x.id): f"#{int(x.id)} · {common.source_name(x.source)} · {common.snippet(x.text, 70)}"
                  for x in inbox.itertuples()}
        if st.session_state.get("desk_mention") not in ids:
            st.session_state["desk_mention"] = ids[0]
        mention_id = common.select(st, r("page.pick"), ids, "desk_mention", labels.__getitem__)
        crit = criticism_of(mention_id) or {}
        st.markdown(f"> {common.snippet(str(crit.get('text') or ''), 600)}")
        mine = [d for d in drafts.values() if d.mention_id == mention_id and d.state in ("draft", "changes_requested")]
        current: Draft | None = mine[-1] if mine else None
        if current is not None and current.state == "changes_requested" and current.last_comment:
            last = next(e for e in reversed(current.history) if e.comment)
            st.warning(r("page.comment_from", name=last.actor, comment=current.last_comment))
        others = [d for d in drafts.values() if d.mention_id == mention_id and d is not current]
        for d in others:
            st.caption(r("page.existing", state=r(f"state.{d.state}"), name=d.author, when=common.when(d.updated_at)))
        key = f"desk_text_{mention_id}_{current.id if current else 'new'}"
        if st.session_state.pop("desk_clear", None) == key:
            st.session_state.pop(key, None)  # the text went into a draft last run: start a new one empty
        if key not in st.session_state:
            st.session_state[key] = current.text if current else ""
        text = st.text_area(r("page.draft_label"), key=key, height=200)
        if text.strip():
            show_advice(crit, text)
        b1, b2 = st.columns(2)
        save, submit = b1.button(r("page.save"), key="desk_save"), b2.button(r("page.submit"), key="desk_submit")
        if (save or submit) and text.strip():
            new: list[Event] = []
            if current is None:
                new.append(new_event("create", actor=user.name, mention_id=int(mention_id), text=text))
            elif text.strip() != current.text:
                new.append(new_event("edit", actor=user.name, draft_id=current.id, text=text))
            draft_id = new[0].draft_id if new else current.id if current else ""
            if submit:
                new.append(new_event("submit", actor=user.name, draft_id=draft_id))
            if new and record(*new):
                st.success(r("page.saved"))
                if submit:
                    st.session_state["desk_clear"] = f"desk_text_{mention_id}_new"

with tab_review:
    queue = [d for d in drafts.values() if d.state == "in_review"]
    if not queue:
        st.info(r("page.queue_empty"))
    for d in queue:
        crit = criticism_of(d.mention_id) or {}
        with st.container(border=True):
            st.markdown(f"**#{d.mention_id}** · {common.snippet(str(crit.get('text') or ''), 200)}")
            st.caption(r("page.by", name=", ".join(sorted(d.authors))) + " · " + r("page.version", n=d.version))
            st.markdown(d.text)
            show_advice(crit, d.text)
            if not may_decide(d, user.name):
                st.info(r("page.own_draft"))
                continue
            comment = st.text_input(r("page.comment"), key=f"desk_comment_{d.id}")
            c1, c2, c3 = st.columns(3)
            for col, action in ((c1, "approve"), (c2, "request_changes"), (c3, "reject")):
                clicked = col.button(r(f"page.{action}"), key=f"desk_{action}_{d.id}")
                if clicked and record(new_event(action, actor=user.name, draft_id=d.id, comment=comment or None)):
                    st.success(r("page.saved"))
    approved = [d for d in drafts.values() if d.state == "approved"]
    if approved:
        st.subheader(r("page.approved_waiting"))
    for d in approved:
        crit = criticism_of(d.mention_id) or {}
        platform = str(crit.get("source") or "")
        with st.container(border=True):
            st.code(d.text, language=None, wrap_lines=True)
            if posts_by_api(platform):
                st.info(r("page.auto_post", platform=common.source_name(platform)))
            else:
                st.caption(r("page.manual_post", platform=common.source_name(platform)))
                clicked = st.button(r("page.mark_posted"), key=f"desk_posted_{d.id}")
                if clicked and record(new_event("posted", actor=user.name, draft_id=d.id, how="manual")):
                    st.success(r("page.saved"))

with tab_history:
    for d in sorted(drafts.values(), key=lambda x: x.updated_at or x.created_at, reverse=True):
        with st.expander(f"#{d.mention_id} · {r('state.' + d.state)} · {common.snippet(d.text, 60)}"):
            for e in d.history:
                line = r("page.history_line", when=common.when(e.at), who=e.actor, action=r(f"action.{e.action}"))
                if e.action == "posted" and e.how:
                    line += f" ({r('posted_how.' + e.how)})"
                if e.event_id in pending_ids:
                    line += f" · _{r('page.pending')}_"
                st.markdown(f"- {line}" + (f": {e.comment}" if e.comment else ""))
            for v in d.versions:
                st.caption(f"{r('page.version', n=v.number)} · {v.author} · {common.when(v.at)}")
                st.text(v.text)
