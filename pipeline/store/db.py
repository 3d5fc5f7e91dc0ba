"""Opening the store: the one writer connection, migrations, and the data directory layout.

DuckDB locks its file for the writer; even a read-only open from another process fails while it is
held. So only the service (or one CLI command at a time) opens `rykte.duckdb` for writing, and
readers use the snapshot published by `pipeline.store.snapshot`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.errors import RykteError
from pipeline.store.migrations import MIGRATIONS

LIVE_DB = "rykte.duckdb"
SNAPSHOT_DB = "dashboard.duckdb"


def utcnow() -> datetime:
    """Naive UTC now: every timestamp in the store is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class DataDir:
    root: Path

    @property
    def live(self) -> Path:
        return self.root / LIVE_DB

    @property
    def snapshot(self) -> Path:
        return self.root / SNAPSHOT_DB

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def models(self) -> Path:
        return self.root / "models"

    def ensure(self) -> DataDir:
        for p in (self.root, self.staging, self.reports, self.models):
            p.mkdir(parents=True, exist_ok=True)
        return self


class StoreLockedError(RykteError):
    """Another process (normally the running service) holds the writer lock."""


def connect_writer(data_dir: DataDir) -> duckdb.DuckDBPyConnection:
    """Open the live database for writing and bring its schema up to date."""
    data_dir.ensure()
    try:
        con = duckdb.connect(str(data_dir.live))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreLockedError(
                f"{data_dir.live} is in use by another Rykte process (the service?); "
                "stop it or run the command through it"
            ) from None
        raise
    migrate(con)
    return con


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK if the block raises: a batch is stored whole or not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
    )
    done = {r[0] for r in con.execute("SELECT name FROM schema_migrations").fetchall()}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, utcnow()])
        applied.append(name)
    return applied


def resolve_data_dir(cli_value: str | os.PathLike[str] | None, config_value: str | None) -> DataDir:
    """--data-dir (or RYKTE_DATA_DIR, handled by click) wins over the config's storage.data_dir."""
    return DataDir(Path(cli_value or config_value or "data"))
