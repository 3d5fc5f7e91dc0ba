"""Queueing alerts: one `alert_outbox` row per (criticism, channel).

`enqueue_new_criticism` runs after analysis in every cycle. It is idempotent: the table's
UNIQUE(mention_id, channel) and the anti-join below make a second run add nothing, so the service
can call it as often as it likes. Delivery (`pipeline.alerts.deliver`) only ever reads this table.

What gets queued, per configured channel:
- non-official mentions (`official` false, and `is_official` not true in case `official` has not
  been resolved yet) with `is_criticism` true;
- published within `alerts.max_age_days` of `now`, so the first import of a year of history does
  not flood HR with old news;
- from a platform in the channel's `sources` list, when it has one (compared with `mentions.source`,
  case-insensitively).

The `channel` column holds the channel's configured *name*, never its URL: apprise URLs carry
passwords and tokens, and the outbox ends up in the dashboard snapshot. Consequence: renaming a
channel makes it a new channel, which will be sent the criticism still inside `max_age_days`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from pipeline.config.model import AlertChannel, AlertsConfig
from pipeline.store.db import utcnow

ENQUEUE_SQL = """
INSERT INTO alert_outbox (mention_id, channel, created_at, attempts, next_attempt_at, status)
SELECT m.id, $channel, $now, 0, $now, 'pending'
FROM mentions m
WHERE m.is_criticism
  AND NOT m.official
  AND NOT coalesce(m.is_official, false)
  AND m.published_at >= $cutoff
  AND ($any_source OR lower(m.source) IN (SELECT unnest($sources::VARCHAR[])))
  AND NOT EXISTS (
      SELECT 1 FROM alert_outbox o WHERE o.mention_id = m.id AND o.channel = $channel
  )
ORDER BY m.published_at, m.id
ON CONFLICT (mention_id, channel) DO NOTHING
"""


def _sources(channel: AlertChannel) -> tuple[bool, list[str]]:
    if channel.sources is None:
        return True, []
    return False, sorted({s.strip().lower() for s in channel.sources})


def enqueue_new_criticism(
    con: duckdb.DuckDBPyConnection, cfg: AlertsConfig, now: datetime | None = None
) -> int:
    """Queue one outbox row per (new criticism, channel); return how many rows were added.

    `now` is naive UTC (the store's convention); it sets `created_at`, the first `next_attempt_at`
    and the `max_age_days` cut-off. Nothing is queued when alerts are disabled.
    """
    if not cfg.enabled or not cfg.channels:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(days=cfg.max_age_days)
    added = 0
    con.execute("BEGIN TRANSACTION")
    try:
        for channel in cfg.channels:
            any_source, sources = _sources(channel)
            row = con.execute(
                ENQUEUE_SQL,
                {"channel": channel.name, "now": now, "cutoff": cutoff,
                 "any_source": any_source, "sources": sources},
            ).fetchone()
            added += int(row[0]) if row else 0
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return added
