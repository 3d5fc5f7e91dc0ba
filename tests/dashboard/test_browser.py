"""The real dashboard in headless Chromium: `streamlit run` as a subprocess, driven by playwright.

Every page is opened in nb and in en (the configured language) and must show no exception, no error
box and no untranslated id. Set RYKTE_DASHBOARD_SCREENSHOT=1 to also save a screenshot of each page
in each language to `docs/screenshots/<page>-<lang>.png` (1280 px wide, palette PNG), shown in the
README.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.charts import fmt_int, fmt_pct
from pipeline.dashboard_launch import dashboard_command_args
from pipeline.store import queries
from pipeline.store.db import utcnow
from pipeline.store.settings import Settings
from tests.dashboard.world import IDS, build
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, READY, free_port, serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]



PAGES = {"": ("Oversikt", "Overview"), "inbox": ("Kritikk-innboks", "Criticism inbox"),
         "reply_desk": ("Svarpult", "Reply desk"),
         "mentions": ("Omtaler", "Mentions"), "learning": ("Lær modellen", "Teach the model"), "responses": ("Svar", "Responses"), "sources": ("Kilder", "Sources"),
         "quarterly": ("Kvartal", "Quarters"), "reports": ("Rapporter", "Reports")}
SHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(params=["nb", "en"])
def dashboard(request, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    now = utcnow()
    data = build(tmp_path, now, Settings(language=request.param),
                 crawl_runs=[{"source_name": "reddit-norge", "started_at": now - timedelta(hours=h)} for h in (1, 2)]
                 + [{"source_name": "trustpilot", "started_at": now - timedelta(hours=3), "status": "partial",
                     "errors": 2, "error_samples": ["http://127.0.0.1/reviews?page=3: 503"]}],
                 quarterly=[("2026-Q3", "reddit", "daily_use_share", 0.08), ("2026-Q3", "linkedin", "daily_use_share", 0.12),
                            ("2026-Q4", "reddit", "daily_use_share", 0.09), ("2026-Q4", "linkedin", "daily_use_share", 0.13)])
    reports = data.root / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "2026-W48.pdf").write_bytes(b"%PDF-1.7")
    (reports / "2026-W48.html").write_text("<h1>Rykte – uke 48</h1><p>Omtaler: 10</p>", encoding="utf-8")
    port = free_port()
    with serving(dashboard_command_args(data.root, port, demo=True), port, tmp_path) as url:
        yield url, data, request.param


def save_screenshot(page, target: Path) -> None:
    """A viewport screenshot, reduced to a 256-colour palette PNG (a few hundred kB at most)."""
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # charts finish drawing
    page.screenshot(path=str(target), full_page=False)
    with Image.open(target) as img:
        small = img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(target, optimize=True)


def test_every_page_renders_in_chromium(dashboard):
    from playwright.sync_api import sync_playwright

    url, data, lang = dashboard
    since, until = queries.read_snapshot(data.snapshot, queries.default_window, utcnow().date())
    k = queries.read_snapshot(data.snapshot, queries.kpis, since, until)
    shots = os.environ.get("RYKTE_DASHBOARD_SCREENSHOT") in ("1", "true", "yes")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900},
                                    locale="nb-NO" if lang == "nb" else "en-GB")
            for path, titles in PAGES.items():
                title = titles[0 if lang == "nb" else 1]
                page.goto(f"{url}/{path}", wait_until="domcontentloaded")
                page.wait_for_selector(READY, timeout=30_000)
                page.wait_for_selector(f"h1:has-text('{title}')", timeout=20_000)
                page.wait_for_selector(READY, timeout=30_000)
                assert page.locator('[data-testid="stException"]').count() == 0, path
                assert page.locator('[data-testid="stAlertContentError"]').count() == 0, path
                text = page.locator('[data-testid="stMain"]').inner_text()
                bad = [line for line in text.splitlines() if IDS.search(line) and "http" not in line]
                assert not bad, (path, lang, bad[:5])
                if path == "":
                    page.wait_for_selector('[data-testid="stVegaLiteChart"], .vega-embed', timeout=10_000)
                    metrics = {}
                    for el in page.locator('[data-testid="stMetric"]').all():
                        label = el.locator('[data-testid="stMetricLabel"]').inner_text().strip()
                        metrics[label] = el.locator('[data-testid="stMetricValue"]').inner_text().strip()
                    mentions, rate = ("Omtaler", "Svarrate på kritikk") if lang == "nb" else (
                        "Mentions", "Criticism response rate")
                    assert metrics[mentions] == fmt_int(k["mentions"], lang)
                    assert metrics[rate] == fmt_pct(k["response_rate"], lang=lang)
                if shots:
                    save_screenshot(page, SHOTS / f"{path or 'overview'}-{lang}.png")
        finally:
            browser.close()
