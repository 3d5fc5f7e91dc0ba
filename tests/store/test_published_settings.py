"""Settings published with the snapshot by the writer, and the inbox's SLA rule that reads them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.config.loader import parse_config
from pipeline.config_facts import publish_config
from pipeline.cycle import process_batch
from pipeline.store import queries
from pipeline.store.db import DataDir, connect_writer, utcnow
from pipeline.store.settings import Settings, read_settings, read_source_facts, write_settings
from pipeline.store.sla import sla_breached
from tests.factories import make_store, sample_world

CONFIG = """\
company: {name: Acme AS}
responses: {sla_hours: 48, timezone: Europe/Stockholm}
reports: {language: en}
sources:
  - {name: reddit-norge, type: reddit, schedule: 2h}
  - {name: tp, type: trustpilot, schedule: "0 6 * * *", stale_after: 2d, enabled: false,
     options: {domain: acme.no}}
"""


def test_process_batch_publishes_the_configured_settings_into_the_snapshot(tmp_path: Path) -> None:
    cfg = parse_config(CONFIG)
    data = DataDir(tmp_path / "data")
    con = connect_writer(data)
    try:
        process_batch(con, cfg, data, analyze=False, alerts=False)
    finally:
        con.close()
    settings = queries.read_snapshot(data.snapshot, queries.read_settings)
    assert (settings.sla_hours, settings.timezone, settings.company, settings.language) == \
        (48.0, "Europe/Stockholm", "Acme AS", "en")
    assert settings.business_hours["workdays"] == ["mon", "tue", "wed", "thu", "fri"]
    facts = {f.name: f for f in queries.read_snapshot(data.snapshot, read_source_facts)}
    assert facts["reddit-norge"].interval_seconds == 7200 and facts["reddit-norge"].stale_seconds == 3 * 7200
    assert facts["tp"].interval_seconds is None and facts["tp"].stale_seconds == 2 * 86400
    assert not facts["tp"].enabled and facts["tp"].platform == "trustpilot"

    # a later config without tp replaces the table: a removed source disappears
    con = connect_writer(data)
    try:
        publish_config(con, parse_config(CONFIG.split("  - {name: tp")[0]))
        assert [f.name for f in read_source_facts(con)] == ["reddit-norge"]
    finally:
        con.close()


def test_unpublished_settings_are_the_config_defaults(tmp_path: Path) -> None:
    con = connect_writer(DataDir(tmp_path / "data"))
    try:
        assert read_settings(con) == Settings()
    finally:
        con.close()


@pytest.fixture
def world(tmp_path: Path):
    now = utcnow()
    return make_store(tmp_path, sample_world(now), official_accounts={"trustpilot": {"acme as"}}), now


def _inbox(data: DataDir, now, **kw):
    since = (now - timedelta(days=7)).date()
    return queries.read_snapshot(data.snapshot, queries.criticism_inbox, since, now=now, **kw).set_index("id")


def test_inbox_breach_follows_the_configured_sla_and_the_stored_flag(world) -> None:
    data, now = world
    default = _inbox(data, now)
    con = connect_writer(data)
    try:
        write_settings(con, Settings(sla_hours=48.0))
        from pipeline.store.snapshot import publish_snapshot

        publish_snapshot(con, data)
        stored = dict(con.execute("SELECT mention_id, sla_breached FROM responses "
                                  "WHERE response_id IS NOT NULL").fetchall())
    finally:
        con.close()
    configured = _inbox(data, now)
    open_rows = configured[configured["status"] == "open"]
    # open criticism: the rule against the configured 48 h (c3 has waited 40 h: a breach only at 24 h)
    assert list(default.loc[open_rows.index, "sla_breached"]) == [True, False]
    assert list(open_rows["sla_breached"]) == [sla_breached(a, 48.0) for a in open_rows["age_hours"]] \
        == [False, False]
    # answered criticism: exactly the flag the writer stored
    answered = configured[configured["status"] == "answered"]
    assert {i: bool(b) for i, b in answered["sla_breached"].items()} == {i: stored[i] for i in answered.index}
    assert answered["sla_breached"].any()
    # an explicit SLA (the weekly report passes its config's) still wins
    assert _inbox(data, now, sla_hours=1.0).loc[open_rows.index, "sla_breached"].all()
    # open past the configured SLA: the 60-day-old one now, c3 too once it has waited 49 h
    assert len(queries.read_snapshot(data.snapshot, queries.open_past_sla, now=now)) == 1
    assert len(queries.read_snapshot(data.snapshot, queries.open_past_sla, now=now + timedelta(hours=9))) == 2
