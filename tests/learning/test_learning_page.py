"""The "Teach the model" page under AppTest: the least sure mentions, one click writes one inbox line,
the mention leaves the queue and shows as pending, a few a day."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.store.db import utcnow
from pipeline.store.inbox import corrections_path
from pipeline.store.settings import Settings
from tests.dashboard.world import IDS, app, publish_config_facts, texts
from tests.factories import m, make_store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    now = utcnow()
    data = make_store(tmp_path, [
        m("p1", text="Vi ansetter tjue snekkere i Bergen.", p_negative=0.97, at=now - timedelta(hours=9)),
        m("a", text="Lønna kom i dag, tre dager for sent.", parent="p1", p_negative=0.34,
          at=now - timedelta(hours=2)),
        m("b", text="Ny sjef fra mars.", p_negative=0.4, at=now - timedelta(hours=3)),
        m("c", text="Greit nok sted å jobbe.", p_negative=0.45, at=now - timedelta(hours=4)),
        m("d", text="Elendig ledelse.", p_negative=0.95, at=now - timedelta(hours=5)),
    ])
    publish_config_facts(data, Settings(language="en", uncertain_per_day=3))
    return data.root


def _open(data_dir: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en") -> object:
    at = app(data_dir, monkeypatch)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("views/learning.py").run()
    assert not at.exception
    return at


def test_queue_shows_least_sure_with_context_and_a_click_writes_one_correction(data_dir: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(data_dir, monkeypatch)
    shown = texts(at)
    assert not [s for s in shown if IDS.search(s)]
    body = " ".join(str(e.value) for e in at.markdown)
    assert "Lønna kom i dag" in body and "Ny sjef" in body and "Greit nok" in body
    assert "Elendig ledelse" not in body  # four candidates, three a day: the surest stays out
    assert any("In reply to: Vi ansetter tjue snekkere" in str(c.value) for c in at.caption)
    assert any("34" in s and "sure" in s for s in shown)  # the model's guess and confidence
    at.button(key=f"learn_{_id(data_dir, 'a')}_neutral").click().run()
    assert not at.exception
    lines = corrections_path(data_dir).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert (rec["mention_id"], rec["label"], rec["text"]) == (_id(data_dir, "a"), "neutral",
                                                              "Lønna kom i dag, tre dager for sent.")
    keys = [b.key for b in at.button]
    assert f"learn_{_id(data_dir, 'a')}_neutral" not in keys and f"learn_{_id(data_dir, 'b')}_neutral" in keys
    assert any("waiting for the service" in str(e.value) for e in at.markdown)
    assert any("Today: 1 of 3" in str(c.value) for c in at.caption)
    assert f"learn_{_id(data_dir, 'd')}_neutral" not in keys  # still three a day, one of them done


def test_norwegian_page_and_the_shipped_model_note(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(data_dir, monkeypatch, "nb")
    shown = " ".join(texts(at))
    assert "Lær modellen" in shown and "I dag: 0 av 3 rettet." in shown
    assert "Modellen som fulgte med (builtin) er i bruk" in shown
    assert "Negativ" in shown and "Nøytral" in shown and "Positiv" in shown


def _id(data_dir: Path, external_id: str) -> int:
    import duckdb

    con = duckdb.connect(str(data_dir / "dashboard.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT id FROM mentions WHERE external_id = ?", [external_id]).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])
