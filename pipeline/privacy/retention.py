"""Retention: old mentions keep their figures and lose their authors (and optionally their text).

Why: the KPIs need when something was said, on which source, in which thread, how it was rated and
scored, and when the company answered; after a year nobody needs to know who said it. So non-official
mentions published more than `privacy.retention_days` ago get a keyed pseudonym instead of the
author (`keys.pseudonym`: one person keeps one pseudonym per source, the name cannot be computed
back without the key) and lose a link that names the account; after `privacy.drop_text_after_days`
(if set) their text and title are emptied too, and so is the text of their label corrections.
Nothing the metrics read changes (time, source, thread, rating, sentiment, criticism flag, the
responses table), so `compute_metrics` gives the same numbers before and after (tested). The text
hash is kept, so an emptied text is not sent to the model again.

The service runs this daily; `rykte forget --retention` runs it on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from pipeline.privacy.keys import PSEUDONYM_PREFIX, normalise, pseudonym
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
                "UPDATE mentions SET text = '', title = NULL, text_dropped_at = ? "
                "WHERE NOT official AND published_at < ? AND text_dropped_at IS NULL", [now, text_cutoff])
    return result
