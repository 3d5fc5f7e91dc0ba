"""Reddit spider: search (site-wide + per subreddit), comment trees, `more` stubs, official replies,
company matching/exclusions and the incremental cursor — over real HTTP, real Scrapy engine."""

from __future__ import annotations

from pathlib import Path

from tests.crawlers.conftest import COMPANY, FixtureServer, run_crawl

Q = '"Nordlys Logistikk"'
OPTIONS = {"queries": ["Nordlys Logistikk"], "subreddits": ["arbeidsliv"]}
COMPANY_R = {**COMPANY, "official_accounts": ["NordlysLogistikk_HR"]}


def serve(server: FixtureServer) -> None:
    server.add("/search.json", "reddit/search_p1.json", query={"q": Q})
    server.add("/search.json", "reddit/search_p2.json", query={"q": Q, "after": "t3_1abc03"})
    server.add("/r/arbeidsliv/search.json", "reddit/search_arbeidsliv.json", query={"restrict_sr": "1"})
    for pid, sub in (("1abc01", "norge"), ("1abc03", "arbeidsliv"), ("1abc04", "norge")):
        server.add(f"/r/{sub}/comments/{pid}.json", f"reddit/thread_{pid}.json")
    server.add(
        "/api/morechildren.json",
        "reddit/morechildren_1abc01.json",
        query={"link_id": "t3_1abc01", "children": "c00004,c00005", "api_type": "json"},
    )


def test_reddit_threads_official_replies_and_matching(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    res = run_crawl(tmp_path, "reddit", server.url, OPTIONS, company=COMPANY_R)
    assert res.returncode == 0, res.log
    items = res.by_id()
    # matched posts (incl. genitive "Nordlys Logistikks" and alias "NordlysLog"), not the excluded hotel
    assert {"t3_1abc01", "t3_1abc03", "t3_1abc04"} <= set(items)
    assert "t3_1abc02" not in items
    # the whole comment tree under a matching post, including `more` children and `replies: ""` leaves
    assert {"t1_c00001", "t1_c00002", "t1_c00003", "t1_c00004", "t1_c00005", "t1_c00006", "t1_c00007"} <= set(
        items
    )
    assert len(res.items) == len(items) == 10  # no duplicates although 1abc03 was found twice
    c2 = items["t1_c00002"]
    assert c2["parent_id"] == "t1_c00001" and c2["thread_id"] == "t3_1abc01"
    assert c2["is_official"] is True and c2["author"] == "NordlysLogistikk_HR"
    assert items["t1_c00003"]["parent_id"] == "t1_c00002"
    assert items["t1_c00005"]["parent_id"] == "t1_c00004" and items["t1_c00005"]["thread_id"] == "t3_1abc01"
    assert items["t1_c00001"]["is_official"] is None
    post = items["t3_1abc01"]
    assert post["thread_id"] == "t3_1abc01" and post["parent_id"] is None
    assert post["title"] == "Noen som har jobbet i Nordlys Logistikk?"
    assert post["published_at"] == "2026-11-20T08:00:00Z" and post["source"] == "reddit"
    assert "Alnabru" in post["text"]
    assert items["t1_c00001"]["text"].startswith("Lav lønn")
    # stats + cursor
    st = res.stats
    assert st["items"] == 10 and st["errors"] == 0 and st["finish_reason"] == "finished"
    assert st["cursor"]["streams"]["search:Nordlys Logistikk"] == "2026-11-20T08:00:00Z"
    assert st["cursor"]["streams"]["r/arbeidsliv:Nordlys Logistikk"] == "2026-11-18T21:30:00Z"
    # paged to page 2; polite headers
    assert any(r.query.get("after") == "t3_1abc03" for r in server.seen("/search.json"))
    assert all(r.headers.get("User-Agent", "").startswith("Rykte/0.1") for r in server.requests)


def test_reddit_cursor_stops_paging_and_full_recrawl(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    cursor = {"streams": {"search:Nordlys Logistikk": "2026-11-19T00:00:00Z"}}
    res = run_crawl(tmp_path / "inc", "reddit", server.url, OPTIONS, cursor=cursor)
    assert res.returncode == 0, res.log
    assert not any(r.query.get("after") for r in server.seen("/search.json"))
    assert "t3_1abc04" not in res.ids()  # only on page 2
    assert res.stats["cursor"]["streams"]["search:Nordlys Logistikk"] == "2026-11-20T08:00:00Z"

    server.requests.clear()
    res = run_crawl(tmp_path / "full", "reddit", server.url, OPTIONS, cursor=cursor, full=True)
    assert any(r.query.get("after") == "t3_1abc03" for r in server.seen("/search.json"))
    assert "t3_1abc04" in res.ids()
