"""Shared base of every Rykte spider.

* reads the job (``-a job=PATH``) and applies its polite settings in ``from_crawler``;
* builds requests with an errback that counts download failures by kind;
* decodes bodies defensively (empty pages, wrong encodings, malformed JSON/HTML are counted errors,
  never crashes; a wrongly declared encoding is still salvaged);
* turns platform records into :class:`~crawlers.items.Mention` (missing dates counted and skipped,
  dates more than a day after the fetch clamped to it and counted as ``future_date``, official
  accounts resolved, duplicates suppressed);
* keeps the incremental cursor: per stream (a search query, a subreddit, a tag…) the newest
  publication time seen; listing pages stop when they reach items at or before the old cursor,
  unless the job asks for a ``full`` re-crawl.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.dates import MissingDate, clamp_future, iso_utc, to_utc
from crawlers.extensions import ErrorLog
from crawlers.items import Mention, clean_rating
from crawlers.job import Job, JobError, allowed_domains, apply_polite_settings, load_job, stats_path_hint
from crawlers.matching import CompanyMatcher
from crawlers.middlewares import classify_failure
from crawlers.options import SourceOptions
from crawlers.registry import SOURCE_TYPES, SourceType

logger = logging.getLogger(__name__)

#: what a platform mapper may raise on a body of unexpected shape: each callback catches these and
#: counts a ``json``/``html`` error (tests/crawlers/test_mapper_properties.py holds every mapper to it)
MAPPING_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)

_CHARSET_RE = re.compile(rb"charset=[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


@dataclass
class Raw:
    """A mention as parsed from a platform record, before validation (see :meth:`RykteSpider.emit`).

    The ``parse_*`` functions of each spider module return these from a decoded body, without the
    engine, so they can be tried on any saved response.
    """

    external_id: str
    author: str | None
    published: Any
    text: str | None
    parent_id: str | None = None
    thread_id: str | None = None
    is_official: bool | None = None
    title: str | None = None
    url: str | None = None
    lang: str | None = None
    rating: Any = None


def _as_text(value: Any) -> str | None:
    """A platform value as text: a string as it is, a number as its digits, anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


class RykteSpider(scrapy.Spider):
    """Base class; subclasses set ``name`` (= the source type, its key in :mod:`crawlers.registry`).

    ``options`` holds the job's options as validated by the type's model in the registry; a subclass
    narrows its annotation to that model.
    """

    options: SourceOptions

    def __init__(self, job: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.run_errors = ErrorLog()
        self.pages = 0
        self.fail_reason: str | None = None
        self.job: Job | None = None
        self.stats_path = None
        self.allowed_domains: list[str] = []
        self._emitted: set[str] = set()
        self._newest: dict[str, datetime] = {}
        self.old_cursor: dict[str, Any] | None = None
        if not job:
            self.fail("job", "no job file: run with -a job=PATH", reason="bad_job")
            return
        try:
            self.job = load_job(job)
        except JobError as exc:
            self.stats_path = stats_path_hint(job)
            self.fail("job", str(exc), reason="bad_job")
            return
        j = self.job
        self.stats_path = j.stats_path
        if j.type != self.name:  # its options were validated by another type's model
            self.fail("job", f"{job}: a {j.type!r} job run by the {self.name!r} spider", reason="bad_job")
            return
        self.run_id = j.run_id
        self.source_name = j.source_name
        self.platform = j.platform
        self.base_url = j.base(self.kind.default_base_url)
        self.options = j.options
        self.max_pages = max(1, j.polite.max_pages)
        #: pages per stream: the source's own ``max_pages`` option, else the crawl-wide one
        self.opt_max_pages = j.options.max_pages or self.max_pages
        self.full = j.full
        self.old_cursor = None if j.full else j.cursor
        self.matcher = CompanyMatcher(
            j.company.name, j.company.aliases, j.company.exclude, j.company.official_accounts
        )
        self.allowed_domains = allowed_domains([self.base_url, *self.extra_domains()])
        for key in self.kind.missing_secrets(j.secrets):
            self.fail(
                "config",
                f"{self.name}: no access {key} configured: set {self.kind.env_name(key)} in the environment "
                f"(the source {self.source_name!r} is switched off until then; "
                f"exports of this platform can go through `rykte import`)",
                reason="not_configured",
            )
            break

    @property
    def kind(self) -> SourceType:
        """This spider's entry in the registry of source types."""
        return SOURCE_TYPES[self.name]

    # ----------------------------------------------------------------- setup
    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RykteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, RykteSpider)
        if spider.job is not None:
            apply_polite_settings(crawler.settings, spider.job)
        return spider

    def extra_domains(self) -> Iterable[str]:
        """Further URLs whose hosts the crawl may visit (besides base_url)."""
        return ()

    def fail(self, kind: str, message: str, reason: str = "failed") -> None:
        """Mark the run as failed (e.g. not configured) with a clear logged, counted message."""
        self.fail_reason = reason
        self.run_errors.record(kind, None, message)

    def secret(self, key: str) -> str | None:
        """A secret of the job (required ones are checked when the job is read)."""
        return self.job.secrets.get(key) if self.job else None

    async def start(self) -> AsyncIterator[Any]:
        if self.fail_reason is None:
            try:
                for request in self.initial_requests():
                    yield request
            except Exception as exc:  # a bad option must not crash the run
                logger.exception("could not build the start requests")
                self.fail("config", f"start requests: {type(exc).__name__}: {exc}", reason="failed")

    def initial_requests(self) -> Iterable[Request]:
        raise NotImplementedError

    # ----------------------------------------------------------------- requests & errors
    def request(
        self,
        url: str,
        callback: Any,
        *,
        cb_kwargs: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        priority: int = 0,
        dont_filter: bool = False,
    ) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs=cb_kwargs or {},
            meta=meta or {},
            headers=headers,
            priority=priority,
            dont_filter=dont_filter,
        )

    def record_error(self, kind: str, url: str | None, reason: str, status: int | None = None) -> None:
        self.run_errors.record(kind, url, reason, status)

    def skip(self, reason: str) -> None:
        """Count a record left out for a normal reason (the stats file's ``skipped``)."""
        self.run_errors.skip(reason)

    def on_error(self, failure: Failure) -> None:
        kind, reason = classify_failure(failure)
        status = failure.value.response.status if isinstance(failure.value, HttpError) else None
        request = getattr(failure, "request", None)
        self.record_error(kind, request.url if request is not None else None, reason, status)

    # ----------------------------------------------------------------- decoding
    def decode_body(self, response: Response, default_encoding: str = "utf-8") -> str | None:
        """The body as text; None (and a counted error) for an empty page.

        A body that is not valid in its declared (or default) encoding is counted as an
        ``encoding`` error and salvaged as Windows-1252.
        """
        self.pages += 1
        body = response.body
        if not body.strip():
            self.record_error("empty_page", response.url, f"empty body (HTTP {response.status})")
            return None
        encoding = default_encoding
        ctype = response.headers.get(b"Content-Type") or b""
        m = _CHARSET_RE.search(ctype)
        if m:
            encoding = m.group(1).decode("ascii").lower()
        elif isinstance(response, scrapy.http.TextResponse) and ctype and b"html" in ctype.lower():
            encoding = response.encoding
        if body.startswith(b"\xef\xbb\xbf"):
            body, encoding = body[3:], "utf-8"
        try:
            return body.decode(encoding)
        except LookupError:
            self.record_error("encoding", response.url, f"unknown charset {encoding!r}")
            return body.decode("utf-8", errors="replace")
        except UnicodeDecodeError as exc:
            self.record_error(
                "encoding", response.url, f"body is not valid {encoding} (byte {exc.start}); read as cp1252"
            )
            return body.decode("cp1252", errors="replace")

    def load_json(self, response: Response) -> Any | None:
        text = self.decode_body(response)
        if text is None:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            self.record_error("json", response.url, f"malformed JSON: {exc.msg} at line {exc.lineno}")
            return None
        except (ValueError, RecursionError) as exc:  # nested too deeply, a number too long to convert
            self.record_error("json", response.url, f"unreadable JSON: {type(exc).__name__}: {str(exc)[:100]}")
            return None

    def load_html(self, response: Response) -> Selector | None:
        text = self.decode_body(response)
        if text is None:
            return None
        if "<" not in text:
            self.record_error("html", response.url, "not an HTML document")
            return None
        try:
            sel = Selector(text=text, type="html")
        except Exception as exc:
            self.record_error("html", response.url, f"unparseable HTML: {exc}")
            return None
        if not sel.xpath("//body | //html"):
            self.record_error("html", response.url, "no <html>/<body> element")
            return None
        return sel

    def json_shape_error(self, response: Response, what: str) -> None:
        self.record_error("json", response.url, f"unexpected JSON structure: {what}")

    # ----------------------------------------------------------------- items
    def mention(
        self,
        *,
        external_id: str,
        author: str | None,
        published: Any,
        text: str | None,
        parent_id: str | None = None,
        thread_id: str | None = None,
        is_official: bool | None = None,
        title: str | None = None,
        url: str | None = None,
        lang: str | None = None,
        rating: Any = None,
        where: str | None = None,
    ) -> Mention | None:
        """A Mention, or None (missing id or date → counted error; empty text or duplicate → skipped).

        Fields come from platform JSON and may have any type: text fields that are not text (a
        number is its digits; a list, an object or a boolean is nothing) never raise.
        """
        external_id = _as_text(external_id) or ""
        author, text, title, url, lang = (_as_text(v) for v in (author, text, title, url, lang))
        parent_id, thread_id = _as_text(parent_id), _as_text(thread_id)
        if parent_id == external_id:  # a record naming itself as its parent is a root
            parent_id = None
        if not external_id.strip():
            self.record_error("missing_id", where or url, "a record without an id")
            return None
        if external_id in self._emitted:
            self.run_errors.skip("duplicate")
            return None
        try:
            when = to_utc(published)
        except MissingDate as exc:
            self.record_error("missing_date", where or url, f"{external_id}: {exc}")
            return None
        body = (text or "").strip() or (title or "").strip()
        if not body:  # before the date is clamped: a dropped record is counted once, as its skip
            logger.debug("skipping %s: no text", external_id)
            self.run_errors.skip("no_text")
            return None
        when, clamped = clamp_future(when, datetime.now(UTC))
        if clamped:
            self.record_error(
                "future_date",
                where or url,
                f"{external_id}: dated {published!s:.40} (after its fetch time); stored as fetched",
            )
        if self.matcher.is_official_author(author):
            is_official = True
        self._emitted.add(external_id)
        return Mention(
            source=self.platform,
            external_id=str(external_id),
            parent_id=str(parent_id) if parent_id else None,
            thread_id=str(thread_id) if thread_id else (str(external_id) if not parent_id else None),
            author=(author or "").strip() or "[unknown]",
            is_official=is_official,
            published_at=iso_utc(when),
            text=body,
            title=(title or "").strip() or None,
            url=url or None,
            lang=lang or None,
            rating=clean_rating(rating),
        )

    def emit(self, raw: Raw, where: str | None = None) -> Mention | None:
        return self.mention(**asdict(raw), where=where)

    # ----------------------------------------------------------------- cursor
    def _cursor_time(self, stream: str) -> datetime | None:
        if not self.old_cursor:
            return None
        streams = self.old_cursor.get("streams") or {}
        value = streams.get(stream)
        if value is None:
            return None
        try:
            return to_utc(value)
        except MissingDate:
            return None

    def observe(self, stream: str, published: Any) -> None:
        """Note an item's time for the stream's new cursor (a future date is clamped: it would hide
        every later item behind the cursor)."""
        try:
            when = to_utc(published)
        except MissingDate:
            return
        when, _ = clamp_future(when, datetime.now(UTC))
        if stream not in self._newest or when > self._newest[stream]:
            self._newest[stream] = when

    def is_known(self, stream: str, published: Any) -> bool:
        """True when the item is at or before the old cursor of its stream (seen in an earlier run)."""
        limit = self._cursor_time(stream)
        if limit is None:
            return False
        try:
            return to_utc(published) <= limit
        except MissingDate:
            return False

    def should_continue_paging(self, stream: str, times: Iterable[Any], page: int) -> bool:
        """Page on unless max_pages is reached or the page reached already known items."""
        times = list(times)
        if not times:
            return False
        if page >= self.max_pages:
            logger.info("%s: max_pages=%d reached", stream, self.max_pages)
            return False
        if any(self.is_known(stream, t) for t in times):
            logger.info("%s: reached known items (cursor); stop paging", stream)
            return False
        return True

    def new_cursor(self) -> dict[str, Any]:
        streams: dict[str, str] = {}
        old = (self.old_cursor or {}).get("streams") or {}
        for key, value in old.items():
            streams[str(key)] = str(value)
        for key, when in self._newest.items():
            prev = self._cursor_time(key)
            streams[key] = iso_utc(max(when, prev) if prev else when)
        latest = max(streams.values()) if streams else None
        return {"streams": streams, "latest": latest}
