"""The demo world over real HTTP: every endpoint, the real formats' keys, paging, auth and the sink."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import yaml

from pipeline.demo.content import build_content
from pipeline.demo.posts import LANGS
from pipeline.demo.world import SOURCE_TYPES, DemoWorld

ANCHOR = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world() -> Iterator[DemoWorld]:
    with DemoWorld(anchor=ANCHOR) as w:
        yield w


def fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get_json(url: str, headers: dict[str, str] | None = None, status: int = 200) -> Any:
    code, _, body = fetch(url, headers)
    assert code == status, (url, code, body[:300])
    return json.loads(body)


def next_data(html: str) -> dict[str, Any]:
    m = re.search(r'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no __NEXT_DATA__"
    return json.loads(m.group(1).replace("<\\/", "</"))


# ------------------------------------------------------------------------------------------------ world


def test_base_urls_robots_and_start_stop() -> None:
    w = DemoWorld(anchor=ANCHOR).start()
    try:
        for t in SOURCE_TYPES:
            assert w.base_url(t) == f"http://127.0.0.1:{w.port}/{t}"
            code, _, body = fetch(w.base_url(t) + "/robots.txt")
            assert code == 200 and b"Allow: /" in body
        code, _, body = fetch(w.origin + "/robots.txt")
        assert code == 200 and b"Disallow" not in body
        with pytest.raises(ValueError):
            w.base_url("twitter")
    finally:
        w.stop()
    with pytest.raises(RuntimeError):
        _ = w.port


def test_content_is_deterministic_and_anchored() -> None:
    a = build_content(ANCHOR)
    b = build_content(ANCHOR + timedelta(days=3))
    ids_a = {(p.platform, p.id) for p in a.all_mentions()}
    ids_b = {(p.platform, p.id) for p in b.all_mentions()}
    assert ids_a == ids_b, "ids must not depend on the anchor (re-crawls must not duplicate)"
    every = a.all_mentions()
    assert max(p.created for p in every) <= ANCHOR
    assert min(p.created for p in every) >= ANCHOR - timedelta(days=71)
    last_week = [p for p in every if p.created >= ANCHOR - timedelta(days=7)]
    assert len(last_week) >= 20, "this week's report needs content"


def test_counts_languages_and_kinds(world: DemoWorld) -> None:
    stats = world.stats()
    assert 300 <= stats["mentions"] <= 800
    assert len([s for s, n in stats["by_source"].items() if n >= 10]) >= 5
    assert set(stats["by_source"]) == set(SOURCE_TYPES)
    assert all(stats["by_lang"].get(lang, 0) >= 10 for lang in LANGS), stats["by_lang"]
    c = world.content
    kinds = {p.kind for p in c.all_mentions()}
    assert {"praise", "neutral", "job", "criticism", "reply_good", "reply_poor", "followup_ok", "followup_bad"} <= kinds
    # criticism with and without an official answer somewhere below it
    answered = unanswered = 0
    for platform, posts in c.posts.items():
        kids = c.children(platform)
        for p in posts:
            if p.kind != "criticism":
                continue
            stack, found = list(kids.get(p.id, [])), False
            while stack:
                k = stack.pop()
                found = found or k.official
                stack.extend(kids.get(k.id, []))
            answered += found
            unanswered += not found
    assert answered >= 30 and unanswered >= 20
    # a reply to another user's comment, a deep reply, and an edit after the reply
    replies = [p for p in c.all_mentions() if p.official and p.extra.get("answers")]
    keyed = {p.key: p for ps in c.posts.values() for p in ps}
    assert any(keyed[r.extra["answers"]].kind == "agree" for r in replies)
    def depth(p: Any) -> int:
        return 0 if p.parent is None else 1 + depth(keyed[p.parent])

    assert any(depth(r) >= 3 for r in replies), "an answer deep in a thread"
    assert any(p.edited for p in c.posts["trustpilot"])
    # the speeds vary: under two hours and over two days
    assert {r.extra["speed"] for r in replies} >= {"fast", "slow"}


# ------------------------------------------------------------------------------------------------ reddit


def test_reddit_search_thread_paging_and_morechildren(world: DemoWorld) -> None:
    base = world.base_url("reddit")
    q = urlencode({"q": '"Nordlys Logistikk"', "sort": "new", "limit": 5, "raw_json": 1, "type": "link"})
    page1 = get_json(f"{base}/search.json?{q}")
    assert page1["kind"] == "Listing" and set(page1["data"]) >= {"after", "before", "children", "dist"}
    posts = page1["data"]["children"]
    assert len(posts) == 5 and all(p["kind"] == "t3" for p in posts)
    d = posts[0]["data"]
    assert {"id", "name", "title", "selftext", "author", "created_utc", "subreddit", "permalink", "num_comments"} <= set(d)
    times = [p["data"]["created_utc"] for p in posts]
    assert times == sorted(times, reverse=True)
    page2 = get_json(f"{base}/search.json?{q}&after={page1['data']['after']}")
    assert not {p["data"]["id"] for p in page2["data"]["children"]} & {p["data"]["id"] for p in posts}
    # aurora posts are found by a loose search but not by the quoted alias
    assert not any("aurora" in (p["data"]["selftext"] + p["data"]["title"]).lower() for p in posts)
    # a thread with nested comments; limit=1 leaves a "more" stub that morechildren resolves
    thread_post = max((p for p in world.content.posts["reddit"] if p.parent is None),
                      key=lambda p: len(world.content.children("reddit").get(p.id, [])))
    thread = get_json(f"{base}/r/x/comments/{thread_post.id}.json?limit=500&sort=new&raw_json=1")
    assert isinstance(thread, list) and len(thread) == 2
    assert thread[0]["data"]["children"][0]["kind"] == "t3"
    first = thread[1]["data"]["children"][0]["data"]
    assert first["parent_id"] == f"t3_{thread_post.id}" and first["link_id"] == f"t3_{thread_post.id}"
    assert first["replies"] == "" or first["replies"]["kind"] == "Listing"
    cut = get_json(f"{base}/comments/{thread_post.id}.json?limit=1")
    stubs = [c for c in cut[1]["data"]["children"] if c["kind"] == "more"]
    assert stubs and stubs[0]["data"]["children"]
    more = get_json(f"{base}/api/morechildren.json?" + urlencode(
        {"link_id": f"t3_{thread_post.id}", "children": ",".join(stubs[0]["data"]["children"]), "api_type": "json"}))
    things = more["json"]["data"]["things"]
    assert more["json"]["errors"] == [] and things and all(t["kind"] == "t1" for t in things)
    assert all(t["data"]["replies"] == "" for t in things)


# ------------------------------------------------------------------------------------------------ HN


def test_hackernews_algolia(world: DemoWorld) -> None:
    base = world.base_url("hackernews")
    since = int((ANCHOR - timedelta(days=30)).timestamp())
    r = get_json(f"{base}/api/v1/search_by_date?" + urlencode(
        {"query": "Nordlys Logistikk", "tags": "(story,comment)", "numericFilters": f"created_at_i>{since}",
         "hitsPerPage": 3, "page": 0}))
    assert {"hits", "nbHits", "page", "nbPages", "hitsPerPage", "query", "params", "processingTimeMS"} <= set(r)
    assert r["hitsPerPage"] == 3 and len(r["hits"]) <= 3 and r["nbPages"] >= 1
    assert all(h["created_at_i"] > since for h in r["hits"])
    hit = r["hits"][0]
    assert {"objectID", "author", "created_at", "created_at_i", "_tags"} <= set(hit)
    stories = get_json(f"{base}/api/v1/search_by_date?query=Nordlys&tags=story&hitsPerPage=100")["hits"]
    comments = get_json(f"{base}/api/v1/search_by_date?query=Nordlys&tags=comment&hitsPerPage=100")["hits"]
    assert stories and all("story" in h["_tags"] for h in stories)
    assert all(h["story_id"] and h["comment_text"] for h in comments)
    item = get_json(f"{base}/api/v1/items/{stories[0]['objectID']}")
    assert item["type"] == "story" and isinstance(item["children"], list)
    assert {"id", "author", "created_at", "created_at_i", "text", "title", "parent_id", "story_id", "points"} <= set(item)
    get_json(f"{base}/api/v1/items/1", status=404)


# ------------------------------------------------------------------------------------------------ Mastodon


def test_mastodon_tag_account_context_and_link_paging(world: DemoWorld) -> None:
    base = world.base_url("mastodon")
    code, headers, body = fetch(f"{base}/api/v1/timelines/tag/nordlyslogistikk?limit=3")
    statuses = json.loads(body)
    assert code == 200 and len(statuses) == 3
    s = statuses[0]
    assert {"id", "created_at", "in_reply_to_id", "in_reply_to_account_id", "language", "uri", "url", "content",
            "account", "replies_count", "visibility", "tags", "mentions"} <= set(s)
    assert {"id", "username", "acct", "display_name", "url"} <= set(s["account"])
    link = headers["Link"]
    nxt = re.search(r'<([^>]+)>; rel="next"', link)
    assert nxt and 'rel="prev"' in link
    more = get_json(nxt.group(1))
    assert more and all(int(x["id"]) < int(statuses[-1]["id"]) for x in more)
    newer = get_json(f"{base}/api/v1/timelines/tag/nordlyslogistikk?since_id={statuses[-1]['id']}")
    assert {x["id"] for x in newer} == {x["id"] for x in statuses[:-1]}
    acct = get_json(f"{base}/api/v1/accounts/lookup?acct=nordlys")
    own = get_json(f"{base}/api/v1/accounts/{acct['id']}/statuses?limit=40")
    assert own and all(x["account"]["acct"] == "nordlys" for x in own)
    reply = next(x for x in own if x["in_reply_to_id"])
    ctx = get_json(f"{base}/api/v1/statuses/{reply['id']}/context")
    assert set(ctx) == {"ancestors", "descendants"} and ctx["ancestors"]
    assert ctx["ancestors"][-1]["id"] == reply["in_reply_to_id"]
    assert get_json(f"{base}/api/v1/statuses/{reply['id']}")["id"] == reply["id"]
    found = get_json(f"{base}/api/v2/search?" + urlencode({"q": "Nordlys Logistikk", "type": "statuses"}))
    assert set(found) == {"accounts", "statuses", "hashtags"} and found["statuses"]
    get_json(f"{base}/api/v1/accounts/lookup?acct=nobody", status=404)


# ------------------------------------------------------------------------------------------------ Bluesky


def test_bluesky_feed_thread_and_authenticated_search(world: DemoWorld) -> None:
    base = world.base_url("bluesky")
    feed = get_json(f"{base}/xrpc/app.bsky.feed.getAuthorFeed?actor=nordlyslogistikk.no&limit=3&filter=posts_with_replies")
    assert len(feed["feed"]) == 3 and "cursor" in feed
    post = feed["feed"][0]["post"]
    assert {"uri", "cid", "author", "record", "replyCount", "likeCount", "indexedAt"} <= set(post)
    assert post["record"]["$type"] == "app.bsky.feed.post" and post["record"]["langs"]
    rest = get_json(f"{base}/xrpc/app.bsky.feed.getAuthorFeed?actor=nordlyslogistikk.no&limit=100&cursor={quote(feed['cursor'])}")
    assert {i["post"]["uri"] for i in rest["feed"]}.isdisjoint({i["post"]["uri"] for i in feed["feed"]})
    reply_item = next(i for i in feed["feed"] + rest["feed"] if "reply" in i)
    assert {"root", "parent"} <= set(reply_item["reply"])
    assert reply_item["post"]["record"]["reply"]["parent"]["uri"] == reply_item["reply"]["parent"]["uri"]
    thread = get_json(f"{base}/xrpc/app.bsky.feed.getPostThread?" + urlencode({"uri": reply_item["reply"]["root"]["uri"], "depth": 20}))
    assert thread["thread"]["$type"] == "app.bsky.feed.defs#threadViewPost" and thread["thread"]["replies"]
    # search refuses anonymous use; createSession with the app password opens it
    q = urlencode({"q": "Nordlys Logistikk", "limit": 5, "sort": "latest"})
    err = get_json(f"{base}/xrpc/app.bsky.feed.searchPosts?{q}", status=401)
    assert err["error"] == "AuthMissing"
    code, _, body = fetch(f"{base}/xrpc/com.atproto.server.createSession", {"Content-Type": "application/json"},
                          json.dumps({"identifier": world.env["DEMO_BLUESKY_HANDLE"], "password": "wrong"}).encode())
    assert code == 401
    code, _, body = fetch(f"{base}/xrpc/com.atproto.server.createSession", {"Content-Type": "application/json"},
                          json.dumps({"identifier": world.env["DEMO_BLUESKY_HANDLE"],
                                      "password": world.env["DEMO_BLUESKY_APP_PASSWORD"]}).encode())
    session = json.loads(body)
    assert code == 200 and session["accessJwt"]
    auth = {"Authorization": f"Bearer {session['accessJwt']}"}
    res = get_json(f"{base}/xrpc/app.bsky.feed.searchPosts?{q}", auth)
    assert len(res["posts"]) == 5 and res["cursor"] == "5" and res["hitsTotal"] > 5
    res2 = get_json(f"{base}/xrpc/app.bsky.feed.searchPosts?{q}&cursor=5", auth)
    assert {p["uri"] for p in res2["posts"]}.isdisjoint({p["uri"] for p in res["posts"]})
    assert get_json(f"{base}/xrpc/app.bsky.feed.getPostThread?uri=at%3A%2F%2Fdid%3Aplc%3Ax%2Fapp.bsky.feed.post%2Fzz",
                    status=400)["error"] == "NotFound"


# ------------------------------------------------------------------------------------------------ Trustpilot


def test_trustpilot_next_data_paging_and_edited_review(world: DemoWorld) -> None:
    base = world.base_url("trustpilot")
    code, _, body = fetch(f"{base}/review/nordlyslogistikk.no?sort=recency")
    assert code == 200
    data = next_data(body.decode())
    props = data["props"]["pageProps"]
    pagination = props["filters"]["pagination"]
    assert pagination["totalPages"] >= 2 and len(props["reviews"]) == pagination["perPage"]
    r = props["reviews"][0]
    assert {"id", "rating", "title", "text", "dates", "consumer", "reply", "language"} <= set(r)
    assert {"publishedDate", "experiencedDate", "updatedDate"} <= set(r["dates"])
    assert {"displayName", "id"} <= set(r["consumer"])
    every = list(props["reviews"])
    for page in range(2, pagination["totalPages"] + 1):
        code, _, body = fetch(f"{base}/review/nordlyslogistikk.no?page={page}")
        every += next_data(body.decode())["props"]["pageProps"]["reviews"]
    assert len({x["id"] for x in every}) == pagination["totalCount"] == len(every)
    assert fetch(f"{base}/review/nordlyslogistikk.no?page={pagination['totalPages'] + 1}")[0] == 404
    replied = [x for x in every if x["reply"]]
    assert replied and all({"message", "publishedDate", "updatedDate"} <= set(x["reply"]) for x in replied)
    edited = [x for x in replied if x["dates"]["updatedDate"]]
    assert edited and all(x["dates"]["updatedDate"] > x["reply"]["publishedDate"] for x in edited)
    assert any(x["rating"] <= 2 and not x["reply"] for x in every)
    assert len({x["language"] for x in every}) == 5


# ------------------------------------------------------------------------------------------------ news


def test_news_feeds_search_and_articles(world: DemoWorld) -> None:
    feeds = world.feeds
    rss = ET.fromstring(fetch(feeds.rss)[2])
    items = rss.findall("./channel/item")
    assert len(items) == len(world.content.articles)
    assert all(i.findtext("pubDate") and i.findtext("link") and i.findtext("guid") for i in items)
    atom = ET.fromstring(fetch(feeds.atom)[2])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert len(atom.findall("a:entry", ns)) == len(items)
    pub = ET.fromstring(fetch(world.base_url("news") + "/hamnbladet/atom")[2])
    assert pub.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    search = ET.fromstring(fetch(feeds.search)[2])
    found = search.findall("./channel/item")
    assert found and all(" - " in (i.findtext("title") or "") and i.find("source") is not None for i in found)
    assert len(found) < len(items), "aurora and unrelated articles are not found by the company's name"
    recent = ET.fromstring(fetch(feeds.search_url("Nordlys when:7d"))[2]).findall("./channel/item")
    assert len(recent) < len(found)
    code, _, page = fetch(items[0].findtext("link") or "")
    html = page.decode()
    assert code == 200 and "<article" in html and 'property="article:published_time"' in html
    import trafilatura

    text = trafilatura.extract(html)
    assert text and len(text) > 100


# ------------------------------------------------------------------------------------------------ web


def test_web_forum_and_reviews_match_the_demo_config(world: DemoWorld) -> None:
    from parsel import Selector

    cfg = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
    web_sources = [s for s in cfg["sources"] if s["type"] == "web"]
    assert len(web_sources) == 2
    for src in web_sources:
        opts = src["options"]
        for start in opts["start_urls"]:
            code, _, body = fetch(world.base_url("web") + start)
            assert code == 200, start
            sel = Selector(text=body.decode())
            items = sel.css(opts["item"])
            assert items, start
            for item in items:
                for field, css in opts["fields"].items():
                    if field in ("title", "rating") and not item.css(css):
                        continue
                    assert item.css(css).get(), (start, field)
    reviews = fetch(world.base_url("web") + "/reviews/nordlys-logistikk")[2].decode()
    assert 'class="employer-response"' in reviews and 'a class="next"' in reviews


# ------------------------------------------------------------------------------------------------ LinkedIn


def test_linkedin_requires_token_and_pages(world: DemoWorld) -> None:
    base = world.base_url("linkedin")
    q = urlencode({"q": "author", "author": "urn:li:organization:90210417", "count": 4, "start": 0})
    url = f"{base}/rest/posts?{q}"
    assert get_json(url, status=401)["message"] == "Empty oauth2 access token"
    assert get_json(url, {"Authorization": "Bearer nope", "LinkedIn-Version": "202411"}, status=401)["serviceErrorCode"] == 65600
    hdrs = {"Authorization": f"Bearer {world.tokens['linkedin']}", "LinkedIn-Version": "202411",
            "X-Restli-Protocol-Version": "2.0.0"}
    assert get_json(url, {"Authorization": hdrs["Authorization"]}, status=400)["code"] == "VERSION_MISSING"
    posts = get_json(url, hdrs)
    assert set(posts) == {"paging", "elements"} and len(posts["elements"]) == 4
    assert any(lk["rel"] == "next" for lk in posts["paging"]["links"])
    p = posts["elements"][0]
    assert {"id", "author", "commentary", "createdAt", "publishedAt", "lifecycleState", "visibility"} <= set(p)
    total = official = 0
    for post in get_json(f"{base}/rest/posts?q=author&author=urn%3Ali%3Aorganization%3A90210417&count=100", hdrs)["elements"]:
        comments = get_json(f"{base}/rest/socialActions/{quote(post['id'], safe='')}/comments?count=100", hdrs)["elements"]
        for c in comments:
            assert {"actor", "commentUrn", "id", "created", "message", "object"} <= set(c)
            total += 1
            if c["commentsSummary"]["aggregatedTotalComments"]:
                nested = get_json(f"{base}/rest/socialActions/{quote(c['commentUrn'], safe='')}/comments", hdrs)["elements"]
                assert nested and all(n["parentComment"] == c["commentUrn"] for n in nested)
                official += sum(n["actor"] == "urn:li:organization:90210417" for n in nested)
    assert total >= 20 and official >= 5


# ------------------------------------------------------------------------------------------------ Graph


def test_facebook_graph_tokens_cursors_and_comments(world: DemoWorld) -> None:
    base = world.base_url("facebook")
    err = get_json(f"{base}/v21.0/104857600123456/posts", status=400)["error"]
    assert err["type"] == "OAuthException" and err["code"] == 104 and "fbtrace_id" in err
    assert get_json(f"{base}/v21.0/104857600123456/posts?access_token=bad", status=400)["error"]["code"] == 190
    tok = world.tokens["facebook"]
    page = get_json(f"{base}/v21.0/104857600123456/posts?" + urlencode(
        {"access_token": tok, "limit": 4, "fields": "id,message,created_time,permalink_url,from"}))
    assert len(page["data"]) == 4 and page["paging"]["cursors"]["after"] and page["paging"]["next"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", page["data"][0]["created_time"])
    page2 = get_json(page["paging"]["next"])
    assert {x["id"] for x in page2["data"]}.isdisjoint({x["id"] for x in page["data"]})
    # a bearer header works as well as access_token
    post_id = page["data"][0]["id"]
    stream = get_json(f"{base}/v21.0/{post_id}/comments?filter=stream&fields=id,message,created_time,from,parent",
                      {"Authorization": f"Bearer {tok}"})
    assert stream["data"] and all({"id", "message", "created_time", "from"} <= set(c) for c in stream["data"])
    top = get_json(f"{base}/v21.0/{post_id}/comments?access_token={tok}")
    assert len(top["data"]) <= len(stream["data"])
    assert get_json(f"{base}/v21.0/999_999?access_token={tok}", status=400)["error"]["code"] == 100


def test_instagram_media_comments_replies(world: DemoWorld) -> None:
    base = world.base_url("instagram")
    assert get_json(f"{base}/v21.0/17841400000000001/media", status=400)["error"]["code"] == 104
    tok = world.tokens["instagram"]
    media = get_json(f"{base}/v21.0/17841400000000001/media?" + urlencode(
        {"access_token": tok, "fields": "id,caption,timestamp,permalink,comments_count", "limit": 100}))["data"]
    assert media and all({"id", "caption", "timestamp", "comments_count"} <= set(m) for m in media)
    replies_seen = 0
    for m in media:
        comments = get_json(f"{base}/v21.0/{m['id']}/comments?" + urlencode(
            {"access_token": tok, "fields": "id,text,timestamp,username,from,replies{id,text,timestamp,username,from}"}))
        for c in comments["data"]:
            assert {"id", "text", "timestamp", "username"} <= set(c)
            if "replies" in c and c["replies"]["data"]:
                replies_seen += len(c["replies"]["data"])
                direct = get_json(f"{base}/v21.0/{c['id']}/replies?access_token={tok}&fields=id,text,username")
                assert len(direct["data"]) == len(c["replies"]["data"])
    assert replies_seen >= 10


# ------------------------------------------------------------------------------------------------ sink


def test_sink_records_posts(world: DemoWorld) -> None:
    url = world.origin + "/sink/webhook"
    before = len(get_json(world.origin + "/sink/"))
    code, _, _ = fetch(url, {"Content-Type": "application/json"}, json.dumps({"title": "Kritikk", "body": "x"}).encode())
    assert code == 200
    records = get_json(world.origin + "/sink/")
    assert len(records) == before + 1 and records[-1]["title"] == "Kritikk"
    assert world.sink[-1] == records[-1]
    assert fetch(url, {"Content-Type": "application/json"}, b"not json")[0] == 400
    assert world.sink_url == f"json://127.0.0.1:{world.port}/sink/webhook"


def test_sink_receives_apprise_json(world: DemoWorld) -> None:
    apprise = pytest.importorskip("apprise")
    a = apprise.Apprise()
    assert a.add(world.sink_url)
    assert a.notify(title="Ny kritikk", body="Nordlys Logistikk: lønn")
    assert any(r.get("title") == "Ny kritikk" for r in world.sink)
