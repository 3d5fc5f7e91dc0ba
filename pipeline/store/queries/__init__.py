"""Read-side queries for the dashboard and the weekly report.

Every function takes a DuckDB connection (normally a short-lived read-only connection to the
published snapshot, see `read_snapshot`) and returns plain pandas DataFrames, dicts or dataclasses.
The KPIs are never recomputed here: `kpis`, `weekly_trend`, `by_source` and `quarterly_comparison`
call `pipeline.store.metrics.compute_metrics`, the one implementation of SPEC §4, so the dashboard,
the report and `rykte metrics --json` always agree.

Conventions: a *window* is `since <= published_at < until` (naive UTC, dates are midnights; the
one filter `metrics.window_sql`); a *criticism* is a non-official mention with `is_criticism` true
(set by `metrics.refresh_criticism`); it is *answered* when `responses.response_id` is set. Open
criticism ages on the 24/7 clock and is flagged by the one SLA rule (`pipeline.store.sla`) against
the configured SLA published with the snapshot (`read_settings`).

Why a package: the functions are grouped by job in submodules, and this module re-exports their
public names, so callers pass the function itself (`read_snapshot(path, queries.kpis, ...)`):

- `snapshot_access` — `read_snapshot`, `snapshot_key`, `NoSnapshotError`
- `common` — ISO weeks and quarters, defaults, filter choices and data bounds
- `kpi` — KPI cards, deltas, weekly trend, per-source table (all via `compute_metrics`)
- `criticism` — the criticism inbox, SLA breaches, thread view, reply-quality components
- `actions` — what HR did with a criticism (handled elsewhere, assigned, notes) and its state
- `breakdowns` — sentiment per language, criticism per aspect
- `responses` — delay/quality distributions, outcomes, template replies
- `operations` — source health (freshness), quarterly statistics and comparison
"""

from __future__ import annotations

from pipeline.store.queries.actions import action_state, inbox_actions, merge_actions
from pipeline.store.queries.breakdowns import criticism_aspects, sentiment_by_language, sentiment_by_source
from pipeline.store.queries.common import (
    DEFAULT_WINDOW_DAYS,
    QUARTER_RE,
    TREND_WEEKS,
    all_aspects,
    aspect_names,
    data_bounds,
    default_window,
    iso_week,
    languages,
    quarter_bounds,
    quarter_of,
    sources,
    trend_window,
    week_start,
    weeks,
)
from pipeline.store.queries.criticism import (
    INBOX_COLUMNS,
    criticism_inbox,
    open_past_sla,
    quality_components,
    thread_view,
)
from pipeline.store.queries.kpi import by_source, kpis, kpis_with_previous, weekly_trend
from pipeline.store.queries.operations import (
    HEALTH_COLUMNS,
    quarterly_comparison,
    quarterly_stats,
    source_health,
)
from pipeline.store.queries.responses import (
    DELAY_BINS,
    DELAY_LABELS,
    QUALITY_BINS,
    QUALITY_LABELS,
    delay_distribution,
    outcomes,
    quality_distribution,
    responded_criticisms,
    template_replies,
)
from pipeline.store.queries.snapshot_access import NoSnapshotError, T, read_snapshot, snapshot_key
from pipeline.store.settings import DEFAULT_SLA_HOURS, Settings, read_settings

__all__ = [
    "DEFAULT_SLA_HOURS",
    "DEFAULT_WINDOW_DAYS",
    "DELAY_BINS",
    "DELAY_LABELS",
    "HEALTH_COLUMNS",
    "INBOX_COLUMNS",
    "QUALITY_BINS",
    "QUALITY_LABELS",
    "QUARTER_RE",
    "TREND_WEEKS",
    "NoSnapshotError",
    "Settings",
    "T",
    "action_state",
    "all_aspects",
    "aspect_names",
    "by_source",
    "criticism_aspects",
    "criticism_inbox",
    "data_bounds",
    "default_window",
    "delay_distribution",
    "inbox_actions",
    "iso_week",
    "kpis",
    "kpis_with_previous",
    "languages",
    "merge_actions",
    "open_past_sla",
    "outcomes",
    "quality_components",
    "quality_distribution",
    "quarter_bounds",
    "quarter_of",
    "quarterly_comparison",
    "quarterly_stats",
    "read_settings",
    "read_snapshot",
    "responded_criticisms",
    "sentiment_by_language",
    "sentiment_by_source",
    "snapshot_key",
    "source_health",
    "sources",
    "template_replies",
    "thread_view",
    "trend_window",
    "week_start",
    "weekly_trend",
    "weeks",
]
