"""Quarterly statistics import: CSV and XLSX, long and wide, bad rows named, idempotent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from pipeline.errors import InputError
from pipeline.stats.quarterly import import_stats
from pipeline.store.db import DataDir, connect_writer

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "quarterly_stats.example.csv"


@pytest.fixture
def con(tmp_path):
    c = connect_writer(DataDir(tmp_path / "data"))
    yield c
    c.close()


def rows(con):
    return con.execute("SELECT quarter, platform, metric, value FROM quarterly_stats "
                       "ORDER BY quarter, platform, metric").fetchall()


def test_example_csv_imports_idempotently(con):
    n = import_stats(con, EXAMPLE)
    assert n == 15 and len(rows(con)) == 15
    before = rows(con)
    assert import_stats(con, EXAMPLE) == 15
    assert rows(con) == before
    assert ("2026-Q2", "linkedin", "engagement_rate", 4.6) in before


def test_wide_semicolon_csv_with_norwegian_numbers(con, tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text("Quarter;Platform;Followers;Engagement rate\n"
                 "2026 Q3;LinkedIn;12\u00a0450;4,2 %\n"
                 "Q4 2026;Facebook;8 320;\n", encoding="utf-8")
    assert import_stats(con, f) == 3
    assert rows(con) == [("2026-Q3", "linkedin", "engagement_rate", 4.2),
                         ("2026-Q3", "linkedin", "followers", 12450.0),
                         ("2026-Q4", "facebook", "followers", 8320.0)]


def test_xlsx_long_and_reimport_updates_value(con, tmp_path):
    f = tmp_path / "stats.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["quarter", "platform", "metric", "value"])
    ws.append(["2026-Q1", "instagram", "followers", 5110])
    ws.append(["2026-Q1", "instagram", "impressions", 90000.5])
    wb.save(f)
    assert import_stats(con, f) == 2
    ws["D2"] = 5200
    wb.save(f)
    assert import_stats(con, f) == 2
    assert rows(con) == [("2026-Q1", "instagram", "followers", 5200.0),
                         ("2026-Q1", "instagram", "impressions", 90000.5)]


@pytest.mark.parametrize(("body", "row", "what"), [
    ("quarter,platform,metric,value\n2026-Q1,linkedin,followers,10\n2026-Q5,linkedin,followers,3\n", 3, "quarter"),
    ("quarter,platform,metric,value\n2026-Q1,linkedin,followers,mange\n", 2, "not a number"),
    ("quarter,platform,metric,value\n2026-Q1,,followers,1\n", 2, "platform is empty"),
    ("quarter,platform,metric,value\n2026-Q1,li,f,1\n2026-Q1,li,f,2\n", 3, "twice"),
    ("kvartal,plattform,verdi\n2026-Q1,li,1\n", 1, "header lacks"),
])
def test_bad_rows_name_file_and_row_and_import_nothing(con, tmp_path, body, row, what):
    f = tmp_path / "bad.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{f}:{row}:") + ".*" + what):
        import_stats(con, f)
    assert rows(con) == []


def test_unsupported_and_missing_files(con, tmp_path):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError, match="unsupported file type"):
        import_stats(con, tmp_path / "x.json")
    with pytest.raises(InputError, match="not found"):
        import_stats(con, tmp_path / "nope.csv")
