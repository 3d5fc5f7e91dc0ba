"""Mentions as a spreadsheet: CSV or XLSX of the full rows (the whole text, not the page's excerpt).

Why its own module: the export is what HR takes into Excel and to meetings, so it speaks the reader's
language like the page does (column headers, sentiment, language and aspect names, yes/no, times in
the company's time zone), while the ids a program would need (`id`, `source`, `external_id`) stay as
they are. A Norwegian CSV uses `;` and a byte-order mark, as Excel in Norway expects. Text from the
web is kept inert: a cell that would start a formula (`=`, `+`, `-`, `@`) gets a leading apostrophe.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd

from pipeline import charts, i18n

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> str:
    """Web text as a spreadsheet cell that Excel and openpyxl never read as a formula."""
    s = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return "'" + s if s.startswith(FORMULA_START) else s


def export_table(df: pd.DataFrame, lang: str, when: Callable[[object], str]) -> pd.DataFrame:
    """`queries.search_mentions` rows → the export's columns in `lang` (`when` formats a stored UTC time)."""
    yes, no = i18n.t("dashboard.mentions.yes", lang), i18n.t("dashboard.mentions.no", lang)

    def flag(v: object) -> str:
        return yes if bool(v) else no

    def col(name: str) -> str:
        return i18n.t(f"dashboard.mentions.export.{name}", lang)

    return pd.DataFrame({
        col("id"): df["id"].astype("int64"),
        col("published_at"): [when(v) for v in df["published_at"]],
        col("source"): df["source"].map(lambda s: charts.platform_name(s, lang)),
        col("author"): df["author"].map(inert),
        col("official"): df["official"].map(flag),
        col("language"): df["language"].map(lambda c: charts.language_name(c, lang) if isinstance(c, str) else ""),
        col("sentiment"): df["sentiment"].map(lambda s: charts.sentiment_name(s if isinstance(s, str) else None, lang)),
        col("p_negative"): df["p_negative"].astype("Float64").round(3),
        col("is_criticism"): df["is_criticism"].map(flag),
        col("aspects"): df["aspects"].map(lambda a: ", ".join(i18n.name("aspect", x, lang) for x in a)),
        col("answered"): df["answered"].map(flag),
        col("responded_at"): [when(v) if v is not None and not pd.isna(v) else "" for v in df["responded_at"]],
        col("rating"): df["rating"].astype("Float64"),
        col("title"): df["title"].map(inert),
        col("text"): df["text"].map(inert),
        col("url"): df["url"].map(inert),
        col("external_id"): df["external_id"],
        col("thread_id"): df["thread_id"].fillna(""),
    })


def to_csv(table: pd.DataFrame, lang: str) -> bytes:
    if i18n.language(lang) == "nb":
        return table.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")
    return table.to_csv(index=False).encode("utf-8")


def to_xlsx(table: pd.DataFrame, sheet: str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        table.to_excel(xl, index=False, sheet_name=sheet[:31])
    return buf.getvalue()
