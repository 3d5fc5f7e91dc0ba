"""Every demo source crawled by its real spider stores no mention dated after its fetch time.

The demo world's content ends at its anchor, so a mention dated later than the anchor (or than its
fetch) can only come from a misread date: the web spider once read the ISO ``datetime`` attributes
day-first: with the anchor on 18 March, 20 of the 39 forum and review mentions (those of the 1st to
12th of a month) moved, a post of 5 January to 1 May: weeks after the last crawl.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config.loader import load_config
from pipeline.demo.runner import DEMO_CONFIG
from pipeline.demo.world import DemoWorld
from tests.crawlers.conftest import run_crawl

pytestmark = [pytest.mark.slow]
ANCHOR = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def test_no_demo_mention_is_dated_after_its_fetch(tmp_path: Path) -> None:
    with DemoWorld(anchor=ANCHOR) as world:
        cfg = load_config(DEMO_CONFIG, extra_env=world.env)
        stored = 0
        for source in cfg.sources:
            platform = source.platform_name()
            company = {
                "name": cfg.company.name,
                "aliases": cfg.company.aliases,
                "exclude": cfg.company.exclude,
                "official_accounts": cfg.company.official_accounts.get(platform, []),
            }
            res = run_crawl(
                tmp_path / source.name,
                source.type,
                source.base_url,
                source.parsed_options().model_dump(mode="json"),
                company=company,
                secrets=source.secrets,
                platform=platform,
                run_id=source.name,
            )
            fetched = datetime.now(UTC)
            assert res.returncode == 0, (source.name, res.log[-2000:])
            assert "future_date" not in res.stats["error_kinds"], (source.name, res.stats)
            for item in res.items:
                when = datetime.fromisoformat(item["published_at"].replace("Z", "+00:00"))
                assert when <= min(fetched, ANCHOR), (source.name, item["external_id"], item["published_at"])
            stored += len(res.items)
            if source.type == "web":
                assert res.items, source.name
        assert stored >= 300
