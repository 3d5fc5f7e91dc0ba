"""Crawl processes (issue 14 point 7) and the service's first crawls.

- a staging file still being written (`.jsonl.part`) is never ingested, and its cursor not stored;
- a crawl child dies with its service, even when the service is SIGKILLed (no orphan writing on);
- a finished crawl's feed is renamed from `.part` once the child has ended;
- the schedule's first crawls come within seconds of the start, whatever the host's time zone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.config.loader import parse_config
from pipeline.config.model import RykteConfig
from pipeline.crawl.processes import CrawlProcesses
from pipeline.crawl.runner import run_crawl
from pipeline.scheduler import build_scheduler, first_crawls
from pipeline.service import Service
from pipeline.store.db import DataDir, utcnow
from tests.conftest import ROOT
from tests.crawlers.conftest import FixtureServer
from tests.factories import add_crawl_run
from tests.service.test_run_service import EMPTY_SEARCH, children_of

ROW = {"source": "hackernews", "external_id": "h1", "author": "ola", "published_at": "2026-11-20T09:00:00Z",
       "text": "Nordlys Logistikk svarer aldri på søknader."}


def config(url: str = "http://127.0.0.1:9") -> RykteConfig:
    return parse_config(f"""
company: {{name: Nordlys Logistikk}}
crawling: {{download_delay: 0, autothrottle: false, timeout: 20, obey_robots: false}}
responses: {{timezone: Europe/Oslo}}
sources:
  - {{name: hn, type: hackernews, schedule: 6h, base_url: "{url}", options: {{queries: [nordlys]}}}}
  - {{name: hn-daily, type: hackernews, schedule: 1d, base_url: "{url}", options: {{queries: [nordlys]}}}}
  - {{name: nightly, type: hackernews, schedule: "0 3 * * *", base_url: "{url}", options: {{queries: [nordlys]}}}}
  - {{name: nightly-fresh, type: hackernews, schedule: "0 3 * * *", base_url: "{url}", options: {{queries: [nordlys]}}}}
  - {{name: paused, type: hackernews, schedule: 1h, enabled: false, base_url: "{url}"}}
""", "test.yaml", env={})


def test_a_staging_file_still_being_written_is_not_ingested(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data").ensure()
    key = "20261120T090000000000-hn"
    (data.staging / f"{key}.job.json").write_text(json.dumps({"run_id": key, "source_name": "hn"}), encoding="utf-8")
    (data.staging / f"{key}.jsonl.part").write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    # the spider's stats file may already be there while the feed is not yet complete
    (data.staging / f"{key}.stats.json").write_text(json.dumps({"items": 1, "cursor": {"after": 1793527200}}),
                                                   encoding="utf-8")
    service = Service(config(), data, analyze=False)
    try:
        con = service.con  # the writer's start-up ingests leftovers
        assert con.execute("SELECT count(*) FROM mentions").fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM source_state").fetchall()[0][0] == 0  # cursor not moved
        assert con.execute("SELECT count(*) FROM crawl_runs").fetchall()[0][0] == 0
    finally:
        service.close()
    assert not list(data.staging.glob(f"{key}.*"))  # cleaned up: kept in done/ for a look, pruned later
    assert (data.staging / "done" / f"{key}.jsonl.part").exists()


def test_first_crawls_come_within_seconds_on_any_host_clock(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    service = Service(config(), data, analyze=False)
    now = datetime.now(UTC)
    try:
        add_crawl_run(service.con, "nightly-fresh", utcnow() - timedelta(hours=1))  # fresh: waits for 03:00
        add_crawl_run(service.con, "hn-daily", utcnow() - timedelta(hours=2))  # crawled before a restart
        plan = {f.source: f for f in first_crawls(service, now)}
        assert set(plan) == {"hn", "hn-daily", "nightly"}
        times = sorted(plan[name].at for name in ("hn", "nightly"))
        assert times[0] - now <= timedelta(seconds=2) and times[-1] - now < timedelta(seconds=30)
        assert len(set(times)) == len(times)  # spread: not all at once
        # continues one interval after its last crawl (the crawl run ended 30 s after it started)
        assert abs(plan["hn-daily"].at - (now + timedelta(hours=22, seconds=30))) < timedelta(seconds=5)

        sched = build_scheduler(service, now)
        sched.start(paused=True)
        try:
            due = {j.id: j.next_run_time for j in sched.get_jobs()}
        finally:
            sched.shutdown(wait=False)
    finally:
        service.close()
    for job in ("crawl:hn", "first-crawl:nightly"):
        assert timedelta(0) < due[job] - now < timedelta(seconds=30), (job, due[job], now)
    assert "first-crawl:nightly-fresh" not in due and "crawl:paused" not in due
    assert due["crawl:nightly"].tzinfo is not None and due["crawl:nightly"].astimezone(
        due["crawl:nightly"].tzinfo).hour == 3  # crontab times stay in the company's time zone


@pytest.mark.slow
def test_a_finished_crawl_is_renamed_from_part(tmp_path: Path) -> None:
    server = FixtureServer()
    server.add("/api/v1/search_by_date", body=EMPTY_SEARCH)
    try:
        cfg = config(server.url)
        out = run_crawl(cfg, cfg.source("hn"), DataDir(tmp_path / "data"), processes=CrawlProcesses())
    finally:
        server.close()
    assert out.returncode == 0 and out.problems == []
    assert out.staged.exists() and out.staged.name.endswith(".jsonl")
    assert not list(out.staged.parent.glob("*.part"))


SERVICE = """
import sys
from pipeline.crawl.runner import run_crawl
from pathlib import Path
from pipeline.store.db import DataDir
from tests.service.test_crawl_processes import config
cfg = config(sys.argv[1])
run_crawl(cfg, cfg.source("hn"), DataDir(Path(sys.argv[2])))
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_crawl_child_dies_with_a_killed_service(tmp_path: Path) -> None:
    server = FixtureServer()
    server.add("/api/v1/search_by_date", body=EMPTY_SEARCH, delay=120)  # the crawl hangs on its first request
    service = subprocess.Popen([sys.executable, "-c", SERVICE, server.url, str(tmp_path / "data")], cwd=ROOT,
                               env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (children and server.seen("/api/v1/search_by_date")):
            children |= children_of(service.pid)
            time.sleep(0.2)
        assert children and server.seen("/api/v1/search_by_date"), "the crawl never started"
        service.send_signal(signal.SIGKILL)  # a crash: no handler runs
        service.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.1)
        assert not any(alive(pid) for pid in children), "the crawl child outlived its service"
    finally:
        if service.poll() is None:
            service.kill()
        for pid in [*children, *children_of(service.pid)]:  # never leave an orphan behind a failed test
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        server.close()
