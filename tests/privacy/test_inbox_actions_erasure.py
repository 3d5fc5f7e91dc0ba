"""Erasure covers what HR did in the dashboard's inbox: `forget_person` removes the handling actions
about a forgotten person's mentions (in `inbox_actions` and still queued in `inbox/actions.jsonl`,
also a batch the writer had claimed), and replaces their name in notes about other people's mentions,
which stay (with the colleague they were assigned to); retention gives notes on old mentions the
author's pseudonym and later empties them. Real store, real files, the real writer path."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb

from pipeline.privacy.erasure import forget_person
from pipeline.store.db import connect_writer, utcnow
from pipeline.store.inbox import actions_path, append_action, ingest_actions
from pipeline.store.queries import action_state, inbox_actions
from tests.factories import m, make_store
from tests.privacy.helpers import files_naming

NAME = "Ingrid Sølvberg"


def test_forget_removes_her_inbox_actions_and_scrubs_notes_quoting_her(tmp_path: Path) -> None:
    now = utcnow()
    data = make_store(tmp_path, [
        m("ing1", author=NAME, text="Ledelsen ignorerer oss.", at=now - timedelta(days=2), p_negative=0.95),
        m("other", author="per", text="Turnusen er umulig.", at=now - timedelta(days=1), p_negative=0.9),
    ])
    con = connect_writer(data)
    try:
        ids = dict(con.execute("SELECT external_id, id FROM mentions").fetchall())
    finally:
        con.close()
    her, other = int(ids["ing1"]), int(ids["other"])
    # taken in by the writer: a note and an assignment on her criticism, a note on Per's quoting her
    append_action(data.root, her, "note", f"Ringte {NAME}, hun vil ha svar skriftlig", actor="hr-kari")
    append_action(data.root, her, "assigned", "Ola Hansen", actor="hr-kari")
    append_action(data.root, other, "note", f"Samme sak som {NAME.upper()} tok opp", actor="hr-kari")
    append_action(data.root, other, "assigned", "Ola Hansen", actor="hr-kari")
    con = connect_writer(data)
    try:
        assert ingest_actions(con, data.root) == 4
    finally:
        con.close()
    # still queued: handled on hers, a note on Per's naming her; and a batch claimed before a crash
    append_action(data.root, her, "handled", "Svart på telefon", actor="hr-kari")
    append_action(data.root, other, "note", f"Se også {NAME.lower()}", actor="hr-kari")
    claimed = actions_path(data.root).with_name("actions.20261204T100000000000.processing.jsonl")
    claimed.write_text(json.dumps({"mention_id": her, "action": "note", "value": "Ringer i morgen",
                                   "actor": "hr-kari", "acted_at": now.isoformat()}) + "\n", encoding="utf-8")
    assert "actions.jsonl" in " ".join(files_naming(data.root, NAME))  # the setup really names her

    result = forget_person(data, NAME)

    assert result.mentions == 1
    assert files_naming(data.root, NAME) == []  # store bytes, snapshot and every inbox file
    for db in (data.root / "rykte.duckdb", data.snapshot):
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute("SELECT mention_id, action, value, actor FROM inbox_actions "
                               "ORDER BY acted_at").fetchall()
            assert rows == [(other, "note", "Samme sak som [erased] tok opp", "hr-kari"),
                            (other, "assigned", "Ola Hansen", "hr-kari")]
            state = action_state(inbox_actions(con))
            assert set(state["mention_id"]) == {other}
    queued = [json.loads(line) for line in actions_path(data.root).read_text(encoding="utf-8").splitlines()]
    assert [(q["mention_id"], q["action"], q["value"]) for q in queued] == [(other, "note", "Se også [erased]")]
    assert claimed.read_text(encoding="utf-8") == ""  # its one line was about her mention
    # the writer takes in what is left, and nothing of hers comes back
    con = connect_writer(data)
    try:
        assert ingest_actions(con, data.root) == 1
        assert con.execute("SELECT count(*) FROM inbox_actions WHERE mention_id = ?", [her]).fetchone() == (0,)
    finally:
        con.close()


def test_retention_pseudonymises_the_critic_in_inbox_actions_and_empties_old_notes(tmp_path: Path) -> None:
    """After `retention_days` a note on an old criticism no longer names its author (the pseudonym
    instead, as on the mention); after `drop_text_after_days` the note is emptied like the text.
    Actions on recent mentions, and the assignee, are kept as they are."""
    from pipeline.privacy.keys import load_key, pseudonym
    from pipeline.privacy.retention import apply_retention

    now = utcnow()
    data = make_store(tmp_path, [
        m("old", author=NAME, text="Ledelsen ignorerer oss.", at=now - timedelta(days=400), p_negative=0.95),
        m("mid", author=NAME, text="Fortsatt ingen svar.", at=now - timedelta(days=200), p_negative=0.9),
        m("new", author="per", text="Turnusen er umulig.", at=now - timedelta(days=1), p_negative=0.9),
    ])
    key = load_key(data.root)
    con = connect_writer(data)
    try:
        ids = dict(con.execute("SELECT external_id, id FROM mentions").fetchall())
        old, mid, new = int(ids["old"]), int(ids["mid"]), int(ids["new"])
        for mention in (old, mid):
            append_action(data.root, mention, "note", f"Ringte {NAME}", actor="hr-kari")
            append_action(data.root, mention, "assigned", "Ola Hansen", actor="hr-kari")
        append_action(data.root, new, "note", f"Per nevner {NAME}", actor="hr-kari")
        assert ingest_actions(con, data.root) == 5
        apply_retention(con, key, 180, drop_text_after_days=365, now=now)
        rows = con.execute("SELECT mention_id, action, value FROM inbox_actions").fetchall()
    finally:
        con.close()
    alias = pseudonym(key, "reddit", NAME)
    assert sorted(rows) == sorted([(old, "note", ""), (old, "assigned", "Ola Hansen"),
                                   (mid, "note", f"Ringte {alias}"), (mid, "assigned", "Ola Hansen"),
                                   (new, "note", f"Per nevner {NAME}")])  # Per's mention is not old
