"""Showing the quarterly comparison: its Altair charts and its CSV export, in the reader's language.

Why a module of its own: the dashboard's Quarterly page and the weekly report both show the frame
of `pipeline.store.queries.quarterly.platform_comparison`; built here once, they show the same
chart and the same table. Pure functions (DataFrame in, chart or bytes out), no Streamlit, no I/O;
texts from the catalogue (`pipeline/i18n/quarterly.yaml`), colours from `pipeline.charts`.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from pipeline import i18n
from pipeline.charts import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILION, YELLOW

PALETTE = [BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, GREY]


def platform_name(platform: str, lang: str = "nb") -> str:
    return i18n.name("quarterly.platform", platform, lang)


def _latest(df: pd.DataFrame, quarter: str | None) -> pd.DataFrame:
    if df.empty:
        return df
    return df[df["quarter"] == (quarter or max(df["quarter"]))]


def share_chart(df: pd.DataFrame, quarter: str | None = None, lang: str = "nb") -> alt.Chart:
    """For one quarter (default the latest): per compared platform, its share of the mentions on the
    compared platforms beside its share of their reach; the tooltip gives the representation."""
    rows = _latest(df, quarter)
    rows = rows[rows["reach_share"].notna()] if not rows.empty else rows
    mentions_label = i18n.t("quarterly.column.compared_share", lang)
    reach_label = i18n.t("quarterly.column.reach_share", lang)
    long = pd.DataFrame(
        [{"platform": platform_name(r["platform"], lang), "measure": label, "share": 100 * r[col],
          "representation": None if math.isnan(r["representation"]) else round(r["representation"], 2),
          "quarter": r["quarter"]}
         for r in rows.to_dict("records") for label, col in ((mentions_label, "compared_share"),
                                                             (reach_label, "reach_share"))],
        columns=["platform", "measure", "share", "representation", "quarter"])
    title = i18n.t("quarterly.chart_title", lang) + (f" – {long['quarter'].iloc[0]}" if not long.empty else "")
    return alt.Chart(long, title=title).mark_bar().encode(
        x=alt.X("platform:N", title=i18n.t("quarterly.column.platform", lang), sort="-y",
                axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("measure:N", sort=[mentions_label, reach_label]),
        y=alt.Y("share:Q", title=i18n.t("quarterly.share", lang)),
        color=alt.Color("measure:N", title=i18n.t("quarterly.measure", lang),
                        scale=alt.Scale(domain=[mentions_label, reach_label], range=[BLUE, ORANGE])),
        tooltip=[alt.Tooltip("platform:N", title=i18n.t("quarterly.column.platform", lang)),
                 alt.Tooltip("measure:N", title=i18n.t("quarterly.measure", lang)),
                 alt.Tooltip("share:Q", title=i18n.t("quarterly.share", lang), format=".1f"),
                 alt.Tooltip("representation:Q", title=i18n.t("quarterly.column.representation", lang))],
    )


def representation_chart(df: pd.DataFrame, lang: str = "nb") -> alt.LayerChart:
    """Representation per compared platform over the quarters, against the line at 1 (as the reach)."""
    rows = df[df["representation"].notna()] if not df.empty else df
    data = pd.DataFrame({"quarter": rows.get("quarter", []),
                         "platform": [platform_name(p, lang) for p in rows.get("platform", [])],
                         "representation": rows.get("representation", [])})
    base = alt.Chart(data, title=i18n.t("quarterly.representation_title", lang))
    lines = base.mark_line(point=True).encode(
        x=alt.X("quarter:O", title=i18n.t("quarterly.column.quarter", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("representation:Q", title=i18n.t("quarterly.column.representation", lang)),
        color=alt.Color("platform:N", title=i18n.t("quarterly.column.platform", lang),
                        scale=alt.Scale(range=PALETTE)),
        tooltip=["quarter:O", "platform:N", alt.Tooltip("representation:Q", format=".2f")],
    )
    even = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color=GREY, strokeDash=[4, 4]).encode(y="y:Q")
    return lines + even


def comparison_table(df: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """The comparison with the reader's column names and platform names (numbers untouched)."""
    out = df.copy()
    out["platform"] = [platform_name(p, lang) for p in out["platform"]]

    def header(col: str) -> str:
        if col.endswith("_change"):
            return i18n.t("quarterly.column.change", lang, column=i18n.t(f"quarterly.column.{col[:-7]}", lang))
        return i18n.t(f"quarterly.column.{col}", lang)

    return out.rename(columns={c: header(c) for c in out.columns})


def comparison_csv(df: pd.DataFrame, lang: str | None = None) -> bytes:
    """The comparison as CSV bytes. `lang=None`: for programs (column ids, comma, decimal point,
    UTF-8). `nb`/`en`: for a spreadsheet in that language (headers and platform names translated;
    nb with `;` and decimal comma and a byte-order mark, as Excel in Norway expects)."""
    if lang is None:
        return df.to_csv(index=False).encode("utf-8")
    table = comparison_table(df, lang)
    if i18n.language(lang) == "nb":
        return table.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")
    return table.to_csv(index=False).encode("utf-8")
