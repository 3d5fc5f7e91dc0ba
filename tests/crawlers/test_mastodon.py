"""Mastodon spider: hashtag timeline + official account statuses + /context replies."""

from __future__ import annotations

from pathlib import Path

from tests.crawlers.conftest import COMPANY, FixtureServer, run_crawl

S1 = "https://mastodon.example/users/kari/statuses/113000000000000001"
S2 = "https://mastodon.example/users/lise/statuses/113000000000000002"
R1 = "https://mastodon.example/users/nordlyslogistikk/statuses/113000000000000010"
R2 = "https://mastodon.example/users/per/statuses/113000000000000011"
O1 = "https://mastodon.example/users/nordlyslogistikk/statuses/113000000000000020"
R3 = "https://mastodon.example/users/per/statuses/113000000000000021"
R4 = "https://mastodon.example/users/nordlyslogistikk/statuses/113000000000000022"


def test_mastodon_tag_account_and_context(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/api/v1/timelines/tag/NordlysLogistikk", "mastodon/tag_p1.json")
    server.add("/api/v1/accounts/lookup", "mastodon/lookup.json", query={"acct": "nordlyslogistikk"})
    server.add("/api/v1/accounts/200/statuses", "mastodon/account_statuses.json")
    server.add("/api/v1/statuses/113000000000000001/context", "mastodon/context_s1.json")
    server.add("/api/v1/statuses/113000000000000010/context", "mastodon/context_r1.json")
    server.add("/api/v1/statuses/113000000000000020/context", "mastodon/context_o1.json")
    company = {**COMPANY, "official_accounts": ["@nordlyslogistikk"]}
    options = {"hashtags": ["#NordlysLogistikk"], "accounts": ["nordlyslogistikk"]}
    res = run_crawl(tmp_path, "mastodon", server.url, options, company=company)
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {S1, R1, R2, O1, R3, R4}  # S2 (the hotel) is excluded
    assert len(res.items) == 6
    assert items[R1]["parent_id"] == S1 and items[R1]["thread_id"] == S1 and items[R1]["is_official"] is True
    assert items[R2]["parent_id"] == S1 and items[R2]["author"] == "per@fosstodon.example"
    assert items[R2]["is_official"] is None
    assert items[R4]["parent_id"] == R3 and items[R4]["thread_id"] == O1
    s1 = items[S1]
    assert "#NordlysLogistikk endrer vaktlista" in s1["text"] and "<" not in s1["text"]
    assert s1["lang"] == "nb" and s1["published_at"] == "2026-11-21T07:00:00Z"
    assert s1["url"] == "https://mastodon.example/@kari/113000000000000001"
    assert res.stats["errors"] == 0
    assert set(res.stats["cursor"]["streams"]) == {"tag:NordlysLogistikk", "account:nordlyslogistikk"}
