"""The report's words and numbers without rendering a PDF (quick tier): key-figure rows, changes,
delay bands, the page footer, the chart texts, and the catalogue entries the report uses, in nb and en."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import InputError
from pipeline.i18n import has
from pipeline.reports.charts import chart_specs, delay_bands
from pipeline.reports.kpis import change, kpi_rows
from pipeline.reports.weekly import TEMPLATES, css_content, parse_week
from pipeline.store.db import connect_writer
from tests.factories import make_store
from tests.reports.world import OFFICIAL, world


def metrics(**over: Any) -> dict[str, Any]:
    k: dict[str, Any] = {"mentions": 1234, "official_mentions": 5, "criticisms": 6, "criticisms_responded": 4,
                         "response_rate": 4 / 6, "first_response_hours": {"median": 3.25, "p90": 22.2},
                         "quality_mean": 52.46, "clock_anomalies": 1}
    k.update(over)
    return k


def plain(text: str) -> str:
    """No-break and narrow no-break spaces as ordinary ones, to compare with readable literals."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


def test_kpi_rows_in_both_languages() -> None:
    prev = metrics(mentions=1000, criticisms=8, criticisms_responded=4, response_rate=0.5,
                   first_response_hours={"median": 5.0, "p90": None}, quality_mean=None, clock_anomalies=1)
    nb = {r["label"]: r for r in kpi_rows(metrics(), prev, "nb")}
    en = {r["label"]: r for r in kpi_rows(metrics(), prev, "en")}
    assert [plain(nb["Omtaler"][k]) for k in ("value", "previous", "change")] == ["1 234", "1 000", "+234"]
    assert [en["Mentions"][k] for k in ("value", "previous", "change")] == ["1,234", "1,000", "+234"]
    assert plain(nb["Svarrate på kritikk"]["value"]) == "66,7 %" and en["Response rate to criticism"]["value"] == "66.7%"
    assert plain(nb["Svarrate på kritikk"]["change"]) == "+16,7 pp" and en["Response rate to criticism"]["change"] == "+16.7 pp"
    assert nb["Svarrate på kritikk"]["trend"] == "better"
    assert (nb["Median første svar"]["value"], en["Median first response"]["value"]) == ("3,2 t", "3.2 h")
    assert en["Median first response"]["change"] == "−1.8 h" and en["Median first response"]["trend"] == "better"
    assert en["P90 first response"]["previous"] == "–" and en["P90 first response"]["change"] == "–"
    assert en["Criticism"]["change"] == "−2" and en["Criticism"]["trend"] == "better"
    assert en["Criticism answered"]["change"] == "0" and en["Criticism answered"]["trend"] == ""
    assert (nb["Snitt svarkvalitet (0–100)"]["value"], en["Mean reply quality (0–100)"]["value"]) == ("52,5", "52.5")
    assert en["Mentions"]["trend"] == "" and en["Clock anomalies"]["trend"] == ""  # neither better nor worse
    assert list(en)[-1] == "Posts by the company" and list(nb)[-1] == "Innlegg fra virksomheten"


def test_changes_have_a_sign_and_a_unit() -> None:
    assert change(0.5, 0.5, "pct", False, "en") == ("±0.0 pp", "")
    assert change(30.0, 12.5, "hours", True, "nb") == ("+17,5 t", "worse")
    assert change(60.0, 72.5, "quality", False, "en") == ("−12.5", "worse")
    assert change(None, 3, "int", None, "nb") == ("–", "")


def test_delay_bands_and_page_footer_in_both_languages() -> None:
    assert delay_bands("nb") == ["< 1 t", "1–4 t", "4–8 t", "8–24 t", "1–3 døgn", "> 3 døgn"]
    assert delay_bands("en") == ["< 1 h", "1–4 h", "4–8 h", "8–24 h", "1–3 d", "> 3 d"]
    assert css_content("report.page", "nb", page="page", pages="pages") == \
        '"Side " counter(page) " av " counter(pages)'
    assert css_content("report.page", "en", page="page", pages="pages") == \
        '"Page " counter(page) " of " counter(pages)'
    assert css_content("report.footer", "en") == '"Rykte · weekly report"'


@pytest.mark.parametrize("bad", ["2026-47", "2026-W54", "2025-W53", "uke 47"])
def test_bad_weeks_are_named(bad: str) -> None:
    with pytest.raises(InputError, match=re.escape(repr(bad))):
        parse_week(bad)


def test_chart_texts_follow_the_language(tmp_path: Path) -> None:
    data = make_store(tmp_path, world(), official_accounts=OFFICIAL, publish=False)
    con = connect_writer(data)
    try:
        specs = {lang: chart_specs(con, date(2026, 11, 16), lang) for lang in ("nb", "en")}
    finally:
        con.close()
    texts = {lang: json.dumps([c.to_dict() for c in s.values()], ensure_ascii=False) for lang, s in specs.items()}
    assert set(specs["en"]) == {"trend", "sentiment", "delay", "quality"} and all(specs["en"].values())
    for word in ("Mentions, criticism and response rate – last 8 weeks", "Week", "Criticism response rate (%)",
                 "Time to first response", "Time to reply", "Number answered", "< 1 h", "1–3 d", "Reply quality",
                 "Sentiment of the mentions – last 8 weeks", "Share of mentions", "Negative", "Positive", "W40", "W47"):
        assert word in texts["en"], word
    for word in ("Omtaler", "Antall", "Uke", "Svarrate", "Svartid", "døgn", "Kvalitet", "Stemningen", "Negativ\""):
        assert word not in texts["en"], word
        assert word in texts["nb"], word


def test_every_key_the_template_uses_is_in_the_catalogue() -> None:
    """A misspelt key would only fail when a PDF is rendered with that branch; check them all here."""
    template = (TEMPLATES / "weekly.html.j2").read_text(encoding="utf-8")
    keys = set(re.findall(r"""["']((?:report|quarterly)\.[a-z_.]+)["']""", template))
    assert len(keys) > 40
    missing = sorted(k for k in keys if not has(k))
    assert missing == []
