"""`rykte import`: the SPEC §3 format, row errors by line number, idempotent re-import."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.importer import parse_file
from tests.conftest import run_rykte

ROWS = [
    {"source": "glassdoor", "external_id": "g1", "author": "Former employee", "published_at": "2026-05-01T08:00:00",
     "text": "Lønna er for lav for skiftarbeid.", "rating": 2},
    {"source": "glassdoor", "external_id": "g2", "author": "Current employee", "published_at": "2026-05-02",
     "text": "Gode kolleger.", "rating": "4"},
    {"source": "glassdoor", "external_id": "g3", "author": "x", "published_at": "yesterday", "text": "bad date"},
    {"source": "glassdoor", "external_id": "g4", "author": "x", "published_at": "2026-05-03", "text": "r", "rating": 9},
    {"source": "glassdoor", "author": "x", "published_at": "2026-05-03", "text": "no id"},
    {"source": "glassdoor", "external_id": "g6", "parent_id": "g1", "author": "Nordlys Logistikk AS",
     "is_official": "true", "published_at": "2026-05-01T12:00:00+02:00", "text": "Takk, vi ser på det."},
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + "{not json\n",
                    encoding="utf-8")
    return path


def test_bad_rows_are_reported_by_line_and_the_rest_imported(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "export.jsonl", ROWS)
    out = run_rykte("--data-dir", str(tmp_path / "d"), "import", str(src), "--no-analyze")
    assert out.returncode == 2
    err = out.stderr
    assert f"{src}:3: published_at: not an ISO 8601 date/time: 'yesterday'" in err
    assert f"{src}:4: rating: expected a number from 1 to 5, got 9" in err
    assert f"{src}:5: missing required field 'external_id'" in err
    assert f"{src}:7: invalid JSON" in err
    assert "3 new" in out.stdout and "4 skipped" in out.stdout
    con = duckdb.connect(str(tmp_path / "d" / "rykte.duckdb"), read_only=True)
    rows = con.execute("SELECT external_id, published_at::VARCHAR, official, thread_id, rating FROM mentions "
                       "ORDER BY external_id").fetchall()
    assert rows == [("g1", "2026-05-01 08:00:00", False, "g1", 2.0),
                    ("g2", "2026-05-02 00:00:00", False, "g2", 4.0),
                    ("g6", "2026-05-01 10:00:00", True, "g1", None)]  # +02:00 → UTC; thread from parent
    con.close()


@pytest.mark.slow
def test_reimport_changes_nothing_and_edits_update_in_place(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS[:2]), encoding="utf-8")
    d = str(tmp_path / "d")
    assert run_rykte("--data-dir", d, "import", str(src), "--no-analyze").returncode == 0
    con = duckdb.connect(str(tmp_path / "d" / "rykte.duckdb"), read_only=True)
    before = con.execute("SELECT * FROM mentions ORDER BY id").fetchall()
    con.close()
    again = run_rykte("--data-dir", d, "import", str(src), "--no-analyze")
    assert "0 new, 0 updated, 2 unchanged" in again.stdout
    con = duckdb.connect(str(tmp_path / "d" / "rykte.duckdb"), read_only=True)
    assert con.execute("SELECT * FROM mentions ORDER BY id").fetchall() == before
    con.close()
    edited = [dict(ROWS[0], text="Lønna er for lav. (redigert)"), ROWS[1]]
    src.write_text("".join(json.dumps(r) + "\n" for r in edited), encoding="utf-8")
    third = run_rykte("--data-dir", d, "import", str(src), "--no-analyze")
    assert "0 new, 1 updated, 1 unchanged" in third.stdout
    con = duckdb.connect(str(tmp_path / "d" / "rykte.duckdb"), read_only=True)
    assert con.execute("SELECT count(*), max(text) FROM mentions WHERE external_id = 'g1'").fetchone() == \
        (1, "Lønna er for lav. (redigert)")
    con.close()


def test_csv_with_source_option(tmp_path: Path) -> None:
    src = tmp_path / "playstore.csv"
    src.write_text("external_id,author,published_at,text,rating,parent_id,is_official\n"
                   "p1,ola,2026-06-01T10:00:00Z,\"Appen krasjer, og ingen svarer\",1,,\n"
                   "p1-r,Nordlys,2026-06-01T11:30:00Z,Beklager! Vi fikser det.,,p1,yes\n"
                   "p2,kari,2026-06-02T10:00:00Z,Fin app,five,,\n", encoding="utf-8")
    result = parse_file(src, default_source="playstore")
    assert [r["external_id"] for r in result.rows] == ["p1", "p1-r"]
    assert result.rows[1]["is_official"] is True and result.rows[0]["source"] == "playstore"
    assert result.errors == [f"{src}:4: rating: expected a number from 1 to 5, got 'five'"]
    out = run_rykte("--data-dir", str(tmp_path / "d"), "import", str(src), "--source", "playstore",
                    "--no-analyze")
    assert out.returncode == 2
    m = json.loads(run_rykte("--data-dir", str(tmp_path / "d"), "metrics", "--json").stdout)
    assert m["by_source"]["playstore"] == {"mentions": 1, "criticisms": 1, "criticisms_responded": 1,
                                           "response_rate": 1.0}
    assert m["first_response_hours"]["median"] == 1.5


def test_unsupported_or_missing_file(tmp_path: Path) -> None:
    out = run_rykte("--data-dir", str(tmp_path / "d"), "import", str(tmp_path / "x.xml"))
    assert out.returncode == 2 and "x.xml" in out.stderr
