"""Oversikt: the SPEC §4 KPIs for the window (from compute_metrics), the weekly trend, sources."""

from __future__ import annotations

import streamlit as st

from dashboard import common
from pipeline import charts
from pipeline.charts import fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.store import queries

ctx = common.context()
k, prev = common.q(queries.kpis_with_previous, ctx.since, ctx.until, ctx.source)

st.title("Oversikt")
st.caption(f"{ctx.window_label} · endring mot like lang periode før")


def _delta_int(cur: int | None, old: int | None) -> str | None:
    if cur is None or old is None:
        return None
    d = cur - old
    return f"{d:+d}" if d else "0"


def _delta_pp(cur: float | None, old: float | None) -> str | None:
    if cur is None or old is None:
        return None
    return f"{(cur - old) * 100:+.1f} pp".replace(".", ",")


def _delta_h(cur: float | None, old: float | None) -> str | None:
    if cur is None or old is None:
        return None
    return f"{cur - old:+.1f} t".replace(".", ",")


def _delta_q(cur: float | None, old: float | None) -> str | None:
    if cur is None or old is None:
        return None
    return f"{cur - old:+.1f}".replace(".", ",")


row1 = st.columns(4)
row1[0].metric("Omtaler", fmt_int(k["mentions"]), _delta_int(k["mentions"], prev["mentions"]),
               delta_color="off", help="Omtaler som ikke er skrevet av virksomheten selv.", border=True)
row1[1].metric("Kritikk", fmt_int(k["criticisms"]), _delta_int(k["criticisms"], prev["criticisms"]),
               delta_color="inverse", border=True,
               help="Omtaler med 1–2 stjerner, eller uten/med 3 stjerner som modellen vurderer som negative.")
row1[2].metric("Svarrate på kritikk", fmt_pct(k["response_rate"]),
               _delta_pp(k["response_rate"], prev["response_rate"]), border=True,
               help=f"{k['criticisms_responded']} av {k['criticisms']} kritiske omtaler har fått svar fra "
                    "virksomheten i samme tråd.")
row1[3].metric("Snitt svarkvalitet", fmt_quality(k["quality_mean"]),
               _delta_q(k["quality_mean"], prev["quality_mean"]), border=True,
               help="Gjennomsnittlig kvalitet (0–100) på virksomhetens første svar på kritikk.")
row2 = st.columns(4)
fr, fr_prev = k["first_response_hours"], prev["first_response_hours"]
row2[0].metric("Median første svar", fmt_hours(fr["median"]), _delta_h(fr["median"], fr_prev["median"]),
               delta_color="inverse", border=True,
               help="Median tid fra kritikk til virksomhetens første svar (døgnklokke).")
row2[1].metric("P90 første svar", fmt_hours(fr["p90"]), _delta_h(fr["p90"], fr_prev["p90"]),
               delta_color="inverse", border=True, help="90 % av kritikken ble besvart innen denne tiden.")
row2[2].metric("Besvart kritikk", fmt_int(k["criticisms_responded"]),
               _delta_int(k["criticisms_responded"], prev["criticisms_responded"]), border=True)
row2[3].metric("Klokkeavvik", fmt_int(k["clock_anomalies"]), delta_color="off", border=True,
               help="Svar datert før kritikken (f.eks. redigerte anmeldelser); regnet som 0 timer.")

trend = common.q(queries.weekly_trend, ctx.since, ctx.until, ctx.source)
st.altair_chart(charts.weekly_trend_chart(trend), width="stretch")

left, right = st.columns([3, 2])
with left:
    st.subheader("Per kilde")
    src = common.q(queries.by_source, ctx.since, ctx.until, ctx.source)
    table = src.rename(columns={
        "source": "Kilde", "mentions": "Omtaler", "criticisms": "Kritikk", "criticisms_responded": "Besvart",
        "response_rate": "Svarrate", "median_first_response_hours": "Median første svar (t)",
        "quality_mean": "Snitt kvalitet"})
    table["Svarrate"] = table["Svarrate"].map(fmt_pct)
    table["Median første svar (t)"] = table["Median første svar (t)"].map(fmt_hours)
    table["Snitt kvalitet"] = table["Snitt kvalitet"].map(fmt_quality)
    st.dataframe(table, hide_index=True, width="stretch")
with right:
    st.altair_chart(charts.sentiment_language_chart(
        common.q(queries.sentiment_by_language, ctx.since, ctx.until, ctx.source)), width="stretch")

st.altair_chart(charts.aspects_chart(common.q(queries.criticism_aspects, ctx.since, ctx.until, ctx.source)),
                width="stretch")
