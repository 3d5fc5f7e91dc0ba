"""The published figures shipped in config/quarterly/ import cleanly, each with its source."""

from __future__ import annotations

from pathlib import Path

from pipeline.stats.importer import import_stats
from pipeline.store.db import DataDir, connect_writer

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "quarterly"
SHARES = ("profile_share", "daily_use_share", "news_daily_share")


def test_shipped_figures_import_cleanly_with_their_sources(tmp_path: Path) -> None:
    files = sorted(SHIPPED.glob("*.csv"))
    assert len(files) >= 2
    con = connect_writer(DataDir(tmp_path / "data"))
    try:
        plan = import_stats(con, SHIPPED)
        assert plan.count("new") == len(plan.planned) > 50
        assert con.execute("SELECT count(*) FROM quarterly_stats WHERE source IS NULL OR publication IS NULL "
                           "OR url NOT LIKE 'https://%' OR note IS NULL").fetchall() == [(0,)]
        bad = con.execute("SELECT quarter, platform, metric, value FROM quarterly_stats WHERE metric IN "
                          "(SELECT unnest(?)) AND NOT value BETWEEN 0 AND 100", [list(SHARES)]).fetchall()
        assert bad == []
        platforms = {p for (p,) in con.execute("SELECT DISTINCT platform FROM quarterly_stats").fetchall()}
        assert {"facebook", "instagram", "linkedin", "reddit", "twitter"} <= platforms  # our source ids
        assert all(p == p.lower() and " " not in p for p in platforms)
        # SSB's annual figures hold for each quarter of their year
        assert con.execute("SELECT count(DISTINCT quarter) FROM quarterly_stats WHERE metric = 'news_daily_share' "
                           "AND quarter LIKE '2021-%'").fetchall() == [(4,)]
        assert import_stats(con, SHIPPED).count("unchanged") == len(plan.planned)
    finally:
        con.close()


def test_the_examples_in_the_docs_import(tmp_path: Path) -> None:
    doc = (SHIPPED.parents[1] / "docs" / "quarterly.md").read_text(encoding="utf-8")
    blocks = [b for b in doc.split("\n\n") if b.startswith("    quarter")]
    assert len(blocks) == 2
    con = connect_writer(DataDir(tmp_path / "data"))
    try:
        for i, block in enumerate(blocks):
            f = tmp_path / f"example{i}.csv"
            f.write_text("\n".join(line[4:] for line in block.splitlines()) + "\n", encoding="utf-8")
            import_stats(con, f)
        got = con.execute("SELECT quarter, platform, metric, value FROM quarterly_stats "
                          "ORDER BY platform, metric").fetchall()
    finally:
        con.close()
    assert got == [("2026-Q1", "facebook", "daily_use_share", 61.0), ("2026-Q1", "facebook", "followers", 8320.0),
                   ("2026-Q1", "linkedin", "daily_use_share", 9.0), ("2026-Q1", "linkedin", "engagement_rate", 4.1),
                   ("2026-Q1", "linkedin", "followers", 12450.0), ("2026-Q1", "linkedin", "impressions", 184300.0)]
