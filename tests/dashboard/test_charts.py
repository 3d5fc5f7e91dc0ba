"""The shared chart builders speak the reader's language: every text from the catalogue in `lang`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline import charts, i18n


def spec(chart) -> str:
    return json.dumps(chart.to_dict(), ensure_ascii=False)


TREND = pd.DataFrame({"week": ["2026-W47", "2026-W48"], "mentions": [5, 7], "criticisms": [2, 3],
                      "response_rate": [0.5, 1.0]})
SENTIMENT = pd.DataFrame({"language": ["nb", "nb", "en"], "sentiment": ["negative", "unscored", "positive"],
                          "mentions": [3, 1, 2]})
OUTCOMES = pd.DataFrame({"outcome": ["resolved", "no_followup"], "answered": [2, 1]})
ASPECTS = pd.DataFrame({"aspect": ["pay", "not_a_known_aspect"], "criticisms": [3, 1], "answered": [2, 0]})


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_chart_text_is_in_the_asked_language(lang: str) -> None:
    trend = spec(charts.weekly_trend_chart(TREND, lang=lang))
    for key in ("chart.title.weekly_trend", "chart.week", "chart.mentions", "chart.criticisms",
                "chart.criticism_response_rate"):
        assert i18n.t(key, lang) in trend
    sentiment = spec(charts.sentiment_language_chart(SENTIMENT, lang=lang))
    assert all(i18n.name("sentiment", s, lang) in sentiment for s in ("negative", "unscored", "positive"))
    assert '"label": "' + i18n.name("chart.language_name", "nb", lang) + '"' in sentiment  # the axis shows names
    by_source = spec(charts.sentiment_source_chart(SENTIMENT.rename(columns={"language": "source"}).assign(
        source=["hackernews", "hackernews", "trustpilot"]), lang=lang))
    assert "Hacker News" in by_source and i18n.t("chart.title.sentiment_source", lang) in by_source
    outcomes = spec(charts.outcome_chart(OUTCOMES, lang=lang))
    assert i18n.name("outcome", "no_followup", lang) in outcomes and i18n.t("chart.title.outcomes", lang) in outcomes
    aspects = spec(charts.aspects_chart(ASPECTS, lang=lang))
    assert i18n.name("aspect", "pay", lang) in aspects and "not_a_known_aspect" in aspects
    assert i18n.t("common.no_data", lang) in spec(charts.outcome_chart(OUTCOMES.iloc[0:0], lang=lang))


def test_english_charts_hold_no_norwegian_axis_text() -> None:
    text = spec(charts.weekly_trend_chart(TREND, lang="en")) + spec(charts.quarterly_chart(
        pd.DataFrame({"quarter": ["2026-Q3"], "criticisms": [4], "response_rate": [0.25]}), lang="en"))
    for word in ("Uke", "Omtaler", "Kritikk", "Svarrate", "Kvartal", "Antall"):
        assert word not in text


RESPONSE_TIMES = pd.DataFrame({"week": ["2026-W47", "2026-W48", "2026-W49"], "criticisms_responded": [2, 0, 3],
                               "median_first_response_hours": [3.5, None, 1.0],
                               "p90_first_response_hours": [20.0, None, 4.0]})


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_response_time_trend_chart_names_both_lines_and_leaves_gaps(lang: str) -> None:
    chart = charts.response_time_trend_chart(RESPONSE_TIMES, lang=lang)
    text = spec(chart)
    for key in ("chart.title.response_time_weekly", "chart.week", "chart.median", "chart.p90",
                "chart.hours_to_first_response", "chart.answered_criticism"):
        assert i18n.t(key, lang) in text
    rows = next(iter(chart.to_dict()["datasets"].values()))
    w48 = [r for r in rows if r["week"] == "2026-W48"]
    assert len(w48) == 2 and all(r["hours"] is None for r in w48)  # no answered criticism: no point, not 0
    assert {(r["series"], r["hours"]) for r in rows if r["week"] == "2026-W47"} == {
        (i18n.t("chart.median", lang), 3.5), (i18n.t("chart.p90", lang), 20.0)}
    empty = RESPONSE_TIMES.assign(median_first_response_hours=None, p90_first_response_hours=None)
    assert i18n.t("common.no_data", lang) in spec(charts.response_time_trend_chart(empty, lang=lang))
