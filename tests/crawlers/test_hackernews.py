"""Hacker News spider: Algolia search_by_date + items trees, matching comments keep their replies."""

from __future__ import annotations

from pathlib import Path

from tests.crawlers.conftest import COMPANY, FixtureServer, run_crawl

OPTIONS = {"queries": ["Nordlys Logistikk"]}


def serve(server: FixtureServer) -> None:
    server.add(
        "/api/v1/search_by_date", "hackernews/search_p0.json", query={"page": "0", "tags": "(story,comment)"}
    )
    server.add("/api/v1/search_by_date", "hackernews/search_p1.json", query={"page": "1"})
    for i in ("41000001", "41000100", "40900001"):
        server.add(f"/api/v1/items/{i}", f"hackernews/item_{i}.json")


def test_hackernews_trees_and_matching(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    company = {**COMPANY, "official_accounts": ["nordlys_eng"]}
    res = run_crawl(tmp_path, "hackernews", server.url, OPTIONS, company=company)
    assert res.returncode == 0, res.log
    items = res.by_id()
    # matching story: whole tree (the deleted comment without text is skipped)
    assert {"41000001", "41000010", "41000011"} <= set(items)
    assert "41000012" not in items
    # matching comment in an unrelated story: the comment and the replies under it only
    assert {"41000105", "41000106", "41000107"} <= set(items)
    assert not {"41000100", "41000101", "41000102"} & set(items)
    assert "40900001" in items  # page 2, alias "NordlysLog"
    assert len(res.items) == 7
    reply = items["41000106"]
    assert reply["parent_id"] == "41000105" and reply["thread_id"] == "41000100"
    assert reply["is_official"] is True and reply["author"] == "nordlys_eng"
    assert items["41000011"]["text"] == "Yes – same planner, we run it there since spring."
    assert items["41000001"]["published_at"] == "2026-11-21T09:00:00Z"
    assert items["41000001"]["title"].startswith("Nordlys Logistikk open-sources")
    assert items["41000001"]["url"] == "https://news.ycombinator.com/item?id=41000001"
    assert res.stats["errors"] == 0
    assert res.stats["cursor"]["streams"]["search:Nordlys Logistikk"] == "2026-11-21T09:00:00Z"


def test_hackernews_cursor_stops_paging(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    cursor = {"streams": {"search:Nordlys Logistikk": "2026-11-20T18:00:00Z"}}
    res = run_crawl(tmp_path, "hackernews", server.url, OPTIONS, cursor=cursor)
    assert res.returncode == 0, res.log
    assert not [r for r in server.seen("/api/v1/search_by_date") if r.query.get("page") == "1"]
    assert "40900001" not in res.ids() and "41000001" in res.ids()
