"""Bluesky spider: author feed + getPostThread; searchPosts only with an app password."""

from __future__ import annotations

import json
from pathlib import Path

from tests.crawlers.conftest import COMPANY, FixtureServer, run_crawl

BP1 = "at://did:plc:nordlys0001/app.bsky.feed.post/3mabc0001"
BC1 = "at://did:plc:ingrid00001/app.bsky.feed.post/3mabc0002"
BC2 = "at://did:plc:nordlys0001/app.bsky.feed.post/3mabc0003"
BS1 = "at://did:plc:hamza000001/app.bsky.feed.post/3mabc0010"
BS2 = "at://did:plc:ingrid00001/app.bsky.feed.post/3mabc0011"


def serve(server: FixtureServer) -> None:
    server.add(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        "bluesky/author_feed.json",
        query={"actor": "nordlyslogistikk.no"},
    )
    server.add("/xrpc/app.bsky.feed.getPostThread", "bluesky/thread_bp1.json", query={"uri": BP1})
    server.add("/xrpc/app.bsky.feed.getPostThread", "bluesky/thread_bc2.json", query={"uri": BC2})
    server.add("/xrpc/app.bsky.feed.getPostThread", "bluesky/thread_bs1.json", query={"uri": BS1})
    server.add("/xrpc/com.atproto.server.createSession", "bluesky/session.json")
    server.add("/xrpc/app.bsky.feed.searchPosts", "bluesky/search.json")


COMPANY_B = {**COMPANY, "official_accounts": ["nordlyslogistikk.no"]}


def test_bluesky_author_feed_threads_without_search(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    res = run_crawl(tmp_path, "bluesky", server.url, {"actors": ["nordlyslogistikk.no"]}, company=COMPANY_B)
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {BP1, BC1, BC2}
    assert (
        items[BC2]["parent_id"] == BC1
        and items[BC2]["thread_id"] == BP1
        and items[BC2]["is_official"] is True
    )
    assert items[BC1]["author"] == "ingrid.bsky.social" and items[BC1]["is_official"] is None
    assert items[BP1]["url"] == "https://bsky.app/profile/nordlyslogistikk.no/post/3mabc0001"
    assert not server.seen("/xrpc/app.bsky.feed.searchPosts")  # refuses anonymous use: not even tried
    assert "searchPosts skipped" in res.log
    assert res.stats["errors"] == 0


def test_bluesky_search_with_app_password(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    secrets = {"handle": "rykte-monitor.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
    res = run_crawl(
        tmp_path, "bluesky", server.url, {"search_queries": ["Nordlys Logistikk"]}, secrets=secrets
    )
    assert res.returncode == 0, res.log
    assert set(res.ids()) == {BS1, BS2}
    assert res.by_id()[BS2]["parent_id"] == BS1
    search = server.seen("/xrpc/app.bsky.feed.searchPosts")
    assert search and search[0].headers.get("Authorization") == "Bearer test-access-jwt"
    assert server.seen("/xrpc/com.atproto.server.createSession")[0].method == "POST"


def test_image_only_posts_are_counted_not_silently_dropped(server: FixtureServer, tmp_path: Path) -> None:
    root = "at://did:plc:nordlys0001/app.bsky.feed.post/3mimg0001"
    image = "at://did:plc:ingrid00001/app.bsky.feed.post/3mimg0002"

    def view(uri: str, handle: str, text: str, parent: str | None = None) -> dict:
        record: dict = {"$type": "app.bsky.feed.post", "createdAt": "2026-11-22T10:00:00.000Z", "text": text}
        if parent:
            record["reply"] = {"parent": {"uri": parent}, "root": {"uri": parent}}
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [{"alt": ""}]}
        return {"uri": uri, "author": {"did": uri.split("/")[2], "handle": handle}, "record": record}

    thread = {"thread": {"post": view(root, "nordlyslogistikk.no", "Nye ruter fra mandag."), "replies": [
        {"post": view(image, "ingrid.bsky.social", "", parent=root)},
        {"post": {"author": {"handle": "x"}}},  # a post view without uri
    ]}}
    server.add("/xrpc/app.bsky.feed.getAuthorFeed", body=json.dumps({"feed": [{"post": view(root, "n", "x")}]}))
    server.add("/xrpc/app.bsky.feed.getPostThread", body=json.dumps(thread))
    res = run_crawl(tmp_path, "bluesky", server.url, {"actors": ["nordlyslogistikk.no"], "search": False},
                    company=COMPANY_B)
    assert res.returncode == 0, res.log
    assert res.ids() == {root}
    assert res.stats["skipped"]["no_text"] == 1
    assert res.stats["error_kinds"] == {"json": 1}  # the post without uri: counted, the thread kept
