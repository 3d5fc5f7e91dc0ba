"""One alert step for the writer: queue every kind, deliver what is due, tell the fallback channel.

`run_alerts` is what the batch pipeline (`pipeline.cycle.process_batch`) calls after response
linking, and what the service's minute job should call too: SLA warnings and breaches, the daily
digest and the end of quiet hours are moments in time, not consequences of a crawl.

Order: queue (`outbox.enqueue`) → deliver (`deliver.deliver_pending`) → if a channel has now failed
`alerts.fallback_after` times in a row, queue `delivery_failing` for `alerts.fallback_channel` and
deliver that at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from pipeline.alerts import kinds, outbox, rules
from pipeline.alerts.context import AlertContext
from pipeline.alerts.deliver import DeliveryResult, deliver_pending
from pipeline.alerts.kinds import StaleSource
from pipeline.config.model import RykteConfig
from pipeline.store.db import transaction, utcnow


@dataclass(frozen=True)
class AlertRun:
    queued: int = 0
    summaries: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    held: int = 0


def stale_sources(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, now: datetime) -> list[StaleSource]:
    """Enabled sources that have been tried but have not delivered within their stale limit.

    Uses the one freshness rule (`pipeline.store.freshness`) over the configured sources. A source
    that has never been tried is not alerted (the service may just have started); a failed run
    within the limit is not either (the next one may succeed). A source is alerted once its last
    success is older than its limit, whether its runs now fail or it is not run at all; one that
    has runs but never succeeded is alerted at once (a new source that fails is usually misconfigured).
    """
    from pipeline.config_facts import source_facts
    from pipeline.store.freshness import source_freshness

    out = []
    for f in source_freshness(con, now, source_facts(cfg), include_unconfigured=False):
        if not f.enabled or f.runs == 0 or f.state not in ("stale", "failing"):
            continue
        if f.last_success_at is not None and now - f.last_success_at <= timedelta(seconds=f.stale_seconds):
            continue
        out.append(StaleSource(f.name, f.last_success_at, f.state))
    return out


def enqueue_failing(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, now: datetime) -> int:
    """Queue `delivery_failing` for the fallback channel about channels failing in a row."""
    alerts = cfg.alerts
    if not alerts.fallback_channel:
        return 0
    events = kinds.failing_channel_events(con, alerts.fallback_after)
    added = 0
    with transaction(con):
        for channel in alerts.channels:
            added += outbox.insert(con, channel.name, [e for e in events if rules.wants(channel, e, alerts)], now)
    return added


def run_alerts(con: duckdb.DuckDBPyConnection, cfg: RykteConfig, now: datetime | None = None, *,
               stale: Iterable[StaleSource] | None = None) -> AlertRun:
    """Queue and deliver; `stale` overrides the freshness rule's list (None: ask it)."""
    alerts = cfg.alerts
    if not alerts.enabled or not alerts.channels:
        return AlertRun()
    now = now or utcnow()
    ctx = AlertContext.of(cfg)
    stale_list = list(stale) if stale is not None else stale_sources(con, cfg, now)
    queued = outbox.enqueue(con, alerts, ctx, now, stale=stale_list)
    delivered = deliver_pending(con, alerts, now, context=ctx)
    if enqueue_failing(con, cfg, now):  # tell the fallback now; the failing channels wait their backoff
        fallback = [c for c in alerts.channels if c.name == alerts.fallback_channel]
        more = deliver_pending(con, alerts.model_copy(update={"channels": fallback}), now, context=ctx)
        delivered = DeliveryResult(sent=delivered.sent + more.sent, failed=delivered.failed + more.failed,
                                   retried=delivered.retried + more.retried, skipped=delivered.skipped + more.skipped,
                                   held=more.held)
    return AlertRun(queued=queued.queued, summaries=queued.summaries, sent=delivered.sent,
                    failed=delivered.failed, retried=delivered.retried, held=delivered.held)
