"""Four eyes on a real store: drafts, versions and decisions go through the writer's inbox file, and
the writer refuses what the rules forbid even when the line was written by hand."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from pipeline.replydesk import ledger
from pipeline.replydesk.events import new_event, to_record
from pipeline.replydesk.workflow import DeskRefused, apply, fold
from pipeline.store.db import connect_writer
from pipeline.store.inbox import append_desk_event, desk_path, pending_desk_events
from tests.factories import m, make_store

T0 = datetime(2026, 11, 30, 9, 0)


def ev(action: str, actor: str, draft: str = "d1", minutes: int = 0, **kw: object):
    return new_event(action, actor=actor, draft_id=draft, at=T0 + timedelta(minutes=minutes), **kw)


def test_flow_keeps_every_version_and_decision() -> None:
    events = [ev("create", "kari", mention_id=1, text="Takk for at du sier ifra."),
              ev("submit", "kari", minutes=1),
              ev("request_changes", "per", minutes=2, comment="Nevn lønnen."),
              ev("edit", "kari", minutes=3, text="Takk for at du sier ifra om lønnen."),
              ev("submit", "kari", minutes=4),
              ev("approve", "per", minutes=5)]
    drafts, refused = fold(events)
    d = drafts["d1"]
    assert refused == []
    assert d.state == "approved" and d.approved_by == "per" and d.approved_at == T0 + timedelta(minutes=5)
    assert [v.number for v in d.versions] == [1, 2] and d.versions[0].text == "Takk for at du sier ifra."
    assert [e.action for e in d.history] == ["create", "submit", "request_changes", "edit", "submit", "approve"]
    assert d.last_comment == "Nevn lønnen."


@pytest.mark.parametrize("actor", ["kari", "KARI ", "ola"])
def test_no_author_may_decide(actor: str) -> None:
    d, _ = fold([ev("create", "kari", mention_id=1, text="Hei"), ev("edit", "ola", minutes=1, text="Hei igjen"),
                 ev("submit", "ola", minutes=2)])
    for action in ("approve", "reject", "request_changes"):
        with pytest.raises(DeskRefused) as exc:
            apply(d["d1"], ev(action, actor, minutes=3, comment="x"))
        assert exc.value.code == "self_approval"


def test_nothing_posted_without_approval_and_comment_needed() -> None:
    d, _ = fold([ev("create", "kari", mention_id=1, text="Hei")])
    with pytest.raises(DeskRefused) as exc:
        apply(d["d1"], ev("posted", "rykte", how="manual"))
    assert exc.value.code == "wrong_state"
    d, _ = fold([ev("create", "kari", mention_id=1, text="Hei"), ev("submit", "kari")])
    with pytest.raises(DeskRefused) as exc:
        apply(d["d1"], ev("posted", "rykte", how="api"))
    assert exc.value.code == "wrong_state"
    with pytest.raises(DeskRefused) as exc:
        apply(d["d1"], ev("request_changes", "per", comment="  "))
    assert exc.value.code == "comment_needed"


def test_writer_applies_inbox_and_refuses_forged_self_approval(tmp_path) -> None:
    data = make_store(tmp_path, [m("c1", text="Lønnen kom for sent igjen.", p_negative=0.9)])
    con = connect_writer(data)
    try:
        mid = con.execute("SELECT id FROM mentions WHERE external_id = 'c1'").fetchall()[0][0]
        create = ev("create", "kari", mention_id=mid, text="Takk for at du sier ifra.")
        for e in (create, ev("submit", "kari", minutes=1)):
            append_desk_event(data.root, to_record(e))
        # a hand-written line: the author approves her own draft
        forged = to_record(ev("approve", "kari", minutes=2))
        with desk_path(data.root).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(forged) + "\n" + "not json\n")
        assert len(pending_desk_events(data.root)) == 3
        assert ledger.ingest(con, data.root) == 3
        state = con.execute("SELECT state, version, text, approved_by FROM reply_drafts").fetchall()
        assert state == [("in_review", 1, "Takk for at du sier ifra.", None)]
        rejected = (desk_path(data.root).parent / "reply_desk.rejected.jsonl").read_text(encoding="utf-8")
        assert "self_approval" in rejected and "not json" in rejected
        assert not desk_path(data.root).exists() and pending_desk_events(data.root) == []
        # the right reviewer, and the same line again (a re-read file) is applied once
        good = to_record(ev("approve", "per", minutes=3))
        append_desk_event(data.root, good)
        append_desk_event(data.root, good)
        ledger.ingest(con, data.root)
        assert con.execute("SELECT state, approved_by FROM reply_drafts").fetchall() == [("approved", "per")]
        log = con.execute("SELECT action, actor, version FROM reply_desk_events ORDER BY seq").fetchall()
        assert log == [("create", "kari", 1), ("submit", "kari", None), ("approve", "per", None)]
    finally:
        con.close()


def test_writer_refuses_a_draft_for_an_unknown_mention(tmp_path) -> None:
    data = make_store(tmp_path, [m("c1")])
    con = connect_writer(data)
    try:
        append_desk_event(data.root, to_record(ev("create", "kari", mention_id=999, text="Hei")))
        ledger.ingest(con, data.root)
        assert con.execute("SELECT count(*) FROM reply_drafts").fetchall() == [(0,)]
    finally:
        con.close()


def test_forgetting_the_critic_erases_the_drafts_and_their_log(tmp_path) -> None:
    from pipeline.privacy.rows import forget_author

    data = make_store(tmp_path, [m("c1", author="ola", text="Lønnen kom for sent."), m("c2", author="kari")])
    con = connect_writer(data)
    try:
        ids = dict(con.execute("SELECT external_id, id FROM mentions").fetchall())
        for mid in ids.values():
            d = ev("create", "per", draft=f"d{mid}", mention_id=mid, text="Takk for at du sier ifra, Ola.")
            for e in (d, ev("submit", "per", draft=f"d{mid}", minutes=1), ev("approve", "lise", draft=f"d{mid}", minutes=2)):
                ledger.apply_event(con, e)
        forget_author(con, "ola")
        assert con.execute("SELECT mention_id FROM reply_drafts").fetchall() == [(ids["c2"],)]
        assert {r[0] for r in con.execute("SELECT draft_id FROM reply_desk_events").fetchall()} == {f"d{ids['c2']}"}
    finally:
        con.close()
