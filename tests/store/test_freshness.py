"""The one freshness rule (pipeline/store/freshness.py) over a real DuckDB store."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.store.db import DataDir, connect_writer
from pipeline.store.freshness import UNCONFIGURED_STALE_SECONDS, freshness_state, source_freshness
from pipeline.store.settings import SourceFacts, write_source_facts

NOW = datetime(2026, 11, 20, 12, 0)
HOURLY = SourceFacts("src", "reddit", "reddit", True, 3600, 3 * 3600)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = connect_writer(DataDir(tmp_path / "data"))
    yield c
    c.close()


def run(con: duckdb.DuckDBPyConnection, hours_ago: float, *, status: str = "ok", items: int = 5,
        errors: int = 0, pages: int | None = None, name: str = "src") -> None:
    at = NOW - timedelta(hours=hours_ago)
    con.execute("INSERT INTO crawl_runs (run_key, source_name, started_at, finished_at, items, errors, status, "
                "pages) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [f"{name}-{hours_ago}-{status}", name, at, at + timedelta(minutes=1), items, errors, status, pages])


def state(con: duckdb.DuckDBPyConnection, facts: list[SourceFacts] | None = None) -> str:
    return source_freshness(con, NOW, [HOURLY] if facts is None else facts)[0].state


def test_never_before_the_first_run_then_ok_then_stale_at_the_configured_limit(con):
    assert state(con) == "never"
    run(con, 2.9)
    assert state(con) == "ok"
    assert state(con, [SourceFacts("src", "reddit", "reddit", True, 3600, 2 * 3600)]) == "stale"


def test_a_run_in_which_every_request_failed_is_failing_not_fresh(con):
    run(con, 5)
    run(con, 0.5, status="partial", items=0, errors=4, pages=0)  # every request failed
    f = source_freshness(con, NOW, [HOURLY])[0]
    assert f.state == "failing" and f.failed_in_row == 1
    assert f.last_success_at == NOW - timedelta(hours=5) + timedelta(minutes=1)


def test_every_page_read_failing_is_a_failed_run_but_one_bad_page_of_many_is_not(con):
    run(con, 0.5, status="partial", items=0, errors=1, pages=1)  # one page, malformed
    assert state(con) == "failing"
    run(con, 0.2, status="partial", items=0, errors=1, pages=7)  # nothing new, one page of seven failed
    assert state(con) == "ok"


def test_a_failed_run_after_success_is_failing_even_within_the_limit_and_recovers(con):
    run(con, 1)
    run(con, 0.5, status="failed", items=0, errors=1)
    assert state(con) == "failing"
    run(con, 0.1)
    assert state(con) == "ok"


def test_running_and_skipped_runs_do_not_decide(con):
    run(con, 1)
    run(con, 0.5, status="failed", items=0, errors=2)
    run(con, 0.1, status="skipped", items=0)
    run(con, 0.05, status="running", items=0)
    f = source_freshness(con, NOW, [HOURLY])[0]
    assert f.state == "failing" and f.last_status == "running"


def test_unconfigured_sources_get_the_default_limit_and_published_facts_are_read(con):
    run(con, 50, name="gone")
    write_source_facts(con, [HOURLY])
    rows = {f.name: f for f in source_freshness(con, NOW)}  # facts from source_settings
    assert rows["src"].configured and rows["src"].state == "never" and rows["src"].stale_seconds == 3 * 3600
    assert not rows["gone"].configured and rows["gone"].stale_seconds == UNCONFIGURED_STALE_SECONDS
    assert rows["gone"].state == "ok"  # 50 h < 72 h
    assert [f.name for f in source_freshness(con, NOW, include_unconfigured=False)] == ["src"]


def test_the_rule_itself() -> None:
    assert freshness_state(None, 0, 60, NOW) == "never"
    assert freshness_state(None, 2, 60, NOW) == "failing"
    assert freshness_state(NOW - timedelta(seconds=60), 0, 60, NOW) == "ok"  # at the limit: still ok
    assert freshness_state(NOW - timedelta(seconds=61), 0, 60, NOW) == "stale"


@pytest.mark.parametrize(("pages", "expected"), [(1, "failing"), (7, "ok"), (None, "failing")])
def test_record_crawl_keeps_the_pages_that_decide_whether_every_request_failed(tmp_path: Path, pages, expected):
    """A crawl that found nothing and had one error: failed if it read no more pages than it had
    errors (or did not say), not if six other pages were read fine."""
    from pipeline.crawl.runner import CrawlOutput
    from pipeline.ingest.staging import record_crawl

    data = DataDir(tmp_path / "data")
    con = connect_writer(data)
    try:
        stats = {"items": 0, "errors": 1, "error_kinds": {"http": 1}, "finish_reason": "finished"}
        if pages is not None:
            stats["pages"] = pages
        start = NOW - timedelta(minutes=5)
        out = CrawlOutput("20261120T115500-src", "src", start, NOW, data.staging / "none.jsonl", stats, 0,
                          data.staging / "run.log")
        assert record_crawl(con, out, data).status == "partial"
        assert con.execute("SELECT pages FROM crawl_runs").fetchall() == [(pages,)]
        assert state(con) == expected
    finally:
        con.close()


def test_a_snapshot_from_before_the_pages_column_is_still_read(con):
    run(con, 1)
    run(con, 0.5, status="partial", items=0, errors=2)
    con.execute("ALTER TABLE crawl_runs DROP COLUMN pages")
    assert state(con) == "failing"
