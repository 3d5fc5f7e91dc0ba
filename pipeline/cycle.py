"""The batch pipeline that runs after every ingest, in the one writer process.

store the configuration facts readers need (SLA, source limits; `pipeline.config_facts`) → resolve
official accounts and threads → take in dashboard label corrections and inbox actions → analyze → link responses →
queue and deliver alerts → publish the read snapshot. Each step is incremental, so the
cycle is cheap when little changed. `rykte import`, `rykte crawl`, `rykte run` and `rykte demo` all
call `process_batch`, so every path into the store ends in the same state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import duckdb

from pipeline.config.model import RykteConfig
from pipeline.config_facts import publish_config
from pipeline.store.db import DataDir
from pipeline.store.mentions import resolve_official, resolve_threads, sync_official_accounts
from pipeline.store.snapshot import publish_snapshot

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    analyzed: int = 0
    links: dict[str, Any] = field(default_factory=dict)
    alerts_queued: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    corrections: int = 0


def process_batch(
    con: duckdb.DuckDBPyConnection,
    cfg: RykteConfig,
    data: DataDir,
    *,
    config_given: bool = True,
    analyze: bool = True,
    progress: bool | None = None,
    alerts: bool = True,
) -> BatchResult:
    result = BatchResult()
    if config_given:  # without a config file the readers' defaults are already the config's defaults
        sync_official_accounts(con, cfg.official_accounts())
        publish_config(con, cfg)  # before the alerts: they judge freshness with these source limits
    resolve_official(con)
    resolve_threads(con)
    from pipeline.store import inbox

    result.corrections = inbox.ingest_label_corrections(con, data.root, cfg.analysis.criticism_threshold)
    inbox.ingest_actions(con, data.root)  # the inbox's handling marks, assignments and notes
    from pipeline.replydesk import ledger

    ledger.ingest(con, data.root)  # the reply desk's drafts and decisions (rules checked again)
    from pipeline.replydesk.publish import link_by_text, publish_step

    publish_step(con, cfg)  # approved replies posted as the company where an API and a token allow it
    if analyze:
        from pipeline.analysis.stage import analyze as run_analysis

        result.analyzed = run_analysis(con, cfg.analysis, data.models, progress=progress)
    else:
        from pipeline.store.metrics import refresh_criticism

        refresh_criticism(con, cfg.analysis.criticism_threshold)
    from pipeline.responses.link import link_responses

    result.links = link_responses(con, cfg.responses)
    link_by_text(con)  # replies posted by hand, found by this crawl: linked to their drafts
    if alerts and cfg.alerts.enabled and cfg.alerts.channels:
        from pipeline.alerts.run import run_alerts

        alerted = run_alerts(con, cfg)  # every kind, rules, summary, digest/quiet hours, fallback
        result.alerts_queued, result.alerts_sent, result.alerts_failed = alerted.queued, alerted.sent, alerted.failed
    publish_snapshot(con, data)
    return result
