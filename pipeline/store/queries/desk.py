"""The reply desk's read side: its event log, the published replies a draft is compared with, and
the desk's own figures.

Why here: the dashboard reads the snapshot only through `pipeline.store.queries`, and the weekly
report wants the same figures. The desk's rules are `pipeline.replydesk.workflow`; this module only
reads what the writer stored (`reply_desk_events`, `reply_drafts`, migration 0008).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from pipeline.store.metrics import window_sql

EVENT_FIELDS = ("event_id", "draft_id", "action", "actor", "at", "mention_id", "text", "comment", "posted_id", "how")


def _has_desk(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reply_desk_events'").fetchall()
    return bool(row[0][0])


def desk_events(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every applied desk event in order, as records (`pipeline.replydesk.events.from_record` reads them)."""
    if not _has_desk(con):
        return []
    rows = con.execute("SELECT event_id, draft_id, action, actor, acted_at, mention_id, text, comment, posted_id, how "
                       "FROM reply_desk_events ORDER BY seq").fetchall()
    return [{**dict(zip(EVENT_FIELDS, r, strict=True)), "at": r[4].isoformat()} for r in rows]


def published_replies(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[str]:
    """The texts of the company's replies to mentions (template detection compares a draft with them)."""
    sql = ("SELECT m.text FROM mentions m WHERE m.official AND m.id IN "
           "(SELECT response_id FROM responses WHERE response_id IS NOT NULL)")
    params: list[Any] = []
    if source:
        sql += " AND m.source = ?"
        params.append(source)
    return [r[0] for r in con.execute(sql + " ORDER BY m.id", params).fetchall()]


def _median(con: duckdb.DuckDBPyConnection, expr: str, cond: str, params: list[Any]) -> float | None:
    row = con.execute(f"""SELECT quantile_cont({expr}, 0.5) FROM reply_drafts d JOIN mentions m ON m.id = d.mention_id
                          WHERE {cond} AND {expr} IS NOT NULL""", params).fetchall()
    return None if row[0][0] is None else float(row[0][0])


def desk_figures(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                 until: date | datetime | None = None, source: str | None = None) -> dict[str, Any]:
    """The desk in a window of criticism: drafts (and per state), median hours from the criticism to
    its first draft, approval and posting, and the mean quality of desk replies (posted and linked)
    against the replies written outside the desk."""
    empty = {"drafts": 0, "by_state": {}, "hours_to_draft": None, "hours_to_approval": None,
             "hours_to_posting": None, "quality_desk": None, "quality_outside": None, "replies_desk": 0,
             "replies_outside": 0}
    if not _has_desk(con):
        return empty
    cond, params = window_sql(since, until, source, alias="m")
    states = con.execute(f"""SELECT d.state, count(*) FROM reply_drafts d JOIN mentions m ON m.id = d.mention_id
                             WHERE {cond} GROUP BY d.state""", params).fetchall()
    out = dict(empty)
    by_state = {str(s): int(n) for s, n in states}
    out["by_state"] = by_state
    out["drafts"] = sum(by_state.values())
    for key, col in (("hours_to_draft", "created_at"), ("hours_to_approval", "approved_at"),
                     ("hours_to_posting", "posted_at")):
        out[key] = _median(con, f"(epoch(d.{col}) - epoch(m.published_at)) / 3600.0", cond, params)
    rows = con.execute(f"""
        SELECT (p.id IN (SELECT x.id FROM reply_drafts d2 JOIN mentions x
                          ON x.external_id = d2.posted_id AND x.source = m.source)) AS desk,
               avg(r.quality), count(*)
        FROM responses r JOIN mentions m ON m.id = r.mention_id JOIN mentions p ON p.id = r.response_id
        WHERE r.quality IS NOT NULL AND {cond} GROUP BY desk""", params).fetchall()
    for desk, quality, n in rows:
        side = "desk" if desk else "outside"
        out[f"quality_{side}"] = None if quality is None else round(float(quality), 1)
        out[f"replies_{side}"] = int(n)
    return out
