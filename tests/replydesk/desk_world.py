"""A store with reply desk history, for the desk's figures on the Responses page and in the report:
three criticisms, one answered through the desk (drafted, submitted, approved, posted and linked),
one answered outside it, one with a draft only. Written through the real ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb

from pipeline.replydesk import ledger
from pipeline.replydesk.events import new_event
from tests.factories import m

OFFICIAL = {"reddit": {"acme"}}


def mentions(t0: datetime) -> list[dict[str, Any]]:
    """`t0` is the first criticism's time; everything else follows within a day."""
    h = lambda n: t0 + timedelta(hours=n)  # noqa: E731
    return [m("dc1", text="Lønnen kom for sent igjen.", p_negative=0.9, at=h(0), quality=88.0),
            m("dc2", text="Ledelsen svarer aldri på e-post.", p_negative=0.9, at=h(2)),
            m("dc3", text="Turnusen er elendig.", p_negative=0.9, at=h(3), quality=42.0),
            m("dr1", author="acme", official=True, parent="dc1", at=h(7), text="Svar fra svarpulten"),
            m("dr3", author="acme", official=True, parent="dc3", at=h(9), text="Svar skrevet utenfor")]


def desk_history(con: duckdb.DuckDBPyConnection, t0: datetime) -> None:
    """dc1: drafted after 1 h, approved after 3.5 h, posted after 7 h; dc2: drafted after 2.5 h (t0 + 4.5)."""
    ids = dict(con.execute("SELECT external_id, id FROM mentions").fetchall())
    h = lambda n: t0 + timedelta(hours=n)  # noqa: E731
    d1 = new_event("create", actor="kari", mention_id=ids["dc1"], text="Svar fra svarpulten", at=h(1))
    for ev in (d1, new_event("submit", actor="kari", draft_id=d1.draft_id, at=h(1.5)),
               new_event("approve", actor="per", draft_id=d1.draft_id, at=h(3.5)),
               new_event("posted", actor="rykte", draft_id=d1.draft_id, at=h(7), posted_id="dr1", how="api")):
        ledger.apply_event(con, ev)
    ledger.apply_event(con, new_event("create", actor="kari", mention_id=ids["dc2"], text="Utkast", at=h(4.5)))
