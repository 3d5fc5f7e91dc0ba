"""The store: migrations, idempotent upsert, thread roots, official accounts, snapshot, forget."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.importer import validate_row
from pipeline.privacy.rows import forget_author
from pipeline.store.db import DataDir, StoreLockedError, connect_writer, migrate
from pipeline.store.mentions import (
    resolve_official,
    resolve_threads,
    sync_official_accounts,
    upsert_mentions,
)
from pipeline.store.migrations import MIGRATIONS
from pipeline.store.snapshot import open_for_reading, open_snapshot, publish_snapshot


def row(ext: str, parent: str | None = None, author: str = "ola", text: str = "tekst", **kw: object) -> dict:
    return validate_row({"source": kw.pop("source", "reddit"), "external_id": ext, "parent_id": parent,
                         "author": author, "published_at": kw.pop("at", "2026-03-01T10:00:00Z"), "text": text,
                         **kw})


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect_writer(DataDir(tmp_path))


def test_migrations_are_recorded_and_run_once(con: duckdb.DuckDBPyConnection) -> None:
    names = [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    assert names[:2] == ["0001_mentions", "0002_operations"]
    assert names == sorted(name for name, _ in MIGRATIONS)  # later ones are appended by their features
    assert migrate(con) == []


def test_upsert_is_idempotent_and_detects_changes(con: duckdb.DuckDBPyConnection) -> None:
    rows = [row("a"), row("b", "a"), row("a", text="siste vinner")]  # duplicate key in one batch
    first = upsert_mentions(con, rows)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert con.execute("SELECT text FROM mentions WHERE external_id = 'a'").fetchone() == ("siste vinner",)
    stamp = con.execute("SELECT updated_at FROM mentions WHERE external_id = 'a'").fetchone()
    again = upsert_mentions(con, [row("a", text="siste vinner"), row("b", "a")])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert con.execute("SELECT updated_at FROM mentions WHERE external_id = 'a'").fetchone() == stamp
    changed = upsert_mentions(con, [row("b", "a", rating=2)])
    assert changed.updated == 1
    assert con.execute("SELECT count(*) FROM mentions").fetchone() == (2,)
    # the same id on another source is another mention
    upsert_mentions(con, [row("a", source="mastodon")])
    assert con.execute("SELECT count(*) FROM mentions").fetchone() == (3,)


def test_thread_roots_follow_parent_chains_and_late_parents(con: duckdb.DuckDBPyConnection) -> None:
    upsert_mentions(con, [row("c", "b"), row("d", "c"), row("x", thread_id="given")])
    resolve_threads(con)
    threads = dict(con.execute("SELECT external_id, thread_id FROM mentions").fetchall())
    assert threads == {"c": "b", "d": "b", "x": "given"}  # b is not known yet: it is the root so far
    upsert_mentions(con, [row("b", "a"), row("a")])
    resolve_threads(con)
    threads = dict(con.execute("SELECT external_id, thread_id FROM mentions").fetchall())
    assert threads == {"a": "a", "b": "a", "c": "a", "d": "a", "x": "given"}
    # re-importing c without a thread keeps the derived one (nothing changes)
    assert upsert_mentions(con, [row("c", "b")]).unchanged == 1


def test_official_by_flag_or_configured_account(con: duckdb.DuckDBPyConnection) -> None:
    upsert_mentions(con, [row("a", author="@NordlysLogistikk"), row("b", author="kari", is_official=True),
                          row("c", author="nordlyslogistikk", source="mastodon"), row("d", author="per")])
    sync_official_accounts(con, {"reddit": {"nordlyslogistikk"}})
    resolve_official(con)
    official = dict(con.execute("SELECT source || ':' || external_id, official FROM mentions").fetchall())
    assert official == {"reddit:a": True, "reddit:b": True, "mastodon:c": False, "reddit:d": False}


def test_snapshot_is_a_full_copy_and_replaced_atomically(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    con = connect_writer(data)
    upsert_mentions(con, [row("a")])
    publish_snapshot(con, data)
    with open_snapshot(data.snapshot) as snap:
        assert snap.execute("SELECT count(*) FROM mentions").fetchone() == (1,)
        upsert_mentions(con, [row("b")])
        publish_snapshot(con, data)  # replaced while a reader holds the old file
        assert snap.execute("SELECT count(*) FROM mentions").fetchone() == (1,)
    with open_snapshot(data.snapshot) as snap:
        assert snap.execute("SELECT count(*) FROM mentions").fetchone() == (2,)
        assert snap.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(MIGRATIONS),)
    assert not (tmp_path / "dashboard.duckdb.tmp").exists()
    con.close()
    with open_for_reading(data) as reader:  # no writer: the live file
        assert reader.execute("SELECT count(*) FROM mentions").fetchone() == (2,)


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    data = DataDir(tmp_path)
    con = connect_writer(data)
    code = ("from pathlib import Path; from pipeline.store.db import DataDir, connect_writer; "
            f"connect_writer(DataDir(Path({str(tmp_path)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode != 0 and StoreLockedError.__name__ in out.stderr and "in use" in out.stderr
    con.close()


def test_forget_erases_mentions_and_derived_rows(con: duckdb.DuckDBPyConnection) -> None:
    upsert_mentions(con, [row("a", author="Ola"), row("b", "a", author="kari"), row("c", author="ola",
                                                                                    source="mastodon")])
    con.execute("INSERT INTO alert_outbox (subject, mention_id, channel, created_at, next_attempt_at) "
                "SELECT CAST(id AS VARCHAR), id, 'mail', now(), now() FROM mentions WHERE external_id = 'a'")
    assert forget_author(con, "ola", source="reddit") == 1
    assert con.execute("SELECT count(*) FROM alert_outbox").fetchone() == (0,)
    assert sorted(r[0] for r in con.execute("SELECT external_id FROM mentions").fetchall()) == ["b", "c"]
    assert forget_author(con, "OLA") == 1
    assert forget_author(con, "nobody") == 0
