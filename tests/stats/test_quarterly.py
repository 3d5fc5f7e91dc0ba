"""Quarterly statistics import: CSV and XLSX, long and wide, source columns, every bad row named,
nothing imported from a bad file, idempotent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from pipeline.errors import InputError
from pipeline.stats.importer import import_stats, plan_import
from pipeline.stats.quarterly import BadStatsFile, read_stats
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
    plan = import_stats(con, EXAMPLE)
    assert plan.count("new") == 15 and len(rows(con)) == 15
    before = rows(con)
    again = import_stats(con, EXAMPLE)
    assert (again.count("unchanged"), again.count("new"), again.count("changed")) == (15, 0, 0)
    assert rows(con) == before
    assert ("2026-Q2", "linkedin", "engagement_rate", 4.6) in before


def test_wide_semicolon_csv_with_norwegian_numbers(con, tmp_path):
    f = tmp_path / "wide.csv"
    f.write_text("Quarter;Platform;Followers;Engagement rate\n"
                 "2026 Q3;LinkedIn;12\u00a0450;4,2 %\n"
                 "Q4 2026;Facebook;8 320;\n", encoding="utf-8")
    assert import_stats(con, f).count("new") == 3
    assert rows(con) == [("2026-Q3", "linkedin", "engagement_rate", 4.2),
                         ("2026-Q3", "linkedin", "followers", 12450.0),
                         ("2026-Q4", "facebook", "followers", 8320.0)]


def test_source_columns_are_stored_and_a_year_is_four_quarters(con, tmp_path):
    f = tmp_path / "survey.csv"
    f.write_text("\ufeffquarter,platform,metric,value,source,publication,url,published,note\n"
                 '2021,Twitter/X,news_daily_share,3,SSB,"Norsk mediebarometer 2021; tabell 4",'
                 "https://example.org/mb,2022-04,annual\n"
                 "2022-Q3,X (Twitter),profile_share,29,Ipsos,SoMe-tracker Q3'22,,,\n", encoding="utf-8")
    import_stats(con, f)
    got = con.execute("SELECT quarter, platform, value, source, publication, url, published, note "
                      "FROM quarterly_stats ORDER BY quarter").fetchall()
    annual = ("twitter", 3.0, "SSB", "Norsk mediebarometer 2021; tabell 4", "https://example.org/mb", "2022-04",
              "annual")
    assert got == [(f"2021-Q{q}", *annual) for q in range(1, 5)] + [
        ("2022-Q3", "twitter", 29.0, "Ipsos", "SoMe-tracker Q3'22", None, None, None)]


def test_changed_source_column_is_a_change(con, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("quarter,platform,metric,value,source\n2022-Q3,facebook,profile_share,82,Ipsos\n", encoding="utf-8")
    import_stats(con, f)
    f.write_text("quarter,platform,metric,value,source\n2022-Q3,facebook,profile_share,82,Ipsos Norge\n",
                 encoding="utf-8")
    plan = plan_import(con, read_stats(f))
    assert [(p.status, p.old_value) for p in plan.planned] == [("changed", 82.0)]
    import_stats(con, f)
    assert con.execute("SELECT source FROM quarterly_stats").fetchall() == [("Ipsos Norge",)]


def test_xlsx_long_percent_cells_and_reimport_updates_value(con, tmp_path):
    f = tmp_path / "stats.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["quarter", "platform", "metric", "value"])
    ws.append(["2026-Q1", "instagram", "followers", 5110])
    ws.append(["2026-Q1", "instagram", "impressions", 90000.5])
    ws.append(["2026-Q1", "instagram", "engagement_rate", 0.042])
    ws["D4"].number_format = "0.0%"  # shown as 4.2 % in the spreadsheet
    wb.save(f)
    assert import_stats(con, f).count("new") == 3
    ws["D2"] = 5200
    wb.save(f)
    plan = import_stats(con, f)
    assert (plan.count("changed"), plan.count("unchanged")) == (1, 2)
    assert rows(con) == [("2026-Q1", "instagram", "engagement_rate", pytest.approx(4.2)),
                         ("2026-Q1", "instagram", "followers", 5200.0),
                         ("2026-Q1", "instagram", "impressions", 90000.5)]


def test_three_bad_rows_are_all_named_and_nothing_is_imported(con, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("quarter,platform,metric,value\n"
                 "2026-Q1,linkedin,followers,10\n"
                 "2026-Q5,linkedin,followers,3\n"      # row 3: no such quarter
                 "2026-Q1,facebook,followers,8000\n"
                 "2026-Q1,,followers,1\n"              # row 5: no platform
                 "2026-Q2,linkedin,followers,11\n"
                 "2026-Q2,linkedin,impressions,mange\n",  # row 7: not a number
                 encoding="utf-8")
    with pytest.raises(BadStatsFile) as info:
        import_stats(con, f)
    assert [e.split(": ", 1)[0] for e in info.value.errors] == [f"{f}:3", f"{f}:5", f"{f}:7"]
    assert "quarter" in info.value.errors[0] and "platform is empty" in info.value.errors[1]
    assert "not a number" in info.value.errors[2]
    assert str(info.value) == f"{f}: 3 bad row(s); nothing imported"
    assert rows(con) == []


@pytest.mark.parametrize(("body", "row", "what"), [
    ("quarter,platform,metric,value\n2026-Q1,li,f,1\n2026-Q1,li,f,2\n", 3, "twice"),
    ("quarter,platform,metric,value,url\n2026-Q1,li,f,1,www.example.org\n", 2, "not an http"),
    ("quarter,platform,metric,value,published\n2026-Q1,li,f,1,april 2026\n", 2, "published"),
    ("quarter,platform,followers\n2026-Q1,li,\n", 2, "no metric values"),
])
def test_bad_rows_name_file_and_row_and_import_nothing(con, tmp_path, body, row, what):
    f = tmp_path / "bad.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(BadStatsFile) as info:
        import_stats(con, f)
    assert len(info.value.errors) == 1
    assert re.match(re.escape(f"{f}:{row}:") + ".*" + what, info.value.errors[0])
    assert rows(con) == []


def test_bad_header_unsupported_and_missing_files(con, tmp_path):
    (tmp_path / "h.csv").write_text("kvartal,plattform,verdi\n2026-Q1,li,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'h.csv'}:1:") + ".*header lacks"):
        import_stats(con, tmp_path / "h.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError, match="unsupported file type"):
        import_stats(con, tmp_path / "x.json")
    with pytest.raises(InputError, match="not found"):
        import_stats(con, tmp_path / "nope.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"no \.csv or \.xlsx"):
        import_stats(con, empty)


def test_a_directory_is_checked_as_one_input(con, tmp_path):
    d = tmp_path / "q"
    d.mkdir()
    (d / "a.csv").write_text("quarter,platform,metric,value\n2026-Q1,facebook,followers,10\n", encoding="utf-8")
    (d / "b.csv").write_text("quarter,platform,metric,value\n2026-Q1,Facebook,followers,12\n", encoding="utf-8")
    (d / "README.md").write_text("not statistics")
    with pytest.raises(BadStatsFile) as info:
        import_stats(con, d)
    assert info.value.errors == [f"{d / 'b.csv'}:2: 2026-Q1 facebook followers given twice with different values "
                                 f"(also {d / 'a.csv'}:2)"]
    assert rows(con) == []
