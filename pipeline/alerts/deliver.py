"""Delivering queued alerts through apprise: at most once per (alert, channel).

Life of an `alert_outbox` row::

    pending ──claim (commit)──▶ sending ──notify ok──▶ sent
       ▲                           │
       └──notify failed, attempts < max_attempts (backoff)
                                   └──notify failed, attempts = max_attempts──▶ failed
    sending found after a crash (lease expired) ──▶ failed "interrupted; not resent …"
    pending whose mention is no longer criticism (re-analysed, now official) ──▶ skipped
    pending SLA warning/breach whose criticism was answered meanwhile ──▶ skipped
    suppressed (a summary stands in for it) is never sent

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

**Quiet hours and digests** (`schedule.py`): a held row stays `pending`, untouched, until it may go.
A digest is one message for all of a channel's released rows: they are claimed together (one
commit), sent once, and all marked `sent` (or all retried) together, so at-most-once still holds.

**Channel health.** Every notify outcome updates `alert_channels` (last success, last failure,
last error with secrets masked, failures in a row since when): `rykte status` and the dashboard read
it through `pipeline.store.queries.alert_health.channel_health`, and `delivery_failing` alerts
(`kinds.py`) are raised from it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from pipeline.alerts import schedule
from pipeline.alerts.channels import ERROR_LIMIT, build_notifiers, notify
from pipeline.alerts.context import AlertContext
from pipeline.alerts.kinds import MENTION_KINDS
from pipeline.alerts.message import Alert, render, render_digest
from pipeline.config.model import AlertChannel, AlertsConfig
from pipeline.store.db import utcnow

LEASE = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=1)
INTERRUPTED = "interrupted; not resent to avoid a duplicate"
NO_LONGER_CRITICISM = "no longer criticism (re-analysed or official); not sent"
ANSWERED = "answered before delivery; not sent"

_LOCK = threading.Lock()


@dataclass(frozen=True)
class DeliveryResult:
    sent: int = 0
    failed: int = 0      # gave up (max attempts) or interrupted by a crash: status `failed`
    retried: int = 0     # failed this time, still `pending` with a later next_attempt_at
    skipped: int = 0     # no longer needs action (not criticism, official, answered): `skipped`
    held: int = 0        # due but waiting for the end of quiet hours or the digest time


DUE_SQL = """
SELECT o.id, o.channel, o.attempts, o.kind, o.subject, o.payload, o.created_at, o.mention_id,
       m.source, m.author, m.published_at, m.rating, m.sentiment, m.p_negative, m.aspects, m.text,
       m.title, m.url,
       r.response_id IS NOT NULL AS answered, r.delay_hours,
       coalesce(m.is_criticism, false) AND NOT coalesce(m.official, false)
           AND NOT coalesce(m.is_official, false) AS still_criticism
FROM alert_outbox o
LEFT JOIN mentions m ON m.id = o.mention_id
LEFT JOIN responses r ON r.mention_id = o.mention_id
WHERE o.status = 'pending' AND o.next_attempt_at <= $now
  AND o.channel IN (SELECT unnest($channels::VARCHAR[]))
ORDER BY o.next_attempt_at, o.id
LIMIT $limit
"""

RECORD_SQL = """
INSERT INTO alert_channels AS c (channel, last_success_at, last_failure_at, last_error, consecutive_failures,
                                 failing_since)
VALUES ($channel, CASE WHEN $ok THEN $now END, CASE WHEN $ok THEN NULL ELSE $now END,
        CASE WHEN $ok THEN NULL ELSE $error END, CASE WHEN $ok THEN 0 ELSE 1 END,
        CASE WHEN $ok THEN NULL ELSE $now END)
ON CONFLICT (channel) DO UPDATE SET
    last_success_at = CASE WHEN $ok THEN $now ELSE c.last_success_at END,
    last_failure_at = CASE WHEN $ok THEN c.last_failure_at ELSE $now END,
    last_error = CASE WHEN $ok THEN c.last_error ELSE $error END,
    consecutive_failures = CASE WHEN $ok THEN 0 ELSE c.consecutive_failures + 1 END,
    failing_since = CASE WHEN $ok THEN NULL ELSE coalesce(c.failing_since, $now) END
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


def _claim(con: duckdb.DuckDBPyConnection, ids: Sequence[int], now: datetime) -> bool:
    """Mark the rows `sending` and COMMIT, before anything goes out; all of them or none.

    An explicit transaction makes the commit certain: if a caller left a transaction open, BEGIN
    fails loudly instead of our claim silently riding on a transaction that a crash would undo.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        row = con.execute(
            "UPDATE alert_outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $lease "
            "WHERE id IN (SELECT unnest($ids::BIGINT[])) AND status = 'pending'",
            {"ids": list(ids), "lease": now + LEASE},
        ).fetchone()
        if not (row and row[0] == len(ids)):
            con.execute("ROLLBACK")
            return False
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return True


def _update(con: duckdb.DuckDBPyConnection, outbox_id: int, fields: Mapping[str, Any]) -> None:
    sets = ", ".join(f"{k} = ${k}" for k in fields)
    con.execute(f"UPDATE alert_outbox SET {sets} WHERE id = $id", {**fields, "id": outbox_id})


def _record(con: duckdb.DuckDBPyConnection, channel: str, ok: bool, reason: str, now: datetime) -> None:
    """The channel's health after one notify (reason is already secret-free)."""
    con.execute(RECORD_SQL, {"channel": channel, "ok": ok, "error": reason[:ERROR_LIMIT], "now": now})


def _skip_reason(alert: Alert) -> str | None:
    """Why a due row about a criticism no longer needs sending, or None."""
    if alert.mention_id is None:
        return None
    if not alert.still_criticism:
        return NO_LONGER_CRITICISM
    if alert.kind in MENTION_KINDS and alert.kind != "criticism" and alert.answered:
        return ANSWERED
    return None


@dataclass
class _Tally:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    held: int = 0


def _send(con: duckdb.DuckDBPyConnection, cfg: AlertsConfig, channel: AlertChannel, notifier: Any,
          batch: Sequence[Alert], message: tuple[str, str], now: datetime, tally: _Tally) -> bool:
    """Claim, notify once, record; False when the channel failed (leave its other rows for later)."""
    if not _claim(con, [a.outbox_id for a in batch], now):
        return True
    ok, reason = notify(notifier, message[0], message[1], channel.url)
    _record(con, channel.name, ok, reason, now)
    for alert in batch:
        attempts = alert.attempts + 1
        if ok:
            _update(con, alert.outbox_id, {"status": "sent", "sent_at": now, "last_error": None,
                                           "next_attempt_at": now})
            tally.sent += 1
        elif attempts >= cfg.max_attempts:
            _update(con, alert.outbox_id, {
                "status": "failed", "next_attempt_at": now,
                "last_error": f"gave up after {attempts} attempt(s): {reason}"[:ERROR_LIMIT]})
            tally.failed += 1
        else:
            _update(con, alert.outbox_id, {
                "status": "pending", "next_attempt_at": now + backoff(cfg, attempts),
                "last_error": f"attempt {attempts}: {reason}"[:ERROR_LIMIT]})
            tally.retried += 1
    return ok


def _deliver_channel(con: duckdb.DuckDBPyConnection, cfg: AlertsConfig, channel: AlertChannel, notifier: Any,
                     alerts: Sequence[Alert], ctx: AlertContext, now: datetime, tally: _Tally) -> None:
    singles: list[Alert] = []
    digest: list[Alert] = []
    for alert in alerts:
        reason = _skip_reason(alert)
        if reason:
            _update(con, alert.outbox_id, {"status": "skipped", "last_error": reason})
            tally.skipped += 1
        elif schedule.held(channel, alert.kind, alert.created_at, now, ctx.tz):
            tally.held += 1
        else:
            (digest if schedule.in_digest(channel, alert.kind) else singles).append(alert)
    lang = ctx.lang(channel)
    for alert in singles:
        if not _send(con, cfg, channel, notifier, [alert], render(alert, ctx, lang, now), now, tally):
            return  # a dead channel costs one attempt per call, not one per alert
    if digest:
        _send(con, cfg, channel, notifier, digest, render_digest(digest, ctx, lang, now), now, tally)


def deliver_pending(
    con: duckdb.DuckDBPyConnection,
    cfg: AlertsConfig,
    now: datetime | None = None,
    *,
    timezone: str = "Europe/Oslo",
    context: AlertContext | None = None,
    limit: int = 500,
) -> DeliveryResult:
    """Send the due outbox rows (status `pending`, `next_attempt_at <= now`) of configured channels.

    `now` is naive UTC. `context` (from `AlertContext.of(cfg)`) gives the time zone, SLA and
    dashboard address; without it, `timezone` and the defaults. Each row is committed as `sending`
    before its notification goes out and as `sent`/`pending`/`failed` right after, so a crash loses
    at most the one message in flight (whose rows are then failed, not resent). Rows of channels no
    longer in the config are left alone.
    """
    if not cfg.enabled or not cfg.channels:
        return DeliveryResult()
    notifiers = build_notifiers(cfg)  # InputError before any row is touched
    ctx = context or AlertContext.of_alerts(cfg, timezone)
    now = now or utcnow()
    tally = _Tally()
    with _LOCK:
        tally.failed += recover_interrupted(con, now)
        by_channel: dict[str, list[Alert]] = {}
        for alert in _due(con, now, list(notifiers), limit):
            by_channel.setdefault(alert.channel, []).append(alert)
        for channel in cfg.channels:
            if by_channel.get(channel.name):
                _deliver_channel(con, cfg, channel, notifiers[channel.name], by_channel[channel.name], ctx, now,
                                 tally)
    return DeliveryResult(sent=tally.sent, failed=tally.failed, retried=tally.retried, skipped=tally.skipped,
                          held=tally.held)
