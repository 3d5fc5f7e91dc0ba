"""Teach the model: the few mentions a day the model is least sure of, one click to label each.

Why a page of its own: HR's corrections are what `rykte model retrain` learns from, and the
mentions worth asking about are the uncertain ones, not those someone happens to open. A click
appends a correction to the inbox file (`store/inbox.py`, the same path as the Mentions page's
correction), so the mention leaves the queue at once and shows as pending until the writer has
taken it in. The page also shows which model version runs and how it scored (its card)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard import auth, common
from dashboard.common import t
from pipeline import i18n
from pipeline.charts import sentiment_name
from pipeline.store import queries
from pipeline.store.inbox import LABELS, append_label_correction, pending_label_corrections
from pipeline.store.queries.learning import active_model, corrections_since, uncertain_mentions

ctx = common.context()
lang = common.lang()
settings = common.q(queries.read_settings)
st.title(t("page.learning"))
st.markdown(t("learning.intro"))

zone = ZoneInfo(ctx.timezone)
day_start = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC).replace(tzinfo=None)
pending = pending_label_corrections(ctx.data_dir)
pending_ids = [int(p[0]) for p in pending if p[0] is not None]
done = common.q(corrections_since, day_start) + sum(1 for p in pending if p[4] >= day_start)
per_day = int(settings.uncertain_per_day)
st.caption(t("learning.today", done=common.num(min(done, per_day)), per_day=common.num(per_day)))

queue = common.q(uncertain_mentions, max(0, per_day - done), tuple(pending_ids))
editor = common.can_edit()
if not editor:
    st.caption(t("learning.read_only"))
if queue.empty and done >= per_day:
    st.success(t("learning.done_for_today"))
elif queue.empty:
    st.info(t("learning.empty"))

for row in queue.itertuples():
    mid = int(row.id)
    with st.container(border=True):
        st.caption(f"{common.source_name(row.source)} · {common.when(row.published_at, ctx.timezone)}")
        if isinstance(row.parent_text, str) and row.parent_text.strip():
            st.caption(f"{t('learning.context')} {common.md_escape(common.snippet(row.parent_text, 300))}")
        if isinstance(row.title, str) and row.title.strip():
            st.markdown(f"**{common.md_escape(row.title)}**")
        st.markdown(common.md_escape(row.text))
        st.markdown(t("learning.guess", label=sentiment_name(row.sentiment, lang).lower(),
                      confidence=common.pct(float(row.confidence))))
        if editor:
            cols = st.columns([1, 1, 1, 3])
            for col, label in zip(cols, LABELS, strict=False):
                if col.button(sentiment_name(label, lang), key=f"learn_{mid}_{label}", use_container_width=True):
                    user = auth.require_editor()
                    append_label_correction(ctx.data_dir, mid, str(row.text), label, corrected_by=user.name)
                    st.rerun()

if pending:
    for _mid, text, label, _who, _when in pending:
        st.markdown(f"✓ {common.md_escape(common.snippet(text, 120))}  \n"
                    + t("learning.pending", label=sentiment_name(label, lang).lower()))

st.divider()
st.subheader(t("learning.model.title"))
model = active_model(ctx.data_dir / "models", settings.model)
card = model["card"]
if model["id"] == "shipped":
    st.caption(t("learning.model.shipped", build=settings.model))
else:
    created = pd.Timestamp(card.get("created_at")).tz_convert(None) if card.get("created_at") else None
    st.caption(t("learning.model.active", id=model["id"], n=common.num(card.get("corrections_trained", 0)),
                 when=common.when(created, ctx.timezone) if created is not None else ""))
    scores = card.get("scores", {})
    if scores:
        st.caption(t("learning.model.scores"))
        st.dataframe(pd.DataFrame({
            t("learning.model.col_set"): [i18n.t(f"dashboard.learning.model.set.{k}", lang) for k in scores],
            t("learning.model.col_n"): [common.num(s["candidate"]["n"]) for s in scores.values()],
            t("learning.model.col_f1"): [f"{i18n.fmt_number(s['candidate']['macro_f1'], lang, 3)} / "
                   f"{i18n.fmt_number(s['current']['macro_f1'], lang, 3)}" for s in scores.values()],
        }), hide_index=True)
