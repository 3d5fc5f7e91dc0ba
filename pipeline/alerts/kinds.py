"""The alert kinds: which events exist at a moment, each named by (kind, subject).

An event is something HR may need to act on. Its `subject` makes it unique per kind, so that the
outbox's UNIQUE(kind, subject, channel) sends it at most once per channel, across restarts:

| kind | fires when | subject |
|---|---|---|
| `criticism` | new unanswered criticism (SPEC §4), published within `alerts.max_age_days` | mention id |
| `sla_warning` | still unanswered after `alerts.sla_warning_share` of the SLA, deadline not yet passed | mention id |
| `sla_breach` | still unanswered after the SLA (`responses.sla_hours`, the one rule in responses.timing) | mention id |
| `spike` | criticism in the last 24 h > mean + k·sd of the 28 previous 24-hour windows, and >= min_count | local date |
| `stale_source` | a source the freshness rule calls stale or failing | name @ last success |
| `delivery_failing` | a channel failed `alerts.fallback_after` deliveries in a row (to `fallback_channel`) | channel @ streak start |

Criticism that already had its answer when first seen gets no `criticism` event (it needs no
action), and answered criticism gets no SLA events. The per-channel rules are in `rules.py`.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from pipeline.alerts.context import AlertContext
from pipeline.config.model import SpikeConfig

MENTION_KINDS = ("criticism", "sla_warning", "sla_breach")
BASELINE_DAYS = 28


@dataclass(frozen=True)
class Criticism:
    """A recent non-official criticism with the facts the channel rules look at."""

    mention_id: int
    source: str
    language: str | None
    aspects: tuple[str, ...]
    p_negative: float | None
    rating: float | None
    published_at: datetime
    answered: bool


@dataclass(frozen=True)
class Event:
    kind: str
    subject: str
    criticism: Criticism | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def mention_id(self) -> int | None:
        return self.criticism.mention_id if self.criticism else None

    def payload_json(self) -> str | None:
        return json.dumps(self.payload, ensure_ascii=False, sort_keys=True) if self.payload else None


@dataclass(frozen=True)
class StaleSource:
    """A source the freshness rule reports as stale (or failing), with its last successful crawl."""

    name: str
    last_success: datetime | None = None
    status: str = "stale"


RECENT_SQL = """
SELECT m.id, m.source, coalesce(m.language, m.lang), m.aspects, m.p_negative, m.rating, m.published_at,
       r.response_id IS NOT NULL
FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
WHERE m.is_criticism AND NOT m.official AND NOT coalesce(m.is_official, false)
  AND m.published_at >= $cutoff
ORDER BY m.published_at, m.id
"""

WINDOW_COUNTS_SQL = """
SELECT date_diff('second', published_at, $now) // 86400 AS day_window, count(*)
FROM mentions
WHERE is_criticism AND NOT official AND NOT coalesce(is_official, false)
  AND published_at <= $now AND published_at > $now - INTERVAL (($days + 1) * 24) HOUR
GROUP BY day_window
"""


def aspect_ids(raw: str | None) -> tuple[str, ...]:
    """The aspect ids of a mention's `aspects` JSON, in order, without repeats."""
    try:
        items = json.loads(raw) if raw else []
    except ValueError:
        return ()
    ids: list[str] = []
    for item in items if isinstance(items, list) else []:
        ident = item.get("aspect") if isinstance(item, dict) else item
        if isinstance(ident, str) and ident and ident not in ids:
            ids.append(ident)
    return tuple(ids)


def recent_criticism(con: duckdb.DuckDBPyConnection, cutoff: datetime) -> list[Criticism]:
    """Non-official criticism published at or after `cutoff`, answered or not."""
    rows = con.execute(RECENT_SQL, {"cutoff": cutoff}).fetchall()
    return [Criticism(int(r[0]), r[1], r[2], aspect_ids(r[3]), r[4], r[5], r[6], bool(r[7])) for r in rows]


def criticism_events(items: Iterable[Criticism]) -> list[Event]:
    """New criticism that needs an answer; answered-when-seen criticism is left out."""
    return [Event("criticism", str(c.mention_id), c) for c in items if not c.answered]


def sla_events(items: Iterable[Criticism], now: datetime, share: float, ctx: AlertContext) -> list[Event]:
    """One SLA event per unanswered criticism: a breach past the deadline, else a warning past `share`."""
    events = []
    for c in items:
        if c.answered:
            continue
        if ctx.breached(c.published_at, now):
            events.append(Event("sla_breach", str(c.mention_id), c))
        elif now >= ctx.deadline(c.published_at, share):
            events.append(Event("sla_warning", str(c.mention_id), c))
    return events


def spike_event(con: duckdb.DuckDBPyConnection, now: datetime, cfg: SpikeConfig, ctx: AlertContext) -> Event | None:
    """Criticism in the last 24 h against the same 24 hours of the previous 28 days.

    Baseline: the mean and (sample) standard deviation of the criticism counts in the 28 windows
    (now − 24·(d+1) h, now − 24·d h], d = 1..28, empty windows counting 0. Fires when the last 24 h
    hold more than mean + k·sd and at least `min_count`. The subject is the local date, so a storm
    that lasts the whole day is one alert per channel.
    """
    counts = dict.fromkeys(range(BASELINE_DAYS + 1), 0)
    for window, n in con.execute(WINDOW_COUNTS_SQL, {"now": now, "days": BASELINE_DAYS}).fetchall():
        if 0 <= window <= BASELINE_DAYS:
            counts[int(window)] = int(n)
    baseline = [counts[d] for d in range(1, BASELINE_DAYS + 1)]
    mean, sd = statistics.fmean(baseline), statistics.stdev(baseline)
    threshold = mean + cfg.k * sd
    current = counts[0]
    if current <= threshold or current < cfg.min_count:
        return None
    day = ctx.local(now).date().isoformat()
    return Event("spike", day, payload={"count": current, "mean": round(mean, 2), "sd": round(sd, 2),
                                         "threshold": round(threshold, 2), "day": day})


def stale_events(stale: Iterable[StaleSource]) -> list[Event]:
    """One event per stale episode: a source that recovers and goes stale again alerts again."""
    events = []
    for s in stale:
        since = s.last_success.isoformat(timespec="seconds") if s.last_success else "never"
        events.append(Event("stale_source", f"{s.name}@{since}",
                            payload={"source": s.name, "status": s.status,
                                     "last_success": since if s.last_success else None}))
    return events


FAILING_SQL = """
SELECT channel, consecutive_failures, failing_since, last_error
FROM alert_channels
WHERE consecutive_failures >= $after AND failing_since IS NOT NULL
ORDER BY channel
"""


def failing_channel_events(con: duckdb.DuckDBPyConnection, after: int) -> list[Event]:
    """Channels whose last `after` (or more) deliveries failed; one event per failure streak."""
    events = []
    for channel, failures, since, error in con.execute(FAILING_SQL, {"after": after}).fetchall():
        stamp = since.isoformat(timespec="seconds")
        events.append(Event("delivery_failing", f"{channel}@{stamp}",
                            payload={"channel": channel, "failures": int(failures), "since": stamp,
                                     "last_error": error or ""}))
    return events
