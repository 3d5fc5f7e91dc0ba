"""What HR did with each criticism in the inbox: handled elsewhere, assigned, notes — and by whom.

Why a module: the dashboard appends actions to `<data-dir>/inbox/actions.jsonl` and the writer takes
them into `inbox_actions` (`pipeline.store.inbox`); a reader sees the published ones here and the
not-yet-published ones from the file, and both must fold into one state per criticism the same way.
`action_state` is that one rule: the latest `handled`/`reopened` decides whether a criticism is
handled elsewhere, the latest `assigned` who owns it (empty = nobody).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pandas as pd

ACTION_COLUMNS = ["mention_id", "action", "value", "actor", "acted_at"]
STATE_COLUMNS = ["mention_id", "handled", "handled_reason", "handled_by", "handled_at", "assignee",
                 "assigned_by", "assigned_at", "notes"]


def inbox_actions(con: duckdb.DuckDBPyConnection, mention_id: int | None = None) -> pd.DataFrame:
    """The published actions (oldest first), of one criticism or of all; empty on an older snapshot."""
    where, params = ("WHERE mention_id = ?", [mention_id]) if mention_id is not None else ("", [])
    try:
        return con.execute(
            f"SELECT mention_id, action, value, actor, acted_at FROM inbox_actions {where} ORDER BY acted_at, mention_id",
            params).df()
    except duckdb.CatalogException:  # a snapshot published before inbox actions existed
        return pd.DataFrame(columns=ACTION_COLUMNS)


def merge_actions(published: pd.DataFrame, pending: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Published actions plus the ones still in the inbox file, each once, oldest first."""
    extra = pd.DataFrame(list(pending), columns=ACTION_COLUMNS)
    frames = [f for f in (published[ACTION_COLUMNS], extra) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    both = pd.concat(frames, ignore_index=True)
    both["acted_at"] = pd.to_datetime(both["acted_at"])
    both["mention_id"] = both["mention_id"].astype("int64")
    key = both.assign(value=both["value"].fillna("\0"))
    both = both[~key.duplicated(subset=ACTION_COLUMNS)]
    return both.sort_values(["acted_at", "mention_id"], kind="stable").reset_index(drop=True)


def action_state(actions: pd.DataFrame) -> pd.DataFrame:
    """One row per criticism with an action: handled (reason, by, at), assignee (by, at), number of notes."""
    rows: dict[int, dict[str, Any]] = {}
    for r in actions.sort_values("acted_at", kind="stable").itertuples(index=False):
        s = rows.setdefault(int(r.mention_id), {c: None for c in STATE_COLUMNS} | {
            "mention_id": int(r.mention_id), "handled": False, "notes": 0})
        if r.action == "handled":
            s.update(handled=True, handled_reason=r.value, handled_by=r.actor, handled_at=r.acted_at)
        elif r.action == "reopened":
            s.update(handled=False, handled_reason=None, handled_by=None, handled_at=None)
        elif r.action == "assigned":
            s.update(assignee=r.value or None, assigned_by=r.actor, assigned_at=r.acted_at)
        elif r.action == "note":
            s["notes"] += 1
    return pd.DataFrame(list(rows.values()), columns=STATE_COLUMNS)
