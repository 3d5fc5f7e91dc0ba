"""Linking every non-official mention to the company's first response (SPEC §4).

The response to mention m is the earliest official mention of the same source that descends from m
through `parent_id` (a direct reply or one further down the chain) in the same thread. The graph walk
is one recursive SQL query over the whole store, so new mentions anywhere in a thread are picked up
on the next run; the costly per-reply work (business-hours clock, quality score, outcome) is redone
only for rows whose response or texts changed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any

import duckdb

from pipeline.config.model import ResponsesConfig
from pipeline.store.db import transaction, utcnow

FIRST_RESPONSES_SQL = """
WITH RECURSIVE anc(desc_id, source, anc_ext, depth) AS (
    SELECT id, source, parent_id, 1 FROM mentions WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT a.desc_id, a.source, p.parent_id, a.depth + 1
    FROM anc a JOIN mentions p ON p.source = a.source AND p.external_id = a.anc_ext
    WHERE p.parent_id IS NOT NULL AND a.depth < 200
),
pairs AS (
    SELECT m.id AS mention_id, d.id AS response_id, d.published_at AS responded_at,
           m.published_at AS published_at
    FROM anc
    JOIN mentions m ON m.source = anc.source AND m.external_id = anc.anc_ext
    JOIN mentions d ON d.id = anc.desc_id
    WHERE d.official AND NOT m.official
      AND (m.thread_id IS NULL OR d.thread_id IS NULL OR m.thread_id = d.thread_id)
),
firsts AS (
    SELECT mention_id,
           arg_min(response_id, (responded_at, response_id)) AS response_id,
           min(responded_at) AS responded_at
    FROM pairs GROUP BY mention_id
)
SELECT m.id AS mention_id, f.response_id, f.responded_at,
       CASE WHEN f.response_id IS NULL THEN NULL
            ELSE greatest(epoch(f.responded_at) - epoch(m.published_at), 0) / 3600.0 END AS delay_hours,
       coalesce(f.responded_at < m.published_at, false) AS clock_anomaly
FROM mentions m LEFT JOIN firsts f ON f.mention_id = m.id
WHERE NOT m.official
"""


def _jsonable(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    if hasattr(obj, "_asdict"):
        return obj._asdict()
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    return str(obj)


def link_responses(con: duckdb.DuckDBPyConnection, cfg: ResponsesConfig) -> dict[str, int]:
    """Recompute first responses; refresh the per-reply details where something changed."""
    now = utcnow()
    con.execute(f"CREATE OR REPLACE TEMP TABLE fresh_links AS {FIRST_RESPONSES_SQL}")
    try:
        with transaction(con):
            removed = con.execute(
                "DELETE FROM responses WHERE mention_id NOT IN (SELECT mention_id FROM fresh_links)"
            ).fetchone()
            changed = con.execute(
                """
                INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, clock_anomaly,
                                       computed_at)
                SELECT mention_id, response_id, responded_at, delay_hours, clock_anomaly, ?::TIMESTAMP
                FROM fresh_links
                ON CONFLICT (mention_id) DO UPDATE SET
                    response_id = excluded.response_id, responded_at = excluded.responded_at,
                    delay_hours = excluded.delay_hours, clock_anomaly = excluded.clock_anomaly,
                    business_delay_hours = NULL, sla_breached = NULL, quality = NULL,
                    quality_components = NULL, followup_id = NULL, followup_sentiment = NULL,
                    outcome = NULL, computed_at = excluded.computed_at
                WHERE responses.response_id IS DISTINCT FROM excluded.response_id
                   OR responses.responded_at IS DISTINCT FROM excluded.responded_at
                   OR responses.delay_hours IS DISTINCT FROM excluded.delay_hours
                """,
                [now],
            ).fetchone()
    finally:
        con.execute("DROP TABLE IF EXISTS fresh_links")
    details = refresh_details(con, cfg)
    return {"linked_changed": int(changed[0]) if changed else 0,
            "removed": int(removed[0]) if removed else 0, "details": details}


def refresh_details(con: duckdb.DuckDBPyConnection, cfg: ResponsesConfig) -> int:
    """Fill business-hours delay, SLA, quality and outcome for rows that lack them."""
    from pipeline.responses import details

    return details.refresh(con, cfg, dump=lambda o: json.dumps(o, default=_jsonable, ensure_ascii=False))
