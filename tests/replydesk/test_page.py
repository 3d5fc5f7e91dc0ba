"""The reply desk page under AppTest on a real snapshot: draft, the score changing while editing,
submit, refused self-approval, approval by a colleague, and the writer taking it all in."""

from __future__ import annotations

import time

import pytest

from dashboard.auth import SESSION_KEY, User
from dashboard.common import LANG_KEY
from pipeline.replydesk import ledger
from pipeline.store.db import connect_writer, utcnow
from pipeline.store.inbox import pending_desk_events
from pipeline.store.snapshot import publish_snapshot
from tests.dashboard.world import IDS, app, build, texts
from tests.replydesk.drafts import good

POOR = "Takk for innspillet."


@pytest.fixture
def world(tmp_path):
    return build(tmp_path, utcnow())


def open_desk(data, monkeypatch, lang: str = "nb"):
    at = app(data.root, monkeypatch).run()
    at.switch_page("views/reply_desk.py").run()
    assert not at.exception, at.exception
    return at


def score(at) -> float:
    metric = next(m for m in at.metric if m.label in ("Kvalitet", "Quality"))
    return float(str(metric.value).replace(",", ".").replace("\u00a0", ""))


def writer_takes_in(data) -> None:
    con = connect_writer(data)
    try:
        ledger.ingest(con, data.root)
        publish_snapshot(con, data)
    finally:
        con.close()


def test_draft_score_changes_submit_and_four_eyes(world, monkeypatch):
    data = world
    at = open_desk(data, monkeypatch)
    mention_id = at.selectbox(key="desk_mention").value
    area = at.text_area[0]
    area.set_value(POOR).run()
    low = score(at)
    advice = " ".join(str(m.value) for m in at.markdown)
    assert "For kort" in advice and "Erkjenn problemet" in advice
    at.text_area[0].set_value(good("nb")).run()
    high = score(at)
    assert high > low + 30
    assert "For kort" not in " ".join(str(m.value) for m in at.markdown)

    at.button(key="desk_submit").click().run()
    assert not at.exception
    pending = pending_desk_events(data.root)
    assert [(p["action"], p["actor"], p.get("mention_id")) for p in pending] == [
        ("create", "demo", mention_id), ("submit", "demo", None)]
    draft_id = pending[0]["draft_id"]

    # the author sees the draft in the review queue, but cannot decide on it; the editor starts empty again
    at.run()
    assert at.text_area[0].value == ""
    assert any("Et utkast til denne kritikken: Til godkjenning, av demo" in str(c.value) for c in at.caption)
    assert any("en kollega må godkjenne" in str(i.value) for i in at.info)
    assert not [b for b in at.button if b.key == f"desk_approve_{draft_id}"]

    # a colleague approves
    at.session_state[SESSION_KEY] = User("per", "editor", time.time())
    at.run()
    assert not at.exception
    at.button(key=f"desk_approve_{draft_id}").click().run()
    assert not at.exception
    assert [p["action"] for p in pending_desk_events(data.root)][-1] == "approve"

    writer_takes_in(data)
    con = connect_writer(data)
    try:
        rows = con.execute("SELECT state, author, approved_by, version FROM reply_drafts").fetchall()
        log = con.execute("SELECT action, actor FROM reply_desk_events ORDER BY seq").fetchall()
    finally:
        con.close()
    assert rows == [("approved", "demo", "per", 1)]
    assert log == [("create", "demo"), ("submit", "demo"), ("approve", "per")]


def test_self_approval_is_refused_by_the_page_even_when_forced(world, monkeypatch):
    """The author opens the queue as another session of herself: the rule, not only the hidden button."""
    data = world
    at = open_desk(data, monkeypatch)
    at.text_area[0].set_value(good("nb")).run()
    at.button(key="desk_submit").click().run()
    draft_id = pending_desk_events(data.root)[0]["draft_id"]
    writer_takes_in(data)
    # a colleague asks for changes, the author edits and resubmits; the colleague who edited it cannot approve
    at.session_state[SESSION_KEY] = User("per", "editor", time.time())
    at.run()
    at.text_input(key=f"desk_comment_{draft_id}").set_value("Nevn lederen.")
    at.button(key=f"desk_request_changes_{draft_id}").click().run()
    assert not at.exception
    at.run()
    assert any("Nevn lederen." in str(w.value) for w in at.warning)
    at.text_area[0].set_value(good("nb") + " Lederen din tar kontakt.").run()
    at.button(key="desk_submit").click().run()
    at.run()
    # per wrote version 2 now: four eyes refuses per as well
    assert any("en kollega må godkjenne" in str(i.value) for i in at.info)
    assert not [b for b in at.button if b.key == f"desk_approve_{draft_id}"]
    writer_takes_in(data)
    con = connect_writer(data)
    try:
        assert con.execute("SELECT state, version FROM reply_drafts").fetchall() == [("in_review", 2)]
    finally:
        con.close()


def test_viewer_cannot_write(world, monkeypatch):
    at = open_desk(world, monkeypatch)
    at.session_state[SESSION_KEY] = User("vera", "viewer", time.time())
    at.run()
    assert not at.text_area
    assert at.info


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_page_shows_no_raw_ids_in_either_language(world, monkeypatch, lang):
    at = open_desk(world, monkeypatch)
    at.selectbox(key=LANG_KEY).set_value(lang).run()
    at.text_area[0].set_value(good("nb")).run()
    at.button(key="desk_submit").click().run()
    at.run()
    assert not at.exception
    shown = texts(at)
    assert not [s for s in shown if IDS.search(s)], [s for s in shown if IDS.search(s)]
    title = "Reply desk" if lang == "en" else "Svarpult"
    assert title in shown
