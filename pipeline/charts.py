"""Altair chart builders shared by the dashboard and the weekly report.

Pure functions: a DataFrame from `pipeline.store.queries` in, an `alt.Chart` out; no Streamlit, no
I/O. Colours are the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies), and every series is also told apart by its label, not by colour alone. Column names
are English; sentiment and outcome names come from the message catalogue (`pipeline.i18n`) in the
`lang` a chart is asked for (default bokmål); the other chart texts are still Norwegian defaults.
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


def _empty(title: str) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"t": ["Ingen data i perioden"]})).mark_text(size=14, color=GREY).encode(
        text="t:N").properties(title=title, height=80)


def weekly_trend_chart(df: pd.DataFrame, title: str = "Omtaler og kritikk per uke") -> alt.LayerChart | alt.Chart:
    """Bars: mentions and criticisms per ISO week; line: criticism response rate (right axis)."""
    if df.empty:
        return _empty(title)
    counts = df.melt(id_vars=["week"], value_vars=["mentions", "criticisms"], var_name="series",
                     value_name="count")
    counts["series"] = counts["series"].map({"mentions": "Omtaler", "criticisms": "Kritikk"})
    bars = alt.Chart(counts).mark_bar().encode(
        x=alt.X("week:N", title="Uke", sort=list(df["week"])),
        xOffset=alt.XOffset("series:N", sort=["Omtaler", "Kritikk"]),
        y=alt.Y("count:Q", title="Antall"),
        color=alt.Color("series:N", title=None, sort=["Omtaler", "Kritikk"],
                        scale=alt.Scale(domain=["Omtaler", "Kritikk"], range=[SKY, VERMILION]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("week:N", title="Uke"), alt.Tooltip("series:N", title="Serie"),
                 alt.Tooltip("count:Q", title="Antall")],
    )
    rate = df[["week", "response_rate"]].copy()
    rate["response_rate_pct"] = rate["response_rate"].astype(float) * 100
    line = alt.Chart(rate).mark_line(point=alt.OverlayMarkDef(shape="diamond", size=60),
                                     color=BLUE, strokeWidth=2).encode(
        x=alt.X("week:N", sort=list(df["week"])),
        y=alt.Y("response_rate_pct:Q", title="Svarrate på kritikk (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("week:N", title="Uke"),
                 alt.Tooltip("response_rate_pct:Q", title="Svarrate (%)", format=".0f")],
    )
    return alt.layer(bars, line).resolve_scale(y="independent").properties(title=title, height=260)


def band_chart(df: pd.DataFrame, band: str, value: str, *, title: str, x_title: str,
               y_title: str = "Antall besvart", colour: str = BLUE) -> alt.Chart:
    """A histogram already binned by a query (`quality_distribution`, `delay_distribution`)."""
    if df.empty or int(df[value].sum()) == 0:
        return _empty(title)
    return alt.Chart(df).mark_bar(color=colour).encode(
        x=alt.X(f"{band}:N", title=x_title, sort=list(df[band]), axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{value}:Q", title=y_title, axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip(f"{band}:N", title=x_title), alt.Tooltip(f"{value}:Q", title=y_title)],
    ).properties(title=title, height=220)


def outcome_chart(df: pd.DataFrame, title: str = "Utfall etter svar", lang: str = "nb") -> alt.Chart:
    if df.empty or int(df["answered"].sum()) == 0:
        return _empty(title)
    d = df.assign(outcome_name=df["outcome"].map(lambda o: outcome_name(o, lang)))
    domain = list(d["outcome_name"])
    colours = [OUTCOME_COLOURS.get(o, PURPLE) for o in d["outcome"]]
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y("outcome_name:N", title=None, sort=domain),
        x=alt.X("answered:Q", title="Antall besvart kritikk"),
        color=alt.Color("outcome_name:N", legend=None, scale=alt.Scale(domain=domain, range=colours)),
        tooltip=[alt.Tooltip("outcome_name:N", title="Utfall"), alt.Tooltip("answered:Q", title="Antall")],
    ).properties(title=title, height=160)


def sentiment_language_chart(df: pd.DataFrame, title: str = "Sentiment per språk", lang: str = "nb") -> alt.Chart:
    if df.empty:
        return _empty(title)
    d = df.assign(sentiment_name=df["sentiment"].map(lambda s: sentiment_name(s, lang)))
    present = list(dict.fromkeys(d["sentiment"]))
    ids = [s for s in SENTIMENT_ORDER if s in present] + sorted(set(present) - set(SENTIMENT_ORDER))
    domain = [sentiment_name(s, lang) for s in ids]
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y("language:N", title="Språk"),
        x=alt.X("mentions:Q", title="Omtaler", stack="zero"),
        color=alt.Color("sentiment_name:N", title="Sentiment", scale=alt.Scale(
            domain=domain, range=[SENTIMENT_COLOURS.get(s, PURPLE) for s in ids]),
            legend=alt.Legend(orient="top")),
        order=alt.Order("sentiment_name:N"),
        tooltip=[alt.Tooltip("language:N", title="Språk"), alt.Tooltip("sentiment_name:N", title="Sentiment"),
                 alt.Tooltip("mentions:Q", title="Omtaler")],
    ).properties(title=title, height=alt.Step(28))


def aspects_chart(df: pd.DataFrame, title: str = "Hva kritikken handler om", lang: str = "nb") -> alt.Chart:
    """Criticism and answered criticism per aspect id, shown by the aspect's catalogue name."""
    if df.empty:
        return _empty(title)
    named = df.assign(aspect_name=df["aspect"].map(lambda a: i18n.name("aspect", a, lang)))
    long = named.melt(id_vars=["aspect_name"], value_vars=["criticisms", "answered"], var_name="series",
                      value_name="count")
    long["series"] = long["series"].map({"criticisms": "Kritikk", "answered": "Besvart"})
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("aspect_name:N", title="Tema", sort=list(named["aspect_name"])),
        yOffset=alt.YOffset("series:N", sort=["Kritikk", "Besvart"]),
        x=alt.X("count:Q", title="Antall"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["Kritikk", "Besvart"],
                                                                 range=[VERMILION, BLUE]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("aspect_name:N", title="Tema"), alt.Tooltip("series:N", title="Serie"),
                 alt.Tooltip("count:Q", title="Antall")],
    ).properties(title=title)


def quarterly_chart(df: pd.DataFrame, title: str = "Kritikk og svarrate per kvartal") -> alt.LayerChart | alt.Chart:
    if df.empty:
        return _empty(title)
    d = df[["quarter", "criticisms", "response_rate"]].copy()
    d["response_rate_pct"] = d["response_rate"].astype(float) * 100
    bars = alt.Chart(d).mark_bar(color=VERMILION).encode(
        x=alt.X("quarter:N", title="Kvartal"), y=alt.Y("criticisms:Q", title="Kritikk"),
        tooltip=[alt.Tooltip("quarter:N", title="Kvartal"), alt.Tooltip("criticisms:Q", title="Kritikk")])
    line = alt.Chart(d).mark_line(color=BLUE, point=True).encode(
        x="quarter:N", y=alt.Y("response_rate_pct:Q", title="Svarrate (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("response_rate_pct:Q", title="Svarrate (%)", format=".0f")])
    return alt.layer(bars, line).resolve_scale(y="independent").properties(title=title, height=240)


def stats_chart(df: pd.DataFrame, title: str = "Importert statistikk fra sosiale medier") -> alt.FacetChart | alt.Chart:
    """Long quarterly_stats (quarter, platform, metric, value): one small panel per metric."""
    if df.empty:
        return _empty(title)
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("quarter:N", title="Kvartal"),
        y=alt.Y("value:Q", title=None),
        color=alt.Color("platform:N", title="Plattform",
                        scale=alt.Scale(range=[BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW])),
        strokeDash=alt.StrokeDash("platform:N", title="Plattform"),
        tooltip=["quarter:N", "platform:N", "metric:N", alt.Tooltip("value:Q", format=",.2f")],
    ).properties(width=220, height=150).facet(facet=alt.Facet("metric:N", title=None), columns=3).resolve_scale(
        y="independent").properties(title=title)


# --------------------------------------------------------------------------------------------
# Number formatting (Norwegian conventions: decimal comma, "66,7 %", "3,5 t"), shared by the
# dashboard and the report so both print a KPI the same way.

MISSING = "–"


def _comma(x: float, decimals: int) -> str:
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\u00a0").replace(".", ",")


def fmt_int(v: int | float | None) -> str:
    return MISSING if v is None or pd.isna(v) else _comma(float(v), 0)


def fmt_pct(v: float | None, decimals: int = 1) -> str:
    """A 0..1 rate as a percentage: 0.6667 → "66,7 %"."""
    return MISSING if v is None or pd.isna(v) else f"{_comma(float(v) * 100, decimals)} %"


def fmt_hours(v: float | None, decimals: int = 1) -> str:
    return MISSING if v is None or pd.isna(v) else f"{_comma(float(v), decimals)} t"


def fmt_quality(v: float | None) -> str:
    """Reply quality 0..100 (pipeline/responses/quality/), one decimal: 72.46 → "72,5"."""
    return MISSING if v is None or pd.isna(v) else _comma(float(v), 1)
