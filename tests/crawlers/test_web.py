"""Generic web spider: a forum topic (thread per page, official representative) and an employer review
site (item + employer reply blocks, ratings, date formats)."""

from __future__ import annotations

from pathlib import Path

from tests.crawlers.conftest import FixtureServer, run_crawl

FORUM = {
    "start_urls": ["/forum/topic/77"],
    "item": "div.post",
    "thread": "page",
    "fields": {
        "id": "::attr(id)",
        "author": ".author::text",
        "date": "time::text",
        "text": ".content",
    },
    "date_formats": ["%d.%m.%Y %H:%M"],
    "next_page": "a.next::attr(href)",
}

REVIEWS = {
    "start_urls": ["/arbeitgeber/nordlys-logistikk"],
    "item": "article.review",
    "fields": {
        "id": "::attr(data-id)",
        "author": "xpath:./span[@class='by']/text()",
        "date": "xpath:./span[@class='when']/text()",
        "text": "xpath:./div[@class='body']",
        "title": "h2.title::text",
        "rating": ".score::text",
    },
    "date_formats": ["%d.%m.%Y"],
    "replies": {
        "item": ".employer-reply",
        "fields": {"author": ".by::text", "date": ".when::text", "text": ".body"},
        "official_authors": ["Nordlys Logistikk"],
    },
    "require_match": False,
}


def test_web_forum_topic(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/forum/topic/77", "web/forum_topic77_p1.html")
    server.add("/forum/topic/77", "web/forum_topic77_p2.html", query={"page": "2"})
    res = run_crawl(tmp_path, "web", server.url, FORUM, platform="arbeidslivsforumet", company=None)
    assert res.returncode == 0, res.log
    items = res.by_id()
    # the topic names the company, so every post in it is kept; "i går" has no usable date
    assert set(items) == {"p1001", "p1002", "p1003", "p1004"}
    assert res.stats["error_kinds"] == {"missing_date": 1}
    assert items["p1001"]["thread_id"] == "p1001" and items["p1001"]["parent_id"] is None
    assert items["p1004"]["parent_id"] == "p1001" and items["p1004"]["thread_id"] == "p1001"
    assert items["p1002"]["published_at"] == "2026-11-18T10:15:00Z"
    assert items["p1002"]["text"] == "Lønna er ok, men ledelsen endrer turnus hele tiden."
    assert all(i["source"] == "arbeidslivsforumet" for i in res.items)


def test_web_review_site_with_employer_replies(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/arbeitgeber/nordlys-logistikk", "web/reviews.html")
    res = run_crawl(tmp_path, "web", server.url, REVIEWS, platform="kununu")
    assert res.returncode == 0, res.log
    by_parent = {i["parent_id"]: i for i in res.items if i["parent_id"]}
    items = res.by_id()
    assert {"rv-501", "rv-502"} <= set(items) and len(res.items) == 3
    assert items["rv-501"]["rating"] == 1.5 and items["rv-501"]["title"] == "Chaotische Schichtplanung"
    assert items["rv-501"]["published_at"] == "2026-11-02T00:00:00Z"
    reply = by_parent["rv-501"]
    assert reply["is_official"] is True and reply["thread_id"] == "rv-501"
    assert reply["published_at"] == "2026-11-05T00:00:00Z" and reply["author"] == "Nordlys Logistikk"
    assert res.stats["errors"] == 0
