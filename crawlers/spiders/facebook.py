"""Facebook pages through the Graph API (page access token from the job's secrets; without one the
run fails cleanly with "set FACEBOOK_TOKEN …").

* posts: ``{base}/v21.0/<page-id>/posts``;
* comments and replies: ``{base}/v21.0/<post-id>/comments?filter=stream`` (flat, each with its
  ``parent``), paged with ``paging.cursors.after``.

A post or comment ``from`` the page id is official. The page's own posts keep all comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response

from crawlers.options import FacebookOptions, InstagramOptions
from crawlers.spiders.base import Raw, RykteSpider

GRAPH_VERSION = "v21.0"
POST_FIELDS = "id,message,created_time,permalink_url,from{id,name}"
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url"


def graph_raw(
    d: dict[str, Any], page_id: str, parent: str | None, thread: str, page_name: str | None = None
) -> Raw:
    sender = d.get("from") or {}
    par = (d.get("parent") or {}).get("id") or parent
    official = str(sender.get("id")) == page_id if sender.get("id") else parent is None
    return Raw(
        external_id=str(d["id"]),
        author=sender.get("name") or (page_name if parent is None else None) or sender.get("id"),
        published=d.get("created_time") or d.get("timestamp"),
        text=d.get("message") or d.get("text"),
        parent_id=par,
        thread_id=thread,
        is_official=official,
        url=d.get("permalink_url") or d.get("permalink"),
    )


class GraphSpider(RykteSpider):
    """Shared paging and token handling for the Graph API spiders."""

    options: FacebookOptions | InstagramOptions

    def graph_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def graph_url(self, path: str, params: dict[str, str]) -> str:
        version = self.options.api_version or GRAPH_VERSION
        return f"{self.base_url}/{version}/{path.lstrip('/')}?{urlencode(params)}"

    @staticmethod
    def after_cursor(data: dict[str, Any]) -> str | None:
        paging = data.get("paging") or {}
        if not paging.get("next"):
            return None
        return (paging.get("cursors") or {}).get("after")


class FacebookSpider(GraphSpider):
    name = "facebook"
    options: FacebookOptions

    def initial_requests(self) -> Iterable[Request]:
        token = self.secret("token")
        if token is None:
            return
        self.page_id = self.options.page_id
        self.headers = self.graph_headers(token)
        yield self.posts_request(None, 1)

    def posts_request(self, after: str | None, page: int) -> Request:
        params = {"fields": POST_FIELDS, "limit": "50"}
        if after:
            params["after"] = after
        return self.request(
            self.graph_url(f"{self.page_id}/posts", params),
            self.parse_posts,
            headers=self.headers,
            cb_kwargs={"page": page},
        )

    def comments_request(self, post_id: str, after: str | None = None) -> Request:
        params = {"filter": "stream", "order": "chronological", "fields": COMMENT_FIELDS, "limit": "100"}
        if after:
            params["after"] = after
        return self.request(
            self.graph_url(f"{post_id}/comments", params),
            self.parse_comments,
            headers=self.headers,
            cb_kwargs={"post_id": post_id},
        )

    def parse_posts(self, response: Response, page: int) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        posts = data.get("data") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            self.json_shape_error(response, "no 'data' list")
            return
        stream = f"page:{self.page_id}"
        times = []
        for p in posts:
            if not isinstance(p, dict) or "id" not in p:
                continue
            raw = graph_raw(p, self.page_id, None, str(p["id"]))
            times.append(raw.published)
            self.observe(stream, raw.published)
            item = self.emit(raw, where=response.url)
            if item:
                yield item
            yield self.comments_request(str(p["id"]))
        after = self.after_cursor(data)
        if after and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            yield self.posts_request(after, page + 1)

    def parse_comments(self, response: Response, post_id: str) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        comments = data.get("data") if isinstance(data, dict) else None
        if not isinstance(comments, list):
            self.json_shape_error(response, "no 'data' list")
            return
        for c in comments:
            if isinstance(c, dict) and "id" in c:
                item = self.emit(graph_raw(c, self.page_id, post_id, post_id), where=response.url)
                if item:
                    yield item
        after = self.after_cursor(data)
        if after:
            yield self.comments_request(post_id, after)
