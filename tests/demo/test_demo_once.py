"""`rykte demo --once` end to end: the real spiders crawl the demo world over HTTP, the real pipeline
ingests, analyses with the installed model, links responses, alerts the sink, writes the report and
publishes the snapshot. A second run on the same data dir adds no duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_rykte

pytestmark = [pytest.mark.model, pytest.mark.slow]


def counts(data: Path) -> dict[str, object]:
    con = duckdb.connect(str(data / "rykte.duckdb"), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        return {
            "mentions": q("SELECT count(*) FROM mentions")[0][0],
            "sources": {r[0] for r in q("SELECT DISTINCT source FROM mentions")},
            "languages": {r[0] for r in q("SELECT DISTINCT language FROM mentions WHERE language <> 'other'")},
            "criticisms": q("SELECT count(*) FROM mentions WHERE is_criticism")[0][0],
            "responded": q("SELECT count(*) FROM responses r JOIN mentions m ON m.id = r.mention_id "
                           "WHERE m.is_criticism AND r.response_id IS NOT NULL")[0][0],
            "unscored": q("SELECT count(*) FROM mentions WHERE model_version IS NULL")[0][0],
            "runs": q("SELECT status, count(*) FROM crawl_runs GROUP BY ALL"),
            "alerts_sent": q("SELECT count(*) FROM alert_outbox WHERE status = 'sent'")[0][0],
            "reports": q("SELECT count(*) FROM reports")[0][0],
        }
    finally:
        con.close()


def test_one_cycle_fills_the_store(demo_dir: Path) -> None:
    c = counts(demo_dir)
    assert c["mentions"] >= 300
    assert len(c["sources"]) >= 5  # type: ignore[arg-type]
    assert len(c["languages"]) >= 4  # type: ignore[arg-type]
    assert c["unscored"] == 0
    assert c["criticisms"] >= 40 and 0 < c["responded"] < c["criticisms"]  # type: ignore[operator]
    assert dict(c["runs"]).get("failed", 0) == 0  # type: ignore[arg-type]
    assert c["alerts_sent"] > 0 and c["reports"] == 1
    assert (demo_dir / "dashboard.duckdb").exists()
    assert list((demo_dir / "reports").glob("*.pdf"))


def test_metrics_report_the_demo(demo_dir: Path) -> None:
    out = run_rykte("--data-dir", str(demo_dir), "metrics", "--json")
    assert out.returncode == 0, out.stderr
    m = json.loads(out.stdout)
    assert m["criticisms"] >= 40 and m["criticisms_responded"] > 0
    assert 0 < m["response_rate"] < 1
    assert m["first_response_hours"]["median"] > 0
    assert len(m["by_source"]) >= 5


def test_second_run_adds_no_duplicates(demo_dir: Path) -> None:
    before = counts(demo_dir)
    out = run_rykte("demo", "--once", "--data-dir", str(demo_dir), timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    after = counts(demo_dir)
    assert after["mentions"] == before["mentions"]
    assert after["criticisms"] == before["criticisms"]
    assert after["alerts_sent"] == before["alerts_sent"]  # never sent twice
