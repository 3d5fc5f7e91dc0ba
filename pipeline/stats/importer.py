"""Importing checked quarterly statistics into the store, or showing what an import would do.

Why apart from the reader: `rykte stats import --dry-run` must say, row by row, what would be new,
changed or unchanged without writing anything (not even creating the store), and the real import
must write exactly that plan. So the plan is computed once (`plan_import`) against whatever store
is there, and `write_plan` applies it. (quarter, platform, metric) is the key: a re-import of the
same file changes nothing; a figure whose value or source columns differ is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from pipeline.stats.quarterly import StatRow, read_stats
from pipeline.store.db import transaction, utcnow

Status = Literal["new", "changed", "unchanged"]
STATUSES: tuple[Status, ...] = ("new", "changed", "unchanged")


@dataclass(frozen=True)
class Planned:
    row: StatRow
    status: Status
    old_value: float | None = None


@dataclass(frozen=True)
class ImportPlan:
    planned: list[Planned]

    def count(self, status: Status) -> int:
        return sum(1 for p in self.planned if p.status == status)

    def summary(self) -> str:
        return ", ".join(f"{self.count(s)} {s}" for s in STATUSES)


def _existing(con: duckdb.DuckDBPyConnection | None) -> dict[tuple[str, str, str], tuple[float, tuple[str | None, ...]]]:
    if con is None:
        return {}
    cols = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'quarterly_stats'").fetchall()}
    if not cols:
        return {}
    meta = ", ".join(c if c in cols else "NULL" for c in ("source", "publication", "url", "published", "note"))
    rows = con.execute(f"SELECT quarter, platform, metric, value, {meta} FROM quarterly_stats").fetchall()
    return {(q, p, m): (v, tuple(rest)) for q, p, m, v, *rest in rows}


def plan_import(con: duckdb.DuckDBPyConnection | None, rows: Iterable[StatRow]) -> ImportPlan:
    """Each row as new, changed (value or source columns differ) or unchanged against the store
    behind `con` (None: no store yet, everything is new). Reads only."""
    have = _existing(con)
    planned = []
    for row in sorted(rows, key=lambda r: r.key):
        old = have.get(row.key)
        if old is None:
            planned.append(Planned(row, "new"))
        elif old[0] != row.value or old[1] != row.meta():
            planned.append(Planned(row, "changed", old[0]))
        else:
            planned.append(Planned(row, "unchanged", old[0]))
    return ImportPlan(planned)


def write_plan(con: duckdb.DuckDBPyConnection, plan: ImportPlan) -> None:
    """Write the new and changed rows of `plan` in one transaction."""
    todo = [p.row for p in plan.planned if p.status != "unchanged"]
    if not todo:
        return
    now = utcnow()
    with transaction(con):
        con.executemany(
            """INSERT INTO quarterly_stats (quarter, platform, metric, value, imported_at,
                                            source, publication, url, published, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (quarter, platform, metric) DO UPDATE SET
                   value = excluded.value, imported_at = excluded.imported_at, source = excluded.source,
                   publication = excluded.publication, url = excluded.url, published = excluded.published,
                   note = excluded.note""",
            [(r.quarter, r.platform, r.metric, r.value, now, *r.meta()) for r in todo],
        )


def import_stats(con: duckdb.DuckDBPyConnection, paths: Path | Iterable[Path]) -> ImportPlan:
    """Check the whole input (every bad row named, then nothing written), then write it."""
    plan = plan_import(con, read_stats(paths))
    write_plan(con, plan)
    return plan


def format_plan(plan: ImportPlan) -> str:
    """The dry-run table: quarter, platform, metric, value, status (and the stored value it replaces)."""
    head = ("quarter", "platform", "metric", "value", "status", "was")
    body = [(p.row.quarter, p.row.platform, p.row.metric, f"{p.row.value:g}", p.status,
             f"{p.old_value:g}" if p.status == "changed" and p.old_value != p.row.value else "")
            for p in plan.planned]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *body]]
    return "\n".join(lines)
