"""Delivering queued alerts through apprise: at most once per (criticism, channel).

Life of an `alert_outbox` row::

    pending ──claim (commit)──▶ sending ──notify ok──▶ sent
       ▲                           │
       └──notify failed, attempts < max_attempts (backoff)
                                   └──notify failed, attempts = max_attempts──▶ failed
    sending found after a crash (lease expired) ──▶ failed "interrupted; not resent …"
    pending whose mention is no longer criticism (re-analysed, now official) ──▶ skipped

**Crash safety.** A row is claimed — `status = 'sending'`, `attempts + 1`, `next_attempt_at = now +
LEASE` — and that is committed *before* apprise is called. If the process dies between the remote
end accepting the message (the SMTP server said 250, the webhook said 200) and us recording `sent`,
the row is left in `sending`. We cannot know whether the message went out, so we choose
**at-most-once**: once its lease has run out, such a row is marked `failed` with the last_error
"interrupted; not resent to avoid a duplicate" and is never retried automatically. The requirement
is "never sent twice", and a duplicate alert about the same criticism is worse for HR than the rare
lost one, which stays visible as `failed` in the outbox. The price: an alert interrupted by a crash
before it reached the server is lost too. (At-least-once — resending `sending` rows — would be the
other choice; it trades the rare loss for the rare duplicate.)

`next_attempt_at` doubles as the lease expiry while a row is `sending`, so no schema change was
needed. Only the service writes the store, and `deliver_pending` holds a process-wide lock, so a
`sending` row is only ever a leftover of an interrupted run; the lease is a second guard (e.g. two
deliveries started by a scheduler in different threads). Call `recover_interrupted(con,
expired_only=False)` at service start-up to fail leftovers at once instead of after the lease.

**Retries.** A failed send sets `last_error` to apprise's own reason (captured from its DEBUG log),
and `next_attempt_at = now + retry_minutes × 2^(attempts − 1)` (capped at one day). After
`max_attempts` the row becomes `failed`. Within one call, once a channel has failed the remaining
rows for that channel are left for the next call (still due, attempts unchanged), so a dead mail
server costs one timeout per cycle, not one per alert.

**Errors.** An invalid apprise URL is the user's configuration error: `InputError` naming
`alerts.channels[i].url` (never the URL itself, which may hold a password), raised by
`channels.build_notifiers` before any row is touched. The message itself is `message.render`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from pipeline.alerts.channels import ERROR_LIMIT, build_notifiers, notify
from pipeline.alerts.message import Alert, render
from pipeline.config.model import AlertsConfig
from pipeline.store.db import utcnow

LEASE = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=1)
INTERRUPTED = "interrupted; not resent to avoid a duplicate"

_LOCK = threading.Lock()


@dataclass(frozen=True)
class DeliveryResult:
    sent: int = 0
    failed: int = 0      # gave up (max attempts) or interrupted by a crash: status `failed`
    retried: int = 0     # failed this time, still `pending` with a later next_attempt_at
    skipped: int = 0     # no longer criticism (or now official): status `skipped`, not sent


DUE_SQL = """
SELECT o.id, o.channel, o.attempts,
       m.source, m.author, m.published_at, m.rating, m.sentiment, m.p_negative, m.aspects, m.text,
       m.title, m.url,
       r.response_id IS NOT NULL AS answered, r.delay_hours,
       coalesce(m.is_criticism, false) AND NOT coalesce(m.official, false)
           AND NOT coalesce(m.is_official, false) AS still_criticism
FROM alert_outbox o
JOIN mentions m ON m.id = o.mention_id
LEFT JOIN responses r ON r.mention_id = o.mention_id
WHERE o.status = 'pending' AND o.next_attempt_at <= $now
  AND o.channel IN (SELECT unnest($channels::VARCHAR[]))
ORDER BY o.next_attempt_at, o.id
LIMIT $limit
"""


def backoff(cfg: AlertsConfig, attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: retry_minutes × 2^(attempts − 1), at most a day."""
    minutes = cfg.retry_minutes * (2 ** max(attempts - 1, 0))
    return min(timedelta(minutes=minutes), MAX_BACKOFF)


def recover_interrupted(
    con: duckdb.DuckDBPyConnection, now: datetime | None = None, *, expired_only: bool = True
) -> int:
    """Mark `sending` rows left by a crash as failed (never resent: at-most-once). Returns how many.

    With `expired_only` (the default) only rows whose lease has run out; pass False at service
    start-up, when nothing can be in flight.
    """
    now = now or utcnow()
    row = con.execute(
        "UPDATE alert_outbox SET status = 'failed', last_error = $err "
        "WHERE status = 'sending' AND (NOT $expired_only OR next_attempt_at <= $now)",
        {"err": INTERRUPTED, "expired_only": expired_only, "now": now},
    ).fetchone()
    return int(row[0]) if row else 0


def _due(con: duckdb.DuckDBPyConnection, now: datetime, channels: Sequence[str], limit: int) -> list[Alert]:
    rows = con.execute(DUE_SQL, {"now": now, "channels": list(channels), "limit": limit}).fetchall()
    return [Alert(*r) for r in rows]


def _claim(con: duckdb.DuckDBPyConnection, outbox_id: int, now: datetime) -> bool:
    """Mark the row `sending` and COMMIT, before anything goes out.

    An explicit transaction makes the commit certain: if a caller left a transaction open, BEGIN
    fails loudly instead of our claim silently riding on a transaction that a crash would undo.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        row = con.execute(
            "UPDATE alert_outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $lease "
            "WHERE id = $id AND status = 'pending'",
            {"id": outbox_id, "lease": now + LEASE},
        ).fetchone()
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return bool(row and row[0] == 1)


def _update(con: duckdb.DuckDBPyConnection, outbox_id: int, fields: Mapping[str, Any]) -> None:
    sets = ", ".join(f"{k} = ${k}" for k in fields)
    con.execute(f"UPDATE alert_outbox SET {sets} WHERE id = $id", {**fields, "id": outbox_id})


def deliver_pending(
    con: duckdb.DuckDBPyConnection,
    cfg: AlertsConfig,
    now: datetime | None = None,
    *,
    timezone: str = "Europe/Oslo",
    limit: int = 500,
) -> DeliveryResult:
    """Send the due outbox rows (status `pending`, `next_attempt_at <= now`) of configured channels.

    `now` is naive UTC. Each row is committed as `sending` before its notification goes out and as
    `sent`/`pending`/`failed` right after, so a crash loses at most the one row in flight (which is
    then failed, not resent). Rows of channels no longer in the config are left alone.
    """
    if not cfg.enabled or not cfg.channels:
        return DeliveryResult()
    notifiers = build_notifiers(cfg)  # InputError before any row is touched
    urls = {c.name: c.url for c in cfg.channels}
    now = now or utcnow()
    sent = failed = retried = skipped = 0
    with _LOCK:
        failed += recover_interrupted(con, now)
        broken: set[str] = set()
        for alert in _due(con, now, list(notifiers), limit):
            if alert.channel in broken:
                continue
            if not alert.still_criticism:
                _update(con, alert.outbox_id, {
                    "status": "skipped",
                    "last_error": "no longer criticism (re-analysed or official); not sent"})
                skipped += 1
                continue
            title, body = render(alert, timezone)
            if not _claim(con, alert.outbox_id, now):
                continue
            ok, reason = notify(notifiers[alert.channel], title, body, urls[alert.channel])
            attempts = alert.attempts + 1
            if ok:
                _update(con, alert.outbox_id, {"status": "sent", "sent_at": now, "last_error": None,
                                               "next_attempt_at": now})
                sent += 1
                continue
            broken.add(alert.channel)
            if attempts >= cfg.max_attempts:
                _update(con, alert.outbox_id, {
                    "status": "failed", "next_attempt_at": now,
                    "last_error": f"gave up after {attempts} attempt(s): {reason}"[:ERROR_LIMIT]})
                failed += 1
            else:
                _update(con, alert.outbox_id, {
                    "status": "pending", "next_attempt_at": now + backoff(cfg, attempts),
                    "last_error": f"attempt {attempts}: {reason}"[:ERROR_LIMIT]})
                retried += 1
    return DeliveryResult(sent=sent, failed=failed, retried=retried, skipped=skipped)
