"""Retention on a real store: old non-official authors become keyed pseudonyms (one per person and
source), texts are emptied when configured, the company's own mentions and recent ones are kept, and
`compute_metrics` gives the same numbers over every window before and after."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipeline.privacy.keys import load_key, pseudonym
from pipeline.privacy.retention import apply_retention
from pipeline.store.db import connect_writer, utcnow
from pipeline.store.metrics import compute_metrics
from tests.conftest import run_rykte
from tests.factories import m, make_store, sample_world


def old_world(now) -> list[dict]:
    d = timedelta(days=1)
    return [
        *sample_world(now),
        m("o1", author="Eirik Vold", text="Elendig ledelse her.", at=now - 400 * d, p_negative=0.9,
          url="https://reddit.example/u/eirik vold/o1"),
        m("o1r", parent="o1", author="acme_no", official=True, at=now - 400 * d + timedelta(hours=30),
          text="Beklager, vi tar det opp.", p_negative=0.1),
        m("o2", author="Eirik Vold", text="Fortsatt like ille.", at=now - 390 * d, p_negative=0.7),
        m("o3", source="trustpilot", author="Eirik Vold", text="Dårlig lønn.", at=now - 380 * d, rating=1),
        m("o4", author="Hanne", text="Bra kantine.", at=now - 370 * d, p_negative=0.05),
    ]


def windows(con: duckdb.DuckDBPyConnection, today: date) -> list[dict]:
    return [compute_metrics(con, since, until) for since, until in
            [(None, None), (today - timedelta(days=500), today), (today - timedelta(days=401), today - timedelta(days=360))]] + [
        compute_metrics(con, None, None, "trustpilot")]


def test_retention_keeps_every_figure_and_forgets_the_names(tmp_path: Path) -> None:
    now = utcnow()
    data = make_store(tmp_path, old_world(now), official_accounts={"reddit": {"acme_no"}, "trustpilot": {"acme as"}})
    key = load_key(data.root)
    con = connect_writer(data)
    try:
        before = windows(con, now.date() + timedelta(days=1))
        assert before[2]["mentions"] == 4 and before[2]["criticisms_responded"] == 1
        recent = con.execute("SELECT external_id, author, text FROM mentions WHERE published_at > ? ORDER BY 1",
                             [now - timedelta(days=365)]).fetchall()
        r = apply_retention(con, key, 365, drop_text_after_days=365, now=now)
        assert (r.pseudonymised, r.texts_dropped) == (4, 4)
        after = windows(con, now.date() + timedelta(days=1))
        assert after == before
        rows = dict(con.execute("SELECT external_id, author FROM mentions WHERE external_id LIKE 'o%'").fetchall())
        assert rows["o1r"] == "acme_no"  # the company's own reply keeps its author and text
        assert rows["o1"] == rows["o2"] == pseudonym(key, "reddit", "eirik vold") != rows["o3"]
        assert rows["o3"] == pseudonym(key, "trustpilot", "Eirik Vold") and rows["o4"].startswith("anon-")
        assert con.execute("SELECT count(*) FROM mentions WHERE author ILIKE '%eirik%' OR text ILIKE '%ledelse her%' "
                           "OR url ILIKE '%eirik%'").fetchall() == [(0,)]
        assert con.execute("SELECT text FROM mentions WHERE external_id = 'o1r'").fetchall() == [
            ("Beklager, vi tar det opp.",)]
        assert con.execute("SELECT external_id, author, text FROM mentions WHERE published_at > ? ORDER BY 1",
                           [now - timedelta(days=365)]).fetchall() == recent
        again = apply_retention(con, key, 365, drop_text_after_days=365, now=now)
        assert (again.pseudonymised, again.texts_dropped) == (0, 0)
    finally:
        con.close()


def test_forget_retention_runs_on_demand_with_the_configured_days(tmp_path: Path) -> None:
    now = utcnow()
    data = make_store(tmp_path, old_world(now), official_accounts={"reddit": {"acme_no"}})
    config = tmp_path / "rykte.yaml"
    config.write_text("company: {name: Acme AS}\nprivacy: {retention_days: 385}\n", encoding="utf-8")
    out = run_rykte("--config", str(config), "--data-dir", str(data.root), "forget", "--retention")
    assert out.returncode == 0 and "retention: 2 mention(s) pseudonymised, 0 text(s) emptied" in out.stdout, out.stderr
    with duckdb.connect(str(data.snapshot), read_only=True) as con:  # the snapshot was republished
        kept = con.execute("SELECT external_id FROM mentions WHERE author = 'Eirik Vold' ORDER BY 1").fetchall()
    assert kept == [("o3",)]


def test_the_service_job_applies_retention_and_republishes(tmp_path: Path) -> None:
    from pipeline.config.model import PrivacyConfig, RykteConfig
    from pipeline.scheduler import build_scheduler
    from pipeline.service import Service

    now = utcnow()
    data = make_store(tmp_path, old_world(now), official_accounts={"reddit": {"acme_no"}})
    cfg = RykteConfig.minimal().model_copy(update={"privacy": PrivacyConfig(retention_days=375)})
    service = Service(cfg, data)
    try:
        assert "retention" in {job.id for job in build_scheduler(service, now).get_jobs()}
        service.safe_retention()
    finally:
        service.close()
    with duckdb.connect(str(data.snapshot), read_only=True) as con:
        authors = dict(con.execute("SELECT external_id, author FROM mentions WHERE external_id LIKE 'o%'").fetchall())
    assert authors["o1"].startswith("anon-") and authors["o3"].startswith("anon-") and authors["o4"] == "Hanne"
