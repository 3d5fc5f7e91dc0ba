"""The alert channels' delivery health, shown on the Sources page: is HR actually being told?

Delivery errors used to be shown nowhere, so a broken webhook or mail server went unnoticed until
someone wondered why no alert came. This reads `channel_health` (the same rows as `rykte status`)
from the published snapshot: one row per channel the writer has used, with its last success, its
last failure and the error the writer stored. Channels are named by their configured name, never
their URL, and the error had its secrets masked before it was stored, so the table is safe to show.
Texts: `service.channels` in the catalogue (`pipeline/i18n/service.yaml`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from pipeline import i18n
from pipeline.store.queries.alert_health import ChannelHealth, channel_health


def ct(key: str, /, **values: object) -> str:
    return i18n.t(f"service.channels.{key}", common.lang(), **values)


def state(h: ChannelHealth) -> str:
    return ct("state.failing" if h.failing else ("state.ok" if h.last_success_at else "state.never"))


def show() -> None:
    """The channels' table, and one error box per failing channel (nothing when no channel was used)."""
    rows = common.q(channel_health)
    if not rows:
        return
    st.subheader(ct("title"))
    st.caption(ct("caption"))
    for h in rows:
        if h.failing:
            st.error(ct("failing", channel=h.channel, n=h.consecutive_failures, error=h.last_error or "–"))
    st.dataframe(pd.DataFrame({
        ct("col.channel"): [h.channel for h in rows],
        ct("col.state"): [state(h) for h in rows],
        ct("col.last_success"): [common.when(h.last_success_at) for h in rows],
        ct("col.last_failure"): [common.when(h.last_failure_at) for h in rows],
        ct("col.failures_in_row"): [h.consecutive_failures for h in rows],
        ct("col.pending"): [h.pending for h in rows],
        ct("col.failed"): [h.failed for h in rows],
        ct("col.last_error"): [h.last_error or "–" for h in rows],
    }), hide_index=True, width="stretch")
