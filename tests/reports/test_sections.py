"""The report's sections from a real store, without rendering (quick tier): open criticism judged at
a moment, the sources of two weeks, the share within the SLA, the change candidates and the quarter
to date, each against numbers counted by hand from tests/reports/world.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import duckdb
import pytest

from pipeline.reports import sections
from pipeline.reports.summary import biggest_change
from pipeline.store.db import connect_writer
from pipeline.store.metrics import compute_metrics
from pipeline.store.queries.report_quarter import quarter_to_date
from tests.factories import make_store
from tests.reports.world import NOW, OFFICIAL, QUARTERLY, world

W47, W48 = date(2026, 11, 16), date(2026, 11, 23)


def plain(text: str) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", text)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    data = make_store(tmp_path_factory.mktemp("sections"), world(), official_accounts=OFFICIAL,
                      quarterly=QUARTERLY, publish=False)
    c = connect_writer(data)
    yield c
    c.close()


def test_open_criticism_is_judged_at_the_given_moment(con: duckdb.DuckDBPyConnection) -> None:
    end_of_week = datetime(2026, 11, 23)
    rows, total = sections.open_criticism(con, W47, end_of_week, 24.0, "en")
    assert total == 3 and [plain(r["status"]) for r in rows] == ["16 d 16 h overdue", "3 d 14 h overdue", "20 h left"]
    assert [r["late"] for r in rows] == [True, True, False]
    assert rows[1]["later"] == "answered later (23 Nov 03:00)" and rows[2]["later"] is None
    # the running week, judged now (Wed 25 Nov 09:30): Mona's was answered on Monday, Eva's is now late
    rows, total = sections.open_criticism(con, W48, NOW, 24.0, "nb")
    assert total == 2 and [plain(r["status"]) for r in rows] == ["19 d 2 t over fristen", "38 t over fristen"]
    # a longer SLA moves the deadline: 16 d 16 h overdue at 24 h is 15 d 16 h at 48 h
    rows, _ = sections.open_criticism(con, W47, end_of_week, 48.0, "en")
    assert plain(rows[0]["status"]) == "15 d 16 h overdue" and plain(rows[2]["status"]) == "44 h left"


def test_a_source_silent_this_week_is_listed_with_zero(con: duckdb.DuckDBPyConnection) -> None:
    cur, prev = compute_metrics(con, W48, date(2026, 11, 30)), compute_metrics(con, W47, W48)
    rows = {r["source"]: (r["mentions"], r["previous"]) for r in sections.sources(cur, prev, "en")}
    assert rows == {"Reddit": ("0", "5"), "Trustpilot": ("0", "6")}


def test_within_sla_uses_the_sla_rule(con: duckdb.DuckDBPyConnection) -> None:
    # W47's answered criticism waited 2 h, 30 h, 4 h, 1 h and 113 h (Mona's, answered Monday 03:00)
    assert sections.within_sla(con, W47, 24.0) == (3, 5)
    assert sections.within_sla(con, W47, 30.0) == (4, 5)  # a reply exactly at the SLA is in time
    assert sections.within_sla(con, W47, 113.0) == (5, 5)


def test_change_candidates_and_the_winner(con: duckdb.DuckDBPyConnection) -> None:
    cur, prev = compute_metrics(con, W47, W48), compute_metrics(con, date(2026, 11, 9), W47)
    found = {(c.kind, c.label): (c.now, c.base) for c in sections.change_candidates(con, W47, cur, prev, "en")}
    assert found[("source", "Trustpilot")] == (6, 1) and found[("source", "Reddit")] == (5, 4)
    assert found[("aspect", "Pay")] == (3, 1) and found[("aspect", "Management")] == (2, 0)
    # criticism per day in W47: Wednesday 18 Nov has t1, t2, t3 = 3; the four weeks before: 1 + 2 + 2 + 2
    # in 28 days (W45 and W46 each add one more: the never-answered one and the Trustpilot review)
    spike = found[("spike", "Wednesday 18 November")]
    assert spike == (3, pytest.approx(7 / 28))
    winner = biggest_change(sections.change_candidates(con, W47, cur, prev, "en"))
    assert winner is not None and (winner.kind, winner.label) == ("source", "Trustpilot")  # +500 % > +275 %


def test_quarter_to_date_counts_only_up_to_the_date(con: duckdb.DuckDBPyConnection) -> None:
    df = quarter_to_date(con, "2026-Q4", W48).set_index("platform")
    assert df.loc["reddit", "mentions"] == 21 and df.loc["trustpilot", "mentions"] == 7
    assert df.loc["reddit", "reach_share"] == pytest.approx(0.8)  # 0.08 / (0.08 + 0.02)
    assert df.loc["trustpilot", "representation"] == pytest.approx((7 / 28) / 0.2)
    assert df.loc["reddit", "negative_share"] == pytest.approx(8 / 21)
    # up to the end of W45 only: W43–W45 Reddit (3 + 4 + 5), no Trustpilot yet
    early = quarter_to_date(con, "2026-Q4", date(2026, 11, 9)).set_index("platform")
    assert early.loc["reddit", "mentions"] == 12 and early.loc["trustpilot", "mentions"] == 0
    assert early.loc["reddit", "representation"] == pytest.approx(1 / 0.8)
    assert quarter_to_date(con, "2026-Q2", date(2026, 6, 1)).empty


def test_a_week_across_the_quarters_end_shows_its_own_quarter_whole(con: duckdb.DuckDBPyConnection) -> None:
    q = sections.quarter(con, date(2026, 9, 28), "en")  # Mon 28 Sep – Sun 4 Oct 2026
    assert q["quarter"] == "2026-Q3" and re.sub(r"\s", " ", q["period"]) == "1 Jul – 30 Sept 2026" and q["rows"] == []
