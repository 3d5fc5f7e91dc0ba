"""The weekly report's charts: Altair specs in the report's language, rendered to PNG (vl-convert).

Why apart from `pipeline.charts`: the dashboard's builders draw the volume trend and the reply
histograms, and the report uses them as they are; only the report draws the sentiment trend per
week (as shares, so weeks of different volume compare), and only the report needs PNGs. Colours and
sentiment names come from `pipeline.charts`, texts from the catalogue. `chart_specs` is apart from
the PNG rendering so a quick test can read the specs' texts.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import altair as alt
import duckdb
import pandas as pd

from pipeline import charts
from pipeline.i18n import fmt_number, t
from pipeline.store import queries
from pipeline.store.queries import report_week
from pipeline.store.queries.responses import DELAY_BINS

TREND_WEEKS = 8


def delay_bands(lang: str) -> list[str]:
    """The first-response delay bands of `queries.delay_distribution` in the reader's words:
    "< 1 t", "8–24 t", "1–3 døgn" (nb); "< 1 h", "8–24 h", "1–3 d" (en)."""
    labels = []
    for lo, hi in pairwise(DELAY_BINS):
        days = lo >= 24
        unit = "report.unit.days" if days else "duration.hours"
        a, b = (fmt_number(x / 24 if days else x, lang) for x in (lo, hi if hi != float("inf") else lo))
        n = f"< {b}" if lo == 0 else f"> {a}" if hi == float("inf") else f"{a}–{b}"
        labels.append(t(unit, lang, n=n))
    return labels


def sentiment_trend_chart(df: pd.DataFrame, weeks: list[str], lang: str) -> alt.Chart:
    """Stacked shares of negative, neutral and positive mentions per ISO week (labels like "W47")."""
    ids = [s for s in charts.SENTIMENT_ORDER if s in set(df["sentiment"])]
    names = [charts.sentiment_name(s, lang) for s in ids]
    d = df.assign(name=df["sentiment"].map(lambda s: charts.sentiment_name(s, lang)),
                  order=df["sentiment"].map(lambda s: ids.index(s) if s in ids else len(ids)))
    week, share = t("chart.week", lang), t("report.chart.sentiment_axis", lang)
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("week:N", title=week, sort=weeks, scale=alt.Scale(domain=weeks), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mentions:Q", stack="normalize", title=share, axis=alt.Axis(format="%")),
        color=alt.Color("name:N", title=None, sort=names, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=names, range=[charts.SENTIMENT_COLOURS[s] for s in ids])),
        order=alt.Order("order:Q"),
    ).properties(title=t("report.chart.sentiment", lang, weeks=TREND_WEEKS), width=620, height=170)


def _whole_ticks(chart: alt.Chart, top: int) -> None:
    """Counts on the y axis at whole numbers only (a count of 1.5 replies reads as an error)."""
    step = max(1, -(-top // 5))
    chart.encoding.y.axis = alt.Axis(values=list(range(0, top + step, step)), format="d")


def _week_label(monday: date) -> str:
    return "W" + queries.iso_week(monday)[-2:]


def chart_specs(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> dict[str, Any]:
    """The report's charts in `lang`; None where there is nothing to draw (the template then says
    so in words instead of showing an empty picture)."""
    next_monday = monday + timedelta(days=7)
    first = monday - timedelta(days=7 * (TREND_WEEKS - 1))
    trend = queries.weekly_trend(con, first, next_monday)
    trend = trend.assign(week=[_week_label(d.date()) for d in trend["week_start"]])
    delay = queries.delay_distribution(con, monday, next_monday)
    delay = delay.assign(band=delay_bands(lang))
    quality = queries.quality_distribution(con, monday, next_monday)
    sentiment = report_week.sentiment_by_week(con, first, next_monday)
    specs: dict[str, Any] = {"trend": None, "sentiment": None, "delay": None, "quality": None}
    if not trend.empty and int(trend["mentions"].sum()):
        specs["trend"] = charts.weekly_trend_chart(
            trend, title=t("report.chart.trend", lang, weeks=TREND_WEEKS), lang=lang).properties(
            width=620, height=170).configure_axisX(labelAngle=0)
    if not sentiment.empty:
        sentiment = sentiment.assign(week=[_week_label(pd.Timestamp(d).date()) for d in sentiment["week_start"]])
        specs["sentiment"] = sentiment_trend_chart(sentiment, list(trend["week"]), lang)
    if int(delay["answered"].sum()):
        specs["delay"] = charts.band_chart(
            delay, "band", "answered", title=t("report.chart.delay", lang),
            x_title=t("report.chart.delay_axis", lang), lang=lang).properties(width=280, height=160)
        _whole_ticks(specs["delay"], int(delay["answered"].max()))
    if int(quality["answered"].sum()):
        specs["quality"] = charts.band_chart(
            quality, "band", "answered", title=t("report.chart.quality", lang),
            x_title=t("report.chart.quality_axis", lang), colour=charts.GREEN, lang=lang).properties(width=280, height=160)
        _whole_ticks(specs["quality"], int(quality["answered"].max()))
    return specs


def png_data_uri(chart: Any) -> str:
    """A chart as an inline PNG (twice the size, for print)."""
    import vl_convert as vlc

    png = vlc.vegalite_to_png(vl_spec=chart.to_json(), scale=2)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def chart_uris(con: duckdb.DuckDBPyConnection, monday: date, lang: str) -> dict[str, str | None]:
    return {k: None if c is None else png_data_uri(c) for k, c in chart_specs(con, monday, lang).items()}
