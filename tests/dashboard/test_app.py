"""The Streamlit app under AppTest, over a small real snapshot built with the store's writer path:
the same numbers as `rykte metrics --json` (compute_metrics), filters, every page in nb and en, times
in the company's time zone, empty states."""

from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import pytest

from pipeline.charts import fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.store import queries
from pipeline.store.db import utcnow
from pipeline.store.settings import Settings
from tests.dashboard.world import IDS, app, build, publish_config_facts, texts
from tests.factories import add_crawl_run, make_store

PAGES = {"views/inbox.py": ("Kritikk-innboks", "Criticism inbox"), "views/mentions.py": ("Omtaler", "Mentions"),
         "views/responses.py": ("Svar", "Responses"), "views/sources.py": ("Kilder", "Sources"),
         "views/quarterly.py": ("Kvartal", "Quarters"), "views/reports.py": ("Rapporter", "Reports")}
EN_NUMBER = re.compile(r"\b\d{1,3},\d{3}\b|\b\d+\.\d+ ?(t|%)")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    now = utcnow()
    tmp = tmp_path_factory.mktemp("dash")
    data = build(
        tmp, now,
        crawl_runs=[{"source_name": "reddit-norge", "started_at": now - timedelta(hours=h), "errors": h % 2}
                    for h in (1, 2, 3)]
        + [{"source_name": "trustpilot", "started_at": now - timedelta(days=5), "status": "failed",
            "errors": 3, "error_samples": ["http://127.0.0.1/x: 503"]}],
        quarterly=[("2026-Q1", "linkedin", "followers", 1200.0), ("2026-Q2", "linkedin", "followers", 1300.0)],
    )
    return data, now


def shown(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected(k: dict, lang: str = "nb") -> dict[str, str]:
    labels = {"nb": ["Omtaler", "Kritikk", "Svarrate på kritikk", "Snitt svarkvalitet", "Median første svar",
                     "P90 første svar", "Besvart kritikk", "Klokkeavvik"],
              "en": ["Mentions", "Criticism", "Criticism response rate", "Mean reply quality",
                     "Median first response", "P90 first response", "Answered criticism", "Clock anomalies"]}[lang]
    values = [fmt_int(k["mentions"], lang), fmt_int(k["criticisms"], lang), fmt_pct(k["response_rate"], lang=lang),
              fmt_quality(k["quality_mean"], lang), fmt_hours(k["first_response_hours"]["median"], lang=lang),
              fmt_hours(k["first_response_hours"]["p90"], lang=lang), fmt_int(k["criticisms_responded"], lang),
              fmt_int(k["clock_anomalies"], lang)]
    return dict(zip(labels, values, strict=True))


def window(data) -> tuple:
    return queries.read_snapshot(data.snapshot, queries.default_window, utcnow().date())


def test_overview_shows_compute_metrics(world, monkeypatch):
    data, _now = world
    at = app(data.root, monkeypatch).run()
    assert not at.exception
    since, until = window(data)
    k = queries.read_snapshot(data.snapshot, queries.kpis, since, until)
    assert k["criticisms"] == 7 and k["clock_anomalies"] == 1  # the world is what we think it is
    assert shown(at) == expected(k)
    assert at.title[0].value == "Oversikt"
    by_source = at.dataframe[0].value
    assert list(by_source["Kilde"]) == ["LinkedIn", "Reddit", "Trustpilot"]  # display names, not ids
    assert list(by_source["Kritikk"]) == [str(k["by_source"][s]["criticisms"]) for s in ("linkedin", "reddit",
                                                                                          "trustpilot")]
    # freshness summary: reddit-norge is stale (30 min limit), trustpilot failing, hn never crawled
    assert any("3 av 3 aktive kilder" in w.value and "hn" in w.value for w in at.warning)


def test_source_and_date_filters(world, monkeypatch):
    data, now = world
    at = app(data.root, monkeypatch).run()
    at.selectbox(key="source").set_value("trustpilot").run()
    assert not at.exception
    since, until = window(data)
    k = queries.read_snapshot(data.snapshot, queries.kpis, since, until, "trustpilot")
    assert shown(at) == expected(k)
    assert shown(at)["Kritikk"] == "2"

    at.selectbox(key="source").set_value(None).run()
    first = (now - timedelta(days=2)).date()
    last = until - timedelta(days=1)
    at.date_input(key="period").set_value((first, last)).run()
    assert not at.exception
    k2 = queries.read_snapshot(data.snapshot, queries.kpis, first, until)
    assert shown(at) == expected(k2)
    full = queries.read_snapshot(data.snapshot, queries.kpis, since, until)
    assert k2["mentions"] < full["mentions"]  # the narrower window really filters


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_page_in_both_languages_shows_no_ids(world, monkeypatch, lang):
    """Every page, switched to each language in the sidebar: its own title, no exception, no English id,
    no "None"/"nan", no raw URN; a Norwegian page has no English number formats."""
    data, _ = world
    at = app(data.root, monkeypatch).run()
    at.selectbox(key="lang").set_value(lang).run()
    assert not at.exception
    since, until = window(data)
    assert shown(at) == expected(queries.read_snapshot(data.snapshot, queries.kpis, since, until), lang)
    pages = {"views/overview.py": ("Oversikt", "Overview"), **PAGES}
    for path, titles in pages.items():
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)
        assert at.title[0].value == titles[0 if lang == "nb" else 1]
        seen = texts(at)
        bad = [s for s in seen if IDS.search(s) and not s.startswith("https://")]  # a link may hold a URN
        assert not bad, (path, bad[:5])
        if lang == "nb":
            assert not [s for s in seen if EN_NUMBER.search(s)], path


def test_configured_language_and_time_zone(tmp_path, monkeypatch):
    """The configured language is the reader's default, and every time shown is the company's local
    time (here Tokyo, UTC+9, so a test on a UTC machine cannot pass by accident)."""
    now = utcnow()
    data = build(tmp_path, now, Settings(language="en", timezone="Asia/Tokyo"))
    at = app(data.root, monkeypatch).run()
    assert at.title[0].value == "Overview"
    at.switch_page("views/inbox.py").run()
    at.selectbox(key="inbox_status").set_value("all").run()
    table = at.dataframe[0].value
    since, until = window(data)
    published = queries.read_snapshot(data.snapshot, queries.criticism_inbox, since, until, now=now)["published_at"]
    tokyo = [(p + timedelta(hours=9)).strftime("%d %b %Y, %H:%M") for p in published]
    assert sorted(tokyo) == sorted(table["Published"])
    at.selectbox(key="lang").set_value("nb").run()  # the reader switches language for this session
    assert at.title[0].value == "Kritikk-innboks"
    assert sorted((p + timedelta(hours=9)).strftime("%d.%m.%Y %H:%M") for p in published) == sorted(
        at.dataframe[0].value["Publisert"])


def test_pages_switch_and_sources_use_the_configured_limits(world, monkeypatch):
    data, _ = world
    at = app(data.root, monkeypatch).run()
    for path, (title, _en) in PAGES.items():
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)
        assert at.title[0].value == title
    at.switch_page("views/sources.py").run()
    health = at.dataframe[0].value
    fresh = dict(zip(health["Kilde"], health["Ferskhet"], strict=True))
    # the configured limits, the same rule as `rykte status` (tests/cli/test_status.py)
    assert fresh == {"reddit-norge": "⚠️ Foreldet", "trustpilot": "❌ Feiler", "hn": "⏳ Aldri hentet"}
    limits = dict(zip(health["Kilde"], health["Grense"], strict=True))
    assert limits["reddit-norge"] == "30 min" and limits["trustpilot"] == "18 t"
    at.switch_page("views/quarterly.py").run()
    table = at.dataframe[0].value
    assert "2026-Q1" in set(table["Kvartal"]) and "Omtaler" in table.columns


def test_empty_store_every_page_says_what_to_do(tmp_path, monkeypatch):
    data = make_store(tmp_path, [])
    publish_config_facts(data, sources=[])
    at = app(data.root, monkeypatch).run()
    assert not at.exception
    assert at.info and "lengre periode" in at.info[0].value
    hints = {"views/inbox.py": "Ingen kritikk", "views/mentions.py": "Ingen omtaler passer",
             "views/sources.py": "rykte run --once", "views/quarterly.py": "Ingen data per kvartal",
             "views/reports.py": "rykte report", "views/responses.py": ""}
    for path, hint in hints.items():
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)
        assert hint in " ".join(texts(at)), path


def test_reports_archive_lists_and_serves_the_pdf(tmp_path, monkeypatch):
    now = utcnow()
    data = build(tmp_path, now)
    reports = data.root / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "2026-W47.pdf").write_bytes(b"%PDF-1.7 test")
    (reports / "2026-W47.html").write_text("<h1>Uke 47</h1>", encoding="utf-8")
    (reports / "2026-W48.html").write_text("<h1>Uke 48</h1>", encoding="utf-8")
    at = app(data.root, monkeypatch).run()
    at.switch_page("views/reports.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Uke"]) == ["Uke 48 2026", "Uke 47 2026"]  # newest first
    assert list(table["PDF"]) == ["mangler", "✔"]
    assert any("finnes ikke lenger" in w.value for w in at.warning)  # W48 has no PDF
    at.selectbox(key="report_week").set_value("2026-W47").run()
    assert not at.exception and not any("finnes ikke lenger" in w.value for w in at.warning)
    assert len(at.get("download_button")) == 1


def test_no_snapshot_shows_getting_started(tmp_path, monkeypatch):
    at = app(tmp_path / "empty", monkeypatch).run()
    assert not at.exception
    assert at.header[0].value == "Ingen data ennå"
    assert any("rykte run" in md.value and "rykte import" in md.value for md in at.markdown)


def test_sources_page_after_runs_of_an_unconfigured_source(tmp_path, monkeypatch):
    """A crawl run of a source that is no longer configured does not break the Sources page."""
    data = build(tmp_path, utcnow())
    from pipeline.store.db import connect_writer
    from pipeline.store.snapshot import publish_snapshot

    con = connect_writer(data)
    try:
        add_crawl_run(con, source_name="gone", started_at=utcnow() - timedelta(hours=1))
        publish_snapshot(con, data)
    finally:
        con.close()
    at = app(data.root, monkeypatch).run()
    at.switch_page("views/sources.py").run()
    assert not at.exception


def test_kpi_pages_show_what_rykte_metrics_prints(world, monkeypatch):
    """The Overview and Responses tiles equal `rykte metrics --json` for the same window (one code path)."""
    import json

    from click.testing import CliRunner

    from pipeline.cli import cli

    data, _ = world
    since, until = window(data)
    result = CliRunner().invoke(cli, ["--data-dir", str(data.root), "metrics", "--json", "--since", str(since),
                                      "--until", str(until)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    at = app(data.root, monkeypatch).run()
    assert shown(at) == expected(printed)
    at.switch_page("views/responses.py").run()
    tiles = shown(at)
    assert tiles["Besvart kritikk"] == fmt_int(printed["criticisms_responded"])
    assert tiles["Median første svar"] == fmt_hours(printed["first_response_hours"]["median"])
    assert tiles["Snitt svarkvalitet"] == fmt_quality(printed["quality_mean"])


def test_responses_by_source_and_the_best_and_weakest_replies(world, monkeypatch):
    data, _ = world
    at = app(data.root, monkeypatch).run()
    at.switch_page("views/responses.py").run()
    assert not at.exception
    per_source = next(df.value for df in at.dataframe if "Innen SLA" in df.value.columns)
    within = dict(zip(per_source["Kilde"], per_source["Innen SLA"], strict=True))
    assert within["Reddit"] == fmt_pct(0.5) and within["LinkedIn"] == "–"  # c1 in time, c2 after 30 h
    labels = [e.label for e in at.expander]
    assert labels[0].startswith("👍 80,0 · Reddit · Lønna kommer")  # the best first
    assert any(label.startswith("👎 30,0 · Trustpilot") for label in labels)  # t1, the weakest
    shown_text = " ".join(md.value for md in at.markdown)
    assert "**Svaret:**" in shown_text and "Empati" in " ".join(" ".join(df.value.iloc[:, 0].astype(str))
                                                               for df in at.dataframe)


def _chart_data(chart) -> pd.DataFrame:
    """The rows a chart on the page draws (its datasets, Arrow-encoded in the element)."""
    import pyarrow as pa

    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_responses_time_to_first_response_by_week_is_compute_metrics_per_week(world, monkeypatch, lang):
    """The weekly chart: the last 12 ISO weeks, each week's median and p90 exactly `compute_metrics`
    over that week (what `rykte metrics --json --since <monday> --until <next monday>` prints)."""
    import json

    from pipeline.i18n import t as catalogue
    from pipeline.store.metrics import compute_metrics
    from pipeline.store.snapshot import open_snapshot

    data, _ = world
    at = app(data.root, monkeypatch).run()
    at.session_state["lang"] = lang
    at.switch_page("views/responses.py").run()
    assert not at.exception
    title = catalogue("dashboard.responses.weekly_title", lang, weeks=12)
    chart = next(c for c in at.get("vega_lite_chart") if json.loads(c.proto.spec).get("title") == title)
    rows = _chart_data(chart)
    median, p90 = catalogue("chart.median", lang), catalogue("chart.p90", lang)
    assert set(rows["series"]) == {median, p90}
    since, until = queries.trend_window(utcnow().date())
    weeks_shown = list(dict.fromkeys(rows["week"]))
    assert weeks_shown == [queries.iso_week(monday) for monday, _s, _e in queries.weeks(since, until)]
    assert len(weeks_shown) == 12
    points = 0
    with open_snapshot(data.snapshot) as con:
        for monday, start, end in queries.weeks(since, until):
            k = compute_metrics(con, start, end)
            for name, value in ((median, k["first_response_hours"]["median"]), (p90, k["first_response_hours"]["p90"])):
                got = rows[(rows["week"] == queries.iso_week(monday)) & (rows["series"] == name)]["hours"].iloc[0]
                if value is None:
                    assert pd.isna(got)
                else:
                    assert got == pytest.approx(value)
                    points += 1
    assert points >= 2  # the world has answered criticism in the last weeks: the chart is not empty
    assert catalogue("dashboard.responses.weekly_explained", lang, weeks=12) in [c.value for c in at.caption]
