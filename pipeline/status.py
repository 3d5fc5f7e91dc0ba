"""`rykte status`: for each configured source, its last crawl, items, errors and freshness.

Freshness is the one rule of `pipeline.store.freshness` (the dashboard's Sources page applies the
same): `ok` while the last successful crawl is younger than the source's `stale_after` (default
three times its schedule), `stale` after it, `failing` when the latest crawl failed (or every
request in it did), `never` before the first successful one. A disabled source shows `off` in the table.

A second table shows each configured alert channel's delivery health (`channel_health`: last
success, last failure with its error, failures in a row), so a broken webhook or mail server is seen
before HR wonders why nothing arrives. The channel is named by its configured name and the error is
the one the writer stored with secrets masked, never the channel's URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb

from pipeline.config.model import RykteConfig
from pipeline.config_facts import source_facts
from pipeline.store.db import utcnow
from pipeline.store.freshness import source_freshness
from pipeline.store.queries.alert_health import ChannelHealth, channel_health


@dataclass
class SourceStatus:
    source: str
    type: str
    enabled: bool
    last_crawl: str | None
    last_status: str | None
    items: int
    errors: int
    mentions: int
    freshness: str
    stale_after_hours: float
    last_error: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def source_statuses(con: duckdb.DuckDBPyConnection, cfg: RykteConfig,
                    now: datetime | None = None) -> list[SourceStatus]:
    now = now or utcnow()
    counts = dict(con.execute("SELECT source, count(*) FROM mentions GROUP BY source").fetchall())
    out = []
    for f in source_freshness(con, now, source_facts(cfg), include_unconfigured=False):
        out.append(SourceStatus(
            source=f.name, type=f.type or "", enabled=f.enabled,
            last_crawl=f.last_run_at.isoformat(timespec="seconds") + "Z" if f.last_run_at else None,
            last_status=f.last_status, items=f.last_items, errors=f.last_errors,
            mentions=int(counts.get(f.platform, 0)), freshness=f.state,
            stale_after_hours=f.stale_seconds / 3600.0,
            last_error=f.error_samples[0] if f.error_samples else None,
        ))
    return out


@dataclass
class ChannelStatus:
    channel: str
    state: str  # ok / failing / never (no delivery yet)
    last_success: str | None
    last_failure: str | None
    failures_in_row: int
    pending: int
    failed: int
    last_error: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _stamp(when: datetime | None) -> str | None:
    return when.isoformat(timespec="seconds") + "Z" if when else None


def channel_statuses(con: duckdb.DuckDBPyConnection, cfg: RykteConfig) -> list[ChannelStatus]:
    """Every configured alert channel's delivery health (none without channels, or in a store older
    than the `alert_channels` table)."""
    names = [c.name for c in cfg.alerts.channels]
    known = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'alert_channels'").fetchall()
    if not names or not known[0][0]:
        return []
    return [_channel_status(h) for h in channel_health(con, names)]


def _channel_status(h: ChannelHealth) -> ChannelStatus:
    state = "failing" if h.failing else ("ok" if h.last_success_at else "never")
    return ChannelStatus(h.channel, state, _stamp(h.last_success_at), _stamp(h.last_failure_at),
                         h.consecutive_failures, h.pending, h.failed, h.last_error)


def _columns(headers: tuple[str, ...], body: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)).rstrip() for b in body]
    return lines


def format_channels(rows: list[ChannelStatus]) -> str:
    """The alert channels' table, with each channel's last error (secret-free) on its own line."""
    headers = ("alert channel", "state", "last success (UTC)", "last failure (UTC)", "failures in a row",
               "pending", "failed")
    body = [(r.channel, r.state, r.last_success or "-", r.last_failure or "-", str(r.failures_in_row),
             str(r.pending), str(r.failed)) for r in rows]
    lines = _columns(headers, body)
    lines += [f"  {r.channel}: last error: {r.last_error}" for r in rows if r.last_error]
    return "\n".join(lines)


def format_table(rows: list[SourceStatus]) -> str:
    headers = ("source", "type", "last crawl (UTC)", "status", "items", "errors", "mentions", "freshness")
    body = [(r.source, r.type, r.last_crawl or "-", r.last_status or "-", str(r.items), str(r.errors),
             str(r.mentions), r.freshness if r.enabled else "off") for r in rows]
    lines = _columns(headers, body)
    for r in rows:
        if r.last_error:
            lines.append(f"  {r.source}: {r.last_error}")
    return "\n".join(lines)
