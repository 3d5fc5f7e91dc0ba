"""The quarterly comparison per platform, checked against figures computed by hand on a tiny real store.

The store (non-official mentions; replies by the official account `acme`):

2026-Q1  facebook: f1 criticism answered after 2 h, f2 neutral, f3 criticism (rating 1) unanswered
         reddit:   r1 criticism answered after 4 h, r2 criticism answered after 10 h
         news:     n1 neutral (no reach figure: not compared)
2026-Q2  facebook: f4 criticism answered after 6 h
         linkedin: l1, l2 neutral, l3 criticism unanswered

Reach (daily_use_share): 2025-Q4 Facebook 60, Reddit 10, LinkedIn 30, Snapchat 40 (not monitored);
2026-Q2 Facebook 50, Reddit 25, LinkedIn 25. Q1 uses the 2025-Q4 figures (latest at or before).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipeline.stats.importer import import_stats
from pipeline.store.db import connect_writer
from pipeline.store.queries.quarterly import COLUMNS, platform_comparison, previous_quarter
from pipeline.store.snapshot import open_snapshot, publish_snapshot
from tests.factories import m, make_store

Q1 = datetime(2026, 2, 10, 9, 0)
Q2 = datetime(2026, 5, 12, 9, 0)
H = timedelta(hours=1)


def reply(ext: str, source: str, parent: str, at: datetime) -> dict:
    return m(ext, source=source, parent=parent, author="acme", official=True, at=at, p_negative=0.1)


@pytest.fixture
def comparison(tmp_path: Path):
    mentions = [
        m("f1", source="facebook", at=Q1, p_negative=0.9), reply("f1r", "facebook", "f1", Q1 + 2 * H),
        m("f2", source="facebook", at=Q1 + H, p_negative=0.1),
        m("f3", source="facebook", at=Q1 + 2 * H, rating=1),
        m("r1", source="reddit", at=Q1, p_negative=0.8), reply("r1r", "reddit", "r1", Q1 + 4 * H),
        m("r2", source="reddit", at=Q1 + H, p_negative=0.7), reply("r2r", "reddit", "r2", Q1 + 11 * H),
        m("n1", source="news", at=Q1, p_negative=0.1),
        m("f4", source="facebook", at=Q2, p_negative=0.9), reply("f4r", "facebook", "f4", Q2 + 6 * H),
        m("l1", source="linkedin", at=Q2, p_negative=0.1), m("l2", source="linkedin", at=Q2 + H, p_negative=0.2),
        m("l3", source="linkedin", at=Q2 + 2 * H, p_negative=0.95),
    ]
    data = make_store(tmp_path, mentions, official_accounts={s: {"acme"} for s in ("facebook", "reddit")},
                      publish=False)
    stats = tmp_path / "reach.csv"
    stats.write_text("quarter,platform,metric,value,source,publication\n"
                     "2025-Q4,Facebook,daily_use_share,60,Survey,Round 4\n"
                     "2025-Q4,Reddit,daily_use_share,10,Survey,Round 4\n"
                     "2025-Q4,LinkedIn,daily_use_share,30,Survey,Round 4\n"
                     "2025-Q4,Snapchat,daily_use_share,40,Survey,Round 4\n"
                     "2025-Q4,Facebook,profile_share,80,Survey,Round 4\n"
                     "2026-Q2,Facebook,daily_use_share,50,Survey,Round 6\n"
                     "2026-Q2,Reddit,daily_use_share,25,Survey,Round 6\n"
                     "2026-Q2,LinkedIn,daily_use_share,25,Survey,Round 6\n", encoding="utf-8")
    con = connect_writer(data)
    try:
        import_stats(con, stats)
        publish_snapshot(con, data)
    finally:
        con.close()
    with open_snapshot(data.snapshot) as con:  # as the dashboard reads it
        df = platform_comparison(con)
    return {(r["quarter"], r["platform"]): r for r in df.to_dict("records")}, df


def close(a, b) -> bool:
    return (a is None or (isinstance(a, float) and math.isnan(a))) if b is None else a == pytest.approx(b)


def check(row: dict, **expected) -> None:
    wrong = {k: (row[k], v) for k, v in expected.items() if not close(row[k], v)}
    assert not wrong, f"{row['quarter']} {row['platform']}: {wrong}"


def test_rows_cover_every_monitored_platform_per_quarter(comparison) -> None:
    rows, df = comparison
    assert list(df.columns) == COLUMNS
    assert sorted(rows) == [(q, p) for q in ("2026-Q1", "2026-Q2") for p in ("facebook", "linkedin", "news", "reddit")]


def test_first_quarter_against_hand_computed_values(comparison) -> None:
    rows, _df = comparison
    # 6 mentions in Q1; compared platforms facebook, reddit, linkedin (reach 60+10+30 = 100), 5 mentions on them
    check(rows["2026-Q1", "facebook"], mentions=3, mention_share=3 / 6, reach=60, reach_share=0.6,
          compared_share=3 / 5, representation=1.0, negative_share=2 / 3, response_rate=0.5,
          median_response_hours=2.0, mentions_change=3, mention_share_change=None, response_rate_change=None)
    assert rows["2026-Q1", "facebook"]["reach_quarter"] == "2025-Q4"
    assert rows["2026-Q1", "facebook"]["reach_source"] == "Survey, Round 4"
    check(rows["2026-Q1", "reddit"], mentions=2, mention_share=2 / 6, reach_share=0.1, compared_share=2 / 5,
          representation=4.0, negative_share=1.0, response_rate=1.0, median_response_hours=7.0)
    check(rows["2026-Q1", "linkedin"], mentions=0, mention_share=0.0, reach_share=0.3, compared_share=0.0,
          representation=0.0, negative_share=None, response_rate=None, median_response_hours=None)
    check(rows["2026-Q1", "news"], mentions=1, mention_share=1 / 6, reach=None, reach_share=None,
          compared_share=None, representation=None, negative_share=0.0)


def test_second_quarter_and_changes_from_the_first(comparison) -> None:
    rows, _df = comparison
    # 4 mentions in Q2, all on compared platforms; reach 50+25+25 = 100
    check(rows["2026-Q2", "facebook"], mentions=1, mention_share=0.25, reach=50, reach_share=0.5,
          compared_share=0.25, representation=0.5, negative_share=1.0, response_rate=1.0,
          median_response_hours=6.0,
          mentions_change=-2, mention_share_change=0.25 - 0.5, reach_share_change=0.5 - 0.6,
          representation_change=0.5 - 1.0, negative_share_change=1 - 2 / 3, response_rate_change=0.5,
          median_response_hours_change=4.0)
    check(rows["2026-Q2", "linkedin"], mentions=3, mention_share=0.75, reach_share=0.25, compared_share=0.75,
          representation=3.0, negative_share=1 / 3, response_rate=0.0, median_response_hours=None,
          mentions_change=3, representation_change=3.0, reach_share_change=0.25 - 0.3,
          negative_share_change=None, response_rate_change=None)
    check(rows["2026-Q2", "reddit"], mentions=0, reach_share=0.25, representation=0.0, representation_change=-4.0,
          response_rate=None, response_rate_change=None)


def test_kpis_are_those_of_compute_metrics(tmp_path: Path, comparison) -> None:
    from pipeline.store.metrics import compute_metrics
    from pipeline.store.queries.common import quarter_bounds

    rows, _df = comparison
    data = tmp_path / "data"
    with open_snapshot(data / "dashboard.duckdb") as con:
        for (q, p), row in rows.items():
            k = compute_metrics(con, *quarter_bounds(q), p)
            assert row["mentions"] == k["mentions"]
            assert close(row["response_rate"], k["response_rate"])
            assert close(row["median_response_hours"], k["first_response_hours"]["median"])


def test_another_reach_metric_and_previous_quarter(comparison, tmp_path: Path) -> None:
    with open_snapshot(tmp_path / "data" / "dashboard.duckdb") as con:
        df = platform_comparison(con, reach_metric="profile_share", max_quarters=1)
    rows = {r["platform"]: r for r in df.to_dict("records")}
    assert set(df["quarter"]) == {"2026-Q2"}
    # only Facebook has a profile share: it is the whole compared reach, and all compared mentions
    check(rows["facebook"], reach=80, reach_share=1.0, compared_share=1.0, representation=1.0)
    check(rows["linkedin"], reach=None, reach_share=None, representation=None)
    assert [previous_quarter(q) for q in ("2026-Q1", "2026-Q2", "2026-Q4")] == ["2025-Q4", "2026-Q1", "2026-Q3"]


def test_an_empty_store_gives_an_empty_frame_with_the_columns(tmp_path: Path) -> None:
    data = make_store(tmp_path, [])
    with open_snapshot(data.snapshot) as con:
        df = platform_comparison(con)
    assert df.empty and list(df.columns) == COLUMNS


# --------------------------------------------------------------------------------------------
# The grouped KPIs (one pass) against compute_metrics over each group's own window


EDGES = [datetime(2026, 3, 29, 23, 59, 59),  # Sunday, last second of ISO week 13 (and of Q1's last full week)
         datetime(2026, 3, 30, 0, 0),        # Monday 00:00, week 14 starts
         datetime(2026, 3, 31, 23, 59, 59),  # last second of Q1
         datetime(2026, 4, 1, 0, 0),         # Q2 starts
         datetime(2026, 4, 5, 12, 0), datetime(2026, 4, 6, 0, 0)]


@pytest.fixture
def edge_store(tmp_path: Path):
    """Criticism, neutral mentions and answers on both sides of week and quarter boundaries, on three
    sources (one, `trustpilot`, with only the company's own posts in Q2)."""
    mentions = []
    for i, at in enumerate(EDGES):
        for src in ("facebook", "reddit"):
            ext = f"{src[0]}{i}"
            mentions.append(m(ext, source=src, at=at, p_negative=0.9 if i % 2 == 0 else 0.1,
                              quality=40.0 + 10 * i if i % 2 == 0 else None))
            if (i % 2 == 0 and src == "facebook") or i == 3:
                mentions.append(reply(f"{ext}r", src, ext, at + (i + 1) * H))
    mentions.append(m("t1", source="trustpilot", author="acme", official=True, at=EDGES[4]))
    mentions.append(m("t2", source="trustpilot", at=EDGES[0], rating=1))
    data = make_store(tmp_path, mentions,
                      official_accounts={s: {"acme"} for s in ("facebook", "reddit", "trustpilot")})
    with open_snapshot(data.snapshot) as con:
        yield con


def clip(lo: datetime, hi: datetime, since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    return max(lo, since) if since else lo, min(hi, until) if until else hi


def _windows() -> list[tuple[datetime | None, datetime | None]]:
    return [(None, None), (datetime(2026, 3, 30), None), (None, datetime(2026, 4, 1)),
            (datetime(2026, 3, 31, 12), datetime(2026, 4, 5, 18))]


def test_grouped_metrics_equal_compute_metrics_per_group(edge_store) -> None:
    from pipeline.store.metrics import compute_metrics, empty_metrics, grouped_metrics
    from pipeline.store.queries.common import quarter_bounds, week_start

    con = edge_store
    header = ("since", "until", "source", "by_source")
    for since, until in _windows():
        for source in (None, "facebook", "trustpilot", "linkedin"):
            whole, by_source, by_week, by_quarter, by_quarter_source = grouped_metrics(
                con, since, until, source, by=[(), ("source",), ("week",), ("quarter",), ("quarter", "source")])
            k = compute_metrics(con, since, until, source)
            assert whole[()] == {n: v for n, v in k.items() if n not in header}
            assert sorted(s for (s,) in by_source) == sorted(k["by_source"])

            for (src,), block in by_source.items():
                assert block == {n: v for n, v in compute_metrics(con, since, until, src).items() if n not in header}
            weeks_seen = set()
            for at in EDGES:
                monday = week_start(at)
                lo, hi = clip(datetime.combine(monday, datetime.min.time()),
                              datetime.combine(monday + timedelta(days=7), datetime.min.time()), since, until)
                if lo >= hi:
                    continue
                expected = {n: v for n, v in compute_metrics(con, lo, hi, source).items() if n not in header}
                assert by_week.get((monday,), empty_metrics()) == expected, (since, until, source, monday)
                weeks_seen.add(monday)
            assert {w for (w,) in by_week} <= weeks_seen
            for q in ("2026-Q1", "2026-Q2"):
                lo, hi = clip(*(datetime.combine(d, datetime.min.time()) for d in quarter_bounds(q)), since, until)
                expected = {n: v for n, v in compute_metrics(con, lo, hi, source).items() if n not in header}
                assert by_quarter.get((q,), empty_metrics()) == expected
                for src in ("facebook", "reddit", "trustpilot"):
                    one = {n: v for n, v in compute_metrics(con, lo, hi, src if source in (None, src) else "-")
                           .items() if n not in header}
                    assert by_quarter_source.get((q, src), empty_metrics()) == one, (q, src, since, until, source)


def test_grouped_metrics_see_the_boundaries(edge_store) -> None:
    """The groups are the calendar's: the last second of a week or quarter stays in it."""
    from datetime import date

    from pipeline.store.metrics import grouped_metrics

    by_week, by_quarter = grouped_metrics(edge_store, by=[("week",), ("quarter",)])
    # W13: f0, r0 and t2 (f0's reply an hour later is in W14); W14: 8 mentions, 5 replies and t1
    assert {w: b["mentions"] + b["official_mentions"] for (w,), b in by_week.items()} == {
        date(2026, 3, 23): 3, date(2026, 3, 30): 8 + 5 + 1, date(2026, 4, 6): 2}
    assert {q: b["mentions"] for (q,), b in by_quarter.items()} == {"2026-Q1": 7, "2026-Q2": 6}
    with pytest.raises(ValueError, match="unknown grouping"):
        grouped_metrics(edge_store, by=[("month",)])


def test_weekly_trend_by_source_and_quarters_equal_compute_metrics(edge_store) -> None:
    from datetime import date

    from pipeline.store.metrics import compute_metrics
    from pipeline.store.queries import by_source, quarterly_comparison, weekly_trend
    from pipeline.store.queries.common import quarter_bounds, weeks

    con = edge_store
    since, until = date(2026, 3, 25), date(2026, 4, 6)
    trend = weekly_trend(con, since, until, None)
    assert list(trend["week"]) == ["2026-W13", "2026-W14"]
    for row, (_monday, start, end) in zip(trend.to_dict("records"), weeks(since, until), strict=True):
        k = compute_metrics(con, start, end)
        assert (row["mentions"], row["criticisms"], row["criticisms_responded"]) == (
            k["mentions"], k["criticisms"], k["criticisms_responded"])
        assert close(row["median_first_response_hours"], k["first_response_hours"]["median"])
        assert close(row["p90_first_response_hours"], k["first_response_hours"]["p90"])
        assert close(row["quality_mean"], k["quality_mean"])
    table = by_source(con, since, until)
    assert list(table["source"]) == ["facebook", "reddit", "trustpilot"]
    for row in table.to_dict("records"):
        k = compute_metrics(con, since, until, row["source"])
        assert row["mentions"] == k["mentions"] and row["criticisms_responded"] == k["criticisms_responded"]
        assert close(row["median_first_response_hours"], k["first_response_hours"]["median"])
        assert close(row["quality_mean"], k["quality_mean"])
    for source in (None, "reddit"):
        comp = quarterly_comparison(con, source)
        assert list(comp["quarter"]) == ["2026-Q1", "2026-Q2"]
        for row in comp.to_dict("records"):
            k = compute_metrics(con, *quarter_bounds(row["quarter"]), source)
            assert (row["mentions"], row["criticisms"]) == (k["mentions"], k["criticisms"])
            assert close(row["response_rate"], k["response_rate"])
            assert close(row["median_first_response_hours"], k["first_response_hours"]["median"])
            assert close(row["quality_mean"], k["quality_mean"])
