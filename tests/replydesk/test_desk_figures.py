"""The desk's own figures on a real store: drafts per state, the time from criticism to draft,
approval and posting, and the quality of desk replies against replies written outside the desk."""

from __future__ import annotations

from datetime import timedelta

from pipeline.replydesk import ledger
from pipeline.replydesk.events import new_event
from pipeline.store.db import connect_writer, utcnow
from pipeline.store.queries import desk
from pipeline.store.queries.snapshot_access import read_snapshot
from pipeline.store.snapshot import publish_snapshot
from tests.factories import m, make_store


def test_desk_figures(tmp_path):
    now = utcnow().replace(microsecond=0)
    c1_at, c2_at = now - timedelta(hours=10), now - timedelta(hours=8)
    rows = [m("c1", text="Lønnen kom for sent.", p_negative=0.9, at=c1_at, quality=90.0),
            m("c2", text="Ledelsen svarer aldri.", p_negative=0.9, at=c2_at),
            m("c3", text="Turnusen er elendig.", p_negative=0.9, at=now - timedelta(hours=7), quality=40.0),
            m("r1", author="acme", official=True, parent="c1", at=now - timedelta(hours=4), text="Desk reply"),
            m("r3", author="acme", official=True, parent="c3", at=now - timedelta(hours=2), text="Outside")]
    data = make_store(tmp_path, rows, official_accounts={"reddit": {"acme"}})
    con = connect_writer(data)
    try:
        ids = dict(con.execute("SELECT external_id, id FROM mentions").fetchall())
        at = lambda h: now - timedelta(hours=h)  # noqa: E731
        d1 = new_event("create", actor="kari", mention_id=ids["c1"], text="Desk reply", at=at(9))
        for ev in (d1, new_event("submit", actor="kari", draft_id=d1.draft_id, at=at(8.5)),
                   new_event("approve", actor="per", draft_id=d1.draft_id, at=at(7)),
                   new_event("posted", actor="rykte", draft_id=d1.draft_id, at=at(4), posted_id="r1", how="api")):
            ledger.apply_event(con, ev)
        d2 = new_event("create", actor="kari", mention_id=ids["c2"], text="Utkast", at=at(6))
        ledger.apply_event(con, d2)
        publish_snapshot(con, data)
    finally:
        con.close()
    f = read_snapshot(data.root / "dashboard.duckdb", desk.desk_figures, now - timedelta(days=1), now + timedelta(hours=1))
    assert f["drafts"] == 2 and f["by_state"] == {"posted": 1, "draft": 1}
    assert f["hours_to_draft"] == 1.5  # median of 1 h (c1) and 2 h (c2)
    assert f["hours_to_approval"] == 3.0 and f["hours_to_posting"] == 6.0
    assert (f["quality_desk"], f["replies_desk"]) == (90.0, 1)
    assert (f["quality_outside"], f["replies_outside"]) == (40.0, 1)
    events = read_snapshot(data.root / "dashboard.duckdb", desk.desk_events)
    assert [e["action"] for e in events] == ["create", "submit", "approve", "posted", "create"]
