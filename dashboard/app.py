"""Rykte dashboard: `streamlit run dashboard/app.py -- --data-dir DIR`.

Reads only the published snapshot (`<data-dir>/dashboard.duckdb`), read-only and per query; the
one write it makes is appending label corrections to the inbox file for the service to ingest.
"""

from __future__ import annotations

import sys

import streamlit as st

from dashboard import common

st.set_page_config(page_title="Rykte – omdømme som arbeidsgiver", page_icon="📣", layout="wide")

args = common.parse_args(sys.argv[1:])
snapshot = args.data_dir / "dashboard.duckdb"

if not snapshot.exists():
    st.title("Rykte")
    st.header("Ingen data ennå")
    st.info(
        "Det finnes ikke noe publisert datasett i datamappen ennå. Tjenesten publiserer et nytt "
        "øyeblikksbilde etter hver innsamling."
    )
    st.markdown(
        "For å komme i gang:\n\n"
        "- start tjenesten: `rykte run` (eller `rykte run --once` for én runde), eller\n"
        "- importer en fil: `rykte import FIL.jsonl`\n\n"
        "Last inn siden på nytt når tjenesten har kjørt."
    )
    st.caption(f"Datamappe: {args.data_dir.resolve()}")
    st.stop()

common.sidebar(args)

pages = [
    st.Page("views/overview.py", title="Oversikt", icon="📊", default=True),
    st.Page("views/inbox.py", title="Kritikk-innboks", icon="📥"),
    st.Page("views/responses.py", title="Svar", icon="💬"),
    st.Page("views/sources.py", title="Kilder", icon="🛰️"),
    st.Page("views/quarterly.py", title="Kvartal", icon="📅"),
]
st.navigation(pages).run()
