"""`rykte run`: the service's schedule, and its clean stop on SIGTERM/SIGINT.

Why times are aware here: APScheduler reads a naive datetime in the trigger's time zone, so the old
`datetime.now()` start (the host's UTC wall clock) was taken as Europe/Oslo time, an hour in the
past, and an interval source's first crawl came a whole interval after that: ~5 h late for a 6 h
source on a UTC host, on every restart. Now every start time is `datetime.now(UTC)`; interval
sources have their first crawl a second after start, spread `SPREAD_SECONDS` apart so they do not
all start at once, then every interval, except a source whose last successful crawl is less than
one interval old (a restart, or `rykte demo` after its first cycle): it continues from that crawl.
Crontab sources keep their times (in the company's time zone, `responses.timezone`, as the weekly
report); one that is not fresh (by the freshness rule) also gets a first crawl in that spread, so a
restart never leaves it stale until its next slot.

Stopping (SIGTERM from systemd or a container runtime, SIGINT from Ctrl-C): no new job runs, the
running crawl children get SIGTERM (Scrapy closes its feed) and are killed after `stop_grace` s,
the crawl jobs then ingest what their crawl wrote and finish their batch, the snapshot is published,
one line is logged, and `rykte run` exits 0. A second signal kills the crawl children at once.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from pipeline.config.model import WEEKDAYS, interval_seconds
from pipeline.store.db import utcnow

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from pipeline.service import Service

log = logging.getLogger(__name__)
FIRST_DELAY_SECONDS = 1.0
SPREAD_SECONDS = 3.0  # between two sources' first crawls
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True)
class FirstCrawl:
    source: str
    at: datetime  # aware UTC
    every: int | None  # seconds; None: a crontab schedule


def first_crawls(service: Service, now: datetime) -> list[FirstCrawl]:
    """When each enabled source is first crawled after a start at `now` (aware)."""
    from pipeline.config_facts import source_facts
    from pipeline.store.freshness import source_freshness

    with service.lock:
        judged = source_freshness(service.con, now.astimezone(UTC).replace(tzinfo=None), source_facts(service.cfg))
    fresh = {f.name: f.last_success_at.replace(tzinfo=UTC) for f in judged
             if f.state == "ok" and f.last_success_at is not None}
    out = []
    prompt = 0
    for source in (s for s in service.cfg.sources if s.enabled):
        every = interval_seconds(source.schedule)
        last = fresh.get(source.name)
        if every is None and last is not None:
            continue  # a fresh crontab source waits for its next slot
        if every is not None and last is not None and last + timedelta(seconds=every) > now:
            out.append(FirstCrawl(source.name, last + timedelta(seconds=every), every))  # crawled just before
            continue
        out.append(FirstCrawl(source.name, now + timedelta(seconds=FIRST_DELAY_SECONDS + SPREAD_SECONDS * prompt),
                              every))
        prompt += 1
    return out


def build_scheduler(service: Service, now: datetime) -> BackgroundScheduler:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.date import DateTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = service.cfg.responses.timezone
    sched = BackgroundScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": 3600})
    first = {f.source: f for f in first_crawls(service, now)}
    for source in (s for s in service.cfg.sources if s.enabled):
        every = interval_seconds(source.schedule)
        planned = first.get(source.name)
        if every:
            start = planned.at if planned else now
            sched.add_job(service.safe_crawl, IntervalTrigger(seconds=every, start_date=start, timezone=UTC),
                          args=[source.name], id=f"crawl:{source.name}")
            continue
        sched.add_job(service.safe_crawl, CronTrigger.from_crontab(source.schedule, timezone=tz),
                      args=[source.name], id=f"crawl:{source.name}")
        if planned:
            sched.add_job(service.safe_crawl, DateTrigger(run_date=planned.at, timezone=UTC),
                          args=[source.name], id=f"first-crawl:{source.name}")
    r = service.cfg.reports
    if r.enabled:
        sched.add_job(service.safe_report, CronTrigger(day_of_week=WEEKDAYS.index(r.weekday), hour=r.time.hour,
                                                       minute=r.time.minute, timezone=tz), id="report")
    sched.add_job(service.safe_alerts, IntervalTrigger(minutes=1, start_date=now + timedelta(minutes=1),
                                                       timezone=UTC), id="alerts")
    sched.add_job(service.safe_retention, CronTrigger(hour=3, minute=17, timezone=tz), id="retention")  # privacy
    retrain = service.cfg.analysis.retrain.schedule  # learning from HR's corrections; None = off
    if retrain:
        every = interval_seconds(retrain)
        sched.add_job(service.safe_retrain, IntervalTrigger(seconds=every, start_date=now + timedelta(seconds=every),
                                                            timezone=UTC) if every
                      else CronTrigger.from_crontab(retrain, timezone=tz), id="retrain")
    return sched


def _install(handler: Callable[[int, FrameType | None], None]) -> dict[int, Any]:
    """Our handler for the stop signals; {} when not on the main thread (Python allows it only there)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}


def run_scheduled(service: Service, *, stop_grace: float) -> None:
    """Run the schedule until SIGTERM/SIGINT, then stop cleanly (see the module docstring).

    Off the main thread (Python installs signal handlers only there) the caller must stop the
    process another way; `rykte run` and `rykte demo` call this on the main thread."""
    stop = threading.Event()
    why: list[str] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("second %s: killing the running crawls now", signal.Signals(signum).name)
            service.processes.kill_all()
            return
        why.append(signal.Signals(signum).name)
        stop.set()

    previous = _install(on_signal)
    sched: BackgroundScheduler | None = None
    try:
        sched = build_scheduler(service, datetime.now(UTC))
        sched.start()
        jobs = [j for j in sched.get_jobs() if j.id.startswith(("crawl:", "first-crawl:"))]
        firsts = sorted(j.next_run_time for j in jobs if j.next_run_time is not None)
        log.info("service started: %d source(s) scheduled, first crawl %s, data in %s",
                 len({j.args[0] for j in jobs}), firsts[0].astimezone(UTC).isoformat(timespec="seconds")
                 if firsts else "-", service.data.root)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:  # only if our handler is not in place
            why.append("SIGINT")
        began = time.monotonic()
        sched.pause()  # no new job starts
        running = service.processes.stop(stop_grace)  # running crawls end; their jobs ingest what they wrote
        sched.shutdown(wait=True)  # the batch in progress finishes
        service.publish()
        log.info("service stopped (%s): %d running crawl(s) ended, jobs finished and snapshot published "
                 "in %.1f s at %s", why[0] if why else "stop", running, time.monotonic() - began,
                 utcnow().isoformat(timespec="seconds") + "Z")
    finally:
        if sched is not None and sched.running:
            service.processes.kill_all()
            sched.shutdown(wait=False)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
