"""Benchmark: the dashboard over a store of 1 million mentions.

Builds the store in SQL (the writer's schema through `connect_writer`'s migrations; a year of
mentions over six sources and five languages, threads with company replies, criticism with responses,
settings and source limits), publishes the snapshot the real way, then times:
1. every query function each page runs, each through `read_snapshot` (open read-only, run, close),
   as the dashboard does on a cold cache;
2. each page rendered by Streamlit's AppTest (first render: every query runs; the cached rerun).
   The overview is timed twice: "first" in the fresh process (imports, and Streamlit's one-time
   scan of the installed packages for components, which a server does once at start-up), and
   "warm": after the app ran another page, with the query cache emptied (the page's own cost).
Goal (issue 17): <= 300 ms per query, <= 2 s per page. Prints the figures and the CPU flags and
merges them into bench/results.json under "dashboard". `python bench/dashboard.py [N]` (default 1,000,000).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.freshness import cpu  # noqa: E402
from bench.results import merge_results  # noqa: E402
from pipeline.store import queries  # noqa: E402
from pipeline.store.db import DataDir, connect_writer  # noqa: E402
from pipeline.store.queries.alert_health import channel_health  # noqa: E402
from pipeline.store.queries.mentions import MentionFilter, search_mentions  # noqa: E402
from pipeline.store.queries.quarterly import platform_comparison  # noqa: E402
from pipeline.store.queries.reports import report_archive  # noqa: E402
from pipeline.store.settings import Settings, SourceFacts, write_settings, write_source_facts  # noqa: E402
from pipeline.store.snapshot import publish_snapshot  # noqa: E402

N = 1_000_000
GOAL_QUERY_MS, GOAL_PAGE_S = 300, 2.0
SOURCES = ["reddit", "trustpilot", "hackernews", "mastodon", "linkedin", "news"]
TEXTS = ["Lønna er for lav for nattskift og ingen hører på oss", "Ledelsen lytter ikke til de ansatte",
         "Ingen svar etter intervjuet, dårlig rekruttering", "Turnusen er umulig å planlegge livet rundt",
         "Gode kolleger og god stemning på kontoret", "Fin arbeidsplass med fleksibel arbeidstid",
         "Noen som vet om de ansetter i Bergen?", "Nedbemanningen ble håndtert elendig"]
ASPECTS = ["pay", "management", "recruitment", "workload", None, None, None, "layoffs"]


def build(data: DataDir, n: int, now: datetime) -> None:
    """n mentions over the year before `now`: every 10th a company reply to the mention before it."""
    con = connect_writer(data)
    try:
        texts = "[" + ", ".join(f"'{t}'" for t in TEXTS) + "]"
        aspects = "[" + ", ".join("NULL" if a is None else f"'[{{\"aspect\": \"{a}\", \"term\": \"x\"}}]'"
                                  for a in ASPECTS) + "]"
        sources = "[" + ", ".join(f"'{s}'" for s in SOURCES) + "]"
        step = 365 * 86400 / n
        con.execute(f"""
            INSERT INTO mentions (id, source, external_id, parent_id, thread_id, author, is_official, official,
                                  published_at, text, url, lang, text_hash, fetched_at, updated_at, language,
                                  sentiment, p_negative, p_neutral, p_positive, model_version, analyzed_at,
                                  is_criticism, aspects)
            SELECT i + 1, {sources}[(i // 10) % 6 + 1], 'x' || i,
                   CASE WHEN i % 10 = 1 THEN 'x' || (i - 1) END,
                   CASE WHEN i % 10 = 1 THEN 'x' || (i - 1) ELSE 'x' || i END,
                   CASE WHEN i % 10 = 1 THEN 'acme' ELSE 'user' || (i % 5000) END,
                   i % 10 = 1, i % 10 = 1,
                   TIMESTAMP '{now:%Y-%m-%d %H:%M:%S}' - to_seconds(CAST((n - i) * {step} AS BIGINT)),
                   {texts}[i % 8 + 1] || ' #' || i, 'https://example.org/' || i,
                   ['nb', 'nn', 'sv', 'da', 'en'][i % 5 + 1], md5(CAST(i AS VARCHAR)), now(), now(),
                   ['nb', 'nn', 'sv', 'da', 'en'][i % 5 + 1],
                   CASE WHEN p >= 0.5 THEN 'negative' WHEN p < 0.2 THEN 'positive' ELSE 'neutral' END,
                   p, (1 - p) / 2, (1 - p) / 2, 'bench', now(), p >= 0.5 AND i % 10 <> 1,
                   {aspects}[i % 8 + 1]
            FROM (SELECT i, {n} AS n, ((i * 7919) % 100) / 100.0 AS p FROM range({n}) t(i))
        """)
        con.execute("""
            INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, clock_anomaly,
                                   business_delay_hours, sla_breached, quality, quality_components, outcome,
                                   computed_at)
            SELECT m.id, r.id, r.published_at, date_diff('second', m.published_at, r.published_at) / 3600.0,
                   false, date_diff('second', m.published_at, r.published_at) / 3600.0,
                   r.id IS NOT NULL AND date_diff('second', m.published_at, r.published_at) > 86400,
                   CASE WHEN r.id IS NOT NULL THEN (m.id * 37) % 100 END,
                   CASE WHEN r.id IS NOT NULL THEN '{"empathy": {"value": 1.0, "weight": 0.3}}' END,
                   CASE WHEN r.id IS NOT NULL THEN ['resolved', 'unresolved', 'no_followup'][m.id % 3 + 1] END,
                   now()
            FROM mentions m LEFT JOIN mentions r ON r.parent_id = m.external_id AND r.source = m.source AND r.official
            WHERE NOT m.official
        """)
        write_settings(con, Settings())
        write_source_facts(con, [SourceFacts(s, s, s, True, 3600, 10800) for s in SOURCES])
        for k, s in enumerate(SOURCES):
            con.execute("""INSERT INTO crawl_runs (run_key, source_name, started_at, finished_at, items, new_items,
                                                   errors, status) VALUES (?, ?, ?, ?, 50, 5, 0, 'ok')""",
                        [f"run-{k}", s, now - timedelta(minutes=30), now - timedelta(minutes=29)])
        publish_snapshot(con, data)
    finally:
        con.close()


def time_queries(snapshot: Path, now: datetime) -> dict[str, dict[str, float]]:
    since, until = queries.read_snapshot(snapshot, queries.default_window, now.date())
    trend_since = queries.week_start(now.date()) - timedelta(weeks=11)
    some_id = queries.read_snapshot(snapshot, queries.criticism_inbox, since, until, now=now)["id"].iloc[0]
    w = (since, until, None)
    pages: dict[str, list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]]] = {
        "sidebar": [("data_bounds", queries.data_bounds, (), {}), ("read_settings", queries.read_settings, (), {}),
                    ("default_window", queries.default_window, (now.date(),), {}),
                    ("sources", queries.sources, (), {})],
        "overview": [("kpis_with_previous", queries.kpis_with_previous, w, {}),
                     ("weekly_trend_12w", queries.weekly_trend, (trend_since, until, None), {}),
                     ("by_source", queries.by_source, w, {}),
                     ("sentiment_by_language", queries.sentiment_by_language, w, {}),
                     ("sentiment_by_source", queries.sentiment_by_source, w, {}),
                     ("criticism_aspects", queries.criticism_aspects, w, {}),
                     ("source_health", queries.source_health, (), {"now": now})],
        "inbox": [("languages", queries.languages, (), {}), ("all_aspects", queries.all_aspects, (), {}),
                  ("inbox_actions", queries.inbox_actions, (), {}),
                  ("criticism_inbox", queries.criticism_inbox, w, {"now": now}),
                  ("thread_view", queries.thread_view, (int(some_id),), {})],
        "mentions": [("search_all", search_mentions, (*w, MentionFilter()), {}),
                     ("search_words", search_mentions, (*w, MentionFilter(text="lønn nattskift")), {}),
                     ("search_filters", search_mentions, (*w, MentionFilter(language="nn", criticism=True,
                                                                            aspect="pay", answered=False)), {}),
                     ("export_100k", search_mentions, (None, None, None, MentionFilter()), {"limit": 100_000})],
        "responses": [("kpis", queries.kpis, w, {}), ("responded_criticisms", queries.responded_criticisms, w, {}),
                      ("delay_distribution", queries.delay_distribution, w, {}),
                      ("quality_distribution", queries.quality_distribution, w, {}),
                      ("outcomes", queries.outcomes, w, {}), ("template_replies", queries.template_replies, w, {}),
                      ("weekly_trend_12w", queries.weekly_trend, (trend_since, until, None), {})],
        "sources": [("source_health", queries.source_health, (), {"now": now}), ("by_source", queries.by_source, w, {}),
                    ("channel_health", channel_health, (), {})],
        "quarterly": [("quarterly_comparison", queries.quarterly_comparison, (None,), {}),
                      ("platform_comparison", platform_comparison, (), {})],
        "reports": [("report_archive", report_archive, (), {})],
    }
    out: dict[str, dict[str, float]] = {}
    for page, calls in pages.items():
        out[page] = {}
        for name, fn, args, kwargs in calls:
            t0 = time.perf_counter()
            queries.read_snapshot(snapshot, fn, *args, **kwargs)
            out[page][name] = round((time.perf_counter() - t0) * 1000, 1)
    return out


def time_pages(data_dir: Path) -> dict[str, dict[str, float]]:
    from streamlit.testing.v1 import AppTest

    sys.argv = ["app.py", "--data-dir", str(data_dir), "--demo"]
    out: dict[str, dict[str, float]] = {}
    for page in ["overview", "inbox", "mentions", "responses", "sources", "quarterly", "reports"]:
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
        t0 = time.perf_counter()
        at.run()  # the sidebar and the overview; cold for the overview (the first page timed)
        if page != "overview":
            t0 = time.perf_counter()
            at.switch_page(f"views/{page}.py")
            at.run()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        at.run()
        again = time.perf_counter() - t0
        if at.exception:
            raise SystemExit(f"{page}: {at.exception[0].value}")
        out[page] = {"first_s": round(first, 2), "cached_s": round(again, 2)}
        if page == "overview":
            out[page]["warm_s"] = _overview_warm()
    return out


def _overview_warm() -> float:
    """The overview's first render once the app is up (another page rendered), every query uncached."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.switch_page("views/reports.py")
    at.run()
    st.cache_data.clear()
    t0 = time.perf_counter()
    at.switch_page("views/overview.py")
    at.run()
    if at.exception:
        raise SystemExit(f"overview: {at.exception[0].value}")
    return round(time.perf_counter() - t0, 2)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    machine = cpu()
    print(f"CPU: {machine['model']} ({machine['cores']} cores); flags: {' '.join(machine['flags']) or '-'}")
    with tempfile.TemporaryDirectory() as tmp:
        data = DataDir(Path(tmp) / "data")
        t0 = time.perf_counter()
        build(data, n, now)
        build_s = round(time.perf_counter() - t0, 1)
        print(f"store of {n:,} mentions built and published in {build_s} s")
        q = time_queries(data.snapshot, now)
        slow = []
        for page, figures in q.items():
            for name, ms in figures.items():
                flag = "" if ms <= GOAL_QUERY_MS else "  > goal"
                slow += [f"{page}.{name}"] if flag else []
                print(f"{page:10s} {name:24s} {ms:8.1f} ms{flag}")
        p = time_pages(data.root)
        for page, figures in p.items():
            flag = "" if figures["first_s"] <= GOAL_PAGE_S else "  > goal"
            warm = f", warm first {figures['warm_s']:6.2f} s" if "warm_s" in figures else ""
            print(f"{page:10s} render first {figures['first_s']:6.2f} s, cached {figures['cached_s']:6.2f} s{warm}{flag}")
    merge_results("dashboard", {"cpu": machine, "mentions": n, "build_s": build_s, "query_ms": q, "page_s": p,
                                  "queries_over_goal": slow})


if __name__ == "__main__":
    main()
