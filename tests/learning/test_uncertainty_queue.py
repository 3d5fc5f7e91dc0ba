"""The uncertainty queue's query on a tiny real DuckDB store."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from pipeline.store.db import utcnow
from pipeline.store.queries.learning import corrections_since, uncertain_mentions
from tests.factories import m, make_store


def _store(tmp_path: Path) -> Path:
    now = utcnow()
    data = make_store(tmp_path, [
        m("sure", p_negative=0.9, at=now - timedelta(hours=1)),
        m("unsure_old", p_negative=0.34, at=now - timedelta(days=2)),
        m("unsure_new", p_negative=0.34, at=now - timedelta(hours=2)),
        m("middle", p_negative=0.5, at=now - timedelta(hours=3)),
        m("corrected", p_negative=0.34, at=now - timedelta(hours=1)),
        m("reply", p_negative=0.4, parent="sure", at=now - timedelta(minutes=30)),
        m("own", p_negative=0.34, official=True),
        m("unscored"),
    ], publish=False)
    con = duckdb.connect(str(data.live))
    con.execute("INSERT INTO label_corrections SELECT id, text, 'neutral', 'hr', ? FROM mentions "
                "WHERE external_id = 'corrected'", [now - timedelta(minutes=5)])
    con.close()
    return data.live


def test_least_sure_first_newest_first_among_equals_without_corrected_official_unscored_or_sure(
        tmp_path: Path) -> None:
    con = duckdb.connect(str(_store(tmp_path)), read_only=True)
    queue = uncertain_mentions(con, 10)
    # "sure" (90 % / 5 % / 5 %: margin 0.85) is past MAX_MARGIN: not worth a click
    assert queue["text"].str.extract(r"Innlegg (\S+)")[0].tolist() == ["unsure_new", "unsure_old", "reply",
                                                                         "middle"]
    assert queue["margin"].iloc[0] < queue["margin"].iloc[2] < queue["margin"].iloc[3]
    assert abs(queue["confidence"].iloc[0] - 0.34) < 1e-9
    reply = queue[queue["text"].str.contains("reply")].iloc[0]
    assert reply["parent_text"] == "Innlegg sure om arbeidsplassen"


def test_limit_and_exclusions(tmp_path: Path) -> None:
    con = duckdb.connect(str(_store(tmp_path)), read_only=True)
    first = uncertain_mentions(con, 2)
    assert len(first) == 2 and len(uncertain_mentions(con, 0)) == 0
    rest = uncertain_mentions(con, 2, exclude=[int(first["id"].iloc[0])])
    assert int(rest["id"].iloc[0]) == int(first["id"].iloc[1])


def test_corrections_since_counts_today_only(tmp_path: Path) -> None:
    con = duckdb.connect(str(_store(tmp_path)), read_only=True)
    assert corrections_since(con, utcnow() - timedelta(hours=1)) == 1
    assert corrections_since(con, datetime(2999, 1, 1)) == 0
