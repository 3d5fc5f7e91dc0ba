"""Crawls stay offline-safe without patching Scrapy: the cookie middleware, whose tldextract would fetch
the public-suffix list on the first cookie domain it checks, is removed in crawlers/settings.py.

tldextract writes its cache directory (``TLDEXTRACT_CACHE``) on its first look-up, download or not, so
an absent directory after a crawl whose server sets domain cookies shows it was never consulted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.crawlers.conftest import FixtureServer, run_crawl

EMPTY_SEARCH = json.dumps({"hits": [], "nbPages": 1, "page": 0})
COOKIE = {"Set-Cookie": "session=abc; Domain=.example.co.uk; Path=/"}


@pytest.mark.parametrize("cookies_on", [False, True], ids=["settings", "cookies-switched-on"])
def test_a_crawl_never_consults_the_public_suffix_list(
    server: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cookies_on: bool
) -> None:
    cache = tmp_path / "tldextract-cache"
    monkeypatch.setenv("TLDEXTRACT_CACHE", str(cache))
    server.add("/api/v1/search_by_date", body=EMPTY_SEARCH, headers=COOKIE)
    # The control run switches the cookie middleware back on, to show the check can see a look-up.
    extra = (
        {"COOKIES_ENABLED": "True",
         "DOWNLOADER_MIDDLEWARES": json.dumps({"scrapy.downloadermiddlewares.cookies.CookiesMiddleware": 700})}
        if cookies_on else None
    )
    res = run_crawl(tmp_path, "hackernews", server.url, {"queries": ["Nordlys"]}, extra_settings=extra)
    assert res.returncode == 0, res.log
    assert res.stats["finish_reason"] == "finished" and server.seen("/api/v1/search_by_date")
    assert cache.exists() is cookies_on
