"""Per-response details: business-hours delay, SLA breach, reply quality and outcome.

Runs after `link.link_responses` and only on rows whose details are missing (new or changed links),
so a large store is not re-scored on every batch. Template detection needs every official reply,
so it is computed once per run over all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

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
SELECT r.mention_id, r.response_id, m.published_at, r.responded_at, r.delay_hours,
       m.text, coalesce(m.language, m.lang, 'other'), m.p_negative, m.author, m.source, m.thread_id,
       d.text, coalesce(d.language, d.lang, 'other'), d.p_negative
FROM responses r
JOIN mentions m ON m.id = r.mention_id
JOIN mentions d ON d.id = r.response_id
WHERE r.response_id IS NOT NULL AND r.quality IS NULL
"""

FOLLOWUP_SQL = """
SELECT f.id, f.p_negative, f.sentiment FROM mentions f
WHERE f.source = ? AND f.thread_id IS NOT DISTINCT FROM ? AND lower(f.author) = lower(?)
  AND NOT f.official AND f.published_at > ? AND f.id <> ?
ORDER BY f.published_at, f.id LIMIT 1
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
    updates = []
    for (mention_id, _response_id, published, responded, delay, text, lang, p_neg, author, source,
         thread, reply, reply_lang, reply_neg) in pending:
        business = timing.business_hours_between(published, responded, hours) if cfg.business_hours.enabled \
            else None
        result = quality.score_reply(
            text, reply, criticism_lang=lang, reply_lang=reply_lang, reply_negative_prob=reply_neg,
            template=reply in templates,
        )
        follow = con.execute(FOLLOWUP_SQL, [source, thread, author, responded, mention_id]).fetchone()
        out = outcome.assess_outcome(p_neg if p_neg is not None else 0.5,
                                     follow[1] if follow is not None else None)
        updates.append((
            business, timing.sla_breached(delay, cfg.sla_hours), float(result.score),
            dump({k: c.to_dict() for k, c in result.components.items()}), follow[0] if follow else None, follow[2] if follow else None,
            out.status, mention_id,
        ))
    con.executemany(
        """UPDATE responses SET business_delay_hours = ?, sla_breached = ?, quality = ?,
               quality_components = ?, followup_id = ?, followup_sentiment = ?, outcome = ?
           WHERE mention_id = ?""",
        updates,
    )
    return len(updates)
