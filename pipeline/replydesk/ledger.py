"""The writer's side of the desk: apply queued desk records to DuckDB, checking the rules again.

Why the check is repeated here: the dashboard appends to a plain file, so a hand-written line could
claim anything. Each record is folded onto its draft's stored history with the same
:func:`pipeline.replydesk.workflow.apply`; a refused one changes nothing and is kept in
`inbox/reply_desk.rejected.jsonl`. Each `event_id` is applied at most once (a re-read file after a
crash inserts nothing twice). `reply_desk_events` is the log (every version and decision, who and
when); `reply_drafts` the state the readers see.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from pipeline.replydesk.events import from_record, new_event
from pipeline.replydesk.workflow import DeskRefused, Draft, Event, apply, fold
from pipeline.store.db import utcnow
from pipeline.store.inbox import ingest_desk_events

log = logging.getLogger(__name__)
WRITER = "rykte"  # the actor of what the writer itself records (a reply posted by the API, found by a crawl)

_EVENT_COLUMNS = "event_id, draft_id, action, actor, acted_at, mention_id, text, comment, posted_id, how"


def stored_events(con: duckdb.DuckDBPyConnection, draft_ids: Iterable[str] | None = None) -> list[Event]:
    """The applied events (all, or of some drafts) in the order they were applied."""
    sql = f"SELECT {_EVENT_COLUMNS} FROM reply_desk_events"
    params: list[Any] = []
    ids = None if draft_ids is None else list(draft_ids)
    if ids is not None:
        if not ids:
            return []
        sql += " WHERE list_contains(?, draft_id)"
        params.append(ids)
    rows = con.execute(sql + " ORDER BY seq", params).fetchall()
    return [Event(*r) for r in rows]


def load_draft(con: duckdb.DuckDBPyConnection, draft_id: str) -> Draft | None:
    return fold(stored_events(con, [draft_id]))[0].get(draft_id)


def _save(con: duckdb.DuckDBPyConnection, ev: Event, draft: Draft) -> None:
    # every event carries its draft's mention: erasing a person (privacy/rows.py: forget_author deletes
    # the rows of every table with a mention_id) takes the whole draft and its log with the criticism
    version = draft.version if ev.action in ("create", "edit") else None
    con.execute(f"INSERT INTO reply_desk_events ({_EVENT_COLUMNS}, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ev.event_id, ev.draft_id, ev.action, ev.actor, ev.at, draft.mention_id, ev.text, ev.comment,
                 ev.posted_id, ev.how, version])
    con.execute("DELETE FROM reply_drafts WHERE id = ?", [draft.id])
    con.execute("INSERT INTO reply_drafts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [draft.id, draft.mention_id, draft.author, draft.created_at, draft.state, draft.updated_at,
                 draft.version, draft.text, draft.submitted_at, draft.approved_by, draft.approved_at,
                 draft.posted_id, draft.posted_how, draft.posted_at])


def apply_event(con: duckdb.DuckDBPyConnection, ev: Event) -> Draft:
    """Apply one event now (DeskRefused when the rules forbid it); an event applied before is a no-op."""
    known = con.execute("SELECT count(*) FROM reply_desk_events WHERE event_id = ?", [ev.event_id]).fetchall()
    current = load_draft(con, ev.draft_id)
    if known[0][0]:
        assert current is not None
        return current
    draft = apply(current, ev)
    if ev.action == "create":
        found = con.execute("SELECT count(*) FROM mentions WHERE id = ?", [ev.mention_id]).fetchall()
        if not found[0][0]:
            raise DeskRefused("no_mention", str(ev.mention_id))
    _save(con, ev, draft)
    return draft


def apply_records(con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply inbox records in order; return the ones refused (malformed or against the rules)."""
    refused: list[dict[str, Any]] = []
    for rec in records:
        try:
            ev = from_record(rec)
            con.execute("BEGIN TRANSACTION")
            try:
                apply_event(con, ev)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        except (ValueError, TypeError, DeskRefused) as exc:
            log.warning("reply desk: refused %s: %s", rec.get("event_id") if isinstance(rec, dict) else rec, exc)
            refused.append({**rec, "refused": str(exc)} if isinstance(rec, dict) else {"record": rec})
    return refused


def ingest(con: duckdb.DuckDBPyConnection, data_dir: Path) -> int:
    """Take the desk records of the writer's inbox in (called by the batch); return records read."""
    return ingest_desk_events(data_dir, lambda rows: apply_records(con, rows))


def record_posted(con: duckdb.DuckDBPyConnection, draft_id: str, posted_id: str | None, how: str,
                  actor: str = WRITER) -> Draft:
    """The writer's own `posted` event (after an API post, or when a crawl found the reply)."""
    ev = new_event("posted", actor=actor, draft_id=draft_id, at=utcnow(), posted_id=posted_id, how=how)
    con.execute("BEGIN TRANSACTION")
    try:
        draft = apply_event(con, ev)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return draft
