"""The inbox's "Draft a reply" link under AppTest: editors get a link to the reply desk with the
selected criticism in `?mention=<id>`; viewers get none."""

from __future__ import annotations

import time

import pytest

from dashboard.auth import SESSION_KEY, User
from pipeline.store.db import utcnow
from tests.dashboard.world import app, build


@pytest.fixture
def world(tmp_path):
    return build(tmp_path, utcnow())


def page_links(at) -> list:
    return list(at.get("page_link"))


def test_editor_gets_a_draft_link_for_the_selected_criticism(world, monkeypatch):
    at = app(world.root, monkeypatch).run()
    at.switch_page("views/inbox.py").run()
    assert not at.exception
    ids = [int(label.split(" · ")[0].lstrip("#")) for label in at.selectbox(key="inbox_thread").options]
    assert len(ids) >= 2
    for chosen in ids[:2]:
        at.selectbox(key="inbox_thread").set_value(chosen).run()
        assert not at.exception
        links = [link.proto for link in page_links(at)]
        assert len(links) == 1, links
        assert (links[0].label, links[0].page, links[0].query_string) == ("Skriv et svar", "reply_desk",
                                                                           f"mention={chosen}")


def test_viewer_gets_no_draft_link(world, monkeypatch):
    at = app(world.root, monkeypatch).run()
    at.switch_page("views/inbox.py").run()
    at.session_state[SESSION_KEY] = User("vera", "viewer", time.time())
    at.run()
    assert not at.exception
    assert at.selectbox(key="inbox_thread")  # the thread is shown, only the link is not
    assert page_links(at) == []


def test_each_arrival_from_the_inbox_chooses_its_criticism(world, monkeypatch):
    """Also after the editor has been on the desk before (the choice of a former visit does not win)."""
    at = app(world.root, monkeypatch).run()
    at.switch_page("views/reply_desk.py").run()
    ids = list(at.selectbox(key="desk_mention").options)
    first = at.selectbox(key="desk_mention").value
    assert len(ids) >= 3
    for label in ids[1:3]:
        chosen = int(label.split(" · ")[0].lstrip("#"))
        at.switch_page("views/inbox.py").run()
        at.query_params["mention"] = str(chosen)
        at.switch_page("views/reply_desk.py").run()
        assert not at.exception
        assert at.selectbox(key="desk_mention").value == chosen != first
        at.run()
        assert at.selectbox(key="desk_mention").value == chosen
