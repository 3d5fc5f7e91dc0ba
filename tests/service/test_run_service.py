"""`rykte run` as a user starts it: a real subprocess on a UTC clock, real crawl children, real SIGTERM.

The sources have 6-hour and crontab schedules in a config whose time zone is Europe/Oslo: the old
scheduler read the host's naive UTC clock as Oslo time and crawled such a source for the first
time ~5 h after start. Here each source's first crawl must come within a minute. One source's
server never answers, so its crawl is still running when SIGTERM arrives: the service must end it,
record what it got (without storing a cursor), publish, log one line and exit 0, leaving no
process of any crawl's process group behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, RYKTE
from tests.crawlers.conftest import FixtureServer

EMPTY_SEARCH = '{"hits": [], "nbHits": 0, "page": 0, "nbPages": 0, "hitsPerPage": 20}'


def children_of(pid: int) -> set[int]:
    """Pids whose parent is `pid` (from /proc)."""
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            out.add(int(entry.name))
    return out


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def write_config(path: Path, url: str) -> None:
    path.write_text(f"""
company: {{name: Nordlys Logistikk}}
crawling: {{download_delay: 0, autothrottle: false, timeout: 20, obey_robots: false}}
responses: {{timezone: Europe/Oslo}}
reports: {{enabled: false}}
sources:
  - {{name: every-6h, type: hackernews, schedule: 6h, base_url: "{url}/a", options: {{queries: [nordlys]}}}}
  - {{name: nightly, type: hackernews, schedule: "0 3 * * *", base_url: "{url}/b", options: {{queries: [nordlys]}}}}
  - {{name: stalls, type: hackernews, schedule: 6h, base_url: "{url}/slow", options: {{queries: [nordlys]}}}}
""", encoding="utf-8")


@pytest.mark.slow
def test_first_crawls_within_a_minute_on_utc_and_sigterm_ends_cleanly(tmp_path: Path, data_dir: Path) -> None:
    server = FixtureServer()
    server.add("/a/api/v1/search_by_date", body=EMPTY_SEARCH)
    server.add("/b/api/v1/search_by_date", body=EMPTY_SEARCH)
    server.add("/slow/api/v1/search_by_date", body=EMPTY_SEARCH, delay=120)
    config = tmp_path / "rykte.yaml"
    write_config(config, server.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RYKTE_")}
    env["TZ"] = "UTC"
    proc = subprocess.Popen([*RYKTE, "--config", str(config), "--data-dir", str(data_dir), "run"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    groups: set[int] = set()
    try:
        started = time.monotonic()
        done = {"every-6h": False, "nightly": False}
        while time.monotonic() - started < 60 and not (all(done.values()) and server.seen("/slow/")):
            groups |= children_of(proc.pid)
            for name in done:
                done[name] = any(f"crawl {name}: ok" in line for line in lines)
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.2)
        assert all(done.values()), f"first crawls missing after 60 s: {done}\n{''.join(lines)}"
        assert server.seen("/slow/api/v1/search_by_date"), "the stalling source was never crawled"
        groups |= children_of(proc.pid)
        assert groups, "no crawl child seen"

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.close()
    reader.join(timeout=5)
    output = "".join(lines)
    assert sum("service stopped (SIGTERM)" in line for line in lines) == 1, output
    for pgid in groups:  # every crawl ran in its own group, and nothing of any group is left
        assert group_members(pgid) == [], f"process group {pgid} still has members"

    con = duckdb.connect(str(data_dir / "rykte.duckdb"), read_only=True)
    try:
        runs = dict(con.execute("SELECT source_name, error_samples FROM crawl_runs").fetchall())
        cursors = {r[0] for r in con.execute("SELECT source_name FROM source_state").fetchall()}
    finally:
        con.close()
    assert set(runs) == {"every-6h", "nightly", "stalls"}
    assert "the service was stopping" in runs["stalls"]
    assert "stalls" not in cursors  # an interrupted crawl never moves the cursor past what it missed
    assert not list((data_dir / "staging").glob("*.part"))
    snapshot = duckdb.connect(str(data_dir / "dashboard.duckdb"), read_only=True)
    try:  # published at shutdown: the interrupted run is visible to the dashboard
        assert snapshot.execute("SELECT count(*) FROM crawl_runs WHERE source_name = 'stalls'").fetchall()[0][0] == 1
    finally:
        snapshot.close()
