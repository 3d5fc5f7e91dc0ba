"""LinkedIn, Facebook and Instagram through their official APIs (token from secrets), and the clean
"not configured" failure without a token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawlers.conftest import FixtureServer, run_crawl

ORG = "urn:li:organization:1234567"
LC1 = "urn:li:comment:(urn:li:activity:7260000000000000001,7261000000000000001)"
LC2 = "urn:li:comment:(urn:li:activity:7260000000000000001,7261000000000000002)"


def test_linkedin_posts_comments_and_org_replies(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/rest/posts", "linkedin/posts.json", query={"q": "author", "author": ORG})
    server.add(
        "/rest/socialActions/urn:li:share:7260000000000000001/comments", "linkedin/comments_post1.json"
    )
    server.add(f"/rest/socialActions/{LC1}/comments", "linkedin/comments_lc1.json")
    server.add(
        "/rest/socialActions/urn:li:ugcPost:7260000000000000002/comments", "linkedin/comments_empty.json"
    )
    res = run_crawl(
        tmp_path, "linkedin", server.url, {"organization_id": "1234567"}, secrets={"token": "li-test-token"}
    )
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {"urn:li:share:7260000000000000001", "urn:li:ugcPost:7260000000000000002", LC1, LC2}
    assert items[LC2]["parent_id"] == LC1 and items[LC2]["is_official"] is True
    assert items[LC2]["thread_id"] == "urn:li:share:7260000000000000001"
    assert items[LC1]["is_official"] is False and items[LC1]["author"] == "urn:li:person:aBcD123"
    assert items[LC1]["published_at"] == "2026-11-18T09:00:00Z"
    assert server.seen("/rest/posts")[0].headers["Authorization"] == "Bearer li-test-token"
    assert res.stats["errors"] == 0


def test_facebook_and_instagram(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/v21.0/104500000000001/posts", "facebook/posts.json")
    server.add(
        "/v21.0/104500000000001_900001/comments", "facebook/comments_900001.json", query={"filter": "stream"}
    )
    res = run_crawl(
        tmp_path / "fb", "facebook", server.url, {"page_id": "104500000000001"}, secrets={"token": "fb"}
    )
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {"104500000000001_900001", "900001_5001", "900001_5002", "900001_5003"}
    assert items["900001_5002"]["parent_id"] == "900001_5001" and items["900001_5002"]["is_official"] is True
    assert (
        items["900001_5001"]["parent_id"] == "104500000000001_900001"
        and items["900001_5001"]["is_official"] is False
    )
    assert items["900001_5003"]["thread_id"] == "104500000000001_900001"
    # the posts response has a cursor but no `next` link: no second page
    assert len(server.seen("/v21.0/104500000000001/posts")) == 1

    server.add("/v21.0/17841400000000001/media", "instagram/media.json")
    server.add("/v21.0/17900000000000001/comments", "instagram/comments_m1.json")
    res = run_crawl(
        tmp_path / "ig", "instagram", server.url, {"ig_user_id": "17841400000000001"}, secrets={"token": "ig"}
    )
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {"17900000000000001", "17950000000000001", "17950000000000002", "17950000000000003"}
    assert items["17950000000000002"]["parent_id"] == "17950000000000001"
    assert (
        items["17950000000000002"]["is_official"] is True
        and items["17950000000000001"]["is_official"] is False
    )
    assert items["17950000000000003"]["text"] == "😍"


@pytest.mark.parametrize(
    "spider,env,options",
    [("linkedin", "LINKEDIN_TOKEN", {"organization_id": "1"}), ("facebook", "FACEBOOK_TOKEN", {"page_id": "1"}),
     ("instagram", "INSTAGRAM_TOKEN", {"ig_user_id": "1"})],
)
def test_without_token_the_run_fails_cleanly(
    server: FixtureServer, tmp_path: Path, spider: str, env: str, options: dict[str, str]
) -> None:
    res = run_crawl(tmp_path, spider, server.url, options)
    assert res.returncode == 0, res.log  # a failed run, not a crash
    assert "Traceback" not in res.log
    assert res.items == [] and not server.requests
    st = res.stats
    assert (
        st["finish_reason"] == "not_configured" and st["errors"] == 1 and st["error_kinds"] == {"config": 1}
    )
    assert f"set {env}" in st["error_samples"][0] and f"set {env}" in res.log
