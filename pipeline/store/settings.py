"""The configuration facts published with the snapshot: SLA and company settings, each source's limits.

Why: the dashboard reads only the snapshot and must start without the service's config and secrets,
yet it has to apply the same SLA and the same freshness limits as the service. So the writer
(`pipeline.cycle.process_batch`, through `pipeline.config_facts`) stores those facts here after every
batch, `COPY FROM DATABASE` carries them into the snapshot, and readers take them from there. This
module knows nothing of the config model (the store sits below it); it stores plain values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from pipeline.store.db import transaction, utcnow

DEFAULT_SLA_HOURS = 24.0


@dataclass(frozen=True)
class Settings:
    """What a reader needs of the configuration besides the sources (defaults = the config's defaults)."""

    sla_hours: float = DEFAULT_SLA_HOURS
    timezone: str = "Europe/Oslo"
    company: str | None = None
    language: str = "nb"
    business_hours: dict[str, Any] = field(default_factory=dict)
    model: str = "builtin"  # analysis.model: whose trained versions the dashboard shows
    uncertain_per_day: int = 5  # analysis.uncertain_per_day: the dashboard's daily labelling queue


@dataclass(frozen=True)
class SourceFacts:
    """One configured source as freshness sees it."""

    name: str
    type: str
    platform: str
    enabled: bool
    interval_seconds: int | None  # the schedule's interval; None for a crontab line
    stale_seconds: int  # stale_after, else three times the schedule


def write_settings(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Replace the published settings (one row per field, JSON values)."""
    now = utcnow()
    with transaction(con):
        for key, value in asdict(settings).items():
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?, ?)", [key, json.dumps(value), now])


def read_settings(con: duckdb.DuckDBPyConnection) -> Settings:
    """The published settings; the defaults for any not (yet) published."""
    try:
        rows = dict(con.execute("SELECT key, value FROM settings").fetchall())
    except duckdb.CatalogException:  # a snapshot published before settings existed
        return Settings()
    known = Settings.__dataclass_fields__
    return Settings(**{k: json.loads(v) for k, v in rows.items() if k in known})


def write_source_facts(con: duckdb.DuckDBPyConnection, sources: Iterable[SourceFacts]) -> None:
    """Replace the published source table with the configured sources (a removed source disappears)."""
    now = utcnow()
    with transaction(con):
        con.execute("DELETE FROM source_settings")
        for s in sources:
            con.execute("INSERT INTO source_settings VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [s.name, s.type, s.platform, s.enabled, s.interval_seconds, s.stale_seconds, now])


def read_source_facts(con: duckdb.DuckDBPyConnection) -> list[SourceFacts]:
    try:
        rows = con.execute(
            "SELECT name, type, platform, enabled, interval_seconds, stale_seconds FROM source_settings ORDER BY name"
        ).fetchall()
    except duckdb.CatalogException:  # a snapshot published before source settings existed
        return []
    return [SourceFacts(n, t, p, bool(e), None if i is None else int(i), int(s)) for n, t, p, e, i, s in rows]
