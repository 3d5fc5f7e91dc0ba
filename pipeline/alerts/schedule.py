"""When a channel may be sent to: quiet hours and the daily digest, in the company's time zone.

Both are decided at delivery time from the row's `created_at` and `now` (passed explicitly, so tests
run under a frozen clock), not stored with the row: a changed config applies to what is waiting.

- **Quiet hours** (`quiet_hours: {start, end}`, local, may span midnight): rows are held, still
  `pending`, and go out at the first delivery after the quiet hours end.
- **Digest** (`digest: "08:00"`): rows are held until the next digest time after they were queued,
  then all of the channel's held rows go out as ONE message.
- `breach_overrides: true` lets SLA breaches through both, at once and on their own.

The service's minute job delivers, so "at the end of the quiet hours" and "at the digest time"
mean within a minute of it; `next_release` tells when the next held row becomes due.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pipeline.config.model import AlertChannel, QuietHours


def _local(now_utc: datetime, tz: ZoneInfo) -> datetime:
    return now_utc.replace(tzinfo=UTC).astimezone(tz)


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


def in_quiet_hours(quiet: QuietHours | None, now_utc: datetime, tz: ZoneInfo) -> bool:
    """Is the local time of `now_utc` inside [start, end)? A window with start > end spans midnight."""
    if quiet is None:
        return False
    t = _local(now_utc, tz).time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        return quiet.start <= t < quiet.end
    return t >= quiet.start or t < quiet.end


def _at(day: datetime, t: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day.date(), t, tzinfo=tz)


def last_digest(digest: time, now_utc: datetime, tz: ZoneInfo) -> datetime:
    """The latest digest instant at or before `now_utc` (naive UTC)."""
    local = _local(now_utc, tz)
    today = _at(local, digest, tz)
    return _utc(today if today <= local else _at(local - timedelta(days=1), digest, tz))


def overrides(channel: AlertChannel, kind: str) -> bool:
    return channel.breach_overrides and kind == "sla_breach"


def in_digest(channel: AlertChannel, kind: str) -> bool:
    """Does a row of this kind go out in the channel's digest (rather than on its own)?"""
    return channel.digest is not None and not overrides(channel, kind)


def held(channel: AlertChannel, kind: str, created_at: datetime, now_utc: datetime, tz: ZoneInfo) -> bool:
    """Must this due row wait (quiet hours, or its digest time has not come yet)?"""
    if overrides(channel, kind):
        return False
    if in_quiet_hours(channel.quiet_hours, now_utc, tz):
        return True
    return channel.digest is not None and created_at > last_digest(channel.digest, now_utc, tz)


def next_release(channel: AlertChannel, now_utc: datetime, tz: ZoneInfo) -> datetime | None:
    """The next instant (naive UTC) at which rows this channel holds now may go out; None if it holds none."""
    candidates = []
    local = _local(now_utc, tz)
    if channel.digest is not None:
        today = _at(local, channel.digest, tz)
        candidates.append(_utc(today if today > local else _at(local + timedelta(days=1), channel.digest, tz)))
    if channel.quiet_hours is not None and in_quiet_hours(channel.quiet_hours, now_utc, tz):
        end = _at(local, channel.quiet_hours.end, tz)
        candidates.append(_utc(end if end > local else _at(local + timedelta(days=1), channel.quiet_hours.end, tz)))
    return min(candidates) if candidates else None
