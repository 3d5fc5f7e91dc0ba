"""Reddit spider: search (site-wide + per subreddit), comment trees, `more` stubs, official replies,
company matching/exclusions and the incremental cursor — over real HTTP, real Scrapy engine."""

from __future__ import annotations

import json
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
    # "continue this thread" under c00001: Reddit's own path for the sub-thread (same comments here)
    server.add("/comments/1abc01/_/c00001.json", "reddit/thread_1abc01.json")
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


def _t1(cid: str, parent: str, body: str, author: str = "u", replies: object = "", permalink: bool = True) -> dict:
    data = {"id": cid, "name": f"t1_{cid}", "parent_id": parent, "link_id": "t3_9zz001", "body": body,
            "author": author, "created_utc": 1795161600.0 + len(cid), "replies": replies, "subreddit": "norge"}
    if permalink:
        data["permalink"] = f"/r/norge/comments/9zz001/x/{cid}/"
    return {"kind": "t1", "data": data}


def _listing(children: list) -> dict:
    return {"kind": "Listing", "data": {"after": None, "children": children}}


POST_9 = {"kind": "t3", "data": {"id": "9zz001", "name": "t3_9zz001", "subreddit": "norge", "is_self": True,
                                 "title": "Nordlys Logistikk kutter nattskift", "selftext": "[removed]",
                                 "author": "[deleted]", "created_utc": 1795161000.0,
                                 "permalink": "/r/norge/comments/9zz001/x/"}}
CONTINUE = {"kind": "more", "data": {"count": 0, "name": "t1__", "id": "_", "parent_id": "t1_d4", "depth": 10,
                                     "children": []}}


def test_reddit_continue_this_thread_deleted_placeholders_and_urls(server: FixtureServer, tmp_path: Path) -> None:
    thread = [
        _listing([POST_9]),
        _listing([
            _t1("d1", "t3_9zz001", "Nattskiftet på Alnabru forsvinner.", replies=_listing([
                _t1("d2", "t1_d1", "[deleted]", author="[deleted]", replies=_listing([
                    _t1("d3", "t1_d2", "Vi tar kontakt med de berørte i dag.", author="NordlysLogistikk_HR"),
                ])),
            ])),
            _t1("d4", "t3_9zz001", "Dette er bare starten.", replies=_listing([CONTINUE])),
        ]),
    ]
    focused = [_listing([POST_9]), _listing([
        _t1("d4", "t3_9zz001", "Dette er bare starten.", replies=_listing([
            _t1("d5", "t1_d4", "Hvorfor sier du det?", permalink=False),
        ])),
    ])]
    server.add("/search.json", body=json.dumps({"kind": "Listing", "data": {"after": None, "children": [POST_9]}}))
    server.add("/r/norge/comments/9zz001.json", body=json.dumps(thread))
    server.add("/comments/9zz001/_/d4.json", body=json.dumps(focused))
    res = run_crawl(tmp_path, "reddit", server.url, {"queries": ["Nordlys Logistikk"]}, company=COMPANY_R)
    assert res.returncode == 0, res.log
    items = res.by_id()
    # the sub-thread behind "continue this thread" was fetched (Reddit's own path) and stored
    assert server.seen("/comments/9zz001/_/d4.json")
    assert items["t1_d5"]["parent_id"] == "t1_d4" and items["t1_d5"]["thread_id"] == "t3_9zz001"
    assert items["t1_d5"]["url"] == f"{server.url}/comments/9zz001/_/d5/"  # from link_id: no permalink
    # the deleted comment is no mention; the company's reply under it links to the nearest stored ancestor
    assert "t1_d2" not in items
    assert items["t1_d3"]["parent_id"] == "t1_d1" and items["t1_d3"]["is_official"] is True
    assert res.stats["skipped"]["deleted"] == 1
    # a removed post body is not stored as text; its title is
    assert items["t3_9zz001"]["text"] == "Nordlys Logistikk kutter nattskift"
    assert set(items) == {"t3_9zz001", "t1_d1", "t1_d3", "t1_d4", "t1_d5"}
