"""Scrapy settings for Rykte's crawlers: every knob in one place.

Per-job politeness (delay, timeout, robots, autothrottle, concurrency, max pages) is applied on top of
these by :mod:`crawlers.job` from the job file's ``polite`` block (priority ``spider``); ``-s`` on the
command line still wins.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `scrapy crawl` run from crawlers/ (where crawlers/scrapy.cfg lives) must still import `crawlers.*`.
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

BOT_NAME = "rykte"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "Rykte/0.1 (+employer-reputation monitor)"
ROBOTSTXT_OBEY = True

# Politeness defaults (a job may tighten or loosen them).
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around DOWNLOAD_DELAY
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True

# Retries with exponential backoff on 429/5xx, honouring Retry-After (crawlers.middlewares).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 2.0  # seconds; doubled on every retry
RETRY_BACKOFF_MAX = 120.0
RETRY_AFTER_MAX = 300.0  # never sleep longer than this for one Retry-After

REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5

# We never log in and never need cookies. The cookie middleware is removed, not only switched off:
# its module builds a tldextract extractor, which would download the public-suffix list the first
# time a cookie domain is checked. Without the middleware tldextract is never imported, so crawls
# stay offline-safe (tests/crawlers/test_settings.py).
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Refuse private/loopback/link-local addresses unless the source lives there (crawlers.address_guard);
# before robots.txt (100), so a refused host is not even asked for its robots.txt.
ADDRESS_GUARD_ENABLED = True
ADDRESS_GUARD_HOSTS: dict[str, str] = {}  # fixed answers {"host": "ip"} before DNS (tests)

DOWNLOADER_MIDDLEWARES = {
    "crawlers.address_guard.AddressGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryAfterMiddleware": 550,
    "crawlers.middlewares.RateLimitHeadersMiddleware": 560,
}
SPIDER_MIDDLEWARES: dict[str, int] = {}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "crawlers.extensions.RunStatsExtension": 500,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "application/json, text/html;q=0.9, application/xml;q=0.8, */*;q=0.5",
    "Accept-Language": "nb,no;q=0.9,sv;q=0.8,da;q=0.8,en;q=0.7",
}

DUPEFILTER_CLASS = "crawlers.middlewares.RedirectLoopDupeFilter"
