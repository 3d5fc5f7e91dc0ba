"""Run statistics: errors counted by kind, and the stats file written at spider close.

The stats file (``stats_path`` of the job) is what the service records in ``crawl_runs``::

    {"items": 12, "errors": 1, "error_kinds": {"json": 1}, "error_samples": ["<url>: <reason>"],
     "pages": 7, "finish_reason": "finished", "cursor": {...}, "skipped": {"no_text": 2}}

Error kinds: ``http`` (with ``http_status`` counts), ``json``, ``xml``, ``html``, ``encoding``,
``timeout``, ``connection`` (DNS, refused, reset), ``redirect_loop``, ``truncated``,
``missing_date``, ``future_date`` (clamped to the fetch time), ``empty_page``, ``robots``, ``offsite``,
``refused_address`` (a private/loopback/link-local host), ``config``, ``job``, ``parse`` (a callback
raised), ``other``.

``skipped`` counts records left out for a normal reason, by reason (not errors: the run stays ``ok``):
``no_text`` (e.g. an image-only post), ``deleted`` (a ``[deleted]``/``[removed]`` placeholder),
``duplicate``, ``known`` (at or before the cursor), ``no_match`` (does not name the company).
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.spiders import Spider
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

MAX_SAMPLES = 20


@dataclass
class ErrorLog:
    kinds: Counter[str] = field(default_factory=Counter)
    http_status: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str, n: int = 1) -> None:
        """Count a record left out for a normal reason (not an error)."""
        self.skipped[reason] += n

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def record(self, kind: str, url: str | None, reason: str, status: int | None = None) -> None:
        self.kinds[kind] += 1
        if status is not None:
            self.http_status[str(status)] += 1
        sample = f"{url}: {reason}" if url else reason
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(sample)
        logger.error("crawl error [%s] %s", kind, sample)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


class RunStatsExtension:
    """Counts callback exceptions as errors and writes the job's stats file when the spider closes."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStatsExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        errors: ErrorLog | None = getattr(spider, "run_errors", None)
        if errors is not None:
            errors.record("parse", response.url, f"{type(failure.value).__name__}: {failure.value}")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats_path: Path | None = getattr(spider, "stats_path", None)
        if stats_path is None:
            return
        errors: ErrorLog = getattr(spider, "run_errors", None) or ErrorLog()
        st = self.crawler.stats
        items = int(st.get_value("item_scraped_count", 0) or 0) if st else 0
        finish_reason = getattr(spider, "fail_reason", None) or reason
        cursor_fn = getattr(spider, "new_cursor", None)
        try:
            cursor = cursor_fn() if callable(cursor_fn) else None
        except Exception as exc:  # never lose the stats file over a cursor bug
            logger.exception("could not compute the new cursor")
            errors.record("other", None, f"cursor: {exc}")
            cursor = getattr(spider, "old_cursor", None)
        data: dict[str, Any] = {
            "items": items,
            "errors": errors.total,
            "error_kinds": dict(errors.kinds),
            "http_status": dict(errors.http_status),
            "error_samples": list(errors.samples),
            "pages": int(getattr(spider, "pages", 0)),
            "finish_reason": finish_reason,
            "cursor": cursor,
            "skipped": dict(errors.skipped),
            "source_name": getattr(spider, "source_name", None),
            "run_id": getattr(spider, "run_id", None),
        }
        write_json_atomic(stats_path, data)
        logger.info(
            "run stats: %d items, %d errors %s, skipped %s, %d pages, finish_reason=%s -> %s",
            items,
            errors.total,
            dict(errors.kinds),
            dict(errors.skipped),
            data["pages"],
            finish_reason,
            stats_path,
        )
