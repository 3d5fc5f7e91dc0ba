"""Property tests: every parser and mapper of the crawlers, on any input, gives items or one of the
errors its spider counts (MAPPING_ERRORS), never anything else; and whatever a mapper returns, the
base spider turns into a valid import row or a counted skip."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from parsel import Selector

from crawlers.options import WebOptions
from crawlers.spiders import (
    bluesky,
    facebook,
    hackernews,
    instagram,
    linkedin,
    mastodon,
    news,
    reddit,
    trustpilot,
)
from crawlers.spiders.base import MAPPING_ERRORS, Raw
from crawlers.spiders.web import WebSpider, parse_items

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALAR = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(max_size=20)
JSONISH = st.recursive(SCALAR, lambda k: st.lists(k, max_size=3) | st.dictionaries(st.text(max_size=6), k, max_size=3),
                       max_leaves=12)


def shaped(keys: dict[str, st.SearchStrategy[Any]] | list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with any subset of the given keys (values of the given shape, or anything)."""
    strategies = keys if isinstance(keys, dict) else dict.fromkeys(keys, JSONISH)
    return st.fixed_dictionaries({}, optional={k: v | JSONISH for k, v in strategies.items()})


DATE = st.sampled_from(["2026-11-20T10:00:00Z", "2026-11-20T10:00:00.000Z", "0001-01-01T00:00:00+01:00",
                        "yesterday", ""]) | st.integers() | st.floats()
TEXT = st.text(max_size=30)


def holds(fn: Any, *args: Any) -> list[Any]:
    try:
        out = fn(*args)
    except MAPPING_ERRORS:
        return []
    return out if isinstance(out, list) else [out]


# ---------------------------------------------------------------------------------------------- reddit
T1 = shaped({"id": TEXT, "name": TEXT, "body": TEXT, "author": TEXT, "created_utc": DATE, "parent_id": TEXT,
             "link_id": TEXT, "permalink": TEXT, "replies": st.just("")})
T3 = shaped({"id": TEXT, "name": TEXT, "title": TEXT, "selftext": TEXT, "created_utc": DATE, "is_self": st.booleans(),
             "url": TEXT, "permalink": TEXT})
THING = st.one_of(
    st.builds(lambda d: {"kind": "t1", "data": d}, T1),
    st.builds(lambda d: {"kind": "t3", "data": d}, T3),
    st.builds(lambda d: {"kind": "more", "data": d}, shaped(["id", "count", "children", "parent_id"])),
    JSONISH,
)
LISTING = st.builds(lambda c: {"kind": "Listing", "data": {"children": c, "after": None}}, st.lists(THING, max_size=4))


@FAST
@given(st.one_of(LISTING, JSONISH))
def test_reddit_listing(data: Any) -> None:
    for x in holds(reddit.parse_listing, data):
        assert isinstance(x, tuple)


@FAST
@given(st.one_of(st.lists(LISTING, min_size=2, max_size=2), JSONISH))
def test_reddit_thread(data: Any) -> None:
    holds(reddit.parse_thread, data)


@FAST
@given(st.one_of(st.builds(lambda t: {"json": {"data": {"things": t}}}, st.lists(THING, max_size=4)), JSONISH))
def test_reddit_morechildren(data: Any) -> None:
    holds(reddit.parse_morechildren, data)


# ---------------------------------------------------------------------------------------------- hacker news
HN_NODE = st.recursive(
    shaped({"id": st.integers(), "author": TEXT, "text": TEXT, "created_at_i": DATE, "parent_id": st.integers(),
            "type": st.sampled_from(["story", "comment"])}),
    lambda k: st.builds(lambda d, c: {**d, "children": c},
                        shaped({"id": st.integers(), "text": TEXT, "created_at": DATE}), st.lists(k, max_size=3)),
    max_leaves=8,
)


@FAST
@given(st.one_of(HN_NODE, JSONISH))
def test_hackernews_tree_and_search(data: Any) -> None:
    holds(hackernews.parse_item_tree, data)
    holds(hackernews.parse_search, data)
    if isinstance(data, dict):
        holds(hackernews.hit_text, data)
        holds(hackernews.hit_story_id, data)


# ---------------------------------------------------------------------------------------------- mastodon
STATUS = shaped({"id": TEXT, "uri": TEXT, "url": TEXT, "content": TEXT, "created_at": DATE, "in_reply_to_id": TEXT,
                 "spoiler_text": TEXT, "language": TEXT, "account": shaped({"acct": TEXT, "username": TEXT})})


@FAST
@given(STATUS, st.one_of(st.builds(lambda a, d: {"ancestors": a, "descendants": d}, st.lists(STATUS, max_size=3),
                                   st.lists(STATUS, max_size=3)), JSONISH))
def test_mastodon_status_and_context(status: dict[str, Any], context: Any) -> None:
    holds(mastodon.status_raw, status)
    holds(mastodon.parse_context, status, context)


# ---------------------------------------------------------------------------------------------- bluesky
POST = shaped({"uri": TEXT, "author": shaped({"handle": TEXT, "did": TEXT}),
               "record": shaped({"text": TEXT, "createdAt": DATE, "langs": st.lists(TEXT, max_size=2),
                                 "reply": shaped({"parent": shaped({"uri": TEXT}), "root": shaped({"uri": TEXT})})})})
THREAD = st.recursive(st.builds(lambda p: {"post": p}, POST),
                      lambda k: st.builds(lambda p, r, par: {"post": p, "replies": r, "parent": par},
                                          POST, st.lists(k, max_size=2), k | st.none()), max_leaves=6)


@FAST
@given(st.one_of(st.builds(lambda t: {"thread": t}, THREAD), JSONISH),
       st.one_of(st.builds(lambda f: {"feed": f}, st.lists(st.builds(lambda p: {"post": p}, POST), max_size=3)), JSONISH))
def test_bluesky_thread_feed_post(thread: Any, feed: Any) -> None:
    holds(bluesky.parse_thread, thread)
    for post in holds(bluesky.parse_feed, feed)[:1]:
        for p in post:
            holds(bluesky.post_raw, p)


# ---------------------------------------------------------------------------------------------- trustpilot
REVIEW = shaped({"id": TEXT, "title": TEXT, "text": TEXT, "rating": SCALAR, "language": TEXT,
                 "dates": shaped({"publishedDate": DATE}), "consumer": shaped({"displayName": TEXT}),
                 "reply": shaped({"message": TEXT, "publishedDate": DATE})})


@FAST
@given(st.one_of(st.builds(lambda r: {"props": {"pageProps": {"reviews": r}}}, st.lists(REVIEW, max_size=3)), JSONISH))
def test_trustpilot_reviews(data: Any) -> None:
    holds(trustpilot.parse_reviews, data)


# ---------------------------------------------------------------------------------------------- graph APIs
GRAPH = shaped({"id": TEXT, "message": TEXT, "text": TEXT, "created_time": DATE, "timestamp": DATE,
                "from": shaped({"id": TEXT, "name": TEXT}), "parent": shaped({"id": TEXT}), "permalink_url": TEXT})
LI_POST = shaped({"id": TEXT, "author": TEXT, "publishedAt": SCALAR, "createdAt": SCALAR, "commentary": TEXT})
LI_COMMENT = shaped({"$URN": TEXT, "actor": TEXT, "created": shaped({"time": SCALAR, "actor": TEXT}),
                     "message": shaped({"text": TEXT})})


@FAST
@given(GRAPH, LI_POST, LI_COMMENT, st.one_of(st.builds(lambda d: {"data": d}, st.lists(GRAPH, max_size=3)), JSONISH))
def test_graph_linkedin_instagram(graph: dict[str, Any], li_post: dict[str, Any], li_comment: dict[str, Any],
                                  comments: Any) -> None:
    holds(facebook.graph_raw, graph, "page", None, "thread")
    holds(linkedin.post_raw, li_post, "urn:li:organization:1")
    holds(linkedin.comment_raw, li_comment, "p", "t", "urn:li:organization:1")
    holds(instagram.parse_comments, comments, "u", "name", "m")


# ---------------------------------------------------------------------------------------------- news, web
ENTRY = st.builds(
    lambda guid, title, date, desc: (
        "<item>" + (f"<guid>{guid}</guid>" if guid else "") + f"<title>{title}</title>"
        + (f"<pubDate>{date}</pubDate>" if date else "") + f"<description>{desc}</description></item>"),
    st.text(alphabet="abc123-:/", max_size=12), st.text(max_size=20),
    st.sampled_from(["", "Fri, 20 Nov 2026 08:00:00 +0100", "Mon, 99 Foo 10000 99:99", "2026-11-20"]),
    st.text(max_size=30))


@FAST
@given(st.lists(ENTRY, max_size=4), st.sampled_from([None, "application/rss+xml; charset=iso-8859-1",
                                                     "text/xml; charset=bogus"]), st.binary(max_size=40))
def test_feed_entries(entries: list[str], ctype: str | None, junk: bytes) -> None:
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>' + "".join(entries)
            + "</channel></rss>").encode("utf-8", "surrogatepass")
    for data in (body, junk, body[: len(body) // 2]):
        out, _ = news.parse_feed_entries(data, "http://feed.test/rss", ctype)
        assert all(isinstance(raw.external_id, str) and raw.external_id for raw, _ in out)


WEB = WebOptions.model_validate({"start_urls": ["/"], "item": "div.post",
                                 "fields": {"id": "::attr(data-id)", "author": ".by::text", "date": "time::text",
                                            "text": ".body", "rating": ".score::text"},
                                 "replies": {"item": ".reply", "official_authors": ["HR"]}})


@FAST
@given(st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10), st.text(max_size=25), st.text(max_size=30),
                          st.text(max_size=5)), max_size=4))
def test_web_field_extraction(posts: list[tuple[str, ...]]) -> None:
    from html import escape

    html = "<html><body>" + "".join(
        f'<div class="post" data-id="{escape(i)}"><span class="by">{escape(a)}</span><time>{escape(d)}</time>'
        f'<p class="body">{escape(t)}</p><b class="score">{escape(r)}</b></div>' for i, a, d, t, r in posts
    ) + "</body></html>"
    blocks = parse_items(Selector(text=html), WEB, "http://forum.test/t/1")
    assert len(blocks) == len(posts)


# ---------------------------------------------------------------------------------------------- emission
@pytest.fixture(scope="module")
def web_spider(tmp_path_factory: pytest.TempPathFactory) -> WebSpider:
    job = tmp_path_factory.mktemp("job") / "job.json"
    job.write_text(json.dumps({"run_id": "r", "source_name": "s", "platform": "forum", "type": "web",
                               "base_url": "http://forum.test", "options": {"start_urls": ["/"], "item": "div", "fields": {"text": "p"}},
                               "company": {"name": "Nordlys"}, "stats_path": str(job.with_suffix(".stats"))}))
    spider = WebSpider(job=str(job))
    assert spider.fail_reason is None, spider.run_errors.samples
    return spider


@FAST
@given(st.builds(Raw, external_id=TEXT, author=SCALAR | JSONISH, published=DATE, text=SCALAR | JSONISH,
                 parent_id=SCALAR, thread_id=SCALAR, title=SCALAR, url=SCALAR, lang=SCALAR, rating=SCALAR))
@example(raw=Raw(external_id="far-future-and-empty", author=None, published="2999-01-01T00:00:00Z", text=None))
def test_any_raw_is_a_valid_row_or_a_counted_skip(web_spider: WebSpider, raw: Raw) -> None:
    from pipeline.ingest.importer import RowError, validate_row

    before = web_spider.run_errors.total + sum(web_spider.run_errors.skipped.values())
    web_spider._emitted.clear()
    item = web_spider.emit(raw)
    if item is None:
        assert web_spider.run_errors.total + sum(web_spider.run_errors.skipped.values()) == before + 1
        return
    try:
        validate_row(item.as_dict())
    except RowError as exc:  # only what the import refuses on purpose (e.g. a far-future date is clamped)
        raise AssertionError(f"{item}: {exc}") from None


