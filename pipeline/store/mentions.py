"""Writing mentions: the idempotent upsert, official accounts and thread roots.

(`source`, `external_id`) is unique. A re-crawl or re-import of an unchanged mention changes
nothing (not even `updated_at`); a changed one is updated in place and, if its text changed, queued
for re-analysis because `analyzed_hash` no longer equals `text_hash`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from pipeline.store.db import transaction, utcnow

COLUMNS = ("source", "external_id", "parent_id", "thread_id", "thread_given", "author", "is_official",
           "published_at", "text", "title", "url", "lang", "rating", "text_hash")
COMPARED = ("parent_id", "thread_given", "author", "is_official", "published_at", "text", "title", "url",
            "lang", "rating")


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0  # rows not taken in: their author was forgotten (pipeline/privacy)

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.suppressed += other.suppressed
        return self


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for r in rows:  # the last row wins within one batch
        latest[(r["source"], r["external_id"])] = r
    records = []
    for r in latest.values():
        rec = {c: r.get(c) for c in COLUMNS if c not in ("thread_given", "text_hash")}
        rec["thread_given"] = r.get("thread_id") is not None
        rec["text_hash"] = text_hash(r["text"])
        records.append(rec)
    df = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    df["is_official"] = df["is_official"].astype("boolean")
    df["rating"] = df["rating"].astype("Float64")
    df["thread_given"] = df["thread_given"].astype(bool)
    df["published_at"] = pd.to_datetime(df["published_at"])
    for c in ("source", "external_id", "parent_id", "thread_id", "author", "text", "title", "url", "lang",
              "text_hash"):
        df[c] = df[c].astype("string")
    return df


def upsert_mentions(con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, Any]]) -> UpsertResult:
    """Insert new mentions, update changed ones, leave unchanged ones alone. One transaction."""
    if not rows:
        return UpsertResult()
    batch = _frame(rows)
    now = utcnow()
    con.complete()  # DuckDB 2: register() refuses while an earlier result is unfinished
    con.register("incoming_batch", batch)
    try:
        with transaction(con):
            counts = con.execute(
                f"""
                SELECT count(*) FILTER (WHERE m.id IS NULL),
                       count(*) FILTER (WHERE m.id IS NOT NULL AND ({' OR '.join(
                           f'm.{c} IS DISTINCT FROM b.{c}' for c in COMPARED)}
                           OR (b.thread_given AND m.thread_id IS DISTINCT FROM b.thread_id)))
                FROM incoming_batch b
                LEFT JOIN mentions m ON m.source = b.source AND m.external_id = b.external_id
                """
            ).fetchone()
            assert counts is not None
            changed_cond = " OR ".join(f"mentions.{c} IS DISTINCT FROM excluded.{c}" for c in COMPARED) + \
                " OR (excluded.thread_given AND mentions.thread_id IS DISTINCT FROM excluded.thread_id)"
            # a derived thread_id is kept here and recomputed by resolve_threads()
            sets = [f"{c} = excluded.{c}" for c in COLUMNS if c not in ("source", "external_id", "thread_id")]
            sets.append("thread_id = CASE WHEN excluded.thread_given THEN excluded.thread_id "
                        "ELSE mentions.thread_id END")
            con.execute(
                f"""
                INSERT INTO mentions ({', '.join(COLUMNS)}, fetched_at, updated_at)
                SELECT {', '.join(COLUMNS)}, ?::TIMESTAMP, ?::TIMESTAMP FROM incoming_batch
                ON CONFLICT (source, external_id) DO UPDATE SET
                    {', '.join(sets)},
                    fetched_at = excluded.fetched_at,
                    updated_at = excluded.updated_at
                WHERE {changed_cond}
                """,
                [now, now],
            )
    finally:
        con.unregister("incoming_batch")
    inserted, updated = int(counts[0]), int(counts[1])
    return UpsertResult(inserted, updated, len(batch) - inserted - updated)


def sync_official_accounts(con: duckdb.DuckDBPyConnection, accounts: Mapping[str, set[str]]) -> None:
    """Replace the stored official accounts with the config's (platform → lower-case names)."""
    pairs = [(p, a) for p, names in accounts.items() for a in sorted(names)]
    with transaction(con):
        con.execute("DELETE FROM official_accounts")
        if pairs:
            con.executemany("INSERT INTO official_accounts VALUES (?, ?)", pairs)


def resolve_official(con: duckdb.DuckDBPyConnection) -> int:
    """Set `official` per SPEC §4: is_official, or author among the platform's official accounts."""
    return _changed(con.execute(
        """
        UPDATE mentions SET official = new.official
        FROM (
            SELECT m.id, coalesce(m.is_official, false) OR (a.account IS NOT NULL) AS official
            FROM mentions m
            LEFT JOIN official_accounts a
              ON a.platform = m.source AND a.account = ltrim(lower(m.author), '@')
        ) new
        WHERE mentions.id = new.id AND mentions.official IS DISTINCT FROM new.official
        """
    ))


def resolve_threads(con: duckdb.DuckDBPyConnection) -> int:
    """Fill `thread_id` where the source gave none: the root of the parent chain (SPEC §3)."""
    return _changed(con.execute(
        """
        UPDATE mentions SET thread_id = roots.root
        FROM (
            WITH RECURSIVE chain(id, source, cur, parent, depth) AS (
                SELECT id, source, external_id, parent_id, 0 FROM mentions WHERE NOT thread_given
                UNION ALL
                SELECT c.id, c.source, p.external_id, p.parent_id, c.depth + 1
                FROM chain c JOIN mentions p ON p.source = c.source AND p.external_id = c.parent
                WHERE c.depth < 1000
            )
            SELECT id, arg_max(coalesce(parent, cur), depth) AS root FROM chain GROUP BY id
        ) roots
        WHERE mentions.id = roots.id AND mentions.thread_id IS DISTINCT FROM roots.root
        """
    ))


def _changed(cursor: duckdb.DuckDBPyConnection) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row else 0
