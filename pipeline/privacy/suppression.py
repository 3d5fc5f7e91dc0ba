"""Suppression records: who was forgotten, as keyed hashes only, and the filter every ingest applies.

Why: deleting a person's rows is undone by the next crawl unless the store remembers not to take
them in again. It remembers a keyed hash of (source, author) (`keys.author_hash`), so the store
never holds the name it promised to forget, yet an incoming row can be checked against it. A
record with source `*` (`keys.ANY_SOURCE`) stands for every source. `rykte forget --list` counts the
records and cannot show whom they stand for; `--undo` needs the name again to compute the hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from pipeline.privacy.keys import ANY_SOURCE, author_hash, load_key
from pipeline.store.db import utcnow

Row = TypeVar("Row", bound=Mapping[str, Any])


def record_hashes(key: bytes, author: str, source: str | None) -> str:
    """The suppression hash for a person on one source, or on every source when `source` is None."""
    return author_hash(key, source or ANY_SOURCE, author)


def add_suppression(con: duckdb.DuckDBPyConnection, key: bytes, author: str, source: str | None) -> bool:
    """Record that this person is forgotten; False if they already were."""
    h = record_hashes(key, author, source)
    row = con.execute("SELECT count(*) FROM suppressions WHERE hash = ?", [h]).fetchone()
    if row and row[0]:
        return False
    con.execute("INSERT INTO suppressions VALUES (?, ?)", [h, utcnow()])
    return True


def remove_suppression(con: duckdb.DuckDBPyConnection, key: bytes, author: str, source: str | None) -> bool:
    """Undo a suppression (the name is needed again); False if there was none for it."""
    h = record_hashes(key, author, source)
    row = con.execute("SELECT count(*) FROM suppressions WHERE hash = ?", [h]).fetchone()
    con.execute("DELETE FROM suppressions WHERE hash = ?", [h])
    return bool(row and row[0])


def count_suppressions(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM suppressions").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Suppressor:
    """The suppression hashes of a store and the key that made them: `is_suppressed(source, author)`."""

    key: bytes
    hashes: frozenset[str]

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, data_root: Path) -> Suppressor:
        hashes = frozenset(r[0] for r in con.execute("SELECT hash FROM suppressions").fetchall())
        # no key is created for a store that never forgot anyone (an empty set needs none)
        key = load_key(data_root) if hashes else b""
        return cls(key, hashes)

    @classmethod
    def for_store(cls, con: duckdb.DuckDBPyConnection) -> Suppressor:
        """The suppressor of the store `con` is open on (its key lives next to the database file)."""
        row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        path = row[0] if row else None
        if not path:  # an in-memory store has no data dir: it can hold no suppression made with a key
            if count_suppressions(con):
                raise RuntimeError("an in-memory store with suppressions has no key to check them")
            return cls(b"", frozenset())
        return cls.load(con, Path(path).parent)

    def is_suppressed(self, source: str, author: str) -> bool:
        if not self.hashes:
            return False
        return (author_hash(self.key, source, author) in self.hashes
                or author_hash(self.key, ANY_SOURCE, author) in self.hashes)

    def split(self, rows: Iterable[Row]) -> tuple[list[Row], int]:
        """The rows to keep, and how many were dropped because their author is forgotten."""
        kept: list[Row] = []
        dropped = 0
        for r in rows:
            if self.is_suppressed(str(r.get("source") or ""), str(r.get("author") or "")):
                dropped += 1
            else:
                kept.append(r)
        return kept, dropped


def drop_suppressed_from_file(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Rewrite a staged JSON-lines file without the items of people this store has forgotten."""
    from pipeline.privacy.scrub import drop_suppressed_lines

    return drop_suppressed_lines(path, Suppressor.for_store(con).is_suppressed)
