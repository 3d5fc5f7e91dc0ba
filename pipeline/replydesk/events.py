"""The desk's records on the wire: an :class:`~pipeline.replydesk.workflow.Event` as one JSON line.

Why apart from the workflow: the dashboard builds events and appends them to the writer's inbox
(`pipeline.store.inbox.append_desk_event`), and the writer reads them back from a file anyone could
have edited; both go through :func:`to_record` / :func:`from_record`, the one shape check.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pipeline.replydesk.workflow import ACTIONS, Event

_TEXT_LIMIT = 20_000


def _naive_utc(value: Any) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo is not None else when


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    if len(value) > _TEXT_LIMIT:
        raise ValueError(f"{key} is longer than {_TEXT_LIMIT} characters")
    return value


def from_record(obj: Any) -> Event:
    """An event from a JSON object; ValueError naming the key when the shape is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    for key in ("event_id", "draft_id", "action", "actor"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise ValueError(f"{key} is missing")
    if obj["action"] not in ACTIONS:
        raise ValueError(f"action {obj['action']!r} is not one of {', '.join(ACTIONS)}")
    mid = obj.get("mention_id")
    if mid is not None and (isinstance(mid, bool) or not isinstance(mid, int)):
        raise ValueError("mention_id must be an integer")
    return Event(event_id=obj["event_id"], draft_id=obj["draft_id"], action=obj["action"],
                 actor=obj["actor"].strip(), at=_naive_utc(obj.get("at")), mention_id=mid,
                 text=_opt_str(obj, "text"), comment=_opt_str(obj, "comment"),
                 posted_id=_opt_str(obj, "posted_id"), how=_opt_str(obj, "how"))


def to_record(ev: Event) -> dict[str, Any]:
    return {"event_id": ev.event_id, "draft_id": ev.draft_id, "action": ev.action, "actor": ev.actor,
            "at": ev.at.isoformat(timespec="microseconds"), "mention_id": ev.mention_id, "text": ev.text,
            "comment": ev.comment, "posted_id": ev.posted_id, "how": ev.how}


def new_event(action: str, *, actor: str, draft_id: str | None = None, at: datetime | None = None,
              **fields: Any) -> Event:
    """A fresh event (new ids; `at` now, naive UTC); a new draft gets a new `draft_id`."""
    when = _naive_utc(at) if at is not None else datetime.now(UTC).replace(tzinfo=None)
    return Event(event_id=uuid.uuid4().hex, draft_id=draft_id or uuid.uuid4().hex, action=action,
                 actor=actor, at=when, **fields)
