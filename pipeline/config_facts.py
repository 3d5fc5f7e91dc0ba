"""The configuration facts that readers without the config need, taken from `RykteConfig`.

Why: the dashboard opens only the snapshot and must not need the config or its secrets, but it has
to judge freshness and SLA breaches exactly as the service does. The writer calls `publish_config`
in every batch (`pipeline.cycle.process_batch`), so the facts travel with the snapshot;
`rykte status`, which has the config at hand, builds the same facts with `source_facts`.
"""

from __future__ import annotations

import duckdb

from pipeline.config.model import RykteConfig, interval_seconds
from pipeline.store.settings import Settings, SourceFacts, write_settings, write_source_facts


def source_facts(cfg: RykteConfig) -> list[SourceFacts]:
    """Each configured source's name, type, platform, schedule interval and stale limit."""
    return [SourceFacts(name=s.name, type=s.type, platform=s.platform_name(), enabled=s.enabled,
                        interval_seconds=interval_seconds(s.schedule), stale_seconds=s.stale_seconds())
            for s in cfg.sources]


def settings_of(cfg: RykteConfig) -> Settings:
    """The SLA and company settings the dashboard reads."""
    bh = cfg.responses.business_hours
    return Settings(
        sla_hours=cfg.responses.sla_hours, timezone=cfg.responses.timezone, company=cfg.company.name,
        language=cfg.reports.language,
        business_hours={"enabled": bh.enabled, "start": bh.start.isoformat(), "end": bh.end.isoformat(),
                        "workdays": list(bh.workdays), "holidays_country": bh.holidays_country,
                        "holidays_subdiv": bh.holidays_subdiv},
        model=cfg.analysis.model, uncertain_per_day=cfg.analysis.uncertain_per_day,
    )


def publish_config(con: duckdb.DuckDBPyConnection, cfg: RykteConfig) -> None:
    """Store the settings and the source table (replacing what an earlier config published)."""
    write_settings(con, settings_of(cfg))
    write_source_facts(con, source_facts(cfg))
