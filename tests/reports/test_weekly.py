"""The weekly report as real PDFs in both languages: headings in `reports.language`, the numbers of
`rykte metrics --json`, æøå, and the mail that carries it (WeasyPrint and vl-convert: slow tier)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.model import CompanyConfig, ReportsConfig, RykteConfig
from pipeline.errors import InputError
from pipeline.i18n import Lang
from pipeline.reports.weekly import ReportPaths, build_report, last_complete_week, send_report
from pipeline.store.db import DataDir, connect_writer
from tests.alerts.receivers import WebhookSink, free_port
from tests.conftest import run_rykte
from tests.factories import make_store, sample_world

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 25, 9, 30)  # Wednesday of 2026-W48; the last complete week is 2026-W47
WEEK = "2026-W47"
WINDOWS = {"this": ("2026-11-16", "2026-11-23"), "before": ("2026-11-09", "2026-11-16")}

HEADINGS = {
    "nb": ["Ukerapport uke 47 2026 (2026-W47)", "omtaler publisert 16.–22. nov. 2026 (UTC)", "Nøkkeltall",
           "Per kilde", "Mest kritiske omtaler denne uka", "Ubesvart kritikk over SLA (24 t)", "Side 1 av",
           "Rykte · ukerapport (2026-W47)", "Definisjoner:"],
    "en": ["Weekly report week 47 2026 (2026-W47)", "mentions published 16 – 22 Nov 2026 (UTC)", "Key figures",
           "By source", "Most critical mentions this week", "Unanswered criticism past the SLA (24 h)", "Page 1 of",
           "Rykte · weekly report (2026-W47)", "Definitions:"],
}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path, layout: bool = True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def cfg(lang: Lang) -> RykteConfig:
    return RykteConfig(company=CompanyConfig(name="Bølgeøy Kraftverk AS"), reports=ReportsConfig(language=lang))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    world_now = datetime(2026, 11, 22, 20, 0)  # Sunday of W47: the world lies in W46–W47
    return make_store(tmp_path_factory.mktemp("report"), sample_world(world_now),
                      official_accounts={"trustpilot": {"acme as"}}, publish=False)


@pytest.fixture(scope="module")
def built(store: DataDir) -> dict[str, ReportPaths]:
    """The English report in reports/en/, then the Norwegian one in the default place."""
    con = connect_writer(store)
    try:
        return {"en": build_report(con, cfg("en"), store.reports / "en", now=NOW),
                "nb": build_report(con, cfg("nb"), store.reports, now=NOW)}
    finally:
        con.close()


@pytest.fixture(scope="module")
def cli_metrics(store: DataDir, built: dict[str, ReportPaths]) -> dict[str, dict[str, Any]]:
    """`rykte metrics --json` for the report's week and the week before, through the real CLI."""
    out = {}
    for name, (since, until) in WINDOWS.items():
        res = run_rykte("--data-dir", str(store.root), "metrics", "--json", "--since", since, "--until", until)
        assert res.returncode == 0, res.stderr
        out[name] = json.loads(res.stdout)
    return out


# Expected cells written independently of the report's formatting code: nb has a decimal comma and
# "t" for hours, en a decimal point and "h"; squash() drops the (narrow) no-break spaces.
def dec(v: float, lang: str) -> str:
    s = f"{v:.1f}"
    return s.replace(".", ",") if lang == "nb" else s


def cell(v: Any, kind: str, lang: str) -> str:
    if v is None:
        return "–"
    if kind == "pct":
        return dec(v * 100, lang) + "%"
    if kind == "hours":
        return dec(v, lang) + ("t" if lang == "nb" else "h")
    if kind == "quality":
        return dec(v, lang)
    return str(v)


KPI_LABELS = {  # label nb, label en, how to read it from the metrics JSON, kind
    "mentions": ("Omtaler", "Mentions", lambda k: k["mentions"], "int"),
    "criticisms": ("Kritikk", "Criticism", lambda k: k["criticisms"], "int"),
    "responded": ("Besvart kritikk", "Criticism answered", lambda k: k["criticisms_responded"], "int"),
    "rate": ("Svarrate på kritikk", "Response rate to criticism", lambda k: k["response_rate"], "pct"),
    "median": ("Median første svar", "Median first response", lambda k: k["first_response_hours"]["median"],
               "hours"),
    "p90": ("P90 første svar", "P90 first response", lambda k: k["first_response_hours"]["p90"], "hours"),
    "quality": ("Snitt svarkvalitet (0–100)", "Mean reply quality (0–100)", lambda k: k["quality_mean"],
                "quality"),
    "clock": ("Klokkeavvik", "Clock anomalies", lambda k: k["clock_anomalies"], "int"),
    "official": ("Innlegg fra virksomheten", "Posts by the company", lambda k: k["official_mentions"], "int"),
}


def test_default_week_and_files(store: DataDir, built: dict[str, ReportPaths]) -> None:
    paths = built["nb"]
    assert paths.week == WEEK == last_complete_week(NOW)
    assert paths.pdf == store.reports / f"{WEEK}.pdf" and paths.html == store.reports / f"{WEEK}.html"
    assert built["en"].pdf == store.reports / "en" / f"{WEEK}.pdf"
    for p in built.values():
        assert p.pdf.read_bytes()[:5] == b"%PDF-"
    con = connect_writer(store)
    try:
        row = con.execute("SELECT week, pdf_path, html_path FROM reports").fetchall()
    finally:
        con.close()
    assert row == [(WEEK, str(paths.pdf), str(paths.html))]  # the later build of the week wins


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_headings_are_in_the_configured_language(built: dict[str, ReportPaths], lang: str) -> None:
    flat = squash(pdf_text(built[lang].pdf))
    for heading in HEADINGS[lang]:
        assert squash(heading) in flat, heading
    other = "en" if lang == "nb" else "nb"
    for heading in HEADINGS[other][2:]:  # the other language's headings appear nowhere
        assert squash(heading) not in flat, heading
    assert built[lang].html.read_text(encoding="utf-8").startswith(f'<!DOCTYPE html>\n<html lang="{lang}">')


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_key_figures_are_those_of_rykte_metrics_json(built: dict[str, ReportPaths],
                                                     cli_metrics: dict[str, dict[str, Any]], lang: str) -> None:
    cur, prev = cli_metrics["this"], cli_metrics["before"]
    assert cur["criticisms"] > 0 and cur["criticisms_responded"] > 0 and cur["quality_mean"] is not None
    assert cur["first_response_hours"]["median"] is not None and cur["clock_anomalies"] > 0
    flat = squash(pdf_text(built[lang].pdf))
    for nb_label, en_label, read, kind in KPI_LABELS.values():
        label = nb_label if lang == "nb" else en_label
        row = squash(label + cell(read(cur), kind, lang) + cell(read(prev), kind, lang))
        assert row in flat, (label, row)
    for source, v in cur["by_source"].items():
        row = squash(f"{source}{v['mentions']}{v['criticisms']}{v['criticisms_responded']}"
                     + cell(v["response_rate"], "pct", lang))
        assert row in flat, row


def test_numbers_follow_the_language(built: dict[str, ReportPaths], cli_metrics: dict[str, dict[str, Any]]) -> None:
    rate = cli_metrics["this"]["response_rate"]
    assert rate is not None and round(rate * 100, 1) == 66.7  # 4 of 6: a decimal shows the separators
    nb, en = squash(pdf_text(built["nb"].pdf)), squash(pdf_text(built["en"].pdf))
    assert "Svarratepåkritikk66,7%" in nb and "66.7%" not in nb
    assert "Responseratetocriticism66.7%" in en and "66,7" not in en


def test_quotes_and_letters_in_reading_order(built: dict[str, ReportPaths]) -> None:
    nb, en = squash(pdf_text(built["nb"].pdf, layout=False)), squash(pdf_text(built["en"].pdf, layout=False))
    assert "BølgeøyKraftverkAS" in nb and "BølgeøyKraftverkAS" in en
    assert squash("«Sjefen min er grusom og ingen bryr seg.»") in nb
    assert squash("“Lønna kommer alltid for sent, og ledelsen svarer ikke på e-post.”") in en
    assert squash("Nei venter 4 d 6 t") in nb and squash("No waiting 4 d 6 h") in en


def test_explicit_and_bad_weeks(store: DataDir, built: dict[str, ReportPaths], tmp_path: Path) -> None:
    con = connect_writer(store)
    try:
        p = build_report(con, cfg("en"), tmp_path, week="2026-W39", now=NOW)  # one old, unanswered criticism
        assert p.pdf.exists() and p.week == "2026-W39"
        flat = squash(pdf_text(p.pdf))
        for line in ("1 mention (1 critical). 0 of 1 answered (0.0%).",
                     "No criticism was answered this week, so there are no reply times",
                     "1 critical mention is still unanswered after more than 24 h"):
            assert squash(line) in flat, line
        for bad in ("2026-47", "2026-W54", "2025-W53", "uke 47"):
            with pytest.raises(InputError, match=re.escape(repr(bad))):
                build_report(con, RykteConfig.minimal(), tmp_path, week=bad, now=NOW)
    finally:
        con.close()


def test_the_mail_is_in_the_report_language(built: dict[str, ReportPaths]) -> None:
    sink = WebhookSink(free_port()).start()
    try:
        assert send_report(built["en"], [sink.json_url]) == []
        assert send_report(built["nb"], [sink.json_url]) == []
    finally:
        sink.stop()
    en, nb = (post.body for post in sink.posts)
    assert en["title"] == "Rykte – weekly report week 47 2026" and "Attached is the weekly report" in en["message"]
    assert nb["title"] == "Rykte – ukerapport uke 47 2026" and "Vedlagt er ukerapporten" in nb["message"]
    assert [a["filename"] for a in en["attachments"]] == [f"{WEEK}.pdf"]


def test_send_reports_errors_per_recipient(built: dict[str, ReportPaths], tmp_path: Path) -> None:
    paths = built["nb"]
    errors = send_report(paths, ["json://127.0.0.1:9/unreachable", "not a url"])
    assert len(errors) == 2 and "127.0.0.1" in errors[0] and "not a url" in errors[1]
    missing = ReportPaths(html=paths.html, pdf=tmp_path / "nope.pdf", week=paths.week)
    assert "missing" in send_report(missing, ["json://127.0.0.1:9/x"])[0]


def test_a_week_without_mentions_in_a_new_store(tmp_path: Path) -> None:
    """A fresh install's first report: no mentions, no criticism, nothing overdue, said in English."""
    data = make_store(tmp_path, [], publish=False)
    con = connect_writer(data)
    try:
        paths = build_report(con, cfg("en"), data.reports, now=NOW)
    finally:
        con.close()
    text = pdf_text(paths.pdf)
    flat = squash(text)
    for line in ("No mentions this week.", "No source had mentions this week.", "No criticism this week.",
                 "No unanswered criticism past the SLA. Well done!", "Mentions000"):
        assert squash(line) in flat, line
    assert squash("No criticism was answered") not in flat  # no criticism at all: nothing to explain
    assert "Ingen" not in text  # no empty chart with a Norwegian "no data" picture
