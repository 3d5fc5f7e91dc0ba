"""Crawls through the service: the real runner and Scrapy engine, ingested into a real store.

Store-level checks of issue 3: the crawled mentions land with their thread links and official
replies, every run is recorded in `crawl_runs` with its errors counted by kind, a failing re-crawl
loses nothing, the cursor is kept, and a crash between crawl and ingest is recovered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config.loader import parse_config
from pipeline.config.model import RykteConfig
from pipeline.ingest.staging import ingest_leftovers
from pipeline.service import Service
from pipeline.status import source_statuses
from pipeline.store.db import DataDir, connect_writer
from tests.crawlers.conftest import FixtureServer


def config(base_url: str) -> RykteConfig:
    return parse_config(f"""
company:
  name: Nordlys Logistikk
  aliases: [Nordlys Logistikk AS, NordlysLog]
  official_accounts: {{hackernews: [nordlys_eng]}}
crawling: {{download_delay: 0, autothrottle: false, timeout: 2, obey_robots: false}}
sources:
  - name: hn
    type: hackernews
    base_url: {base_url}
    options: {{queries: [ok]}}
  - name: linkedin
    type: linkedin
    secrets: {{token: "${{NO_SUCH_TOKEN:-}}"}}
    options: {{organization_id: "1"}}
""", "test.yaml", env={})


def serve_ok(s: FixtureServer) -> None:
    s.add("/api/v1/search_by_date", "hackernews/search_p0.json", query={"query": "ok"})
    s.add("/api/v1/items/41000001", "hackernews/item_41000001.json")
    s.add("/api/v1/items/41000100", "hackernews/item_41000100.json")


@pytest.mark.slow
def test_crawl_ingests_threads_records_runs_and_survives_failures(server: FixtureServer, tmp_path: Path) -> None:
    serve_ok(server)
    data = DataDir(tmp_path / "data")
    service = Service(config(server.url), data, analyze=False)
    try:
        first = service.crawl("hn")
        assert first.status == "ok" and first.errors == 0 and first.new_items >= 3
        con = service.con
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT external_id, parent_id, thread_id, official FROM mentions WHERE source = 'hackernews'"
        ).fetchall()}
        assert rows["41000010"][:2] == ("41000001", "41000001")
        assert rows["41000011"] == ("41000010", "41000001", True)  # the company's engineer, by config
        link = con.execute(
            "SELECT d.external_id, r.delay_hours FROM responses r JOIN mentions m ON m.id = r.mention_id "
            "JOIN mentions d ON d.id = r.response_id WHERE m.external_id = '41000010'").fetchall()
        assert link and link[0][0] == "41000011" and link[0][1] >= 0
        stored = con.execute("SELECT count(*) FROM mentions").fetchall()[0][0]
        cursor = con.execute("SELECT cursor FROM source_state WHERE source_name = 'hn'").fetchall()
        assert cursor and json.loads(cursor[0][0])

        # the site breaks: a full re-crawl meets a 500 and malformed JSON
        server.reset()
        server.add("/api/v1/search_by_date", body="{broken", content_type="application/json",
                   query={"query": "ok"})
        second = service.crawl("hn", full=True)
        assert second.status in ("failed", "partial") and second.errors >= 1
        assert "json" in second.error_kinds
        assert con.execute("SELECT count(*) FROM mentions").fetchall()[0][0] == stored  # nothing lost
        runs = con.execute("SELECT status, errors, error_kinds, error_samples FROM crawl_runs "
                           "WHERE source_name = 'hn' ORDER BY id").fetchall()
        assert [r[0] for r in runs] == ["ok", second.status]
        assert runs[1][1] == second.errors and json.loads(runs[1][2])["json"] >= 1
        assert any("malformed JSON" in s for s in json.loads(runs[1][3]))

        # a token-less official-API source is switched off with a message, not crashed
        off = service.crawl("linkedin")
        assert off.status == "skipped" and "no token" in off.error_samples[0]
        status = {s.source: s for s in source_statuses(con, service.cfg)}
        # the broken crawl brought nothing: a failed run, not a fresh one (pipeline/store/freshness.py)
        assert status["hn"].freshness == "failing" and status["hn"].errors == second.errors
        assert status["linkedin"].freshness == "never" and status["linkedin"].last_status == "skipped"
    finally:
        service.close()
    assert data.snapshot.exists()


def test_staged_crawl_left_by_a_crash_is_ingested_once(tmp_path: Path) -> None:
    data = DataDir(tmp_path).ensure()
    key = "20260301T100000000000-hn"
    row = {"source": "hackernews", "external_id": "1", "author": "a", "published_at": "2026-03-01T09:00:00Z",
           "text": "Nordlys Logistikk"}
    (data.staging / f"{key}.job.json").write_text(json.dumps({"source_name": "hn"}))
    (data.staging / f"{key}.jsonl").write_text(json.dumps(row) + "\n")
    (data.staging / f"{key}.stats.json").write_text(json.dumps({"items": 1, "errors": 0, "cursor": {"x": 1}}))
    con = connect_writer(data)
    results = ingest_leftovers(con, data)
    assert [r.items for r in results] == [1]
    assert ingest_leftovers(con, data) == []  # archived: not ingested twice
    assert con.execute("SELECT count(*) FROM mentions").fetchall() == [(1,)]
    assert con.execute("SELECT source_name, status FROM crawl_runs").fetchall() == [("hn", "partial")]
    con.close()


@pytest.mark.parametrize("cwd", ["root", "crawlers"])
def test_scrapy_list_works_from_root_and_crawlers(repo_root: Path, cwd: str) -> None:
    import subprocess
    import sys

    where = repo_root if cwd == "root" else repo_root / "crawlers"
    out = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=where, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert set(out.stdout.split()) == {"news", "reddit", "hackernews", "mastodon", "bluesky", "trustpilot", "web",
                                       "linkedin", "facebook", "instagram"}


@pytest.mark.slow
def test_every_failure_kind_is_counted_in_crawl_runs(server: FixtureServer, tmp_path: Path) -> None:
    """The failure crawl of test_failures.py, through the service: each kind lands in crawl_runs."""
    from tests.crawlers.test_failures import QUERIES, serve_failures

    serve_failures(server)
    cfg = config(server.url)
    cfg.sources[0].options = {"queries": QUERIES}
    cfg.crawling.timeout = 1
    service = Service(cfg, DataDir(tmp_path / "data"), analyze=False)
    try:
        result = service.crawl("hn")
        con = service.con
        kinds = json.loads(con.execute("SELECT error_kinds FROM crawl_runs WHERE source_name = 'hn'").fetchall()[0][0])
        ids = {r[0] for r in con.execute("SELECT external_id FROM mentions").fetchall()}
    finally:
        service.close()
    assert result.status == "partial"
    for kind in ("http", "json", "encoding", "truncated", "redirect_loop", "timeout", "empty_page", "connection",
                 "missing_date"):
        assert kinds.get(kind, 0) >= 1, (kind, kinds)
    assert result.errors == sum(kinds.values())
    assert {"41000001", "41000010", "40900001", "41000200"} <= ids  # items around the failures are kept
