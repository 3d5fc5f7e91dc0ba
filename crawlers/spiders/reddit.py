"""Reddit through its public JSON endpoints (no login).

* search: site-wide ``{base}/search.json?q=…&sort=new`` and per subreddit
  ``{base}/r/<sub>/search.json?q=…&restrict_sr=1&sort=new``, paged with ``after``;
* every matching post's whole comment tree: ``{base}/r/<sub>/comments/<id>.json``;
* ``more`` stubs through ``{base}/api/morechildren.json?link_id=…&children=…&api_type=json``;
  ``replies: ""`` is a leaf. A "continue this thread" stub (``more`` with id ``_``, count 0, no
  children: the tree is deeper than the listing shows) is followed as Reddit's own clients do, with
  the sub-thread under its parent: ``{base}/comments/<post>/_/<parent comment>.json``.

Deleted and removed comments (body ``[deleted]``/``[removed]``) are placeholders, not mentions: they
are not stored (counted as ``skipped: deleted``). A reply under one is linked to the nearest stored
ancestor instead (the placeholder's own parent, recursively), so the thread and the response chain
stay whole without storing an empty text. A comment without ``permalink`` gets its URL from
``link_id`` (``{site}/comments/<post>/_/<comment>/``).

Ids are Reddit fullnames (``t3_…`` posts, ``t1_…`` comments), so a comment's ``parent_id`` and the
thread's ``link_id`` link up directly. Unauthenticated clients get a small rate limit: the spider
defaults to one request at a time, two seconds apart, and pauses on ``X-Ratelimit-*`` headers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response

from crawlers.options import RedditOptions
from crawlers.spiders.base import MAPPING_ERRORS, Raw, RykteSpider
from crawlers.text import html_to_text

MORE_BATCH = 100


PLACEHOLDERS = frozenset({"[deleted]", "[removed]"})


def _short(fullname: str | None) -> str:
    """``t3_1abc01`` → ``1abc01`` (a bare id stays as it is)."""
    text = str(fullname or "")
    return text.split("_", 1)[1] if text[:1] == "t" and text[2:3] == "_" else text


def _post_raw(d: dict[str, Any], site: str) -> Raw:
    name = d.get("name") or f"t3_{d.get('id')}"
    body = d.get("selftext") or html_to_text(d.get("selftext_html"))
    if body and body.strip() in PLACEHOLDERS:
        body = ""
    link = d.get("url") if not d.get("is_self", True) else None
    text = "\n\n".join(x for x in [d.get("title") or "", body or "", link or ""] if x)
    permalink = d.get("permalink")
    return Raw(
        external_id=name,
        author=d.get("author"),
        published=d.get("created_utc"),
        text=text,
        thread_id=name,
        title=d.get("title"),
        url=site + permalink if permalink else f"{site}/comments/{_short(name)}/",
    )


def _comment_raw(d: dict[str, Any], site: str) -> Raw:
    name = d.get("name") or f"t1_{d.get('id')}"
    permalink = d.get("permalink")
    link_id = d.get("link_id")
    if permalink:
        url: str | None = site + permalink
    elif link_id:
        url = f"{site}/comments/{_short(link_id)}/_/{_short(name)}/"
    else:
        url = None
    return Raw(
        external_id=name,
        author=d.get("author"),
        published=d.get("created_utc"),
        text=d.get("body") or html_to_text(d.get("body_html")),
        parent_id=d.get("parent_id"),
        thread_id=link_id,
        url=url,
    )


def is_placeholder(raw: Raw) -> bool:
    """A deleted or removed comment: Reddit keeps the node, not the text."""
    return (raw.text or "").strip() in PLACEHOLDERS


def is_continue_stub(stub: dict[str, Any]) -> bool:
    """"continue this thread": a ``more`` with id ``_`` and no children to ask morechildren for."""
    return stub.get("id") == "_" or (not stub.get("children") and not stub.get("count"))


def parse_listing(
    data: Any, site: str = "https://www.reddit.com"
) -> tuple[list[tuple[Raw, dict[str, Any]]], str | None]:
    """A search/listing page → (posts as (Raw, raw data), the ``after`` token)."""
    if not isinstance(data, dict) or data.get("kind") != "Listing":
        raise ValueError("not a Listing")
    listing = data.get("data") or {}
    out = []
    for child in listing.get("children") or []:
        if isinstance(child, dict) and child.get("kind") == "t3":
            out.append((_post_raw(child["data"], site), child["data"]))
        elif isinstance(child, dict) and child.get("kind") == "t1":
            out.append((_comment_raw(child["data"], site), child["data"]))
    return out, listing.get("after")


def walk_comments(things: Iterable[Any], site: str) -> Iterator[Raw | dict[str, Any]]:
    """Comments (Raw) and ``more`` stubs (their data dict) of a comment forest, depth first."""
    for thing in things:
        if not isinstance(thing, dict):
            continue
        kind, d = thing.get("kind"), thing.get("data") or {}
        if kind == "t1":
            yield _comment_raw(d, site)
            replies = d.get("replies")
            if isinstance(replies, dict):  # "" for a leaf
                yield from walk_comments((replies.get("data") or {}).get("children") or [], site)
        elif kind == "more":
            yield d


def parse_thread(
    data: Any, site: str = "https://www.reddit.com"
) -> tuple[Raw | None, list[Raw], list[dict[str, Any]]]:
    """A ``comments/<id>.json`` body → (the post, its comments, the ``more`` stubs)."""
    if not isinstance(data, list) or len(data) < 2:
        raise ValueError("a thread is a list of two Listings")
    posts = (data[0].get("data") or {}).get("children") or []
    post = _post_raw(posts[0]["data"], site) if posts and posts[0].get("kind") == "t3" else None
    comments: list[Raw] = []
    stubs: list[dict[str, Any]] = []
    for x in walk_comments((data[1].get("data") or {}).get("children") or [], site):
        (comments if isinstance(x, Raw) else stubs).append(x)  # type: ignore[arg-type]
    return post, comments, stubs


def parse_morechildren(
    data: Any, site: str = "https://www.reddit.com"
) -> tuple[list[Raw], list[dict[str, Any]]]:
    """An ``api/morechildren`` body (``api_type=json``) → (comments, further ``more`` stubs)."""
    if not isinstance(data, dict) or "json" not in data:
        raise ValueError("no 'json' key")
    things = ((data["json"] or {}).get("data") or {}).get("things") or []
    comments: list[Raw] = []
    stubs: list[dict[str, Any]] = []
    for x in walk_comments(things, site):
        (comments if isinstance(x, Raw) else stubs).append(x)  # type: ignore[arg-type]
    return comments, stubs


class RedditSpider(RykteSpider):
    name = "reddit"
    options: RedditOptions
    custom_settings = {  # noqa: RUF012
        "DOWNLOAD_DELAY": 2.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    }

    def initial_requests(self) -> Iterable[Request]:
        queries = list(self.options.queries) or self.matcher.search_terms
        subreddits = [s.strip().removeprefix("r/").strip("/") for s in self.options.subreddits]
        self.sort: str = self.options.sort
        self.time_filter: str = self.options.time
        self.site = self.base_url
        #: deleted/removed comments seen in this run → their nearest stored ancestor
        self.gone: dict[str, str | None] = {}
        for q in queries:
            quoted = f'"{q}"' if " " in q and not q.startswith('"') else q
            if self.options.site_wide or not subreddits:
                yield self.search_request(f"search:{q}", None, quoted, None, 1)
            for sub in subreddits:
                yield self.search_request(f"r/{sub}:{q}", sub, quoted, None, 1)

    def search_request(self, stream: str, sub: str | None, q: str, after: str | None, page: int) -> Request:
        params = {
            "q": q,
            "sort": self.sort,
            "t": self.time_filter,
            "limit": "100",
            "raw_json": "1",
            "type": "link",
        }
        if sub:
            params["restrict_sr"] = "1"
        if after:
            params["after"] = after
        path = f"/r/{sub}/search.json" if sub else "/search.json"
        return self.request(
            f"{self.base_url}{path}?{urlencode(params)}",
            self.parse_search,
            cb_kwargs={"stream": stream, "sub": sub, "q": q, "page": page},
        )

    def parse_search(
        self, response: Response, stream: str, sub: str | None, q: str, page: int
    ) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        try:
            posts, after = parse_listing(data, self.site)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        times = []
        for raw, d in posts:
            times.append(raw.published)
            if not raw.external_id.startswith("t3_"):
                continue
            if not self.matcher.matches(raw.title, raw.text):
                continue
            self.observe(stream, raw.published)
            subreddit = d.get("subreddit") or sub
            if not subreddit or not d.get("id"):
                continue
            yield self.request(
                f"{self.base_url}/r/{subreddit}/comments/{d['id']}.json?{urlencode({'limit': '500', 'sort': 'new', 'raw_json': '1'})}",
                self.parse_thread,
                cb_kwargs={"post_id": raw.external_id},
            )
        if after and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            yield self.search_request(stream, sub, q, after, page + 1)

    def parse_thread(self, response: Response, post_id: str) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        try:
            post, comments, stubs = parse_thread(data, self.site)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        # The post matched: its whole thread is kept.
        if post:
            item = self.emit(post, where=response.url)
            if item:
                yield item
        yield from self.emit_comments(comments, post_id, response.url)
        yield from self.more_requests(post_id, stubs)

    def emit_comments(self, comments: list[Raw], link_id: str, where: str) -> Iterator[Any]:
        """Comments as mentions: placeholders left out, their replies linked to the nearest stored ancestor."""
        gone = self.gone
        for raw in comments:
            raw.thread_id = raw.thread_id or link_id
            parent = raw.parent_id
            seen: set[str] = set()
            while parent in gone and parent not in seen:  # a chain of deleted comments
                seen.add(parent)
                parent = gone[parent]
            raw.parent_id = parent
            if is_placeholder(raw):
                gone[raw.external_id] = parent
                self.skip("deleted")
                continue
            item = self.emit(raw, where=where)
            if item:
                yield item

    def more_requests(self, link_id: str, stubs: list[dict[str, Any]]) -> Iterator[Request]:
        ids: list[str] = []
        for stub in stubs:
            if is_continue_stub(stub):
                parent = _short(stub.get("parent_id"))
                if parent and parent != _short(link_id):
                    yield self.request(
                        f"{self.base_url}/comments/{_short(link_id)}/_/{parent}.json?raw_json=1&limit=500",
                        self.parse_thread,
                        cb_kwargs={"post_id": link_id},
                    )
                continue
            ids.extend(c for c in stub.get("children") or [] if c and c != "_")
        for i in range(0, len(ids), MORE_BATCH):
            batch = ids[i : i + MORE_BATCH]
            params = {"link_id": link_id, "children": ",".join(batch), "api_type": "json", "raw_json": "1"}
            yield self.request(
                f"{self.base_url}/api/morechildren.json?{urlencode(params)}",
                self.parse_more,
                cb_kwargs={"link_id": link_id},
            )

    def parse_more(self, response: Response, link_id: str) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        try:
            comments, stubs = parse_morechildren(data, self.site)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        yield from self.emit_comments(comments, link_id, response.url)
        yield from self.more_requests(link_id, stubs)
