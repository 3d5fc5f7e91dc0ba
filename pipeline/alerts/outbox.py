"""Queueing alerts: one `alert_outbox` row per (kind, subject, channel), at most once.

`enqueue` runs after analysis and response linking in every cycle (and from the service's minute
job, so SLA warnings and breaches are seen on time). It collects the events of every kind
(`kinds.py`), gives each channel the ones its rules accept (`rules.py`) and inserts them in one
transaction. It is idempotent: UNIQUE(kind, subject, channel) with ON CONFLICT DO NOTHING means a
second run adds nothing, so it may be called as often as one likes. Delivery
(`pipeline.alerts.deliver`) only ever reads and updates this table.

Rows a summary stands in for are inserted as `suppressed` in the same transaction as the summary,
so a crash can never leave a summary without its covered rows or the other way round. A channel
is "started" (`alert_channels.started_at`) by its first run, in that same transaction.

The `channel` column holds the channel's configured *name*, never its URL: apprise URLs carry
passwords and tokens, and the outbox ends up in the dashboard snapshot. Consequence: renaming a
channel makes it a new channel, which gets a first-run summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from pipeline.alerts import kinds, rules
from pipeline.alerts.context import AlertContext
from pipeline.alerts.kinds import Event, StaleSource
from pipeline.config.model import AlertsConfig
from pipeline.store.db import transaction, utcnow

INSERT_SQL = """
INSERT INTO alert_outbox (kind, subject, mention_id, payload, channel, created_at, attempts, next_attempt_at,
                          status)
SELECT unnest($kinds::VARCHAR[]), unnest($subjects::VARCHAR[]), unnest($mentions::BIGINT[]),
       unnest($payloads::VARCHAR[]), $channel, $now, 0, $now, unnest($statuses::VARCHAR[])
ON CONFLICT (kind, subject, channel) DO NOTHING
"""


@dataclass(frozen=True)
class EnqueueResult:
    queued: int = 0        # pending rows added (summaries included)
    summaries: int = 0     # summaries among them
    suppressed: int = 0    # rows a summary stands in for


def insert(con: duckdb.DuckDBPyConnection, channel: str, events: Sequence[Event], now: datetime,
           status: str = "pending") -> int:
    """Insert events for one channel (duplicates of earlier rows are ignored); return how many."""
    if not events:
        return 0
    row = con.execute(INSERT_SQL, {
        "kinds": [e.kind for e in events], "subjects": [e.subject for e in events],
        "mentions": [e.mention_id for e in events], "payloads": [e.payload_json() for e in events],
        "statuses": [status] * len(events), "channel": channel, "now": now}).fetchone()
    return int(row[0]) if row else 0


def _unknown(con: duckdb.DuckDBPyConnection, channel: str, events: Iterable[Event]) -> list[Event]:
    """The events this channel has no outbox row for yet (in any status), without repeats."""
    unique = {(e.kind, e.subject): e for e in events}
    if not unique:
        return []
    known = set(con.execute(
        "SELECT kind, subject FROM alert_outbox WHERE channel = $channel "
        "AND subject IN (SELECT unnest($subjects::VARCHAR[]))",
        {"channel": channel, "subjects": sorted({s for _, s in unique})}).fetchall())
    return [e for key, e in unique.items() if key not in known]


def _started(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT channel FROM alert_channels WHERE started_at IS NOT NULL").fetchall()}


def _start(con: duckdb.DuckDBPyConnection, channel: str, now: datetime) -> None:
    con.execute("INSERT INTO alert_channels (channel, started_at) VALUES ($c, $now) "
                "ON CONFLICT (channel) DO UPDATE SET started_at = coalesce(alert_channels.started_at, $now)",
                {"c": channel, "now": now})


def collect(con: duckdb.DuckDBPyConnection, cfg: AlertsConfig, ctx: AlertContext, now: datetime,
            stale: Iterable[StaleSource] = ()) -> tuple[list[kinds.Criticism], list[Event]]:
    """The recent criticism and every event of every kind at `now`."""
    items = kinds.recent_criticism(con, now - timedelta(days=cfg.max_age_days))
    events = kinds.criticism_events(items) + kinds.sla_events(items, now, cfg.sla_warning_share, ctx)
    spike = kinds.spike_event(con, now, cfg.spike, ctx)
    events += [spike] if spike else []
    events += kinds.stale_events(stale)
    if cfg.fallback_channel:
        events += kinds.failing_channel_events(con, cfg.fallback_after)
    return items, events


def enqueue(con: duckdb.DuckDBPyConnection, cfg: AlertsConfig, ctx: AlertContext | None = None,
            now: datetime | None = None, *, stale: Iterable[StaleSource] = ()) -> EnqueueResult:
    """Queue this moment's events for every channel, with a summary where a flood would be.

    `now` is naive UTC; `stale` are the sources the freshness rule reports (see kinds.StaleSource).
    """
    if not cfg.enabled or not cfg.channels:
        return EnqueueResult()
    ctx = ctx or AlertContext.of_alerts(cfg)
    now = now or utcnow()
    items, events = collect(con, cfg, ctx, now, stale)
    queued = summaries = suppressed = 0
    with transaction(con):
        started = _started(con)
        for channel in cfg.channels:
            new = _unknown(con, channel.name, (e for e in events if rules.wants(channel, e, cfg)))
            step = rules.plan(channel, new, items, started=channel.name in started, now=now, cfg=cfg, ctx=ctx)
            queued += insert(con, channel.name, step.pending, now)
            suppressed += insert(con, channel.name, step.suppressed, now, status="suppressed")
            if step.summary is not None:
                added = insert(con, channel.name, [step.summary], now)
                queued, summaries = queued + added, summaries + added
            if channel.name not in started:
                _start(con, channel.name, now)
    return EnqueueResult(queued=queued, summaries=summaries, suppressed=suppressed)


def enqueue_new_criticism(
    con: duckdb.DuckDBPyConnection, cfg: AlertsConfig, now: datetime | None = None
) -> int:
    """Queue the `criticism` kind alone, without summaries; return how many rows were added.

    The building block `enqueue` extends (kept for callers and tests of the outbox itself): one row
    per (new unanswered criticism, channel) that the channel's rules accept.
    """
    if not cfg.enabled or not cfg.channels:
        return 0
    now = now or utcnow()
    events = kinds.criticism_events(kinds.recent_criticism(con, now - timedelta(days=cfg.max_age_days)))
    added = 0
    with transaction(con):
        for channel in cfg.channels:
            added += insert(con, channel.name, [e for e in events if rules.wants(channel, e, cfg)], now)
    return added
