"""Freshness of each source: the one rule that `rykte status`, the dashboard and the alerts apply.

Why one function: the CLI and the dashboard used to judge freshness differently (the configured
`stale_after` against three times the median gap between runs), so they could disagree about the
same source. The rule, once:

- a source's limit is its configured `stale_after`, else three times its schedule interval
  (`SourceConfig.stale_seconds()`, published in `source_settings` so readers without the config
  see the same number); a source with runs but no published settings gets `UNCONFIGURED_STALE_SECONDS`;
- a *failed run* is one with status `failed`, or one in which every request failed: no items, and
  at least as many errors as pages read (`crawl_runs.pages`; unknown counts as none) — e.g. one
  page of malformed JSON. It never makes a source fresh (`FAILED_RUN_SQL`);
- the state is `failing` when the latest finished attempt (not `running`/`skipped`) failed,
  `never` before the first successful run, else `ok` while the last success is within the limit
  and `stale` after it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

import duckdb

from pipeline.store.settings import SourceFacts, read_source_facts

State = Literal["ok", "stale", "failing", "never"]
UNCONFIGURED_STALE_SECONDS = 3 * 86400

# A run that proves nothing about the source: the crawl failed, or every page or request in it did.
FAILED_RUN_SQL = "(status = 'failed' OR (items = 0 AND errors > 0 AND errors >= coalesce(pages, 0)))"

_RUNS_SQL = f"""
WITH r AS (
    SELECT *, status NOT IN ('running', 'skipped') AS attempt, {FAILED_RUN_SQL} AS failed,
           coalesce(finished_at, started_at) AS ended_at
    FROM {{runs}}
),
latest AS (
    SELECT source_name, started_at, status, items, new_items, errors, error_samples FROM r
    QUALIFY row_number() OVER (PARTITION BY source_name ORDER BY started_at DESC, id DESC) = 1
),
agg AS (
    SELECT source_name, count(*) AS runs,
           count(*) FILTER (WHERE attempt AND failed) AS runs_failed,
           sum(items) AS items_total, sum(errors) AS errors_total,
           max(started_at) FILTER (WHERE attempt AND NOT failed) AS ok_started,
           max(ended_at) FILTER (WHERE attempt AND NOT failed) AS last_success
    FROM r GROUP BY source_name
),
streak AS (
    SELECT r.source_name,
           count(*) FILTER (WHERE r.attempt AND r.failed
                            AND (a.ok_started IS NULL OR r.started_at > a.ok_started)) AS failed_in_row
    FROM r JOIN agg a USING (source_name) GROUP BY r.source_name
)
SELECT l.source_name, l.started_at, l.status, l.items, l.new_items, l.errors, l.error_samples,
       a.runs, a.runs_failed, a.items_total, a.errors_total, a.last_success, s.failed_in_row
FROM latest l JOIN agg a USING (source_name) JOIN streak s USING (source_name)
"""


@dataclass(frozen=True)
class SourceFreshness:
    name: str
    type: str | None  # None: runs recorded for a source that is not (or no longer) configured
    platform: str | None
    enabled: bool
    configured: bool
    state: State
    stale_seconds: int
    last_run_at: datetime | None  # start of the latest run of any status
    last_status: str | None
    last_items: int
    last_new_items: int
    last_errors: int
    error_samples: tuple[str, ...]
    last_success_at: datetime | None  # end of the latest successful run
    failed_in_row: int  # failed attempts since the last success
    runs: int
    runs_failed: int
    items_total: int
    errors_total: int

    def hours_since_success(self, now: datetime) -> float | None:
        return None if self.last_success_at is None else (now - self.last_success_at).total_seconds() / 3600.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def freshness_state(last_success_at: datetime | None, failed_in_row: int, stale_seconds: int,
                    now: datetime) -> State:
    """The rule itself, for one source (see the module docstring)."""
    if failed_in_row > 0:
        return "failing"
    if last_success_at is None:
        return "never"
    return "ok" if (now - last_success_at).total_seconds() <= stale_seconds else "stale"


def _samples(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, str) or not raw:
        return ()
    try:
        data = json.loads(raw)
    except ValueError:
        return (raw,)
    return tuple(str(s) for s in data) if isinstance(data, list) else (str(data),)


def _runs_table(con: duckdb.DuckDBPyConnection) -> str:
    """`crawl_runs`, or for a snapshot published before `pages` existed, it with `pages` unknown."""
    has_pages = con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'crawl_runs' "
                            "AND column_name = 'pages'").fetchone()
    return "crawl_runs" if has_pages and has_pages[0] else "(SELECT *, NULL::INTEGER AS pages FROM crawl_runs)"


def source_freshness(con: duckdb.DuckDBPyConnection, now: datetime,
                     sources: Sequence[SourceFacts] | None = None, *,
                     include_unconfigured: bool = True) -> list[SourceFreshness]:
    """Freshness of every configured source (in configuration order), then of sources that only
    have runs (by name) unless `include_unconfigured` is false.

    `sources` are the configured facts; None reads those published in `source_settings` (the
    dashboard's case). `now` is naive UTC.
    """
    facts = list(read_source_facts(con) if sources is None else sources)
    runs = {row[0]: row for row in con.execute(_RUNS_SQL.format(runs=_runs_table(con))).fetchall()}
    names = [f.name for f in facts]
    if include_unconfigured:
        names += sorted(set(runs) - set(names))
    by_name = {f.name: f for f in facts}
    out = []
    for name in names:
        fact = by_name.get(name)
        limit = fact.stale_seconds if fact else UNCONFIGURED_STALE_SECONDS
        row = runs.get(name)
        if row is None:
            out.append(SourceFreshness(
                name, fact.type if fact else None, fact.platform if fact else None,
                fact.enabled if fact else True, fact is not None, "never", limit, None, None, 0, 0, 0, (),
                None, 0, 0, 0, 0, 0))
            continue
        (_, started, status, items, new_items, errors, samples, n_runs, n_failed, items_total, errors_total,
         last_success, failed_in_row) = row
        out.append(SourceFreshness(
            name=name, type=fact.type if fact else None, platform=fact.platform if fact else None,
            enabled=fact.enabled if fact else True, configured=fact is not None,
            state=freshness_state(last_success, int(failed_in_row), limit, now), stale_seconds=limit,
            last_run_at=started, last_status=status, last_items=int(items), last_new_items=int(new_items),
            last_errors=int(errors), error_samples=_samples(samples), last_success_at=last_success,
            failed_in_row=int(failed_in_row), runs=int(n_runs), runs_failed=int(n_failed),
            items_total=int(items_total or 0), errors_total=int(errors_total or 0),
        ))
    return out
