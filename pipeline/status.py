"""`rykte status`: for each configured source, its last crawl, items, errors and freshness.

Freshness is `ok` when the last successful crawl (status ok or partial) is younger than the source's
`stale_after` (default three times its schedule), `stale` otherwise, and `never` before the first one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import duckdb

from pipeline.config.model import RykteConfig
from pipeline.store.db import utcnow


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
    last_error: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def source_statuses(con: duckdb.DuckDBPyConnection, cfg: RykteConfig,
                    now: datetime | None = None) -> list[SourceStatus]:
    now = now or utcnow()
    out = []
    for s in cfg.sources:
        last = con.execute(
            "SELECT finished_at, status, items, errors, error_samples FROM crawl_runs WHERE source_name = ? "
            "ORDER BY started_at DESC, id DESC LIMIT 1", [s.name]).fetchone()
        good = con.execute(
            "SELECT max(finished_at) FROM crawl_runs WHERE source_name = ? AND status IN ('ok', 'partial')",
            [s.name]).fetchone()
        mentions = con.execute("SELECT count(*) FROM mentions WHERE source = ?",
                               [s.platform_name()]).fetchone()
        last_ok = good[0] if good else None
        if last_ok is None:
            freshness = "never"
        else:
            freshness = "ok" if now - last_ok <= timedelta(seconds=s.stale_seconds()) else "stale"
        samples = json.loads(last[4]) if last and last[4] else []
        out.append(SourceStatus(
            source=s.name, type=s.type, enabled=s.enabled,
            last_crawl=last[0].isoformat(timespec="seconds") + "Z" if last and last[0] else None,
            last_status=last[1] if last else None, items=int(last[2]) if last else 0,
            errors=int(last[3]) if last else 0, mentions=int(mentions[0]) if mentions else 0,
            freshness=freshness, last_error=samples[0] if samples else None,
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
