"""The desk's own figures in the weekly report: for a fixture week with desk history the HTML holds
the drafts, their states, the median times to draft, approval and posting, and the quality of desk
replies against outside ones, equal to `desk_figures()` for that week, in nb and en; a week without
drafts has no desk section."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from pipeline.config.model import CompanyConfig, ReportsConfig, RykteConfig
from pipeline.i18n import Lang
from pipeline.reports import sections
from pipeline.reports.kpis import fmt_count, fmt_hours, fmt_quality
from pipeline.reports.weekly import render_html
from pipeline.store.db import connect_writer
from pipeline.store.queries.desk import desk_figures
from tests.factories import make_store
from tests.replydesk.desk_world import desk_history, mentions
from tests.reports.world import COMPANY, MONDAY, NOW, OFFICIAL, WEEK, world

T0 = MONDAY + timedelta(days=1, hours=10)  # Tuesday of the fixture week
WORDS = {"nb": ("Svarpulten", "2 utkast til svar på ukas kritikk (Utkast 1, Publisert 1).",
                "Median tid fra kritikken til første utkast", "Snitt kvalitet, svar fra svarpulten (1)"),
         "en": ("The reply desk", "2 drafts of replies to the week's criticism (Draft 1, Posted 1).",
                "Median time from the criticism to the first draft", "Mean quality, replies from the desk (1)")}


def cfg(lang: Lang) -> RykteConfig:
    return RykteConfig(company=CompanyConfig(name=COMPANY), reports=ReportsConfig(language=lang))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    official = {**OFFICIAL, "reddit": OFFICIAL["reddit"] | {"acme"}}
    data = make_store(tmp_path_factory.mktemp("desk-report"), world() + mentions(T0), official_accounts=official,
                      publish=False)
    con = connect_writer(data)
    try:
        desk_history(con, T0)
    finally:
        con.close()
    return data


def cells(html: str) -> list[tuple[str, str]]:
    table = html.split('<table class="desk">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", table)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_holds_the_desk_figures_of_the_week(store, lang: Lang) -> None:
    con = connect_writer(store)
    try:
        f = desk_figures(con, MONDAY, MONDAY + timedelta(days=7))
        html = render_html(con, cfg(lang), WEEK, NOW)
    finally:
        con.close()
    assert f["drafts"] == 2 and f["by_state"] == {"draft": 1, "posted": 1}
    assert (f["hours_to_draft"], f["hours_to_approval"], f["hours_to_posting"]) == (1.75, 3.5, 7.0)
    assert f["quality_desk"] == 88.0 and f["replies_desk"] == 1 and f["replies_outside"] > 1
    heading, intro, to_draft, quality_desk = WORDS[lang]
    assert f"<h3>{heading}</h3>" in html and intro.replace("'", "&#39;") in html
    rows = dict(cells(html))
    assert rows[to_draft] == fmt_hours(1.75, lang)
    assert list(rows.values()) == [fmt_hours(f["hours_to_draft"], lang), fmt_hours(f["hours_to_approval"], lang),
                                   fmt_hours(f["hours_to_posting"], lang), fmt_quality(f["quality_desk"], lang),
                                   fmt_quality(f["quality_outside"], lang)]
    assert rows[quality_desk] == fmt_quality(88.0, lang)
    assert list(rows)[-1].endswith(f"({fmt_count(f['replies_outside'], lang)})")


def test_a_week_without_drafts_has_no_desk_section(tmp_path) -> None:
    data = make_store(tmp_path, world(), official_accounts=OFFICIAL, publish=False)
    con = connect_writer(data)
    try:
        assert sections.desk(con, date(2026, 11, 16), "nb") is None
    finally:
        con.close()
