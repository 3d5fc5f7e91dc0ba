"""The quarterly comparison's charts and CSV export: the comparison's numbers, in the reader's language."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
import vl_convert as vlc

from pipeline.charts_quarterly import comparison_csv, comparison_table, representation_chart, share_chart
from pipeline.store.queries.quarterly import COLUMNS

NAN = math.nan


def frame() -> pd.DataFrame:
    base = dict.fromkeys(COLUMNS, NAN)
    rows = [
        {**base, "quarter": "2026-Q1", "platform": "facebook", "mentions": 3, "mention_share": 0.5, "reach": 60.0,
         "reach_quarter": "2025-Q4", "reach_source": "Ipsos, Q4", "reach_share": 0.6, "compared_share": 0.6,
         "representation": 1.0, "negative_share": 2 / 3, "response_rate": 0.5, "median_response_hours": 2.5},
        {**base, "quarter": "2026-Q2", "platform": "facebook", "mentions": 1, "mention_share": 0.25, "reach": 50.0,
         "reach_quarter": "2026-Q2", "reach_source": "Ipsos, Q2", "reach_share": 0.5, "compared_share": 0.25,
         "representation": 0.5, "mentions_change": -2.0, "representation_change": -0.5},
        {**base, "quarter": "2026-Q2", "platform": "twitter", "mentions": 3, "mention_share": 0.75, "reach": 50.0,
         "reach_quarter": "2026-Q2", "reach_source": "Ipsos, Q2", "reach_share": 0.5, "compared_share": 0.75,
         "representation": 1.5},
        {**base, "quarter": "2026-Q2", "platform": "news", "mentions": 0, "mention_share": 0.0,
         "reach_quarter": None, "reach_source": None},
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def test_share_chart_shows_the_latest_quarter_of_compared_platforms() -> None:
    spec = share_chart(frame(), lang="en").to_dict()
    values = next(iter(spec["datasets"].values()))
    assert {(v["platform"], v["measure"], v["share"]) for v in values} == {
        ("Facebook", "Share of mentions on the platforms", 25.0), ("Facebook", "Share of reach", 50.0),
        ("X (Twitter)", "Share of mentions on the platforms", 75.0), ("X (Twitter)", "Share of reach", 50.0)}
    assert spec["title"] == "Share of mentions against share of reach – 2026-Q2"
    nb = share_chart(frame(), quarter="2026-Q1", lang="nb").to_dict()
    assert nb["title"].startswith("Andel av omtalene mot andel av rekkevidden – 2026-Q1")
    assert {v["share"] for v in next(iter(nb["datasets"].values()))} == {60.0}


def test_charts_render_and_tolerate_an_empty_comparison() -> None:
    for chart in (share_chart(frame()), representation_chart(frame(), "en"),
                  share_chart(frame().iloc[0:0]), representation_chart(frame().iloc[0:0])):
        png = vlc.vegalite_to_png(chart.to_json(), scale=1)
        assert png.startswith(b"\x89PNG")


def test_csv_for_programs_round_trips() -> None:
    back = pd.read_csv(io.BytesIO(comparison_csv(frame())))
    assert list(back.columns) == COLUMNS
    assert back.loc[0, "negative_share"] == pytest.approx(2 / 3)
    assert back["platform"].tolist() == ["facebook", "facebook", "twitter", "news"]


def test_csv_for_a_norwegian_spreadsheet() -> None:
    raw = comparison_csv(frame(), "nb")
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Kvartal;Plattform;Omtaler;Andel av alle omtaler;")
    assert "Representasjon, endring" in text.splitlines()[0]
    back = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert back.loc[0, "Median svartid (timer)"] == 2.5 and back.loc[2, "Plattform"] == "X (Twitter)"
    en = comparison_table(frame(), "en")
    assert list(en.columns)[:4] == ["Quarter", "Platform", "Mentions", "Share of all mentions"]
    assert comparison_csv(frame(), "en").decode().splitlines()[0].startswith("Quarter,Platform,")
