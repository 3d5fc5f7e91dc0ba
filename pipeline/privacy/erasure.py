"""`rykte forget --author NAME [--source S]`: erase a person everywhere, and keep them erased.

Why each step (in this order, in the one writer):

1. a suppression record (a keyed hash, `pipeline.privacy.suppression`), so later crawls and
   imports skip their items and no alert is raised about them again;
2. their mentions and every row derived from them in the live store (`privacy.rows.forget_author`);
3. the files under the data dir that copy them: staged and archived crawl output, the dashboard's
   inbox (`pipeline.privacy.scrub`);
4. the weekly reports of the weeks they appeared in (and the week after, whose comparison changed)
   or whose page names them, written again by the report writer; a report that cannot be written
   again is deleted, and the result says so;
5. the bytes of the live store: DuckDB keeps deleted rows in its file until the blocks are reused,
   so the database is copied into a fresh file (`COPY FROM DATABASE`) that replaces it;
6. a new read snapshot, so the dashboard forgets them too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline.privacy.keys import load_key
from pipeline.privacy.rows import author_mention_ids, forget_author
from pipeline.privacy.scrub import name_in_file, scrub_tree
from pipeline.privacy.suppression import add_suppression
from pipeline.store.db import LIVE_DB, DataDir, connect_writer, transaction
from pipeline.store.snapshot import publish_snapshot

log = logging.getLogger(__name__)

ReportWriter = Callable[[duckdb.DuckDBPyConnection, str], Any]


@dataclass
class ErasureResult:
    mentions: int = 0
    newly_suppressed: bool = False
    files_rewritten: int = 0
    reports_rewritten: list[str] = field(default_factory=list)
    reports_deleted: list[str] = field(default_factory=list)


def _iso_week(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _affected_weeks(con: duckdb.DuckDBPyConnection, ids: list[int], reports_dir: Path, author: str) -> list[str]:
    """Weeks with a written report that showed the person (or counted them, or compared with them)."""
    weeks: set[str] = set()
    if ids:
        for (published,) in con.execute("SELECT published_at FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))",
                                        [ids]).fetchall():
            weeks |= {_iso_week(published.date()), _iso_week(published.date() + timedelta(days=7))}
    written = {p.stem for p in reports_dir.glob("*-W*.html")} | {p.stem for p in reports_dir.glob("*-W*.pdf")}
    named = {p.stem for p in reports_dir.glob("*-W*.html") if name_in_file(p, author)}
    return sorted((weeks & written) | named)


def _rewrite_reports(con: duckdb.DuckDBPyConnection, weeks: list[str], reports_dir: Path,
                     write_report: ReportWriter | None, result: ErasureResult) -> None:
    for week in weeks:
        try:
            if write_report is None:
                raise RuntimeError("no report writer")
            write_report(con, week)
            result.reports_rewritten.append(week)
        except Exception as exc:  # a report that cannot be written again must not keep the person
            log.warning("report %s could not be written again (%s); deleting it", week, exc)
            for suffix in (".html", ".pdf"):
                (reports_dir / f"{week}{suffix}").unlink(missing_ok=True)
            con.execute("DELETE FROM reports WHERE week = ?", [week])
            result.reports_deleted.append(week)


def compact_store(con: duckdb.DuckDBPyConnection, data: DataDir) -> None:
    """Copy the live database into a fresh file and put it in place; closes `con`.

    Deleted rows stay in a DuckDB file's free blocks; a copy holds only the live rows.
    """
    live = data.live
    tmp = live.with_name(LIVE_DB + ".compact")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con.execute("CHECKPOINT")
    row = con.execute("SELECT current_database()").fetchone()
    assert row is not None
    quoted = str(tmp).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS rykte_compact")
    try:
        con.execute(f'COPY FROM DATABASE "{row[0]}" TO rykte_compact')
    finally:
        con.execute("DETACH rykte_compact")
    con.close()
    os.chmod(tmp, 0o600)
    os.replace(tmp, live)
    live.with_name(LIVE_DB + ".wal").unlink(missing_ok=True)


def forget_person(data: DataDir, author: str, source: str | None = None, *,
                  write_report: ReportWriter | None = None) -> ErasureResult:
    """Erase `author` (on `source`, or everywhere) from the store, the files and the reports.

    `write_report(con, week)` writes one week's report again (the CLI passes the report writer
    with the config); without it affected reports are deleted. Needs the writer lock.
    """
    key = load_key(data.root)
    result = ErasureResult()
    con = connect_writer(data)
    try:
        ids = author_mention_ids(con, author, source)
        texts = [r[0] for r in con.execute("SELECT text FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))",
                                           [ids]).fetchall()] if ids else []
        weeks = _affected_weeks(con, ids, data.reports, author)
        with transaction(con):
            result.newly_suppressed = add_suppression(con, key, author, source)
        result.mentions = forget_author(con, author, source)
        result.files_rewritten = (scrub_tree(data.staging, author, source, ids, texts)
                                  + scrub_tree(data.root / "inbox", author, source, ids, texts))
        _rewrite_reports(con, weeks, data.reports, write_report, result)
        compact_store(con, data)
    except BaseException:
        con.close()
        raise
    con = connect_writer(data)
    try:
        publish_snapshot(con, data)
    finally:
        con.close()
    return result
