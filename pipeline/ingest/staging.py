"""Ingesting crawl output: staged JSON lines → mentions, plus a `crawl_runs` row and the new cursor.

`record_crawl` (a finished crawl) and `record_skipped` (a source not crawled) are the only writers of
`crawl_runs`; both go through `_save_run`.

Every crawl failure is counted: errors the spider recorded, items that fail the import validator,
a crashed or timed-out crawl process. Staged files are ingested before they are moved to
`staging/done/`, and the upsert is idempotent, so a crash anywhere in between loses nothing and
doubles nothing: leftovers are ingested on the next start (`ingest_leftovers`).
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from pipeline.crawl.runner import PART_SUFFIX, CrawlOutput
from pipeline.ingest.importer import parse_file
from pipeline.store.db import DataDir, utcnow
from pipeline.store.mentions import UpsertResult, upsert_mentions

log = logging.getLogger(__name__)
BATCH = 50_000


@dataclass
class CrawlRunResult:
    run_key: str
    status: str
    items: int
    new_items: int
    errors: int
    error_kinds: dict[str, int]
    error_samples: list[str]
    pages: int | None = None  # pages the spider read (freshness: did every request fail?)
    suppressed: int = 0  # items skipped because their author was forgotten (pipeline/privacy)

    def summary(self) -> str:
        """One line for the terminal: what the crawl brought and what went wrong."""
        return (f"{self.run_key or '(skipped)'}: {self.status}, {self.items} items ({self.new_items} new), "
                f"{self.errors} errors")


def ingest_rows_in_batches(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> UpsertResult:
    """Upsert rows in batches; rows by a forgotten author (pipeline/privacy) are counted, not stored."""
    from pipeline.privacy.suppression import Suppressor

    rows, suppressed = Suppressor.for_store(con).split(rows)
    total = UpsertResult(suppressed=suppressed)
    for start in range(0, len(rows), BATCH):
        total += upsert_mentions(con, rows[start:start + BATCH])
    return total


def _status(out: CrawlOutput, items: int, errors: int) -> str:
    reason = str(out.stats.get("finish_reason", ""))
    if out.returncode != 0 and items == 0:
        return "failed"
    if reason and reason not in ("finished", "closespider_pagecount", "closespider_itemcount") and items == 0:
        return "failed"
    return "partial" if errors else "ok"


def record_crawl(con: duckdb.DuckDBPyConnection, out: CrawlOutput, data: DataDir) -> CrawlRunResult:
    """Ingest a finished crawl's staged items and record the run. Idempotent per run key."""
    kinds: dict[str, int] = {str(k): int(v) for k, v in (out.stats.get("error_kinds") or {}).items()}
    samples: list[str] = [str(s) for s in (out.stats.get("error_samples") or [])][:20]
    spider_errors = int(out.stats.get("errors", sum(kinds.values())) or 0)
    upserted = UpsertResult()
    invalid: list[str] = []
    if out.staged.exists():
        parsed = parse_file(out.staged)
        invalid = parsed.errors
        upserted = ingest_rows_in_batches(con, parsed.rows)
        if upserted.suppressed:  # the archived copy must not keep a forgotten person either
            from pipeline.privacy.suppression import drop_suppressed_from_file

            drop_suppressed_from_file(con, out.staged)
    if invalid:
        kinds["invalid_item"] = kinds.get("invalid_item", 0) + len(invalid)
        samples.extend(invalid[:5])
    if out.problems:
        kinds["process"] = kinds.get("process", 0) + len(out.problems)
        samples.extend(out.problems)
    errors = spider_errors + len(invalid) + len(out.problems)
    items = upserted.inserted + upserted.updated + upserted.unchanged
    status = _status(out, items, errors)
    for s in samples:
        log.warning("crawl %s: %s", out.source_name, s)
    pages = out.stats.get("pages")
    result = CrawlRunResult(out.run_key, status, items, upserted.inserted, errors, kinds, samples[:20],
                            int(pages) if isinstance(pages, int | float) else None, upserted.suppressed)
    _save_run(con, result, out.source_name, out.started_at, out.finished_at)
    cursor = out.stats.get("cursor")
    if cursor is not None and status != "failed":
        con.execute(
            "INSERT INTO source_state VALUES (?, ?, ?) ON CONFLICT (source_name) DO UPDATE SET "
            "cursor = excluded.cursor, updated_at = excluded.updated_at",
            [out.source_name, json.dumps(cursor), utcnow()],
        )
    _archive(out, data)
    return result


def record_skipped(con: duckdb.DuckDBPyConnection, source_name: str, reason: str) -> CrawlRunResult:
    """Record that a source was not crawled (disabled, or a required secret is missing)."""
    now = utcnow()
    result = CrawlRunResult(f"{now:%Y%m%dT%H%M%S%f}-{source_name}", "skipped", 0, 0, 0, {}, [reason])
    _save_run(con, result, source_name, now, now)
    return result


def _save_run(con: duckdb.DuckDBPyConnection, run: CrawlRunResult, source_name: str, started_at: datetime,
              finished_at: datetime) -> None:
    """The one write to `crawl_runs` (idempotent per run key)."""
    con.execute(
        """
        INSERT INTO crawl_runs (run_key, source_name, started_at, finished_at, items, new_items, errors,
                                error_kinds, error_samples, status, pages, suppressed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_key) DO UPDATE SET finished_at = excluded.finished_at, items = excluded.items,
            new_items = excluded.new_items, errors = excluded.errors, error_kinds = excluded.error_kinds,
            error_samples = excluded.error_samples, status = excluded.status, pages = excluded.pages,
            suppressed = excluded.suppressed
        """,
        [run.run_key, source_name, started_at, finished_at, run.items, run.new_items, run.errors,
         json.dumps(run.error_kinds), json.dumps(run.error_samples[:20], ensure_ascii=False), run.status,
         run.pages, run.suppressed],
    )


def _archive(out: CrawlOutput, data: DataDir) -> None:
    _archive_key(out.run_key, data)


def _archive_key(run_key: str, data: DataDir) -> None:
    done = data.staging / "done"
    done.mkdir(exist_ok=True)
    for p in data.staging.glob(f"{run_key}.*"):
        shutil.move(str(p), done / p.name)


def load_cursor(con: duckdb.DuckDBPyConnection, source_name: str) -> dict[str, Any] | None:
    row = con.execute("SELECT cursor FROM source_state WHERE source_name = ?", [source_name]).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def ingest_leftovers(con: duckdb.DuckDBPyConnection, data: DataDir) -> list[CrawlRunResult]:
    """Ingest staged crawls that a crash left behind (their process finished, their ingest did not).

    Called by the one writer at start-up, when no crawl of an earlier service can still be running
    (crawl processes die with their service, `pipeline.crawl.child`). A run whose feed is still named
    `.jsonl.part` never finished: it is not ingested (its cursor is not stored either, so the next
    crawl fetches its items again) and its files are moved to `staging/done/`.
    """
    results = []
    for job_path in sorted(data.staging.glob("*.job.json")):
        key = job_path.name.removesuffix(".job.json")
        stats_path = data.staging / f"{key}.stats.json"
        staged = data.staging / f"{key}.jsonl"
        if not staged.exists() and (data.staging / f"{key}.jsonl{PART_SUFFIX}").exists():
            log.warning("crawl %s was interrupted while writing: not ingested, moved to staging/done/", key)
            _archive_key(key, data)
            continue
        if not stats_path.exists() and not staged.exists():
            continue  # still running or died before writing anything: nothing to ingest
        try:
            job = json.loads(job_path.read_text(encoding="utf-8"))
            stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
        except (OSError, json.JSONDecodeError) as exc:
            stats, job = {"errors": 1, "error_samples": [f"{job_path}: {exc}"]}, {"source_name": key}
        now = utcnow()
        out = CrawlOutput(key, str(job.get("source_name", key)), now, now, staged, stats, 0,
                          data.staging / f"{key}.log", ["recovered after an interrupted ingest"])
        results.append(record_crawl(con, out, data))
    return results


def prune_done(data: DataDir, keep_days: int) -> int:
    done = data.staging / "done"
    if not done.exists():
        return 0
    cutoff = utcnow().timestamp() - keep_days * 86400
    removed = 0
    for p in done.iterdir():
        if p.stat().st_mtime < cutoff:
            p.unlink()
            removed += 1
    return removed
