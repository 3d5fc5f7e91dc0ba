"""Publishing the read snapshot and opening it (or the live file) for reading.

The writer copies its database into `dashboard.duckdb.tmp` and renames it over `dashboard.duckdb`
(atomic on POSIX). Readers that still hold the old file keep reading the old inode; new opens see the
new snapshot. Readers open per query and close at once, so no reader ever pins an old snapshot for
long, and DuckDB's in-process cache of a read-only database cannot serve a stale file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.store.db import DataDir


def publish_snapshot(con: duckdb.DuckDBPyConnection, data_dir: DataDir) -> Path:
    """Copy the live database into the snapshot file atomically; return the snapshot path."""
    target = data_dir.snapshot
    tmp = target.with_name(target.name + ".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con.execute("CHECKPOINT")
    live_name = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    con.execute(f"ATTACH '{_sql_str(tmp)}' AS rykte_snapshot")
    try:
        con.execute(f'COPY FROM DATABASE "{live_name}" TO rykte_snapshot')
    finally:
        con.execute("DETACH rykte_snapshot")
    os.replace(tmp, target)
    return target


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


@contextlib.contextmanager
def open_snapshot(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to a published snapshot."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def open_for_reading(data_dir: DataDir) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read the live database when no writer holds it, else the published snapshot.

    CLI reads (`rykte metrics`, `rykte status`) use this: fresh figures when the service is not
    running, and the last published figures while it is.
    """
    con: duckdb.DuckDBPyConnection | None = None
    if data_dir.live.exists():
        try:
            con = duckdb.connect(str(data_dir.live), read_only=True)
        except duckdb.Error:  # locked by the writer (another process, or this one)
            con = None
    if con is None:
        if not data_dir.snapshot.exists():
            from pipeline.errors import InputError

            raise InputError(f"{data_dir.root}: no Rykte store here yet (run `rykte import` or `rykte run`)")
        con = duckdb.connect(str(data_dir.snapshot), read_only=True)
    try:
        yield con
    finally:
        con.close()
