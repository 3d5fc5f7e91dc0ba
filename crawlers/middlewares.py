"""Downloader-side politeness and error accounting.

* :class:`RetryAfterMiddleware` replaces Scrapy's retry middleware: same retry rules (RETRY_TIMES,
  RETRY_HTTP_CODES, RETRY_EXCEPTIONS) but it waits before each retry, honouring ``Retry-After``
  (seconds or an HTTP date, capped by RETRY_AFTER_MAX) and otherwise backing off exponentially
  (RETRY_BACKOFF_BASE × 2^n, capped by RETRY_BACKOFF_MAX). The wait does not block the reactor.
* :class:`RedirectLoopDupeFilter` counts a redirect that comes back to an already visited URL as a
  ``redirect_loop`` error instead of silently dropping it.
* :func:`classify_failure` maps a download failure to an error kind for the run stats.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
)
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.internet.task import deferLater
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawlers.address_guard import RefusedAddress

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def parse_retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _sleep(seconds: float) -> None:
    if seconds > 0:
        from twisted.internet import reactor  # the installed one (imported late on purpose)

        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))  # type: ignore[arg-type]


class RetryAfterMiddleware(RetryMiddleware):
    """Retry with backoff on 429/5xx and network errors, honouring Retry-After."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    def _delay(self, request: Request, response: Response | None) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        delay = min(self.backoff_max, self.backoff_base * (2**attempt))
        if response is not None:
            ra = parse_retry_after(response.headers.get(b"Retry-After"))
            if ra is not None:
                if ra > self.retry_after_max:
                    logger.warning(
                        "Retry-After %.0fs from %s exceeds RETRY_AFTER_MAX; waiting %.0fs",
                        ra,
                        response.url,
                        self.retry_after_max,
                    )
                delay = min(ra, self.retry_after_max)
        return delay

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        logger.info("HTTP %s from %s; retrying in %.2fs", response.status, response.url, delay)
        if self.crawler.stats:
            self.crawler.stats.inc_value("rykte/retry_wait_ms", int(delay * 1000))
        await _sleep(delay)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        delay = self._delay(request, None)
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await _sleep(delay)
        return retry


class RedirectLoopDupeFilter(RFPDupeFilter):
    """A redirect back to an already requested URL is a redirect loop: count it."""

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopDupeFilter:
        o = super().from_crawler(crawler)
        o.crawler = crawler
        return o

    def log(self, request: Request, spider: Any) -> None:
        redirects = request.meta.get("redirect_urls")
        target = spider or (self.crawler.spider if self.crawler else None)
        if redirects and target is not None and hasattr(target, "record_error"):
            target.record_error("redirect_loop", redirects[0], f"redirect loop back to {request.url}")
        super().log(request, spider)


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(kind, reason) of a request failure."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http", f"HTTP {status}"
    if (
        isinstance(exc, DownloadTimeoutError | TxTimeoutError | TCPTimedOutError)
        or type(exc).__name__ == "TimeoutError"
    ):
        return "timeout", f"timeout: {exc}"
    if isinstance(exc, ResponseDataLossError):
        return "truncated", "truncated body (connection closed before Content-Length bytes)"
    if isinstance(exc, DNSLookupError | CannotResolveHostError):
        return "connection", f"DNS lookup failed: {exc}"
    if isinstance(exc, DownloadConnectionRefusedError | DownloadFailedError):
        return "connection", f"connection error: {exc}"
    if isinstance(exc, ResponseFailed):
        reasons = [r.value for r in getattr(exc, "reasons", []) if isinstance(r, Failure)]
        names = {type(r).__name__ for r in reasons}
        if names & {"_DataLoss", "PotentialDataLoss"}:
            return "truncated", "truncated body (connection closed before Content-Length bytes)"
        return "connection", f"response failed: {', '.join(sorted(names)) or exc}"
    if isinstance(exc, ResponseNeverReceived | ConnectError | ConnectionLost):
        return "connection", f"connection error: {type(exc).__name__}: {exc}"
    if isinstance(exc, RefusedAddress):
        return "refused_address", str(exc)
    if isinstance(exc, IgnoreRequest):
        msg = str(exc)
        if "max redirections" in msg:
            return "redirect_loop", "redirect loop (max redirections reached)"
        if "robots.txt" in msg:
            return "robots", "forbidden by robots.txt"
        if "offsite" in msg.lower():
            return "offsite", msg
        if "maxsize" in msg.lower() or "size" in msg.lower():
            return "too_large", msg
        return "ignored", msg or "request ignored"
    return "other", f"{type(exc).__name__}: {exc}"


class RateLimitHeadersMiddleware:
    """Pause before the next request when a response says the rate-limit window is used up.

    Reads ``X-Ratelimit-Remaining`` / ``X-Ratelimit-Reset`` (Reddit: seconds until reset;
    Mastodon: an ISO time). The wait is capped by RETRY_AFTER_MAX.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RateLimitHeadersMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        remaining = response.headers.get(b"X-Ratelimit-Remaining")
        reset = response.headers.get(b"X-Ratelimit-Reset")
        if remaining is None or reset is None:
            return response
        try:
            if float(remaining.decode("latin-1")) > 0.5:
                return response
        except ValueError:
            return response
        text = reset.decode("latin-1").strip()
        wait: float | None
        try:
            wait = float(text)
        except ValueError:
            try:
                wait = (
                    datetime.fromisoformat(text.replace("Z", "+00:00")) - datetime.now(UTC)
                ).total_seconds()
            except ValueError:
                wait = None
        if wait and wait > 0:
            wait = min(wait, self.cap)
            logger.info("rate limit used up at %s; pausing %.1fs", response.url, wait)
            await _sleep(wait)
        return response
