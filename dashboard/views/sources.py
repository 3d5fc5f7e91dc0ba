"""Sources: the health of each configured source (last crawl, items, errors, freshness).

Freshness is `pipeline.store.freshness`'s rule, over the limits the writer published from the
config, so this page and `rykte status` always agree."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from pipeline.charts import fmt_hours, fmt_pct
from pipeline.store import queries

ctx = common.context()
st.title("Kilder")
st.caption("Innsamlingens helse – uavhengig av periodevalget.")

FRESHNESS_NB = {"ok": "✅ Fersk", "stale": "⚠️ Foreldet", "failing": "❌ Feiler", "never": "⏳ Aldri hentet"}
STATUS_NB = {"ok": "✅ OK", "partial": "⚠️ Delvis", "failed": "❌ Feilet", "running": "⏳ Kjører",
             "skipped": "⏭️ Hoppet over"}

health: pd.DataFrame = common.q(queries.source_health, now=ctx.now)
if health.empty:
    st.info("Ingen innsamlinger er registrert ennå. Kjør `rykte run --once` eller `rykte crawl NAVN`.")
else:
    a, b, c = st.columns(3)
    a.metric("Kilder", len(health), border=True)
    b.metric("Foreldet eller feiler", int(health["freshness"].isin(["stale", "failing"]).sum()), border=True)
    c.metric("Feil i siste kjøring", int(health["last_errors"].sum()), border=True)
    st.dataframe(pd.DataFrame({
        "Kilde": health["source_name"],
        "Ferskhet": [FRESHNESS_NB[f] if on else "⏸️ Av" for f, on in zip(health["freshness"], health["enabled"],
                                                                          strict=True)],
        "Siste kjøring (UTC)": pd.to_datetime(health["last_started"]).dt.strftime("%d.%m.%Y %H:%M").fillna("–"),
        "Status": health["last_status"].map(lambda s: STATUS_NB.get(s, s)),
        "Elementer": health["last_items"],
        "Nye": health["last_new_items"],
        "Feil": health["last_errors"],
        "Siden sist vellykket": health["hours_since_success"].map(fmt_hours),
        "Grense": health["stale_limit_hours"].map(lambda h: fmt_hours(h, 0)),
        "Feilet på rad": health["failed_in_row"],
        "Kjøringer": health["runs"],
        "Feilede kjøringer": health["runs_failed"],
        "Feileksempler": health["error_samples"],
    }), hide_index=True, width="stretch")
    st.caption("Foreldet: siste vellykkede innsamling er eldre enn grensen (kildens `stale_after`, ellers "
               "3 × timeplanen). Feiler: siste innsamling feilet, eller alle forespørsler i den feilet.")

st.subheader("Omtaler per kilde i perioden")
st.caption(ctx.window_label)
src = common.q(queries.by_source, ctx.since, ctx.until, ctx.source)
st.dataframe(pd.DataFrame({
    "Kilde": src["source"], "Omtaler": src["mentions"], "Kritikk": src["criticisms"],
    "Besvart": src["criticisms_responded"], "Svarrate": src["response_rate"].map(fmt_pct),
}), hide_index=True, width="stretch")
