"""The always-on service: the one writer of `rykte.duckdb`, driven by APScheduler.

Each source is crawled on its own schedule in its own process; the crawl runs outside the database
lock, and its ingest plus the batch pipeline run under one lock, in the service's single DuckDB
connection. A weekly job writes (and sends) the report; a minute job runs the alert step
(`alerts_tick`: SLA deadlines, stale sources, digests and retries are moments in time, not
consequences of a crawl). The schedule and the clean shutdown are in `pipeline.scheduler`; the
crawl children are tracked by `pipeline.crawl.processes`, so they end with the service.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from pipeline.config.model import RykteConfig, SourceConfig
from pipeline.crawl.processes import CrawlProcesses, ShuttingDown
from pipeline.crawl.runner import run_crawl
from pipeline.cycle import BatchResult, process_batch
from pipeline.errors import InputError
from pipeline.ingest.staging import (
    CrawlRunResult,
    ingest_leftovers,
    load_cursor,
    prune_done,
    record_crawl,
    record_skipped,
)
from pipeline.store.db import DataDir, connect_writer, utcnow
from pipeline.store.snapshot import publish_snapshot

if TYPE_CHECKING:
    from pipeline.alerts.run import AlertRun

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 30.0  # SIGTERM/SIGINT: how long running crawls get to end before they are killed


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
        self.processes = CrawlProcesses()  # the running crawl children, ended with the service
        self._crawling: set[str] = set()  # sources whose scheduled crawl is running
        self._crawling_lock = threading.Lock()  # not `lock`: that one is held through whole batches
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
        out = run_crawl(self.cfg, source, self.data, cursor=cursor, full=full, processes=self.processes)
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

    def alerts_tick(self, now: datetime | None = None) -> AlertRun:
        """The minute job: every alert kind (SLA warnings and breaches, stale or failing sources by
        the freshness rule, digest and quiet-hours releases, retries), then publish if anything moved,
        so `rykte status` and the dashboard see delivery failures within a minute."""
        from pipeline.alerts.run import run_alerts

        with self.lock:
            result = run_alerts(self.con, self.cfg, now)
            if result.queued or result.summaries or result.sent or result.failed or result.retried:
                publish_snapshot(self.con, self.data)
        return result

    def publish(self) -> None:
        """Publish the read snapshot (at shutdown: skipped runs and alert outcomes since the last batch)."""
        if self._con is not None:
            with self.lock:
                publish_snapshot(self._con, self.data)

    def run_forever(self, *, stop_grace: float = STOP_GRACE_SECONDS) -> None:
        """Run the schedule until SIGTERM/SIGINT, then stop cleanly (`pipeline.scheduler`)."""
        from pipeline.scheduler import run_scheduled

        try:
            run_scheduled(self, stop_grace=stop_grace)
        finally:
            self.close()

    def safe_crawl(self, name: str) -> None:
        """A scheduled crawl: failures are logged, never raised into the scheduler; a source whose
        previous crawl is still running is not crawled twice at once (a crontab source's start-up crawl)."""
        with self._crawling_lock:
            if name in self._crawling:
                log.info("crawl %s skipped: the previous one is still running", name)
                return
            self._crawling.add(name)
        try:
            self.crawl(name)
        except ShuttingDown:
            log.info("crawl %s not started: the service is stopping", name)
        except Exception:
            log.exception("crawl %s failed", name)
        finally:
            with self._crawling_lock:
                self._crawling.discard(name)

    def safe_alerts(self) -> None:
        try:
            self.alerts_tick()
        except Exception:
            log.exception("alert step failed")

    def apply_retention(self) -> None:
        """Daily: pseudonymise (and optionally empty) old mentions (`pipeline.privacy.retention`)."""
        from pipeline.privacy.keys import load_key
        from pipeline.privacy.retention import apply_retention

        p = self.cfg.privacy
        with self.lock:
            r = apply_retention(self.con, load_key(self.data.root), p.retention_days, p.drop_text_after_days)
            if r.pseudonymised or r.texts_dropped:
                publish_snapshot(self.con, self.data)
        log.info("retention: %d mention(s) pseudonymised, %d text(s) emptied", r.pseudonymised, r.texts_dropped)

    def retrain_model(self) -> None:
        """Scheduled (`analysis.retrain.schedule`, off by default): the retrain of `rykte model retrain`
        on the writer's connection; an accepted version is used from the next batch, which re-scores."""
        from pipeline.analysis.retrain import retrain

        with self.lock:
            r = retrain(self.con, self.cfg.analysis, self.data.models)
        log.info("retrain: %s %s: %s", r.version_id, "accepted and active" if r.accepted else "refused", r.reason)

    def safe_retrain(self) -> None:
        try:
            self.retrain_model()
        except InputError as e:  # e.g. too few corrections yet: the next run tries again
            log.info("retrain skipped: %s", e)
        except Exception:
            log.exception("retrain failed")

    def safe_retention(self) -> None:
        try:
            self.apply_retention()
        except Exception:
            log.exception("retention failed")

    def safe_report(self) -> None:
        try:
            self.write_report(send=True)
        except Exception:
            log.exception("weekly report failed")
