"""Per-channel rules: which events a channel wants, and the summary that replaces a flood.

A channel receives an event when its kind is among the channel's `kinds` (default: every kind but
`delivery_failing`, which goes only to `alerts.fallback_channel`, and never about the fallback
itself). Events about a criticism (new criticism, SLA warning, SLA breach) must also pass the
channel's filters, each optional, all of them at once:

- `sources`: the mention's platform (`mentions.source`), case-insensitive;
- `languages`: the detected language (else the language the source gave);
- `aspects`: at least one of these aspect ids among the mention's aspects;
- `min_p_negative`: the model's negative probability at least this (unscored mentions fail);
- `max_rating`: only ratings <= this; unrated mentions pass (the rule is about bad reviews).

A spike counts all criticism, whatever the channel's filters: it is about the whole picture.

**Summary instead of a flood.** For a channel that receives criticism alerts of any kind, its first
run (no row in `alert_channels` yet) and any run
that would queue more than `alerts.summary_threshold` new criticism events (an import of history,
a new source's backlog) send ONE summary — "N criticisms in the last D days, M unanswered, K past
the deadline, see the dashboard" — and record the covered events as `suppressed`, so they are never
sent later. Events that happen afterwards (a later SLA warning, new criticism) are alerted as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pipeline.alerts.context import AlertContext
from pipeline.alerts.kinds import MENTION_KINDS, Criticism, Event
from pipeline.config.model import ALERT_KINDS, AlertChannel, AlertsConfig

DEFAULT_KINDS = frozenset(k for k in ALERT_KINDS if k != "delivery_failing")
SUMMARISED_KINDS = frozenset((*MENTION_KINDS, "spike"))  # what a summary stands in for


def kinds_of(channel: AlertChannel) -> frozenset[str]:
    return frozenset(channel.kinds) if channel.kinds is not None else DEFAULT_KINDS


def _lower(values: Sequence[str] | None) -> set[str] | None:
    return None if values is None else {v.strip().lower() for v in values}


def accepts(channel: AlertChannel, c: Criticism) -> bool:
    """The channel's mention filters (sources, languages, aspects, min_p_negative, max_rating)."""
    sources, languages, aspects = _lower(channel.sources), _lower(channel.languages), _lower(channel.aspects)
    if sources is not None and c.source.lower() not in sources:
        return False
    if languages is not None and (c.language or "").lower() not in languages:
        return False
    if aspects is not None and not aspects.intersection(a.lower() for a in c.aspects):
        return False
    if channel.min_p_negative is not None and (c.p_negative is None or c.p_negative < channel.min_p_negative):
        return False
    return channel.max_rating is None or c.rating is None or c.rating <= channel.max_rating


def wants(channel: AlertChannel, event: Event, cfg: AlertsConfig) -> bool:
    """Does `channel` receive `event`?"""
    if event.kind == "delivery_failing":
        return channel.name == cfg.fallback_channel and event.payload.get("channel") != channel.name
    if event.kind not in kinds_of(channel):
        return False
    return event.criticism is None or accepts(channel, event.criticism)


@dataclass(frozen=True)
class Plan:
    """What one enqueue run does for one channel."""

    pending: list[Event]
    suppressed: list[Event]
    summary: Event | None


def summary_event(channel: AlertChannel, items: Iterable[Criticism], now: datetime, days: float,
                  ctx: AlertContext, subject: str) -> Event | None:
    """The counts a summary tells, over the criticism this channel accepts; None if there is none."""
    mine = [c for c in items if accepts(channel, c)]
    if not mine:
        return None
    open_items = [c for c in mine if not c.answered]
    breached = sum(ctx.breached(c.published_at, now) for c in open_items)
    return Event("summary", subject, payload={
        "criticisms": len(mine), "unanswered": len(open_items), "breached": int(breached),
        "days": round(days, 1)})


def plan(channel: AlertChannel, new: list[Event], items: Sequence[Criticism], *, started: bool,
         now: datetime, cfg: AlertsConfig, ctx: AlertContext) -> Plan:
    """Split this run's new events of one channel into pending, suppressed and a summary."""
    if not kinds_of(channel).intersection(MENTION_KINDS):
        return Plan(pending=new, suppressed=[], summary=None)  # e.g. spikes only: no backlog to sum up
    covered = [e for e in new if e.kind in SUMMARISED_KINDS]
    others = [e for e in new if e.kind not in SUMMARISED_KINDS]
    first = not started and cfg.first_run_summary
    flood = started and sum(e.kind in MENTION_KINDS for e in new) > cfg.summary_threshold
    if not (first or flood):
        return Plan(pending=new, suppressed=[], summary=None)
    subject = "first-run" if first else f"flood@{now.isoformat(timespec='seconds')}"
    summary = summary_event(channel, items, now, cfg.max_age_days, ctx, subject)
    return Plan(pending=others, suppressed=covered, summary=summary)
