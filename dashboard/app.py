"""Rykte dashboard: `streamlit run dashboard/app.py -- --data-dir DIR`.

Reads only the published snapshot (`<data-dir>/dashboard.duckdb`), read-only and per query; the
writes it makes are appends to the inbox files (label corrections, handling marks, assignments,
notes) that the service, the one writer, takes in.
"""

from __future__ import annotations

import sys

import streamlit as st

from dashboard import auth, common

args = common.parse_args(sys.argv[1:])
snapshot = args.data_dir / "dashboard.duckdb"
common.start(args)  # the reader's language: the configured one until they switch

st.set_page_config(page_title=common.t("app.page_title"), page_icon="📣", layout="wide")
auth.gate()  # login (or the demo banner) before any page or figure: dashboard/auth.py

if not snapshot.exists():
    st.title("Rykte")
    st.header(common.t("app.no_data.header"))
    st.info(common.t("app.no_data.info"))
    st.markdown(common.t("app.no_data.steps"))
    st.caption(common.t("app.no_data.data_dir", path=args.data_dir.resolve()))
    st.stop()

common.sidebar(args)

pages = [
    st.Page("views/overview.py", title=common.t("page.overview"), icon="📊", default=True),
    st.Page("views/inbox.py", title=common.t("page.inbox"), icon="📥"),
    st.Page("views/reply_desk.py", title=common.t("page.reply_desk"), icon="✍️"),
    st.Page("views/mentions.py", title=common.t("page.mentions"), icon="🔎"),
    st.Page("views/learning.py", title=common.t("page.learning"), icon="🎓"),
    st.Page("views/responses.py", title=common.t("page.responses"), icon="💬"),
    st.Page("views/sources.py", title=common.t("page.sources"), icon="🛰️"),
    st.Page("views/quarterly.py", title=common.t("page.quarterly"), icon="📅"),
    st.Page("views/reports.py", title=common.t("page.reports"), icon="📄"),
]
st.navigation(pages).run()
