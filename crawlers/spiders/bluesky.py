"""Bluesky through the public AppView XRPC API.

* the official account's posts: ``{base}/xrpc/app.bsky.feed.getAuthorFeed?actor=…`` (paged with
  ``cursor``), each with its whole thread from ``{base}/xrpc/app.bsky.feed.getPostThread?uri=…``;
* ``{base}/xrpc/app.bsky.feed.searchPosts?q=…`` only when an app password is configured (secrets
  ``handle`` + ``app_password``): search refuses anonymous use, so the spider first opens a session
  with ``com.atproto.server.createSession`` on the PDS (option ``service_url``, default bsky.social).

Ids are ``at://`` URIs; a reply's record names its ``parent`` and ``root``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import JsonRequest, Request, Response

from crawlers.matching import select_thread
from crawlers.options import BlueskyOptions
from crawlers.spiders.base import MAPPING_ERRORS, Raw, RykteSpider


def post_raw(post: dict[str, Any]) -> Raw:
    """A PostView → Raw."""
    uri = post["uri"]
    record = post.get("record") or {}
    author = post.get("author") or {}
    reply = record.get("reply") or {}
    parent = (reply.get("parent") or {}).get("uri")
    root = (reply.get("root") or {}).get("uri")
    handle = author.get("handle")
    rkey = uri.rsplit("/", 1)[-1]
    langs = record.get("langs") or []
    return Raw(
        external_id=uri,
        author=handle or author.get("did"),
        published=record.get("createdAt") or post.get("indexedAt"),
        text=record.get("text"),
        parent_id=parent,
        thread_id=root or (uri if not parent else None),
        url=f"https://bsky.app/profile/{handle or author.get('did')}/post/{rkey}",
        lang=langs[0] if langs else None,
    )


def parse_thread(data: Any, bad: list[str] | None = None) -> list[Raw]:
    """A getPostThread body → the posts of the thread (parents, the post, all replies).

    A post view without a uri is left out and named in ``bad`` (the rest of the thread is kept).
    Image-only posts come back with empty text; the spider counts them (``skipped: no_text``).
    """
    if not isinstance(data, dict) or not isinstance(data.get("thread"), dict):
        raise ValueError("no 'thread'")
    bad = bad if bad is not None else []
    out: list[Raw] = []
    node = data["thread"]
    parents = []
    p = node.get("parent")
    while isinstance(p, dict) and isinstance(p.get("post"), dict) and p["post"].get("uri"):
        parents.append(p["post"])
        p = p.get("parent")
    out.extend(post_raw(x) for x in reversed(parents))

    def walk(n: dict[str, Any]) -> None:
        if isinstance(n.get("post"), dict):  # blocked/not-found views have no post
            if not n["post"].get("uri"):
                bad.append("a post view without uri")
            else:
                out.append(post_raw(n["post"]))
        for r in n.get("replies") or []:
            if isinstance(r, dict):
                walk(r)

    walk(node)
    return out


def parse_feed(data: Any) -> tuple[list[dict[str, Any]], str | None]:
    """A getAuthorFeed/getFeed body (or a plain list of feed items) → (PostViews, cursor)."""
    items = data.get("feed") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError("no 'feed' list")
    posts = [
        i["post"]
        for i in items
        if isinstance(i, dict)
        and isinstance(i.get("post"), dict)
        and i["post"].get("uri")
        and not (i.get("reason") or {}).get("$type", "").endswith("reasonRepost")
    ]
    return posts, data.get("cursor") if isinstance(data, dict) else None


class BlueskySpider(RykteSpider):
    name = "bluesky"
    options: BlueskyOptions

    def extra_domains(self) -> Iterable[str]:
        svc = self.options.service_url if self.job else None
        return [svc] if svc else ["https://bsky.social"]

    def initial_requests(self) -> Iterable[Request]:
        self.limit = self.options.limit
        self.auth_headers: dict[str, str] = {}
        for actor in self.options.actors:
            yield self.feed_request(actor.lstrip("@"), None, 1)
        queries = list(self.options.search_queries) or self.matcher.search_terms
        handle = self.secret("handle")
        password = self.secret("app_password")
        if self.options.search and queries:
            if handle and password:
                service = (
                    self.options.service_url
                    or (self.job.base_url if self.job else None)
                    or "https://bsky.social"
                ).rstrip("/")
                self.service = service
                yield JsonRequest(
                    f"{service}/xrpc/com.atproto.server.createSession",
                    data={"identifier": handle, "password": password},
                    callback=self.parse_session,
                    errback=self.on_error,
                    cb_kwargs={"queries": queries},
                )
            else:
                self.logger.info(
                    "bluesky: searchPosts skipped: it refuses anonymous use; set an app password "
                    "(BLUESKY_HANDLE / BLUESKY_APP_PASSWORD) to search"
                )

    def feed_request(self, actor: str, cursor: str | None, page: int) -> Request:
        params = {"actor": actor, "limit": str(self.limit), "filter": "posts_with_replies"}
        if cursor:
            params["cursor"] = cursor
        return self.request(
            f"{self.base_url}/xrpc/app.bsky.feed.getAuthorFeed?{urlencode(params)}",
            self.parse_author_feed,
            cb_kwargs={"actor": actor, "page": page},
        )

    def thread_request(self, uri: str, owned: bool) -> Request:
        params = {"uri": uri, "depth": "20", "parentHeight": "20"}
        return self.request(
            f"{self.base_url}/xrpc/app.bsky.feed.getPostThread?{urlencode(params)}",
            self.parse_thread,
            cb_kwargs={"uri": uri, "owned": owned},
        )

    def parse_author_feed(self, response: Response, actor: str, page: int) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        try:
            posts, cursor = parse_feed(data)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        stream = f"actor:{actor}"
        times = []
        for post in posts:
            raw = post_raw(post)
            times.append(raw.published)
            self.observe(stream, raw.published)
            yield self.thread_request(raw.external_id, owned=True)
        if cursor and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            yield self.feed_request(actor, cursor, page + 1)

    def parse_session(self, response: Response, queries: list[str]) -> Iterator[Request]:
        data = self.load_json(response)
        token = data.get("accessJwt") if isinstance(data, dict) else None
        if not token:
            self.record_error("config", response.url, "bluesky: createSession returned no accessJwt")
            return
        self.auth_headers = {"Authorization": f"Bearer {token}"}
        for q in queries:
            yield self.search_request(q, None, 1)

    def search_request(self, q: str, cursor: str | None, page: int) -> Request:
        params = {"q": q, "sort": "latest", "limit": "100"}
        if cursor:
            params["cursor"] = cursor
        return self.request(
            f"{self.service}/xrpc/app.bsky.feed.searchPosts?{urlencode(params)}",
            self.parse_search,
            headers=self.auth_headers,
            cb_kwargs={"q": q, "page": page},
        )

    def parse_search(self, response: Response, q: str, page: int) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        posts = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            self.json_shape_error(response, "no 'posts' list")
            return
        stream = f"search:{q}"
        times = []
        for post in posts:
            if not isinstance(post, dict) or "uri" not in post:
                continue
            raw = post_raw(post)
            times.append(raw.published)
            if self.matcher.matches(raw.text):
                self.observe(stream, raw.published)
                yield self.thread_request(raw.external_id, owned=False)
        cursor = data.get("cursor")
        if cursor and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            yield self.search_request(q, cursor, page + 1)

    def parse_thread(self, response: Response, uri: str, owned: bool) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        bad: list[str] = []
        try:
            nodes = parse_thread(data, bad)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        for what in bad:
            self.json_shape_error(response, what)
        if owned:
            keep = {n.external_id for n in nodes}
        else:
            parents = {n.external_id: n.parent_id for n in nodes}
            keep = select_thread(parents, [n.external_id for n in nodes if self.matcher.matches(n.text)])
        for n in nodes:
            if n.external_id in keep:
                item = self.emit(n, where=response.url)
                if item:
                    yield item
