"""The import row (SPEC §3) is a pydantic model; its errors reach the user as one line naming the field.

Rows go through real files, as `rykte import` reads them: JSON lines keep their types, CSV cells are
strings (``ja``, blank cells, ``4`` as a rating).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.ingest.importer import FIELDS, ImportRow, parse_file

GOOD = {"source": "glassdoor", "external_id": "g1", "author": "Tidligere ansatt",
        "published_at": "2026-05-01T08:00:00Z", "text": "Lønna er for lav."}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"external_id": None}, "missing required field 'external_id'"),
        ({"author": "   "}, "missing required field 'author'"),
        ({"text": ""}, "missing required field 'text'"),
        ({"published_at": "i går"}, "published_at: not an ISO 8601 date/time: 'i går'"),
        ({"rating": 0}, "rating: expected a number from 1 to 5, got 0"),
        ({"rating": True}, "rating: expected a number from 1 to 5, got True"),
        ({"rating": "NaN"}, "rating: expected a number from 1 to 5, got 'NaN'"),
        ({"is_official": "kanskje"}, "is_official: expected true or false, got 'kanskje'"),
        ({"title": ["a", "b"]}, "title: expected a string, got list"),
        ({"external_id": {"id": 1}}, "external_id: expected a string, got dict"),
        ({"parent_id": "g2"}, "parent_id equals external_id (a mention cannot reply to itself)"),
    ],
)
def test_a_bad_jsonl_row_is_one_line_with_file_line_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "external_id": "g2", **change}) + "\n",
                    encoding="utf-8")
    result = parse_file(path)
    assert result.errors == [f"{path}:2: {message}"]
    assert [r["external_id"] for r in result.rows] == ["g1"]  # the rest is imported


def test_csv_cells_are_read_as_exports_write_them(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("source,external_id,author,published_at,text,rating,is_official,parent_id,ekstra\n"
                    "playstore,1001,ola , 2026-06-01T12:00:00+02:00,  Appen krasjer  ,4,nei,,x\n"
                    "playstore,1002,Nordlys,2026-06-01,Beklager!,,ja,1001,\n", encoding="utf-8")
    result = parse_file(path)
    assert result.errors == []
    first, second = result.rows
    assert first["external_id"] == "1001" and first["author"] == "ola" and first["text"] == "  Appen krasjer  "
    assert first["published_at"] == datetime(2026, 6, 1, 10, 0)  # +02:00 → naive UTC
    assert (first["rating"], first["is_official"], first["parent_id"]) == (4.0, False, None)
    assert (second["rating"], second["is_official"], second["parent_id"]) == (None, True, "1001")
    assert first["_unknown"] == ["ekstra"]


def test_the_model_is_the_import_format() -> None:
    assert tuple(ImportRow.model_fields) == FIELDS
