"""The desk's own figures on the Responses page under AppTest, equal to `desk_figures()` for the
page's window, in nb and en; without drafts the page says so."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.common import LANG_KEY
from pipeline.charts import fmt_hours, fmt_int, fmt_quality
from pipeline.store import queries
from pipeline.store.db import connect_writer, utcnow
from pipeline.store.queries import desk
from pipeline.store.snapshot import publish_snapshot
from tests.dashboard.world import IDS, app, publish_config_facts, texts
from tests.factories import make_store
from tests.replydesk.desk_world import OFFICIAL, desk_history, mentions

LABELS = {"nb": {"drafts": "Utkast", "to_draft": "Til første utkast", "to_approval": "Til godkjenning",
                 "to_posting": "Til publisering", "desk": "Kvalitet, svar fra svarpulten (1)",
                 "outside": "Kvalitet, svar skrevet utenfor (1)", "title": "Svarpulten"},
          "en": {"drafts": "Drafts", "to_draft": "To first draft", "to_approval": "To approval",
                 "to_posting": "To posting", "desk": "Quality, replies from the desk (1)",
                 "outside": "Quality, replies written outside (1)", "title": "The reply desk"}}


def store(tmp_path, with_desk: bool = True):
    t0 = utcnow().replace(microsecond=0) - timedelta(hours=30)
    data = make_store(tmp_path, mentions(t0), official_accounts=OFFICIAL)
    if with_desk:
        con = connect_writer(data)
        try:
            desk_history(con, t0)
            publish_snapshot(con, data)
        finally:
            con.close()
    publish_config_facts(data)
    return data


def open_responses(data, monkeypatch, lang: str):
    at = app(data.root, monkeypatch).run()
    at.selectbox(key=LANG_KEY).set_value(lang).run()
    at.switch_page("views/responses.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_responses_page_shows_the_desk_figures(tmp_path, monkeypatch, lang):
    data = store(tmp_path)
    snap = data.root / "dashboard.duckdb"
    since, until = queries.read_snapshot(snap, queries.default_window, utcnow().date())
    f = queries.read_snapshot(snap, desk.desk_figures, since, until, None)
    assert f["drafts"] == 2 and f["replies_desk"] == 1 and f["replies_outside"] == 1  # the world is as meant
    at = open_responses(data, monkeypatch, lang)
    shown = {str(x.label): str(x.value) for x in at.metric}
    words = LABELS[lang]
    assert words["title"] in [str(s.value) for s in at.subheader]
    assert shown[words["drafts"]] == fmt_int(f["drafts"], lang) == "2"
    assert shown[words["to_draft"]] == fmt_hours(f["hours_to_draft"], lang=lang)
    assert shown[words["to_approval"]] == fmt_hours(f["hours_to_approval"], lang=lang)
    assert shown[words["to_posting"]] == fmt_hours(f["hours_to_posting"], lang=lang)
    assert shown[words["desk"]] == fmt_quality(f["quality_desk"], lang)
    assert shown[words["outside"]] == fmt_quality(f["quality_outside"], lang)
    assert (f["hours_to_draft"], f["hours_to_approval"], f["hours_to_posting"]) == (1.75, 3.5, 7.0)
    assert (f["quality_desk"], f["quality_outside"]) == (88.0, 42.0)
    states = next(str(c.value) for c in at.caption if "Utkast 1" in str(c.value) or "Draft 1" in str(c.value))
    assert ("Publisert 1" if lang == "nb" else "Posted 1") in states
    assert not [s for s in texts(at) if IDS.search(s)]


def test_responses_page_without_drafts(tmp_path, monkeypatch):
    at = open_responses(store(tmp_path, with_desk=False), monkeypatch, "nb")
    assert any("Ingen utkast i svarpulten" in str(i.value) for i in at.info)
    assert not [x for x in at.metric if str(x.label).startswith("Kvalitet, svar fra svarpulten")]
