"""Erasing a person's rows from the live store: their mentions and every row derived from them.

Why here and not in `pipeline.store`: the store sits at the bottom of the layers and knows nothing of
people; who a person is (the normalised name the privacy key hashes) is this package's rule. The
suppression record and the files and bytes outside the tables are `pipeline.privacy.erasure`'s job.
"""

from __future__ import annotations

import duckdb

from pipeline.privacy.keys import normalise
from pipeline.privacy.scrub import name_regex
from pipeline.store.db import transaction


def author_mention_ids(con: duckdb.DuckDBPyConnection, author: str, source: str | None = None) -> list[int]:
    """Ids of the mentions written by `author` (normalised as the privacy key hashes it: case, a
    leading `@`, surrounding space and Unicode forms do not matter), on `source` or on every source."""
    wanted, src = normalise(author), normalise(source) if source else None
    pairs = [(s, a) for s, a in con.execute("SELECT DISTINCT source, author FROM mentions").fetchall()
             if normalise(a) == wanted and (src is None or normalise(s) == src)]
    ids: list[int] = []
    for s, a in pairs:
        ids += [int(r[0]) for r in con.execute(
            "SELECT id FROM mentions WHERE source = ? AND author = ? ORDER BY id", [s, a]).fetchall()]
    return sorted(ids)


def _tables_with(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
        "USING (table_schema, table_name) WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
        "AND c.column_name = ? AND c.table_name <> 'mentions' ORDER BY 1", [column]).fetchall()]


def forget_author(con: duckdb.DuckDBPyConnection, author: str, source: str | None = None) -> int:
    """Erase a person's mentions and every row derived from them (privacy); return mentions erased.

    Every table with a `mention_id` column (responses, alert outbox, label corrections, handling
    marks, and any added later) loses the rows about these mentions; label corrections that quote
    one of their texts go too; a follow-up link to one of them is cleared; the name is replaced by
    `[erased]` in every other text column (error samples, alert payloads and errors). The suppression
    record and the files and bytes outside these tables are `pipeline.privacy.erasure`'s job.
    """
    ids = author_mention_ids(con, author, source)
    with transaction(con):
        if ids:
            id_list = "(SELECT unnest(?::BIGINT[]))"
            texts = [r[0] for r in con.execute(f"SELECT text FROM mentions WHERE id IN {id_list}", [ids]).fetchall()]
            con.execute(f"UPDATE responses SET followup_id = NULL, followup_sentiment = NULL, outcome = NULL "
                        f"WHERE followup_id IN {id_list}", [ids])
            con.execute(f"DELETE FROM responses WHERE response_id IN {id_list}", [ids])  # relinked next batch
            for table in _tables_with(con, "mention_id"):
                con.execute(f'DELETE FROM "{table}" WHERE mention_id IN {id_list}', [ids])
            con.execute("DELETE FROM label_corrections WHERE text IN (SELECT unnest(?::VARCHAR[]))", [texts])
            con.execute(f"DELETE FROM mentions WHERE id IN {id_list}", [ids])
        _scrub_name(con, author)
    return len(ids)


def _scrub_name(con: duckdb.DuckDBPyConnection, author: str) -> None:
    """Replace the name (case-insensitive) in the text columns of every table but `mentions`."""
    pattern = name_regex(author)  # None: too short to tell from ordinary words, nothing is rewritten
    if pattern is None:
        return
    columns = con.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t "
        "USING (table_schema, table_name) WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
        "AND c.data_type = 'VARCHAR' AND c.table_name NOT IN ('mentions', 'suppressions', 'schema_migrations') "
        "ORDER BY 1, 2").fetchall()
    for table, column in columns:
        con.execute(f'UPDATE "{table}" SET "{column}" = regexp_replace("{column}", ?, \'[erased]\', \'gi\') '
                    f'WHERE regexp_matches("{column}", ?, \'i\')', [pattern, pattern])
