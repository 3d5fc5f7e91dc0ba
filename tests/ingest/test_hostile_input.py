"""Hostile import files: one bad line is one skipped row (SPEC §3), never a rejected file.

A bad byte, a deeply nested JSON line, an out-of-range or far-future date, an oversized id: each is
reported with its physical line number and skipped; the rest is imported; `rykte import` exits 2.
Over-long text is cut at MAX_TEXT characters and reported as a warning (the row is kept).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest.importer import MAX_ID, MAX_TEXT, RowError, parse_file, parse_lines, validate_row
from tests.conftest import run_rykte


def row(ext: str, **kw: object) -> bytes:
    base = {"source": "glassdoor", "external_id": ext, "author": "a", "published_at": "2026-05-01T08:00:00",
            "text": "Gode kolleger."}
    return (json.dumps({**base, **kw}, ensure_ascii=False) + "\n").encode("utf-8")


def hostile_file(path: Path) -> Path:
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    lines = [
        row("ok1"),                                                    # 1
        row("bad-byte", text="Lønna").replace("Lønna".encode(), b"L\xf8nna"),  # 2: Latin-1 ø
        b'{"source": "x", "external_id": "deep", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",  # 3
        row("year-one", published_at="0001-01-01T00:00:00+01:00"),     # 4
        row("future", published_at=future),                            # 5
        row("long-id" + "x" * MAX_ID),                                 # 6
        row("big-number").replace(b'"text"', b'"rating": ' + b"9" * 5000 + b', "text"'),  # 7
        row("long-text", text="ord " * 30_000),                        # 8: kept, cut
        row("ok2"),                                                    # 9
    ]
    path.write_bytes(b"".join(lines))
    return path


def test_each_hostile_line_is_one_skipped_row(tmp_path: Path) -> None:
    src = hostile_file(tmp_path / "hostile.jsonl")
    out = run_rykte("--data-dir", str(tmp_path / "d"), "import", str(src), "--no-analyze")
    assert out.returncode == 2, out.stderr
    err = out.stderr
    assert f"{src}:2: not UTF-8 text" in err
    assert f"{src}:3: invalid JSON: nested too deeply" in err
    assert f"{src}:4: published_at: out of range" in err
    assert f"{src}:5: published_at: more than a day in the future" in err
    assert f"{src}:6: external_id: longer than {MAX_ID} characters" in err
    assert f"{src}:7: " in err
    assert f"{src}:8: text cut to {MAX_TEXT} characters" in err
    assert "Traceback" not in err
    con = duckdb.connect(str(tmp_path / "d" / "rykte.duckdb"), read_only=True)
    rows = dict(con.execute("SELECT external_id, length(text) FROM mentions").fetchall())
    con.close()
    assert rows == {"ok1": 14, "long-text": MAX_TEXT, "ok2": 14}


def test_a_directory_is_bad_input(tmp_path: Path) -> None:
    folder = tmp_path / "export.jsonl"
    folder.mkdir()
    out = run_rykte("--data-dir", str(tmp_path / "d"), "import", str(folder), "--no-analyze")
    assert out.returncode == 2 and "is a directory" in out.stderr and "Traceback" not in out.stderr


def test_csv_bad_byte_and_huge_cell_skip_their_row(tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_bytes(b"source,external_id,author,published_at,text\n"
                    b"glassdoor,c1,a,2026-05-01,fine\n"
                    b"glassdoor,c2,a,2026-05-01,L\xf8nna\n"
                    b"glassdoor,c3,a,2026-05-01,\"two\nlines\"\n"
                    b"glassdoor,c4,a,2026-05-01,also fine\n")
    result = parse_file(src)
    assert [r["external_id"] for r in result.rows] == ["c1", "c3", "c4"]
    assert result.errors == [f"{src}:3: not UTF-8 text (text)"]


def test_physical_line_numbers_survive_unicode_line_separators(tmp_path: Path) -> None:
    src = tmp_path / "seps.jsonl"
    src.write_bytes(row("s1", text="a\u2028b\x85c") + b"{broken\n" + row("s2"))
    result = parse_file(src)
    assert [r["external_id"] for r in result.rows] == ["s1", "s2"]
    assert result.errors and result.errors[0].startswith(f"{src}:2: invalid JSON")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_rows_or_line_errors(data: bytes) -> None:
    result = parse_lines(data.split(b"\n"), "f.jsonl")
    n_lines = len(data.split(b"\n"))
    for e in result.errors:
        line = int(e.split(":")[1])
        assert 1 <= line <= n_lines


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries(
    {},
    optional={k: JSONISH | st.text(max_size=40) for k in
              ("source", "external_id", "parent_id", "thread_id", "author", "is_official", "published_at",
               "text", "title", "url", "lang", "rating")},
))
def test_any_object_is_a_row_or_a_row_error(raw: dict[str, object]) -> None:
    try:
        out = validate_row(raw)
    except RowError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert out["published_at"].tzinfo is None and len(out["text"]) <= MAX_TEXT
