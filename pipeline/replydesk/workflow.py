"""The review state machine of a reply draft: every version kept, four eyes before anything is posted.

Why pure and in one place: the dashboard checks an action before it appends it (so the user sees a
refusal at once) and the writer checks it again when it takes the action in (so an inbox line written
by hand cannot approve its own draft). Both fold the same events with :func:`apply`.

States: ``draft`` → (submit) ``in_review`` → ``approved`` | ``changes_requested`` | ``rejected``;
an edit of a draft or of a draft sent back makes a new version and the state ``draft`` again;
``approved`` → (posted, by the API or by hand) ``posted``. Approval, change requests and rejection
are decisions: they need a reviewer who wrote none of the draft's versions. A change request needs a
comment. Nothing reaches ``posted`` without ``approved``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from pipeline.errors import RykteError

ACTIONS = ("create", "edit", "submit", "approve", "request_changes", "reject", "posted")
DECISIONS = ("approve", "request_changes", "reject")
STATES = ("draft", "in_review", "changes_requested", "approved", "rejected", "posted")
POSTED_HOW = ("api", "manual", "crawl")

_NEXT = {"submit": "in_review", "approve": "approved", "request_changes": "changes_requested",
         "reject": "rejected", "posted": "posted"}
_FROM = {"edit": ("draft", "changes_requested"), "submit": ("draft",), "approve": ("in_review",),
         "request_changes": ("in_review",), "reject": ("in_review",), "posted": ("approved",)}


class DeskRefused(RykteError):
    """An action the rules do not allow; ``code`` names the rule (catalogue ``replydesk.error.<code>``)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Event:
    """One desk action, as appended by the dashboard (or the writer, for `posted`)."""

    event_id: str
    draft_id: str
    action: str
    actor: str
    at: datetime  # naive UTC
    mention_id: int | None = None  # create
    text: str | None = None  # create, edit: the new version
    comment: str | None = None  # decisions (required for request_changes)
    posted_id: str | None = None  # posted: the platform's id of the reply (None when not yet known)
    how: str | None = None  # posted: api / manual / crawl


@dataclass(frozen=True)
class Version:
    number: int
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class Draft:
    id: str
    mention_id: int
    author: str
    created_at: datetime
    state: str = "draft"
    updated_at: datetime | None = None
    versions: tuple[Version, ...] = ()
    history: tuple[Event, ...] = ()
    posted_id: str | None = None
    posted_how: str | None = None
    posted_at: datetime | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    submitted_at: datetime | None = None
    authors: frozenset[str] = field(default_factory=frozenset)

    @property
    def text(self) -> str:
        return self.versions[-1].text if self.versions else ""

    @property
    def version(self) -> int:
        return self.versions[-1].number if self.versions else 0

    @property
    def last_comment(self) -> str | None:
        return next((e.comment for e in reversed(self.history) if e.action in DECISIONS and e.comment), None)


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def may_decide(draft: Draft, actor: str) -> bool:
    """Four eyes: the reviewer wrote none of the versions and did not open the draft."""
    return not any(_same(actor, a) for a in (*draft.authors, draft.author))


def apply(draft: Draft | None, ev: Event) -> Draft:
    """The draft after `ev`, or :class:`DeskRefused` naming the broken rule."""
    if ev.action not in ACTIONS:
        raise DeskRefused("unknown_action", ev.action)
    if ev.action == "create":
        if draft is not None:
            raise DeskRefused("exists", ev.draft_id)
        if ev.mention_id is None:
            raise DeskRefused("no_mention")
        text = (ev.text or "").strip()
        if not text:
            raise DeskRefused("empty_text")
        first = Version(1, text, ev.actor, ev.at)
        return Draft(ev.draft_id, ev.mention_id, ev.actor, ev.at, "draft", ev.at, (first,), (ev,),
                     authors=frozenset({ev.actor}))
    if draft is None:
        raise DeskRefused("no_draft", ev.draft_id)
    if draft.state not in _FROM[ev.action]:
        raise DeskRefused("wrong_state", f"{ev.action} in {draft.state}")
    base = replace(draft, updated_at=ev.at, history=(*draft.history, ev))
    if ev.action == "edit":
        text = (ev.text or "").strip()
        if not text:
            raise DeskRefused("empty_text")
        if text == draft.text:
            raise DeskRefused("unchanged")
        v = Version(draft.version + 1, text, ev.actor, ev.at)
        return replace(base, state="draft", versions=(*draft.versions, v), authors=draft.authors | {ev.actor})
    if ev.action in DECISIONS:
        if not may_decide(draft, ev.actor):
            raise DeskRefused("self_approval", ev.actor)
        if ev.action == "request_changes" and not (ev.comment or "").strip():
            raise DeskRefused("comment_needed")
        if ev.action == "approve":
            return replace(base, state="approved", approved_by=ev.actor, approved_at=ev.at)
        return replace(base, state=_NEXT[ev.action])
    if ev.action == "submit":
        return replace(base, state="in_review", submitted_at=ev.at)
    # posted
    if ev.how not in POSTED_HOW:
        raise DeskRefused("posted_how", str(ev.how))
    return replace(base, state="posted", posted_id=ev.posted_id, posted_how=ev.how, posted_at=ev.at)


def fold(events: Iterable[Event]) -> tuple[dict[str, Draft], list[tuple[Event, DeskRefused]]]:
    """Every draft after its events in order; the refused events with why (they change nothing)."""
    drafts: dict[str, Draft] = {}
    refused: list[tuple[Event, DeskRefused]] = []
    seen: set[str] = set()
    for ev in events:
        if ev.event_id in seen:
            continue
        seen.add(ev.event_id)
        try:
            drafts[ev.draft_id] = apply(drafts.get(ev.draft_id), ev)
        except DeskRefused as exc:
            refused.append((ev, exc))
    return drafts, refused
