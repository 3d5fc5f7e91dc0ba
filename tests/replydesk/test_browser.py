"""The reply desk in headless Chromium: the real `streamlit run` with two editors in the auth file.

Kari logs in, opens the inbox, picks the second criticism, follows "Skriv et svar" to the desk with that criticism chosen, types
a poor draft and reads the score, types a better one and sees it rise, and submits it; in the review
queue she finds her own draft without an approve button (four eyes). Per logs in in his own browser
session and approves it; the approval is in the writer's inbox files, by Per.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.model import DashboardConfig, DashboardUser
from pipeline.dashboard_launch import dashboard_command_args, write_auth_file
from pipeline.privacy.passwords import hash_password
from pipeline.store.db import DataDir, utcnow
from pipeline.store.inbox import pending_desk_events
from tests.dashboard.world import build
from tests.replydesk.drafts import good
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, READY, free_port, serving

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
POOR = "Takk for innspillet."
WAIT = 30_000  # ms; the machine may be busy



@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[str, DataDir]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data = build(tmp_path, utcnow())
    auth = write_auth_file(data, DashboardConfig(users=[
        DashboardUser(name=n, role="editor", password_hash=hash_password(PASSWORD)) for n in ("kari", "per")]))
    port = free_port()
    with serving(dashboard_command_args(data.root, port, auth_file=auth), port, tmp_path) as url:
        yield url, data


def settle(page: Any) -> None:
    """Let the rerun an interaction started begin, then wait until Streamlit has finished it."""
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=WAIT)


def wait_until(check: Callable[[], Any], what: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def log_in(browser: Any, url: str, name: str) -> Any:
    """A browser session of its own (a Streamlit session per tab), logged in."""
    page = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="nb-NO").new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1:has-text('Logg inn på Rykte')", timeout=WAIT)
    settle(page)
    inputs = page.locator('[data-testid="stTextInput"] input')
    inputs.nth(0).fill(name)
    inputs.nth(1).fill(PASSWORD)
    page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=WAIT)
    settle(page)
    return page


def open_page(page: Any, path: str, title: str) -> None:
    """Through the sidebar, as a reader would (a new address would be a new, logged-out session)."""
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=WAIT)
    settle(page)


def selected(page: Any, key: str) -> str:
    """The label a select box shows (Streamlit's combobox keeps it in its input's value)."""
    return str(page.locator(f".st-key-{key} input[role=combobox]").input_value())


def score(page: Any) -> float | None:
    """The draft's quality as the page shows it, or None while there is no score."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Kvalitet")
    if metric.count() == 0:
        return None
    text = metric.first.locator('[data-testid="stMetricValue"]').inner_text()
    return float(text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", "."))


def type_draft(page: Any, text: str) -> None:
    area = page.locator('[data-testid="stTextArea"] textarea').first
    area.fill(text)
    area.press("Control+Enter")  # Streamlit takes a text area's value on Ctrl+Enter or blur
    settle(page)


def main_text(page: Any) -> str:
    return str(page.locator('[data-testid="stMain"]').inner_text())


def test_draft_score_submit_and_four_eyes_in_chromium(dashboard: tuple[str, DataDir]) -> None:
    from playwright.sync_api import sync_playwright

    url, data = dashboard
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            kari = log_in(browser, url, "kari")
            open_page(kari, "inbox", "Kritikk-innboks")
            first = selected(kari, "inbox_thread")
            kari.locator(".st-key-inbox_thread input[role=combobox]").click()
            kari.get_by_role("option").nth(1).click()  # not the first, which the desk would show anyway
            settle(kari)
            chosen = wait_until(lambda: (c := selected(kari, "inbox_thread")) != first and c, "the second criticism")
            mention_id = int(chosen.split(" ", 1)[0].lstrip("#"))
            link = kari.locator('a:has-text("Skriv et svar")')
            assert f"mention={mention_id}" in str(link.get_attribute("href"))
            link.click()
            kari.wait_for_selector("h1:has-text('Svarpult')", timeout=WAIT)
            settle(kari)
            assert selected(kari, "desk_mention") == chosen  # the desk opens on the criticism of the inbox

            # the score while writing: a poor draft, then a better one
            assert score(kari) is None
            type_draft(kari, POOR)
            low = wait_until(lambda: score(kari), "the poor draft's score")
            assert "For kort" in main_text(kari) and "Erkjenn problemet" in main_text(kari)
            type_draft(kari, good("nb"))
            high = wait_until(lambda: (s := score(kari)) is not None and s != low and s, "the better draft's score")
            assert high > low + 30, (low, high)
            assert "For kort" not in main_text(kari)

            kari.locator(".st-key-desk_submit button").click()
            kari.wait_for_selector("text=Lagret. Tjenesten tar det inn ved neste runde.", timeout=WAIT)
            settle(kari)
            pending = pending_desk_events(data.root)
            assert [(e["action"], e["actor"]) for e in pending] == [("create", "kari"), ("submit", "kari")]
            assert pending[0]["mention_id"] == mention_id
            draft_id = pending[0]["draft_id"]

            # four eyes: the author finds her draft in the queue but cannot approve it
            kari.get_by_role("tab", name="Til godkjenning").click()
            settle(kari)
            kari.wait_for_selector("text=Du har skrevet dette utkastet; en kollega må godkjenne det.", timeout=WAIT)
            assert kari.locator(f".st-key-desk_approve_{draft_id}").count() == 0
            assert kari.locator('[class*="st-key-desk_approve_"]').count() == 0

            # a colleague, in his own session, approves
            per = log_in(browser, url, "per")
            open_page(per, "reply_desk", "Svarpult")
            per.get_by_role("tab", name="Til godkjenning").click()
            settle(per)
            assert "skrevet av kari" in main_text(per)
            per.locator(f".st-key-desk_approve_{draft_id} button").click()
            per.wait_for_selector("text=Lagret. Tjenesten tar det inn ved neste runde.", timeout=WAIT)
            settle(per)
            assert per.locator('[data-testid="stException"]').count() == 0
            assert kari.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
    last = pending_desk_events(data.root)[-1]
    assert (last["action"], last["actor"], last["draft_id"]) == ("approve", "per", draft_id)
    assert time.monotonic() - started < 120
