"""Kilder: crawl health per configured source (last crawl, items, errors, freshness)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from pipeline.charts import fmt_hours, fmt_pct

ctx = common.context()
st.title("Kilder")
st.caption("Innsamlingens helse – uavhengig av periodevalget.")

STATUS_NB = {"ok": "✅ OK", "partial": "⚠️ Delvis", "failed": "❌ Feilet", "running": "⏳ Kjører",
             "skipped": "⏭️ Hoppet over"}

health: pd.DataFrame = common.q("crawl_health", now=ctx.now)
if health.empty:
    st.info("Ingen innsamlinger er registrert ennå. Kjør `rykte run --once` eller `rykte crawl NAVN`.")
else:
    stale = int((health["freshness"] == "stale").sum())
    a, b, c = st.columns(3)
    a.metric("Kilder", len(health), border=True)
    b.metric("Foreldet", stale, border=True)
    c.metric("Feil i siste kjøring", int(health["last_errors"].sum()), border=True)
    st.dataframe(pd.DataFrame({
        "Kilde": health["source_name"],
        "Ferskhet": health["freshness"].map({"ok": "✅ Fersk", "stale": "⚠️ Foreldet"}),
        "Siste kjøring (UTC)": pd.to_datetime(health["last_started"]).dt.strftime("%d.%m.%Y %H:%M"),
        "Status": health["last_status"].map(lambda s: STATUS_NB.get(s, s)),
        "Elementer": health["last_items"],
        "Nye": health["last_new_items"],
        "Feil": health["last_errors"],
        "Siden sist vellykket": health["hours_since_success"].map(fmt_hours),
        "Grense": health["stale_limit_hours"].map(lambda h: fmt_hours(h, 0)),
        "Kjøringer": health["runs"],
        "Feilede kjøringer": health["runs_failed"],
        "Feileksempler": health["error_samples"],
    }), hide_index=True, width="stretch")
    st.caption("Foreldet: siste vellykkede innsamling er eldre enn grensen (3 × vanlig intervall mellom "
               "kjøringer, minst 1 time).")

st.subheader("Omtaler per kilde i perioden")
st.caption(ctx.window_label)
src = common.q("by_source", ctx.since, ctx.until, ctx.source)
st.dataframe(pd.DataFrame({
    "Kilde": src["source"], "Omtaler": src["mentions"], "Kritikk": src["criticisms"],
    "Besvart": src["criticisms_responded"], "Svarrate": src["response_rate"].map(fmt_pct),
}), hide_index=True, width="stretch")
