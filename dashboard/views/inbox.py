"""The criticism inbox: open criticism oldest first with SLA flags, answered criticism with delay and
quality; click a row (or pick it below) to read the whole thread and correct a sentiment label."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from pipeline import i18n
from pipeline.charts import fmt_hours, fmt_pct, fmt_quality, outcome_name, sentiment_name
from pipeline.store import queries
from pipeline.store.inbox import LABELS, append_label_correction

ctx = common.context()
st.title("Kritikk-innboks")
st.caption(f"{ctx.window_label} · SLA {ctx.sla_hours:g} t")

STATUS_OPTIONS = {"Alle": None, "Åpne (ubesvart)": "open", "Besvart": "answered"}
ALL = "Alle"

c1, c2, c3 = st.columns(3)
status_label = c1.selectbox("Status", list(STATUS_OPTIONS), key="inbox_status")
lang = c2.selectbox("Språk", [ALL, *common.q(queries.languages)], key="inbox_language")
aspect = c3.selectbox("Tema", [ALL, *common.q(queries.all_aspects)], key="inbox_aspect",
                      format_func=lambda a: a if a == ALL else i18n.name("aspect", a))

df: pd.DataFrame = common.q(
    queries.criticism_inbox, ctx.since, ctx.until, ctx.source, now=ctx.now,
    status=STATUS_OPTIONS[status_label], language=None if lang == ALL else lang,
    aspect=None if aspect == ALL else aspect,
)

n_open = int((df["status"] == "open").sum())
n_breach = int(((df["status"] == "open") & df["sla_breached"]).sum())
m1, m2, m3 = st.columns(3)
m1.metric("Åpen kritikk", n_open, border=True)
m2.metric("Åpen over SLA", n_breach, border=True)
m3.metric("Besvart i utvalget", int((df["status"] == "answered").sum()), border=True)


def _status(row: pd.Series) -> str:
    if row["status"] == "open":
        return "🔴 Åpen – over SLA" if row["sla_breached"] else "🟡 Åpen"
    return "🟠 Besvart – etter SLA" if row["sla_breached"] else "🟢 Besvart"


if df.empty:
    st.info("Ingen kritikk i utvalget. Juster periode, kilde eller filtrene over.")
    st.stop()

view = pd.DataFrame({
    "Status": df.apply(_status, axis=1),
    "Ventet / svartid": [fmt_hours(a) if s == "open" else fmt_hours(d)
                         for s, a, d in zip(df["status"], df["age_hours"], df["delay_hours"], strict=True)],
    "Publisert (UTC)": pd.to_datetime(df["published_at"]).dt.strftime("%d.%m.%Y %H:%M"),
    "Kilde": df["source"],
    "Forfatter": df["author"],
    "Språk": df["language"].fillna("–"),
    "Tema": df["aspects"].map(lambda a: ", ".join(i18n.name("aspect", x) for x in a) if len(a) else "–"),
    "Tekst": df["text"].map(common.snippet),
    "Kvalitet": df["quality"].map(fmt_quality),
    "Utfall": df["outcome"].map(lambda o: outcome_name(o) if isinstance(o, str) else "–"),
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
mention_id = st.selectbox("Vis tråd for", ids, format_func=lambda i: labels[i], key="inbox_thread")

tv = common.q(queries.thread_view, int(mention_id))
if tv is None:
    st.warning("Omtalen finnes ikke lenger i datasettet.")
    st.stop()

st.subheader("Tråden")
resp = tv["response"]
thread: pd.DataFrame = tv["thread"]
for r in thread.itertuples():
    indent = "↳ " * int(r.depth)
    when = pd.Timestamp(r.published_at).strftime("%d.%m.%Y %H:%M")
    badges = []
    if r.official:
        badges.append("🏢 **Offisielt svar fra virksomheten**")
    if r.is_first_response:
        badges.append("⏱️ første svar")
    if r.is_target:
        badges.append("🎯 valgt kritikk")
    with st.container(border=True):
        st.markdown(f"{indent}**{common.md_escape(r.author)}** · {when} UTC"
                    + (" · " + " · ".join(badges) if badges else ""))
        st.markdown(common.md_escape(r.text))
        if isinstance(r.url, str) and r.url.startswith(("http://", "https://")):
            st.caption(r.url)

st.subheader("Svaret")
if resp is None or resp.get("response_id") is None:
    age = df.loc[df["id"] == mention_id, "age_hours"]
    waited = fmt_hours(age.iloc[0]) if len(age) else "–"
    st.warning(f"Ikke besvart ennå. Har ventet {waited} (SLA {ctx.sla_hours:g} t).")
else:
    a, b, c, d = st.columns(4)
    a.metric("Første svar etter", fmt_hours(resp["delay_hours"]), border=True)
    b.metric("I arbeidstid", fmt_hours(resp["business_delay_hours"]), border=True)
    c.metric("Svarkvalitet", fmt_quality(resp["quality"]), border=True)
    d.metric("Utfall", outcome_name(resp.get("outcome")), border=True)
    if resp.get("clock_anomaly"):
        st.info("Svaret er datert før kritikken (klokkeavvik, f.eks. en redigert anmeldelse); svartiden "
                "regnes som 0.")
    comps: pd.DataFrame = tv["components"]
    if not comps.empty:
        st.markdown("**Slik er kvaliteten regnet ut** – hver komponent gir 0–1 og teller med sin vekt (sum 0–100):")
        st.dataframe(comps.rename(columns={"component": "Komponent", "value": "Verdi", "weight": "Vekt",
                                           "evidence": "Belegg i teksten", "explanation": "Forklaring"}),
                     hide_index=True, width="stretch")

st.subheader("Riktig sentiment?")
mention = tv["mention"]
current = mention.get("sentiment")
st.caption(f"Modellen sier: {sentiment_name(current)}"
           + (f" (negativ-sannsynlighet {fmt_pct(df.loc[df['id'] == mention_id, 'p_negative'].iloc[0])})"
              if (df["id"] == mention_id).any() else ""))
f1, f2 = st.columns(2)
new_label = f1.selectbox("Riktig merkelapp", list(LABELS), format_func=sentiment_name,
                         key=f"label_{mention_id}")
who = f2.text_input("Ditt navn (valgfritt)", key="corrected_by")
if st.button("Lagre korreksjon", key=f"save_label_{mention_id}"):
    append_label_correction(ctx.data_dir, int(mention_id), str(mention["text"]), new_label,
                            corrected_by=who.strip() or None)
    st.success("Takk! Korreksjonen er lagret og tas inn av tjenesten ved neste kjøring.")
