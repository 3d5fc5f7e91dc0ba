"""The weekly report: a real PDF whose text shows the week, æøå and compute_metrics' numbers."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipeline.charts import fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.config.model import CompanyConfig, RykteConfig
from pipeline.errors import InputError
from pipeline.reports.weekly import build_report, last_complete_week, parse_week, send_report
from pipeline.store.db import connect_writer
from pipeline.store.metrics import compute_metrics
from tests.factories import make_store, sample_world

NOW = datetime(2026, 11, 25, 9, 30)  # Wednesday of 2026-W48; the last complete week is 2026-W47
WEEK = "2026-W47"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("report")
    world_now = datetime(2026, 11, 22, 20, 0)  # Sunday of W47: the world lies in W46–W47
    data = make_store(tmp, sample_world(world_now), official_accounts={"trustpilot": {"acme as"}},
                      publish=False)
    cfg = RykteConfig(company=CompanyConfig(name="Bølgeøy Kraftverk AS"))
    con = connect_writer(data)
    paths = build_report(con, cfg, data.reports, now=NOW)
    yield con, paths, data
    con.close()


def test_default_week_and_files(built):
    con, paths, data = built
    assert paths.week == WEEK == last_complete_week(NOW)
    assert paths.pdf == data.reports / f"{WEEK}.pdf" and paths.html == data.reports / f"{WEEK}.html"
    assert paths.pdf.read_bytes()[:5] == b"%PDF-"
    row = con.execute("SELECT week, pdf_path, html_path FROM reports").fetchall()
    assert row == [(WEEK, str(paths.pdf), str(paths.html))]


def test_pdf_text_shows_week_letters_and_the_metrics(built):
    con, paths, _ = built
    text = subprocess.run(["pdftotext", "-layout", str(paths.pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = squash(text)
    assert "Ukerapportuke472026(2026-W47)" in flat
    assert "BølgeøyKraftverkAS" in flat and "Nøkkeltall" in flat and "første svar" in text
    monday = parse_week(WEEK)
    k = compute_metrics(con, monday, monday + timedelta(days=7))
    prev = compute_metrics(con, monday - timedelta(days=7), monday)
    assert k["criticisms"] > 0 and k["criticisms_responded"] > 0 and k["quality_mean"] is not None
    rows = {
        "Omtaler": (fmt_int(k["mentions"]), fmt_int(prev["mentions"])),
        "Kritikk": (fmt_int(k["criticisms"]), fmt_int(prev["criticisms"])),
        "Besvartkritikk": (fmt_int(k["criticisms_responded"]), fmt_int(prev["criticisms_responded"])),
        "Svarratepåkritikk": (fmt_pct(k["response_rate"]), fmt_pct(prev["response_rate"])),
        "Medianførstesvar": (fmt_hours(k["first_response_hours"]["median"]),
                             fmt_hours(prev["first_response_hours"]["median"])),
        "P90førstesvar": (fmt_hours(k["first_response_hours"]["p90"]),
                          fmt_hours(prev["first_response_hours"]["p90"])),
        "Snittsvarkvalitet(0–100)": (fmt_quality(k["quality_mean"]), fmt_quality(prev["quality_mean"])),
        "Klokkeavvik": (fmt_int(k["clock_anomalies"]), fmt_int(prev["clock_anomalies"])),
    }
    for label, (cur, before) in rows.items():
        assert squash(label + cur + before) in flat, (label, cur, before)
    # the open criticism past SLA and the top criticism are listed
    assert "UbesvartkritikkoverSLA(24t)" in flat
    # table cells wrap over several lines in layout mode: read the quotes in reading order
    raw = squash(subprocess.run(["pdftotext", str(paths.pdf), "-"], check=True, capture_output=True,
                                text=True).stdout)
    assert squash("«Sjefen min er grusom og ingen bryr seg.»") in raw
    assert squash("«Lønna kommer alltid for sent, og ledelsen svarer ikke på e-post.»") in raw


def test_explicit_and_bad_weeks(built, tmp_path):
    con, _, _ = built
    cfg = RykteConfig.minimal()
    p = build_report(con, cfg, tmp_path, week="2026-W46", now=NOW)
    assert p.pdf.exists() and p.week == "2026-W46"
    for bad in ("2026-47", "2026-W54", "2025-W53", "uke 47"):
        with pytest.raises(InputError, match=re.escape(repr(bad))):
            build_report(con, cfg, tmp_path, week=bad, now=NOW)


def test_send_reports_errors_per_recipient(built, tmp_path):
    _, paths, _ = built
    errors = send_report(paths, ["json://127.0.0.1:9/unreachable", "not a url"])
    assert len(errors) == 2 and "127.0.0.1" in errors[0] and "not a url" in errors[1]
    missing = type(paths)(html=paths.html, pdf=Path(tmp_path / "nope.pdf"), week=paths.week)
    assert "missing" in send_report(missing, ["json://127.0.0.1:9/x"])[0]
