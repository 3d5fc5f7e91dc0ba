"""The real dashboard in headless Chromium: `streamlit run` as a subprocess, driven by playwright.

Set RYKTE_DASHBOARD_SCREENSHOT=1 (or a file path) to also save a screenshot of the overview, used
in the README (default `docs/dashboard.png`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.charts import fmt_hours, fmt_int, fmt_pct, fmt_quality
from pipeline.dashboard_launch import dashboard_command_args
from pipeline.store import queries
from pipeline.store.db import utcnow
from tests.factories import make_store, sample_world

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
         '[data-test-script-state="notRunning"]')
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dashboard(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    now = utcnow()
    data = make_store(tmp_path, sample_world(now), official_accounts={"trustpilot": {"acme as"}},
                      crawl_runs=[{"source_name": "reddit-norge", "started_at": now - timedelta(hours=1)}],
                      quarterly=[("2026-Q3", "linkedin", "followers", 13610.0)])
    port = free_port()
    proc = subprocess.Popen(dashboard_command_args(data.root, port, demo=True), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"streamlit did not come up: {out[-2000:]}")
        time.sleep(0.1)
    try:
        yield url, data
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_overview_and_inbox_render_in_chromium(dashboard):
    from playwright.sync_api import sync_playwright

    url, data = dashboard
    since, until = queries.read_snapshot(data.snapshot, queries.default_window, utcnow().date())
    k = queries.read_snapshot(data.snapshot, queries.kpis, since, until)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="nb-NO")
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector(READY, timeout=20_000)
            page.wait_for_selector('[data-testid="stMetricValue"]', timeout=10_000)
            page.wait_for_selector('[data-testid="stVegaLiteChart"], .vega-embed', timeout=10_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            metrics = {}
            for el in page.locator('[data-testid="stMetric"]').all():
                label = el.locator('[data-testid="stMetricLabel"]').inner_text().strip()
                metrics[label] = el.locator('[data-testid="stMetricValue"]').inner_text().strip()
            assert metrics["Omtaler"] == fmt_int(k["mentions"])
            assert metrics["Kritikk"] == fmt_int(k["criticisms"])
            assert metrics["Svarrate på kritikk"] == fmt_pct(k["response_rate"])
            assert metrics["Median første svar"] == fmt_hours(k["first_response_hours"]["median"])
            assert metrics["Snitt svarkvalitet"] == fmt_quality(k["quality_mean"])
            shot = os.environ.get("RYKTE_DASHBOARD_SCREENSHOT")
            if shot:
                target = ROOT / "docs" / "dashboard.png" if shot in ("1", "true", "yes") else Path(shot)
                target.parent.mkdir(parents=True, exist_ok=True)
                page.wait_for_timeout(500)
                page.screenshot(path=str(target), full_page=False)

            page.get_by_role("link", name="Kritikk-innboks").click()
            page.wait_for_selector("h1:has-text('Kritikk-innboks')", timeout=10_000)
            page.wait_for_selector(READY, timeout=20_000)
            page.wait_for_selector("text=Ikke besvart ennå", timeout=10_000)  # oldest open criticism first
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
