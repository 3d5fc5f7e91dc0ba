"""`rykte stats import` through the real entry point: every bad row on stderr and exit 2 with nothing
written; `--dry-run` shows new/changed/unchanged and writes nothing, not even a new store."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from tests.conftest import run_rykte

HEADER = "quarter,platform,metric,value\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_three_bad_rows_all_reported_nothing_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    f = tmp_path / "q.csv"
    f.write_text(HEADER + "2026-Q1,linkedin,followers,10\n2026-Q1,linkedin,impressions,1e\n"
                 "2026-Q1,linkedin,clicks,4\n2026-13,linkedin,followers,3\n2026-Q2,,followers,1\n", encoding="utf-8")
    out = run_rykte("--data-dir", str(data), "stats", "import", str(f))
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert [re.match(r".*q\.csv:(\d+): ", line).group(1) for line in lines[:3]] == ["3", "5", "6"]  # type: ignore[union-attr]
    assert lines[3] == f"rykte: error: {f}: 3 bad row(s); nothing imported"
    assert not data.exists()  # the store was never opened


def test_dry_run_shows_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    f = tmp_path / "q.csv"
    f.write_text(HEADER + "2026-Q1,linkedin,followers,10\n2026-Q1,linkedin,clicks,4\n", encoding="utf-8")
    dry = run_rykte("--data-dir", str(data), "stats", "import", str(f), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert re.search(r"^2026-Q1\s+linkedin\s+followers\s+10\s+new$", dry.stdout, re.M), dry.stdout
    assert "2 new, 0 changed, 0 unchanged" in dry.stdout and "nothing written" in dry.stdout
    assert not data.exists()

    assert run_rykte("--data-dir", str(data), "stats", "import", str(f)).returncode == 0
    live, snapshot = data / "rykte.duckdb", data / "dashboard.duckdb"
    before = (digest(live), digest(snapshot), live.stat().st_mtime_ns, snapshot.stat().st_mtime_ns)
    f.write_text(HEADER + "2026-Q1,LinkedIn,followers,12\n2026-Q1,linkedin,clicks,4\n2026-Q2,linkedin,clicks,5\n",
                 encoding="utf-8")
    dry = run_rykte("--data-dir", str(data), "stats", "import", str(f), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert re.search(r"^2026-Q1\s+linkedin\s+followers\s+12\s+changed\s+10$", dry.stdout, re.M), dry.stdout
    assert re.search(r"^2026-Q1\s+linkedin\s+clicks\s+4\s+unchanged$", dry.stdout, re.M)
    assert re.search(r"^2026-Q2\s+linkedin\s+clicks\s+5\s+new$", dry.stdout, re.M)
    assert "1 new, 1 changed, 1 unchanged" in dry.stdout
    assert (digest(live), digest(snapshot), live.stat().st_mtime_ns, snapshot.stat().st_mtime_ns) == before
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("SELECT metric, value FROM quarterly_stats ORDER BY metric").fetchall() == [
            ("clicks", 4.0), ("followers", 10.0)]
