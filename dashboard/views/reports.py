"""Reports: the archive of weekly reports — open one here (its HTML) or download its PDF.

The writer builds them (`rykte report`, or the service on schedule) into `<data-dir>/reports/` and
records them in the `reports` table; this page lists both (`queries.reports.archive`)."""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from dashboard import common
from dashboard.common import t
from pipeline.store.queries.reports import archive, report_archive

ctx = common.context()
st.title(t("page.reports"))
reports_dir = ctx.data_dir / "reports"
table = archive(common.q(report_archive), reports_dir)
if table.empty:
    st.info(t("reports.empty"))
    st.stop()
st.caption(t("reports.caption", n=common.num(len(table))))

st.dataframe({
    t("reports.col.week"): table["week"].map(lambda w: t("reports.week", week=w[-2:].lstrip("0"), year=w[:4])),
    t("reports.col.created"): common.when_column(table["created_at"]),
    t("reports.col.sent"): [common.when(s) if s is not None else (t("reports.failed") if e else t("reports.not_sent"))
                            for s, e in zip(table["sent_at"], table["last_error"], strict=True)],
    t("reports.col.pdf"): table["pdf"].map(lambda p: "✔" if p is not None else t("reports.missing")),
}, hide_index=True, width="stretch")

week = common.select(st, t("reports.pick"), list(table["week"]), "report_week",
                     lambda w: t("reports.week", week=w[-2:].lstrip("0"), year=w[:4]))
row = table[table["week"] == week].iloc[0]
if row["pdf"] is not None:
    st.download_button(t("reports.download_pdf"), row["pdf"].read_bytes(), file_name=row["pdf"].name,
                       mime="application/pdf", key="report_pdf", type="primary")
else:
    st.warning(t("reports.no_pdf"))
if row["html"] is not None:
    components.html(row["html"].read_text(encoding="utf-8"), height=900, scrolling=True)
