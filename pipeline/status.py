"""`rykte status`: for each configured source, its last crawl, items, errors and freshness.

Freshness is the one rule of `pipeline.store.freshness` (the dashboard's Sources page applies the
same): `ok` while the last successful crawl is younger than the source's `stale_after` (default
three times its schedule), `stale` after it, `failing` when the latest crawl failed (or every
request in it did), `never` before the first successful one. A disabled source shows `off` in the table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb

from pipeline.config.model import RykteConfig
from pipeline.config_facts import source_facts
from pipeline.store.db import utcnow
from pipeline.store.freshness import source_freshness


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


def format_table(rows: list[SourceStatus]) -> str:
    headers = ("source", "type", "last crawl (UTC)", "status", "items", "errors", "mentions", "freshness")
    body = [(r.source, r.type, r.last_crawl or "-", r.last_status or "-", str(r.items), str(r.errors),
             str(r.mentions), r.freshness if r.enabled else "off") for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)) for b in body]
    for r in rows:
        if r.last_error:
            lines.append(f"  {r.source}: {r.last_error}")
    return "\n".join(lines)
