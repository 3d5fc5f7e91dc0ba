"""The always-on service: the one writer of `rykte.duckdb`, driven by APScheduler.

Each source is crawled on its own schedule in its own process; the crawl runs outside the database
lock, and its ingest plus the batch pipeline run under one lock, in the service's single DuckDB
connection. A weekly job writes (and sends) the report; a minute job retries due alerts.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from pipeline.config.model import WEEKDAYS, RykteConfig, SourceConfig, interval_seconds
from pipeline.crawl.runner import run_crawl
from pipeline.cycle import BatchResult, process_batch
from pipeline.ingest.staging import (
    CrawlRunResult,
    ingest_leftovers,
    load_cursor,
    prune_done,
    record_crawl,
    record_skipped,
)
from pipeline.store.db import DataDir, connect_writer, utcnow

log = logging.getLogger(__name__)


@dataclass
class CycleResult:
    crawls: list[CrawlRunResult]
    batch: BatchResult | None
    report: str | None = None


class Service:
    def __init__(self, cfg: RykteConfig, data: DataDir, *, analyze: bool = True,
                 progress: bool | None = False):
        self.cfg, self.data, self.analyze, self.progress = cfg, data, analyze, progress
        self.lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = connect_writer(self.data)
            if self.cfg.alerts.channels:
                from pipeline.alerts.channels import validate_channels
                from pipeline.alerts.deliver import recover_interrupted

                validate_channels(self.cfg.alerts)  # a bad apprise URL: exit 2 naming the channel
                # the one writer is starting: a delivery still 'sending' was interrupted by a crash
                recover_interrupted(self._con, expired_only=False)
            recovered = ingest_leftovers(self._con, self.data)
            if recovered:
                log.warning("ingested %d crawl(s) left staged by an interrupted run", len(recovered))
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def _skip_reason(self, source: SourceConfig) -> str | None:
        if not source.enabled:
            return "disabled in the config"
        missing = source.kind.missing_secrets(source.secrets)
        if missing:
            need = missing[0]
            return (f"switched off: no {need} configured (set sources[{source.name}].secrets.{need} to "
                    f"${{{source.kind.env_name(need)}}}); use `rykte import` for this platform's exports")
        return None

    def crawl(self, name: str, *, full: bool = False, batch: bool = True) -> CrawlRunResult:
        source = self.cfg.source(name)
        reason = self._skip_reason(source)
        with self.lock:
            cursor = load_cursor(self.con, source.name)
        if reason:
            log.warning("source %s: %s", source.name, reason)
            with self.lock:
                return record_skipped(self.con, source.name, reason)
        out = run_crawl(self.cfg, source, self.data, cursor=cursor, full=full)
        with self.lock:
            result = record_crawl(self.con, out, self.data)
            if batch:
                self._batch()
        log.info("crawl %s: %s, %d items (%d new), %d errors", name, result.status, result.items,
                 result.new_items, result.errors)
        return result

    def _batch(self) -> BatchResult:
        return process_batch(self.con, self.cfg, self.data, analyze=self.analyze, progress=self.progress)

    def cycle(self, *, report: bool = False, now: datetime | None = None) -> CycleResult:
        """One crawl of every enabled source, one batch, optionally this week's report."""
        crawls = [self.crawl(s.name, batch=False) for s in self.cfg.sources]
        with self.lock:
            batch = self._batch()
            prune_done(self.data, self.cfg.storage.keep_staging_days)
        paths = self.write_report(now=now, current_week=True) if report else None
        return CycleResult(crawls, batch, paths)

    def write_report(self, *, week: str | None = None, now: datetime | None = None, current_week: bool = False,
                     send: bool = False) -> str:
        from pipeline.reports.weekly import build_report, record_delivery, send_report

        if current_week and week is None:
            iso = (now or utcnow()).isocalendar()
            week = f"{iso.year}-W{iso.week:02d}"
        with self.lock:
            paths = build_report(self.con, self.cfg, self.data.reports, week=week, now=now)
        if send and self.cfg.reports.recipients:
            errors = send_report(paths, self.cfg.reports.recipients)
            with self.lock:
                record_delivery(self.con, paths.week, errors)
        return str(paths.pdf)

    def retry_alerts(self) -> None:
        if not (self.cfg.alerts.enabled and self.cfg.alerts.channels):
            return
        from pipeline.alerts.deliver import deliver_pending

        with self.lock:
            deliver_pending(self.con, self.cfg.alerts, timezone=self.cfg.responses.timezone)

    def run_forever(self) -> None:  # pragma: no cover - exercised by `rykte run` by hand
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        tz = self.cfg.responses.timezone
        sched = BlockingScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                                             "misfire_grace_time": 3600})
        start = datetime.now() + timedelta(seconds=5)
        for i, source in enumerate(self.cfg.sources):
            if not source.enabled:
                continue
            every = interval_seconds(source.schedule)
            trigger = (IntervalTrigger(seconds=every, start_date=start + timedelta(seconds=10 * i), timezone=tz)
                       if every else CronTrigger.from_crontab(source.schedule, timezone=tz))
            sched.add_job(self._safe_crawl, trigger, args=[source.name], id=f"crawl:{source.name}")
        r = self.cfg.reports
        if r.enabled:
            sched.add_job(self._safe_report, CronTrigger(day_of_week=WEEKDAYS.index(r.weekday), hour=r.time.hour,
                                                         minute=r.time.minute, timezone=tz), id="report")
        sched.add_job(self.retry_alerts, IntervalTrigger(minutes=1, timezone=tz), id="alerts")
        log.info("service started: %d sources scheduled", len(self.cfg.sources))
        try:
            sched.start()
        finally:
            self.close()

    def _safe_crawl(self, name: str) -> None:  # pragma: no cover - scheduler wrapper
        try:
            self.crawl(name)
        except Exception:
            log.exception("crawl %s failed", name)

    def _safe_report(self) -> None:  # pragma: no cover - scheduler wrapper
        try:
            self.write_report(send=True)
        except Exception:
            log.exception("weekly report failed")
