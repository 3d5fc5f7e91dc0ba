"""The weekly report as real PDFs in both languages: the numbers of `rykte metrics --json`, the
summary's comparisons counted by hand, every section in the configured language, æøå, the title,
a past week rendered again, and the mail that carries it (WeasyPrint and vl-convert: slow tier)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.model import CompanyConfig, ReportsConfig, ResponsesConfig, RykteConfig
from pipeline.errors import InputError
from pipeline.i18n import Lang
from pipeline.reports.weekly import ReportPaths, build_report, last_complete_week, render_html, send_report
from pipeline.store.db import DataDir, connect_writer
from pipeline.store.settings import Settings, write_settings
from tests.alerts.receivers import WebhookSink, free_port
from tests.conftest import run_rykte
from tests.factories import load, m, make_store
from tests.reports.world import COMPANY, NOW, OFFICIAL, QUARTERLY, WEEK, world

pytestmark = pytest.mark.slow

MONDAY = datetime(2026, 11, 16)

HEADINGS = {
    "nb": ["Bølgeøy Kraftverk AS: ukerapport uke 47 2026", "2026-W47 · Omtaler publisert 16.–22. nov. 2026 (UTC)",
           "Sammendrag", "Nøkkeltall", "Per kilde og per språk", "Svar på kritikk",
           "Ubesvart kritikk fra de siste 5 ukene", "Hva kritikken handler om",
           "Kvartalet så langt (2026-Q4: 1. okt.–22. nov. 2026) mot plattformene", "Side 1 av",
           "Rykte · ukerapport · 2026-W47", "Definisjoner:"],
    "en": ["Bølgeøy Kraftverk AS: weekly report week 47 2026", "2026-W47 · Mentions published 16 – 22 Nov 2026 (UTC)",
           "Summary", "Key figures", "By source and by language", "Replies to criticism",
           "Unanswered criticism from the last 5 weeks", "What the criticism is about",
           "The quarter so far (2026-Q4: 1 Oct – 22 Nov 2026) against the platforms", "Page 1 of",
           "Rykte · weekly report · 2026-W47", "Definitions:"],
}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path, layout: bool = True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def cfg(lang: Lang, sla: float = 24.0) -> RykteConfig:
    return RykteConfig(company=CompanyConfig(name=COMPANY), reports=ReportsConfig(language=lang),
                       responses=ResponsesConfig(sla_hours=sla))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    return make_store(tmp_path_factory.mktemp("report"), world(), official_accounts=OFFICIAL,
                      quarterly=QUARTERLY, publish=False)


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
def cli_metrics(store: DataDir, built: dict[str, ReportPaths]) -> list[dict[str, Any]]:
    """`rykte metrics --json` through the real CLI for W47 and each of the four weeks before (newest first)."""
    out = []
    for k in range(5):
        since, until = MONDAY - timedelta(days=7 * k), MONDAY - timedelta(days=7 * (k - 1))
        res = run_rykte("--data-dir", str(store.root), "metrics", "--json", "--since", f"{since:%Y-%m-%d}",
                        "--until", f"{until:%Y-%m-%d}")
        assert res.returncode == 0, res.stderr
        out.append(json.loads(res.stdout))
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


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else f"−{-n}" if n < 0 else "±0"


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
                                                     cli_metrics: list[dict[str, Any]], lang: str) -> None:
    cur, prev = cli_metrics[0], cli_metrics[1]
    assert cur["criticisms"] > 0 and cur["criticisms_responded"] > 0 and cur["quality_mean"] is not None
    assert cur["first_response_hours"]["median"] is not None
    flat = squash(pdf_text(built[lang].pdf))
    for nb_label, en_label, read, kind in KPI_LABELS.values():
        label = nb_label if lang == "nb" else en_label
        row = squash(label + cell(read(cur), kind, lang) + cell(read(prev), kind, lang))
        assert row in flat, (label, row)
    names = {"reddit": "Reddit", "trustpilot": "Trustpilot"}
    for source, v in cur["by_source"].items():
        before = prev["by_source"].get(source, {"mentions": 0})["mentions"]
        row = squash(f"{names[source]}{v['mentions']}{before}{v['criticisms']}{v['criticisms_responded']}"
                     + cell(v["response_rate"], "pct", lang))
        assert row in flat, row


def test_summary_against_last_week_and_the_four_weeks_before_counted_by_hand(
        built: dict[str, ReportPaths], cli_metrics: list[dict[str, Any]]) -> None:
    """The Done-when of issue 18: the summary's numbers are those of `rykte metrics --json`, and its
    comparisons are computed here by hand from those objects."""
    cur, prev, before = cli_metrics[0], cli_metrics[1], cli_metrics[1:5]
    n_change, c_change = cur["mentions"] - prev["mentions"], cur["criticisms"] - prev["criticisms"]
    n_avg = sum(k["mentions"] for k in before) / 4
    c_avg = sum(k["criticisms"] for k in before) / 4
    assert (cur["mentions"], prev["mentions"], n_change, n_avg, c_change) == (11, 5, 6, 4.25, 4)  # the world's plan
    tp_now, tp_before = cur["by_source"]["trustpilot"]["mentions"], prev["by_source"]["trustpilot"]["mentions"]
    pct = round(100 * (tp_now - tp_before) / tp_before)
    rate, hours = cur["response_rate"], cur["first_response_hours"]
    expected = {
        "nb": [f"Uke 47 hadde {cur['mentions']} omtaler ({signed(n_change)} fra uka før; snitt de 4 ukene før: "
               f"{dec(n_avg, 'nb')}), hvorav {cur['criticisms']} kritiske ({signed(c_change)}; snitt {dec(c_avg, 'nb')}).",
               f"{cur['criticisms_responded']} av {cur['criticisms']} kritiske omtaler er besvart "
               f"({dec(rate * 100, 'nb')} %), med median {dec(hours['median'], 'nb')} t og P90 "
               f"{dec(hours['p90'], 'nb')} t til første svar; 3 av 5 svar kom innen SLA på 24 t.",
               f"Størst endring: Trustpilot med {tp_now} omtaler mot {tp_before} uka før (+{pct} %)."],
        "en": [f"Week 47 had {cur['mentions']} mentions ({signed(n_change)} on the week before; average of the 4 "
               f"weeks before: {dec(n_avg, 'en')}), {cur['criticisms']} of them criticism ({signed(c_change)}; "
               f"average {dec(c_avg, 'en')}).",
               f"{cur['criticisms_responded']} of {cur['criticisms']} critical mentions were answered "
               f"({dec(rate * 100, 'en')}%), with a median of {dec(hours['median'], 'en')} h and a P90 of "
               f"{dec(hours['p90'], 'en')} h to the first reply; 3 of 5 replies came within the SLA of 24 h.",
               f"Biggest change: Trustpilot with {tp_now} mentions against {tp_before} the week before (+{pct}%)."],
    }
    for lang, sentences in expected.items():
        flat = squash(pdf_text(built[lang].pdf))
        assert squash(" ".join(sentences)) in flat, lang  # the three sentences, one paragraph


def test_numbers_follow_the_language(built: dict[str, ReportPaths], cli_metrics: list[dict[str, Any]]) -> None:
    rate = cli_metrics[0]["response_rate"]
    assert rate is not None and round(rate * 100, 1) == 83.3  # 5 of 6: a decimal shows the separators
    nb, en = squash(pdf_text(built["nb"].pdf)), squash(pdf_text(built["en"].pdf))
    assert "Svarratepåkritikk83,3%" in nb and "83.3%" not in nb
    assert "Responseratetocriticism83.3%" in en and "83,3" not in en


def test_languages_and_aspects_by_name(built: dict[str, ReportPaths], cli_metrics: list[dict[str, Any]]) -> None:
    nb, en = squash(pdf_text(built["nb"].pdf)), squash(pdf_text(built["en"].pdf))
    # W47: bokmål 7 mentions (4 criticism), nynorsk, Swedish, Danish, English one each
    for row in ("Bokmål74", "Nynorsk11", "Svensk10", "Dansk11", "Engelsk10"):
        assert row in nb, row
    for row in ("NorwegianBokmål74", "NorwegianNynorsk11", "Swedish10", "Danish11", "English10"):
        assert row in en, row
    assert cli_metrics[0]["mentions"] == 7 + 1 + 1 + 1 + 1  # the languages add up to the metrics
    # criticism per aspect this week, the week before, answered
    for row in ("Lønn313", "Ledelse201", "Rekrutteringogopplæring111", "Arbeidsmengde101"):
        assert row in nb, row
    for row in ("Pay313", "Management201", "Recruitmentandtraining111", "Workload101"):
        assert row in en, row


def test_open_criticism_of_five_weeks_in_human_units(built: dict[str, ReportPaths]) -> None:
    """Judged at the end of W47 (Mon 23 Nov 00:00 UTC) with a 24 h SLA: the W45 criticism waited
    17 d 16 h (16 d 16 h overdue); Mona's of Wed 18 Nov 10:00 was 3 d 14 h overdue and answered
    Monday 03:00; Eva's of Sunday 20:00 had 20 h left."""
    nb, en = squash(pdf_text(built["nb"].pdf)), squash(pdf_text(built["en"].pdf))
    assert squash("3 kritiske omtaler var ubesvart ved utgangen av 22. nov. 2026 UTC") in nb
    for text in ("16 d 16 t over fristen", "3 d 14 t over fristen", "besvart senere (23. nov. 03:00)", "20 t igjen"):
        assert squash(text) in nb, text
    assert squash("«Ledelsen har ikke svart på varselet vårt på flere uker.»") in squash(
        pdf_text(built["nb"].pdf, layout=False))
    for text in ("16 d 16 h overdue", "3 d 14 h overdue", "answered later (23 Nov 03:00)", "20 h left"):
        assert squash(text) in en, text
    assert "7884" not in nb and "424t" not in nb  # no raw hours


def test_best_and_worst_reply_with_their_components(built: dict[str, ReportPaths]) -> None:
    nb = squash(pdf_text(built["nb"].pdf, layout=False))
    en = squash(pdf_text(built["en"].pdf, layout=False))
    assert squash("Beste svar · kvalitet 95,0 av 100 · Reddit, 16. nov. 09:00 · svar etter 2 t") in nb
    assert squash("Svakeste svar · kvalitet 20,0 av 100 · Reddit, 17. nov. 08:00 · svar etter 30 t") in nb
    assert squash("Empati mangler Svaret viser forståelse, og beklager der bedriften har skyld.") in nb
    assert squash("Konkret delvis") in nb and squash("Personlig oppfylt") in nb
    assert squash("Weakest reply · quality 20.0 of 100") in en
    assert squash("Personal missing The reply is personal, not a template repeated in many replies.") in en


def test_quarter_to_date_against_the_reach(built: dict[str, ReportPaths]) -> None:
    """2026-Q4 up to the end of W47: Reddit 21 and Trustpilot 7 mentions (75 % / 25 %) against a
    reach of 0.08 and 0.02 (80 % / 20 %): representation 0.94 and 1.25."""
    en = squash(pdf_text(built["en"].pdf))
    assert squash("Reddit 21 75.0% 80.0% 0.94") in en and squash("Trustpilot 7 25.0% 20.0% 1.25") in en
    assert "over-represented" in pdf_text(built["en"].pdf).replace("-\n", "-")


def test_quotes_and_letters_in_reading_order(built: dict[str, ReportPaths]) -> None:
    nb, en = squash(pdf_text(built["nb"].pdf, layout=False)), squash(pdf_text(built["en"].pdf, layout=False))
    assert "BølgeøyKraftverkAS" in nb and "BølgeøyKraftverkAS" in en
    assert squash("«Sjefen min er grusom og ingen bryr seg.»") in nb
    assert squash("“Lønna kommer alltid for sent, og ledelsen svarer ikke på e-post.”") in en


def test_a_past_week_renders_the_same_later_and_after_newer_data(store: DataDir, tmp_path: Path) -> None:
    """No text of a finished week depends on the clock, and nothing published after it counts."""
    data = make_store(tmp_path, world(), official_accounts=OFFICIAL, quarterly=QUARTERLY, publish=False)
    con = connect_writer(data)
    try:
        first = render_html(con, cfg("nb"), WEEK, NOW)
        assert render_html(con, cfg("nb"), WEEK, NOW + timedelta(days=40, hours=3)) == first
        # a new Q4 mention and a reply to Eva's open criticism, both after the week
        load(con, [m("late", source="trustpilot", author="Kim", at=datetime(2026, 11, 30, 12), rating=1,
                     p_negative=0.9, text="Ny klage etter uka."),
                   m("t4r", source="trustpilot", parent="t4", author="Acme AS", at=datetime(2026, 11, 24, 8),
                     text="Vi tar kontakt.")], official_accounts=OFFICIAL)
        again = render_html(con, cfg("nb"), WEEK, NOW + timedelta(days=40))
    finally:
        con.close()
    before_lines, after_lines = set(first.splitlines()), set(again.splitlines())
    changed = sorted(after_lines - before_lines)
    # only the facts about W47's own criticism moved: Eva's reply now counts in the KPIs and shows as later
    assert any("besvart senere (24. nov. 08:00)" in line for line in changed), changed
    assert "Trustpilot" in first and not any("Ny klage" in line for line in changed)
    assert "<td>Trustpilot</td><td class=\"num\">7</td>" in again.replace("\n", "")  # Q4 to date: still 7


def test_title_names_the_company_without_a_config(tmp_path: Path) -> None:
    data = make_store(tmp_path, world(), official_accounts=OFFICIAL, publish=False)
    con = connect_writer(data)
    try:
        neutral = render_html(con, RykteConfig.minimal(), WEEK, NOW)
        write_settings(con, Settings(company="Nordlys Energi AS", language="en", sla_hours=12.0))
        published = render_html(con, RykteConfig.minimal(), WEEK, NOW)
        configured = render_html(con, cfg("nb"), WEEK, NOW)
    finally:
        con.close()
    assert "(unconfigured)" not in neutral + published + configured
    assert "<h1>Ukerapport uke 47 2026</h1>" in neutral and "<title>Ukerapport 2026-W47</title>" in neutral
    assert "<h1>Nordlys Energi AS: weekly report week 47 2026</h1>" in published  # the writer's settings
    assert "The SLA is 12 h." in published  # and its SLA and language
    assert "<h1>Bølgeøy Kraftverk AS: ukerapport uke 47 2026</h1>" in configured  # the config wins


def test_explicit_and_bad_weeks(store: DataDir, built: dict[str, ReportPaths], tmp_path: Path) -> None:
    con = connect_writer(store)
    try:
        p = build_report(con, cfg("en"), tmp_path, week="2026-W45", now=NOW)
        assert p.pdf.exists() and p.week == "2026-W45"
        flat = squash(pdf_text(p.pdf))
        # the store begins in W43: the average is over W43 and W44 only (3 + 4) / 2, criticism (1 + 2) / 2
        for line in ("Week 45 had 5 mentions (+1 on the week before; average of the 2 weeks before: 3.5), "
                     "2 of them criticism (±0; average 1.5).",
                     "1 of 2 critical mentions were answered (50.0%)",
                     "1 critical mention was unanswered at the end of 8 Nov 2026 UTC"):
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
    """A fresh install's first report: no mentions, no criticism, nothing open, said in English."""
    data = make_store(tmp_path, [], publish=False)
    con = connect_writer(data)
    try:
        paths = build_report(con, cfg("en"), data.reports, now=NOW)
    finally:
        con.close()
    text = pdf_text(paths.pdf)
    flat = squash(text)
    for line in ("No mentions in week 47 (the week before: 0).", "No source had mentions this week.",
                 "No criticism this week.", "No criticism from the last 5 weeks was unanswered at the end of 22 Nov 2026 UTC.",
                 "No mentions in the quarter.", "Mentions000"):
        assert squash(line) in flat, line
    assert "Ingen" not in text  # no empty chart with a Norwegian "no data" picture
