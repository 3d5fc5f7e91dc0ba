"""Per-response details: business-hours delay, SLA breach, reply quality and outcome.

Runs after `link.link_responses` and only on rows whose details are missing (new or changed links),
so a large store is not re-scored on every batch. Template detection needs every official reply,
so it is computed once per run over all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from pipeline.config.model import WEEKDAYS, ResponsesConfig
from pipeline.responses import outcome, quality, timing


def business_hours_of(cfg: ResponsesConfig) -> timing.BusinessHours:
    bh = cfg.business_hours
    return timing.BusinessHours(
        timezone=cfg.timezone,
        start=bh.start,
        end=bh.end,
        workdays=tuple(WEEKDAYS.index(d) for d in bh.workdays),
        holidays_country=bh.holidays_country,
        holidays_subdiv=bh.holidays_subdiv,
    )


PENDING_SQL = """
WITH todo AS (
    SELECT r.mention_id, r.response_id, r.responded_at, r.delay_hours
    FROM responses r WHERE r.response_id IS NOT NULL AND r.quality IS NULL
),
followups AS (  -- the critic's first own mention in the thread after the response
    SELECT t.mention_id, f.id AS followup_id, f.p_negative AS followup_neg, f.sentiment AS followup_sentiment
    FROM todo t
    JOIN mentions m ON m.id = t.mention_id
    JOIN mentions f ON f.source = m.source AND f.thread_id IS NOT DISTINCT FROM m.thread_id
        AND lower(f.author) = lower(m.author) AND NOT f.official AND f.published_at > t.responded_at
        AND f.id <> m.id
    QUALIFY row_number() OVER (PARTITION BY t.mention_id ORDER BY f.published_at, f.id) = 1
)
SELECT t.mention_id, m.published_at, t.responded_at, t.delay_hours,
       m.text, coalesce(m.language, m.lang, 'other'), m.p_negative,
       d.text, coalesce(d.language, d.lang, 'other'), d.p_negative,
       f.followup_id, f.followup_neg, f.followup_sentiment
FROM todo t
JOIN mentions m ON m.id = t.mention_id
JOIN mentions d ON d.id = t.response_id
LEFT JOIN followups f ON f.mention_id = t.mention_id
"""


def refresh(con: duckdb.DuckDBPyConnection, cfg: ResponsesConfig, dump: Callable[[Any], str]) -> int:
    pending = con.execute(PENDING_SQL).fetchall()
    if not pending:
        return 0
    replies = [r[0] for r in con.execute(
        "SELECT text FROM mentions WHERE official ORDER BY id").fetchall()]
    templates = set()
    for text, is_template in zip(replies, quality.mark_templates(replies), strict=True):
        if is_template:
            templates.add(text)
    hours = business_hours_of(cfg)
    records = []
    for (mention_id, published, responded, delay, text, lang, p_neg, reply, reply_lang, reply_neg,
         followup_id, followup_neg, followup_sentiment) in pending:
        business = timing.business_hours_between(published, responded, hours) if cfg.business_hours.enabled \
            else None
        result = quality.score_reply(
            text, reply, criticism_lang=lang, reply_lang=reply_lang, reply_negative_prob=reply_neg,
            template=reply in templates,
        )
        out = outcome.assess_outcome(p_neg if p_neg is not None else 0.5, followup_neg)
        records.append({
            "mention_id": mention_id, "business_delay_hours": business,
            "sla_breached": timing.sla_breached(delay, cfg.sla_hours), "quality": float(result.score),
            "quality_components": dump({k: c.to_dict() for k, c in result.components.items()}),
            "followup_id": followup_id, "followup_sentiment": followup_sentiment, "outcome": out.status,
        })
    frame = pd.DataFrame.from_records(records)
    frame["followup_id"] = frame["followup_id"].astype("Int64")
    frame["business_delay_hours"] = frame["business_delay_hours"].astype("Float64")
    con.complete()
    con.register("response_details", frame)
    try:
        con.execute(
            """UPDATE responses SET business_delay_hours = d.business_delay_hours, sla_breached = d.sla_breached,
                   quality = d.quality, quality_components = d.quality_components, followup_id = d.followup_id,
                   followup_sentiment = d.followup_sentiment, outcome = d.outcome
               FROM response_details d WHERE responses.mention_id = d.mention_id""")
    finally:
        con.unregister("response_details")
    return len(records)
