"""Retention: old mentions keep their figures and lose their authors (and optionally their text).

Why: the KPIs need when something was said, on which source, in which thread, how it was rated and
scored, and when the company answered; after a year nobody needs to know who said it. So non-official
mentions published more than `privacy.retention_days` ago get a keyed pseudonym instead of the
author (`keys.pseudonym`: one person keeps one pseudonym per source, the name cannot be computed
back without the key) and lose a link that names the account; after `privacy.drop_text_after_days`
(if set) their text and title are emptied too, and so is the text of their label corrections and
of HR's notes on them in the inbox (`inbox_actions`; a note may quote the critic, so the author's name
in any action on their mention is replaced by the pseudonym already when the author is).
Nothing the metrics read changes (time, source, thread, rating, sentiment, criticism flag, the
responses table), so `compute_metrics` gives the same numbers before and after (tested). The text
hash is kept, so an emptied text is not sent to the model again.

The service runs this daily; `rykte forget --retention` runs it on demand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from pipeline.privacy.keys import PSEUDONYM_PREFIX, normalise, pseudonym
from pipeline.privacy.scrub import name_regex
from pipeline.store.db import transaction, utcnow


@dataclass
class RetentionResult:
    pseudonymised: int = 0
    texts_dropped: int = 0


def apply_retention(con: duckdb.DuckDBPyConnection, key: bytes, retention_days: int,
                    drop_text_after_days: int | None = None, now: datetime | None = None) -> RetentionResult:
    """Pseudonymise (and optionally empty) old non-official mentions; one transaction."""
    now = now or utcnow()
    result = RetentionResult()
    cutoff = now - timedelta(days=retention_days)
    old = con.execute(
        "SELECT id, source, author, url FROM mentions WHERE NOT official AND published_at < ? "
        "AND NOT starts_with(author, ?) ORDER BY id", [cutoff, PSEUDONYM_PREFIX]).fetchall()
    with transaction(con):
        if old:
            frame = pd.DataFrame.from_records(
                [(mid, pseudonym(key, src, author),
                  None if isinstance(url, str) and normalise(author) and normalise(author) in url.casefold() else url)
                 for mid, src, author, url in old],
                columns=["id", "author", "url"]).astype({"id": "int64", "author": "string", "url": "string"})
            con.complete()
            con.register("retention_batch", frame)
            try:
                con.execute("UPDATE mentions SET author = b.author, url = b.url, pseudonymised_at = ? "
                            "FROM retention_batch b WHERE mentions.id = b.id", [now])
            finally:
                con.unregister("retention_batch")
            result.pseudonymised = len(old)
            _pseudonymise_actions(con, {mid: (author, new) for (mid, _s, author, _u), new in
                                        zip(old, frame["author"], strict=True)})
        if drop_text_after_days is not None:
            text_cutoff = now - timedelta(days=drop_text_after_days)
            row = con.execute(
                "SELECT count(*) FROM mentions WHERE NOT official AND published_at < ? AND text_dropped_at IS NULL",
                [text_cutoff]).fetchone()
            result.texts_dropped = int(row[0]) if row else 0
            con.execute(
                "UPDATE label_corrections SET text = '' WHERE mention_id IN (SELECT id FROM mentions "
                "WHERE NOT official AND published_at < ? AND text_dropped_at IS NULL)", [text_cutoff])
            con.execute(
                "UPDATE inbox_actions SET value = '' WHERE action = 'note' AND mention_id IN (SELECT id FROM mentions "
                "WHERE NOT official AND published_at < ? AND text_dropped_at IS NULL)", [text_cutoff])
            con.execute(
                "UPDATE mentions SET text = '', title = NULL, text_dropped_at = ? "
                "WHERE NOT official AND published_at < ? AND text_dropped_at IS NULL", [now, text_cutoff])
    return result


def _pseudonymise_actions(con: duckdb.DuckDBPyConnection, names: dict[int, tuple[str, str]]) -> None:
    """In HR's inbox actions on these mentions, replace the author's name by their pseudonym."""
    rows = con.execute("SELECT rowid, mention_id, value FROM inbox_actions WHERE value IS NOT NULL "
                       "AND mention_id IN (SELECT unnest(?::BIGINT[]))", [list(names)]).fetchall()
    for rowid, mid, value in rows:
        author, alias = names[int(mid)]
        pattern = name_regex(author)
        new = re.sub(pattern, alias.replace("\\", "\\\\"), value, flags=re.IGNORECASE) if pattern else value
        if new != value:
            con.execute("UPDATE inbox_actions SET value = ? WHERE rowid = ?", [new, rowid])
