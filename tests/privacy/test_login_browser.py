"""The dashboard's login in headless Chromium: the real `streamlit run` with the auth file `rykte
dashboard` writes; the login form appears and nothing else, a wrong password is refused, the right
one opens the overview."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.model import DashboardConfig, DashboardUser
from pipeline.dashboard_launch import dashboard_command_args, write_auth_file
from pipeline.privacy.passwords import hash_password
from pipeline.store.db import utcnow
from tests.factories import make_store, sample_world
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, READY, free_port, serving

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"



@pytest.fixture
def dashboard(tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data = make_store(tmp_path, sample_world(utcnow()))
    auth = write_auth_file(data, DashboardConfig(users=[
        DashboardUser(name="kari", role="editor", password_hash=hash_password(PASSWORD))]))
    port = free_port()
    with serving(dashboard_command_args(data.root, port, auth_file=auth), port, tmp_path) as url:
        yield url


def test_login_form_refuses_a_wrong_password(dashboard) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for path in ("", "inbox"):  # a page's own address does not get round the door
                page.goto(f"{dashboard}/{path}", wait_until="domcontentloaded")
                page.wait_for_selector(READY, timeout=30_000)
                page.wait_for_selector("h1:has-text('Logg inn på Rykte')", timeout=20_000)
                assert page.locator('[data-testid="stMetric"]').count() == 0
                assert page.locator('[data-testid="stDataFrame"]').count() == 0
            inputs = page.locator('[data-testid="stTextInput"] input')
            inputs.nth(1).wait_for(timeout=20_000)  # the heading can render a moment before the fields
            assert inputs.count() == 2 and inputs.nth(1).get_attribute("type") == "password"
            inputs.nth(0).fill("kari")
            inputs.nth(1).fill("wrong-password-here")
            page.locator('[data-testid="stFormSubmitButton"] button').click()
            page.wait_for_selector("text=Feil brukernavn eller passord.", timeout=20_000)
            page.wait_for_selector(READY, timeout=30_000)
            assert page.locator('[data-testid="stMetric"]').count() == 0
            inputs.nth(0).fill("kari")
            inputs.nth(1).fill(PASSWORD)
            page.locator('[data-testid="stFormSubmitButton"] button').click()
            page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
            assert page.locator("text=Feil brukernavn eller passord.").count() == 0
        finally:
            browser.close()
