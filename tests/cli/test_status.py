"""`rykte status` applies the one freshness rule with the configured limits, and says the same as the
dashboard's Sources page (queries.source_health over the published snapshot) about every source."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config.loader import load_config
from pipeline.cycle import process_batch
from pipeline.store import queries
from pipeline.store.db import connect_writer, utcnow
from tests.factories import add_crawl_run, make_store

CONFIG = """\
company: {name: Acme AS}
sources:
  - {name: reddit-norge, type: reddit, schedule: 1h, stale_after: 30m}
  - {name: hn, type: hackernews, schedule: 1h}
  - {name: tp, type: trustpilot, schedule: 6h, options: {domain: acme.no}}
  - {name: mast, type: mastodon, schedule: 2h, enabled: false, options: {hashtags: [acme]}}
"""


def test_status_and_dashboard_agree_on_the_configured_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("RYKTE_DATA_DIR", raising=False)
    config = tmp_path / "rykte.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    now = utcnow()
    data = make_store(tmp_path, publish=False)
    con = connect_writer(data)
    try:
        for h in (1, 2, 3):  # hourly; the last success an hour ago: stale against 30m, fresh against 3x the gap
            add_crawl_run(con, "reddit-norge", now - timedelta(hours=h))
        add_crawl_run(con, "hn", now - timedelta(hours=2))
        # every request failed: no items, errors only (it used to count as a fresh crawl)
        add_crawl_run(con, "hn", now - timedelta(minutes=20), items=0, errors=3, status="partial",
                      error_samples=["http://127.0.0.1/hn: HTTP 503"])
        add_crawl_run(con, "mast", now - timedelta(days=9))
        process_batch(con, load_config(config), data, analyze=False, alerts=False)  # publishes the facts
    finally:
        con.close()

    result = CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data.root), "status", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["source"]: r for r in json.loads(result.output)}
    assert {n: r["freshness"] for n, r in rows.items()} == \
        {"reddit-norge": "stale", "hn": "failing", "tp": "never", "mast": "stale"}
    assert rows["reddit-norge"]["stale_after_hours"] == 0.5 and rows["hn"]["stale_after_hours"] == 3.0
    assert rows["hn"]["last_error"] == "http://127.0.0.1/hn: HTTP 503"

    health = queries.read_snapshot(data.snapshot, queries.source_health, now=utcnow())
    assert dict(zip(health["source_name"], health["freshness"], strict=True)) == \
        {n: r["freshness"] for n, r in rows.items()}
    assert dict(zip(health["source_name"], health["stale_limit_hours"], strict=True)) == \
        {n: r["stale_after_hours"] for n, r in rows.items()}

    table = CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data.root), "status"]).output
    mast = next(line for line in table.splitlines() if line.startswith("mast "))
    assert mast.rstrip().endswith("off")  # disabled: shown as off in the table
