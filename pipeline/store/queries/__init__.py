"""Read-side queries for the dashboard and the weekly report.

Every function takes a DuckDB connection (normally a short-lived read-only connection to the
published snapshot, see `read_snapshot`) and returns plain pandas DataFrames or dicts. The KPIs are
never recomputed here: `kpis`, `weekly_trend`, `by_source` and `quarterly_comparison` call
`pipeline.store.metrics.compute_metrics`, the one implementation of SPEC §4, so the dashboard, the
report and `rykte metrics --json` always agree.

Conventions: a *window* is `since <= published_at < until` (naive UTC, dates are midnights); a
*criticism* is a non-official mention with `is_criticism` true (set by `metrics.refresh_criticism`);
it is *answered* when `responses.response_id` is set. Open criticism ages on the 24/7 clock, the
same clock as the SPEC's first-response time.

Why a package: the functions are grouped by job in submodules, and this module re-exports every
public name so callers keep using `from pipeline.store.queries import X` or `queries.X` (the
dashboard looks query functions up by name with `getattr(queries, name)`):

- `snapshot_access` — `read_snapshot`, `snapshot_key`, `NoSnapshotError`
- `common` — windows, ISO weeks and quarters, defaults, filter choices and data bounds
- `kpi` — KPI cards, deltas, weekly trend, per-source table (all via `compute_metrics`)
- `criticism_inbox` — the criticism inbox, SLA breaches, thread view, component explanations
- `breakdowns` — sentiment per language, criticism per aspect
- `responses` — delay/quality distributions, outcomes, template replies
- `operations` — crawl health, quarterly statistics and comparison, the reports list

Note: `criticism_inbox` in this namespace is the *function*: it is bound below, after the
submodule of the same name is imported, and replaces the submodule attribute. So
`import pipeline.store.queries.criticism_inbox as m` also yields the function; to reach the module
use `importlib.import_module("pipeline.store.queries.criticism_inbox")`.
"""

from __future__ import annotations

from pipeline.store.queries.breakdowns import criticism_aspects, sentiment_by_language
from pipeline.store.queries.common import DEFAULT_SLA_HOURS as DEFAULT_SLA_HOURS
from pipeline.store.queries.common import DEFAULT_WINDOW_DAYS as DEFAULT_WINDOW_DAYS
from pipeline.store.queries.common import QUARTER_RE as QUARTER_RE
from pipeline.store.queries.common import _weeks as _weeks
from pipeline.store.queries.common import _window_sql as _window_sql
from pipeline.store.queries.common import (
    all_aspects,
    aspect_names,
    data_bounds,
    default_window,
    iso_week,
    languages,
    quarter_bounds,
    quarter_of,
    sources,
    week_start,
)
from pipeline.store.queries.criticism_inbox import _CRITICISM_SQL as _CRITICISM_SQL
from pipeline.store.queries.criticism_inbox import (
    COMPONENT_EXPLANATIONS,
    INBOX_COLUMNS,
    criticism_inbox,
    open_past_sla,
    quality_components,
    thread_view,
)
from pipeline.store.queries.kpi import by_source, kpis, kpis_with_previous, weekly_trend
from pipeline.store.queries.operations import crawl_health, quarterly_comparison, quarterly_stats, reports
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
from pipeline.store.queries.responses import _normalise_reply as _normalise_reply
from pipeline.store.queries.snapshot_access import NoSnapshotError, T, read_snapshot, snapshot_key

__all__ = [
    "COMPONENT_EXPLANATIONS",
    "DEFAULT_SLA_HOURS",
    "DEFAULT_WINDOW_DAYS",
    "DELAY_BINS",
    "DELAY_LABELS",
    "INBOX_COLUMNS",
    "QUALITY_BINS",
    "QUALITY_LABELS",
    "QUARTER_RE",
    "NoSnapshotError",
    "T",
    "all_aspects",
    "aspect_names",
    "by_source",
    "crawl_health",
    "criticism_aspects",
    "criticism_inbox",
    "data_bounds",
    "default_window",
    "delay_distribution",
    "iso_week",
    "kpis",
    "kpis_with_previous",
    "languages",
    "open_past_sla",
    "outcomes",
    "quality_components",
    "quality_distribution",
    "quarter_bounds",
    "quarter_of",
    "quarterly_comparison",
    "quarterly_stats",
    "read_snapshot",
    "reports",
    "responded_criticisms",
    "sentiment_by_language",
    "snapshot_key",
    "sources",
    "template_replies",
    "thread_view",
    "week_start",
    "weekly_trend",
]
