"""Altair chart builders shared by the dashboard and the weekly report.

Pure functions: a DataFrame from `pipeline.store.queries` in, an `alt.Chart` out; no Streamlit, no
I/O. Colours are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies), and every series is also told apart by its label, not by colour alone. Column names
are English; every text (titles, axes, legends, sentiment, outcome and aspect names) comes from the
message catalogue (`pipeline.i18n`, the `chart` group in `dashboard.yaml`) in the `lang` a chart is
asked for (default bokmål), so the report can draw the same chart in English.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline import i18n

# Okabe–Ito
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#7F7F7F"

SENTIMENT_ORDER = ("negative", "neutral", "positive", "unscored")
SENTIMENT_COLOURS = {"negative": VERMILION, "neutral": GREY, "positive": BLUE, "unscored": "#BBBBBB"}
OUTCOME_COLOURS = {"resolved": GREEN, "unresolved": VERMILION, "no_followup": GREY, "unknown": "#BBBBBB"}


def sentiment_name(sentiment: str | None, lang: str = "nb") -> str:
    """A sentiment id (`negative`, ..., `unscored`; None = not analysed) in the reader's words."""
    return i18n.name("sentiment", sentiment or "unscored", lang)


def outcome_name(outcome: str | None, lang: str = "nb") -> str:
    """An outcome id (`resolved`, `unresolved`, `no_followup`, `unknown`) in the reader's words."""
    return i18n.name("outcome", outcome or "unknown", lang)


def language_name(code: str | None, lang: str = "nb") -> str:
    """A language code of `mentions.language` (`nb`, `nn`, `sv`, `da`, `en`, `other`) in the reader's words."""
    return i18n.name("chart.language_name", code or "unknown", lang)


def platform_name(platform: str | None, lang: str = "nb") -> str:
    """A `mentions.source` platform id (`hackernews`, `trustpilot`, ...) as people write it."""
    return i18n.name("chart.platform_name", platform or "unknown", lang)


def _count_axis() -> alt.Axis:
    """Counts get integer ticks."""
    return alt.Axis(tickMinStep=1, format="d")


def _t(key: str, lang: str) -> str:
    return i18n.t(f"chart.{key}", lang)


def _empty(title: str, lang: str = "nb") -> alt.Chart:
    return alt.Chart(pd.DataFrame({"t": [i18n.t("common.no_data", lang)]})).mark_text(size=14, color=GREY).encode(
        text="t:N").properties(title=title, height=80)


def weekly_trend_chart(df: pd.DataFrame, title: str | None = None, lang: str = "nb") -> alt.LayerChart | alt.Chart:
    """Bars: mentions and criticisms per ISO week; line: criticism response rate (right axis)."""
    title = title or _t("title.weekly_trend", lang)
    if df.empty:
        return _empty(title, lang)
    names = {"mentions": _t("mentions", lang), "criticisms": _t("criticisms", lang)}
    order = list(names.values())
    counts = df.melt(id_vars=["week"], value_vars=["mentions", "criticisms"], var_name="series",
                     value_name="count")
    counts["series"] = counts["series"].map(names)
    week, count, series = _t("week", lang), _t("count", lang), _t("series", lang)
    bars = alt.Chart(counts).mark_bar().encode(
        x=alt.X("week:N", title=week, sort=list(df["week"]),
                axis=alt.Axis(labelAngle=0, labelExpr="replace(datum.label, /^\\d{4}-/, '')")),
        xOffset=alt.XOffset("series:N", sort=order),
        y=alt.Y("count:Q", title=count, axis=_count_axis()),
        color=alt.Color("series:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=[SKY, VERMILION]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("week:N", title=week), alt.Tooltip("series:N", title=series),
                 alt.Tooltip("count:Q", title=count)],
    )
    rate = df[["week", "response_rate"]].copy()
    rate["response_rate_pct"] = rate["response_rate"].astype(float) * 100
    line = alt.Chart(rate).mark_line(point=alt.OverlayMarkDef(shape="diamond", size=60),
                                     color=BLUE, strokeWidth=2).encode(
        x=alt.X("week:N", sort=list(df["week"])),
        y=alt.Y("response_rate_pct:Q", title=_t("criticism_response_rate", lang), scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("week:N", title=week),
                 alt.Tooltip("response_rate_pct:Q", title=_t("response_rate", lang), format=".0f")],
    )
    return alt.layer(bars, line).resolve_scale(y="independent").properties(title=title, height=260)


def response_time_trend_chart(df: pd.DataFrame, title: str | None = None,
                              lang: str = "nb") -> alt.LayerChart | alt.Chart:
    """Lines: median and 90th percentile of the hours to first response to criticism, per ISO week
    (the `weekly_trend` columns `median_first_response_hours`, `p90_first_response_hours`); a week
    without answered criticism has no point (a gap, not a zero)."""
    title = title or _t("title.response_time_weekly", lang)
    if df.empty or df[["median_first_response_hours", "p90_first_response_hours"]].isna().all().all():
        return _empty(title, lang)
    names = {"median_first_response_hours": _t("median", lang), "p90_first_response_hours": _t("p90", lang)}
    order = list(names.values())
    long = df.melt(id_vars=["week", "criticisms_responded"], value_vars=list(names), var_name="series",
                   value_name="hours")
    long["series"] = long["series"].map(names)
    long["hours"] = long["hours"].astype(float)
    week, hours, series = _t("week", lang), _t("hours_to_first_response", lang), _t("series", lang)
    base = alt.Chart(long).encode(
        x=alt.X("week:N", title=week, sort=list(df["week"]),
                axis=alt.Axis(labelAngle=0, labelExpr="replace(datum.label, /^\\d{4}-/, '')")),
        y=alt.Y("hours:Q", title=hours, scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", title=None, sort=order, scale=alt.Scale(domain=order, range=[BLUE, ORANGE]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("week:N", title=week), alt.Tooltip("series:N", title=series),
                 alt.Tooltip("hours:Q", title=hours, format=".1f"),
                 alt.Tooltip("criticisms_responded:Q", title=_t("answered_criticism", lang), format="d")],
    )
    lines = base.mark_line(strokeWidth=2).encode(strokeDash=alt.StrokeDash("series:N", sort=order, legend=None))
    points = base.mark_point(filled=True, size=50).encode(shape=alt.Shape("series:N", sort=order, legend=None))
    return alt.LayerChart(layer=[lines, points], title=title, height=260)


def band_chart(df: pd.DataFrame, band: str, value: str, *, title: str, x_title: str,
               y_title: str | None = None, colour: str = BLUE, lang: str = "nb") -> alt.Chart:
    """A histogram already binned by a query (`quality_distribution`, `delay_distribution`)."""
    if df.empty or int(df[value].sum()) == 0:
        return _empty(title, lang)
    y_title = y_title or _t("answered_count", lang)
    return alt.Chart(df).mark_bar(color=colour).encode(
        x=alt.X(f"{band}:N", title=x_title, sort=list(df[band]), axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{value}:Q", title=y_title, axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip(f"{band}:N", title=x_title), alt.Tooltip(f"{value}:Q", title=y_title)],
    ).properties(title=title, height=220)


def outcome_chart(df: pd.DataFrame, title: str | None = None, lang: str = "nb") -> alt.Chart:
    title = title or _t("title.outcomes", lang)
    if df.empty or int(df["answered"].sum()) == 0:
        return _empty(title, lang)
    d = df.assign(outcome_name=df["outcome"].map(lambda o: outcome_name(o, lang)))
    domain = list(d["outcome_name"])
    colours = [OUTCOME_COLOURS.get(o, PURPLE) for o in d["outcome"]]
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y("outcome_name:N", title=None, sort=domain),
        x=alt.X("answered:Q", title=_t("answered_criticism", lang), axis=_count_axis()),
        color=alt.Color("outcome_name:N", legend=None, scale=alt.Scale(domain=domain, range=colours)),
        tooltip=[alt.Tooltip("outcome_name:N", title=_t("outcome", lang)),
                 alt.Tooltip("answered:Q", title=_t("count", lang))],
    ).properties(title=title, height=alt.Step(30))


def sentiment_language_chart(df: pd.DataFrame, title: str | None = None, lang: str = "nb") -> alt.Chart:
    """Stacked sentiment per language (`queries.sentiment_by_language`), languages by name."""
    named = df.assign(label=df["language"].map(lambda c: language_name(c, lang)))
    return _sentiment_bars(named, title or _t("title.sentiment_language", lang), _t("language", lang), lang)


def sentiment_source_chart(df: pd.DataFrame, title: str | None = None, lang: str = "nb") -> alt.Chart:
    """Stacked sentiment per source (`queries.sentiment_by_source`), sources by name."""
    named = df.assign(label=df["source"].map(lambda s: platform_name(s, lang)))
    return _sentiment_bars(named, title or _t("title.sentiment_source", lang), _t("source", lang), lang)


def _sentiment_bars(d: pd.DataFrame, title: str, axis: str, lang: str) -> alt.Chart:
    if d.empty:
        return _empty(title, lang)
    d = d.assign(sentiment_name=d["sentiment"].map(lambda s: sentiment_name(s, lang)))
    present = list(dict.fromkeys(d["sentiment"]))
    ids = [s for s in SENTIMENT_ORDER if s in present] + sorted(set(present) - set(SENTIMENT_ORDER))
    domain = [sentiment_name(s, lang) for s in ids]
    sentiment, mentions = _t("sentiment", lang), _t("mentions", lang)
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y("label:N", title=axis),
        x=alt.X("mentions:Q", title=mentions, stack="zero", axis=_count_axis()),
        color=alt.Color("sentiment_name:N", title=sentiment, scale=alt.Scale(
            domain=domain, range=[SENTIMENT_COLOURS.get(s, PURPLE) for s in ids]),
            legend=alt.Legend(orient="top")),
        order=alt.Order("sentiment_name:N"),
        tooltip=[alt.Tooltip("label:N", title=axis), alt.Tooltip("sentiment_name:N", title=sentiment),
                 alt.Tooltip("mentions:Q", title=mentions)],
    ).properties(title=title, height=alt.Step(28))


def aspects_chart(df: pd.DataFrame, title: str | None = None, lang: str = "nb") -> alt.Chart:
    """Criticism and answered criticism per aspect id, shown by the aspect's catalogue name."""
    title = title or _t("title.aspects", lang)
    if df.empty:
        return _empty(title, lang)
    names = {"criticisms": _t("criticisms", lang), "answered": _t("answered", lang)}
    order = list(names.values())
    named = df.assign(aspect_name=df["aspect"].map(lambda a: i18n.name("aspect", a, lang)))
    long = named.melt(id_vars=["aspect_name"], value_vars=["criticisms", "answered"], var_name="series",
                      value_name="count")
    long["series"] = long["series"].map(names)
    topic, count = _t("topic", lang), _t("count", lang)
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("aspect_name:N", title=topic, sort=list(named["aspect_name"])),
        yOffset=alt.YOffset("series:N", sort=order),
        x=alt.X("count:Q", title=count, axis=_count_axis()),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=order, range=[VERMILION, BLUE]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("aspect_name:N", title=topic), alt.Tooltip("series:N", title=_t("series", lang)),
                 alt.Tooltip("count:Q", title=count)],
    ).properties(title=title)


def quarterly_chart(df: pd.DataFrame, title: str | None = None, lang: str = "nb") -> alt.LayerChart | alt.Chart:
    title = title or _t("title.quarterly", lang)
    if df.empty:
        return _empty(title, lang)
    d = df[["quarter", "criticisms", "response_rate"]].copy()
    d["response_rate_pct"] = d["response_rate"].astype(float) * 100
    quarter, criticisms, rate = _t("quarter", lang), _t("criticisms", lang), _t("response_rate", lang)
    bars = alt.Chart(d).mark_bar(color=VERMILION).encode(
        x=alt.X("quarter:N", title=quarter, axis=alt.Axis(labelAngle=0)), y=alt.Y("criticisms:Q", title=criticisms, axis=_count_axis()),
        tooltip=[alt.Tooltip("quarter:N", title=quarter), alt.Tooltip("criticisms:Q", title=criticisms)])
    line = alt.Chart(d).mark_line(color=BLUE, point=True).encode(
        x="quarter:N", y=alt.Y("response_rate_pct:Q", title=rate, scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("response_rate_pct:Q", title=rate, format=".0f")])
    return alt.layer(bars, line).resolve_scale(y="independent").properties(title=title, height=240)


def stats_chart(df: pd.DataFrame, title: str | None = None, lang: str = "nb") -> alt.FacetChart | alt.Chart:
    """Long quarterly_stats (quarter, platform, metric, value): one small panel per metric."""
    title = title or _t("title.stats", lang)
    if df.empty:
        return _empty(title, lang)
    platform = _t("platform", lang)
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("quarter:N", title=_t("quarter", lang)),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("platform:N", title=platform,
                        scale=alt.Scale(range=[BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW])),
        strokeDash=alt.StrokeDash("platform:N", title=platform),
        tooltip=["quarter:N", "platform:N", "metric:N", alt.Tooltip("value:Q", format=",.2f")],
    ).properties(width=220, height=150).facet(facet=alt.Facet("metric:N", title=None), columns=3).resolve_scale(
        y="independent").properties(title=title)


# --------------------------------------------------------------------------------------------
# Number formatting in the reader's conventions (nb: decimal comma, "66,7 %", "3,5 t", "10 000";
# en: "66.7%", "3.5 h", "10,000"), shared by the dashboard's pages so every KPI prints the same way.
# The default stays bokmål, as before.

MISSING = "–"


def _num(x: float, decimals: int, lang: str = "nb") -> str:
    s = f"{x:,.{decimals}f}"
    if i18n.language(lang) == "en":
        return s
    return s.replace(",", "\u00a0").replace(".", ",")


def _missing(v: object) -> bool:
    return v is None or bool(pd.isna(v))  # type: ignore[call-overload]


def fmt_int(v: int | float | None, lang: str = "nb") -> str:
    return MISSING if _missing(v) else _num(float(v), 0, lang)  # type: ignore[arg-type]


def fmt_pct(v: float | None, decimals: int = 1, lang: str = "nb") -> str:
    """A 0..1 rate as a percentage: 0.6667 → "66,7 %" (nb), "66.7%" (en)."""
    if _missing(v):
        return MISSING
    sep = "" if i18n.language(lang) == "en" else " "
    return f"{_num(float(v) * 100, decimals, lang)}{sep}%"  # type: ignore[arg-type]


def fmt_hours(v: float | None, decimals: int = 1, lang: str = "nb") -> str:
    """Hours with one decimal and the unit: "3,5 t" (nb), "3.5 h" (en)."""
    return MISSING if _missing(v) else f"{_num(float(v), decimals, lang)} {_t('unit.hours', lang)}"  # type: ignore[arg-type]


def fmt_quality(v: float | None, lang: str = "nb") -> str:
    """Reply quality 0..100 (pipeline/responses/quality/), one decimal: 72.46 → "72,5" / "72.5"."""
    return MISSING if _missing(v) else _num(float(v), 1, lang)  # type: ignore[arg-type]
