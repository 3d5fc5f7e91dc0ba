"""The dashboard over the demo world's own data, in a real Chromium, in nb and en (issue 17): every
page renders with no exception, no error box and no untranslated id, and the Overview's mention count
is `rykte metrics`' figure for the same window.

The store is the one a full `rykte demo --once` cycle published (crawled by the real spiders, scored
by the installed model). English is the same snapshot with its published `language` set to `en`, as
the writer publishes it for a config with `language: en`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.charts import fmt_int
from pipeline.dashboard_launch import dashboard_command_args
from pipeline.store import queries
from pipeline.store.db import utcnow
from tests.dashboard.test_browser import CHROMIUM, CHROMIUM_ARGS, PAGES, READY
from tests.dashboard.world import IDS
from tests.streamlit_server import free_port, serving

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(params=["nb", "en"])
def demo_dashboard(request: pytest.FixtureRequest, demo_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data = tmp_path / "data"
    data.mkdir()
    snapshot = data / "dashboard.duckdb"
    shutil.copy(demo_dir / "dashboard.duckdb", snapshot)
    if (demo_dir / "reports").exists():
        shutil.copytree(demo_dir / "reports", data / "reports")
    con = duckdb.connect(str(snapshot))
    try:
        con.execute("UPDATE settings SET value = ? WHERE key = 'language'", [json.dumps(request.param)])
    finally:
        con.close()
    port = free_port()
    with serving(dashboard_command_args(data, port, demo=True), port, tmp_path) as url:
        yield url, snapshot, request.param


def _people_s_words(snapshot: Path) -> list[str]:
    """Every text the demo's people wrote: a page quoting "management got bonuses" shows their words,
    not the id `management`."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return [t for (t,) in con.execute("SELECT text FROM mentions WHERE text IS NOT NULL").fetchall()]
    finally:
        con.close()


def _quotes(line: str, said: list[str]) -> bool:
    """True when the line is (the start of) a text someone wrote, as a page quotes it."""
    quoted = line.strip().strip("«»\"").rstrip("…").strip()
    return len(quoted) >= 20 and any(quoted in t for t in said)


def test_every_page_on_the_demo_data(demo_dashboard: tuple[str, Path, str]) -> None:
    from playwright.sync_api import sync_playwright

    url, snapshot, lang = demo_dashboard
    since, until = queries.read_snapshot(snapshot, queries.default_window, utcnow().date())
    mentions = queries.read_snapshot(snapshot, queries.kpis, since, until)["mentions"]
    assert mentions > 0  # the demo's default window holds its mentions
    said = _people_s_words(snapshot)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for path, titles in PAGES.items():
                page.goto(f"{url}/{path}", wait_until="domcontentloaded")
                page.wait_for_selector(READY, timeout=60_000)
                page.wait_for_selector(f"h1:has-text('{titles[0 if lang == 'nb' else 1]}')", timeout=30_000)
                page.wait_for_selector(READY, timeout=60_000)
                assert page.locator('[data-testid="stException"]').count() == 0, (path, lang)
                assert page.locator('[data-testid="stAlertContentError"]').count() == 0, (path, lang)
                text = page.locator('[data-testid="stMain"]').inner_text()
                bad = [line for line in text.splitlines()
                       if IDS.search(line) and "http" not in line and not _quotes(line, said)]
                assert not bad, (path, lang, bad[:5])
                if path == "":
                    label = "Omtaler" if lang == "nb" else "Mentions"
                    tile = page.locator('[data-testid="stMetric"]', has_text=label).first
                    value = tile.locator('[data-testid="stMetricValue"]').inner_text().strip()
                    assert value == fmt_int(mentions, lang)
        finally:
            browser.close()
