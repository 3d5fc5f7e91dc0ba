"""Instagram business accounts through the Graph API (token from the job's secrets; without one the
run fails cleanly with "set INSTAGRAM_TOKEN …").

* media: ``{base}/v21.0/<ig-user-id>/media``;
* comments with their replies: ``{base}/v21.0/<media-id>/comments?fields=…,replies{…}``.

A comment or reply from the account itself (its id or username) is official.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scrapy.http import Request, Response

from crawlers.options import InstagramOptions
from crawlers.spiders.base import MAPPING_ERRORS, Raw
from crawlers.spiders.facebook import GraphSpider

MEDIA_FIELDS = "id,caption,timestamp,permalink,username,media_type"
COMMENT_FIELDS = (
    "id,text,timestamp,username,from{id,username},replies{id,text,timestamp,username,from{id,username}}"
)


def ig_raw(d: dict[str, Any], user_id: str, username: str | None, parent: str | None, thread: str) -> Raw:
    sender = d.get("from") or {}
    author = d.get("username") or sender.get("username") or sender.get("id")
    official = str(sender.get("id") or "") == user_id or (
        bool(username) and (author or "").lower() == (username or "").lower()
    )
    return Raw(
        external_id=str(d["id"]),
        author=author or username,
        published=d.get("timestamp"),
        text=d.get("text") if parent else d.get("caption"),
        parent_id=parent,
        thread_id=thread,
        is_official=True if parent is None else official,
        url=d.get("permalink"),
    )


def parse_comments(data: Any, user_id: str, username: str | None, media_id: str) -> list[Raw]:
    """A comments body (with nested ``replies.data``) → comments and replies as Raw."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ValueError("no 'data' list")
    out: list[Raw] = []
    for c in data["data"]:
        if not isinstance(c, dict) or "id" not in c:
            continue
        out.append(ig_raw(c, user_id, username, media_id, media_id))
        for r in (c.get("replies") or {}).get("data") or []:
            if isinstance(r, dict) and "id" in r:
                out.append(ig_raw(r, user_id, username, str(c["id"]), media_id))
    return out


class InstagramSpider(GraphSpider):
    name = "instagram"
    options: InstagramOptions

    def initial_requests(self) -> Iterable[Request]:
        token = self.secret("token")
        if token is None:
            return
        self.user_id = self.options.ig_user_id
        self.username: str | None = self.options.username
        self.headers = self.graph_headers(token)
        yield self.media_request(None, 1)

    def media_request(self, after: str | None, page: int) -> Request:
        params = {"fields": MEDIA_FIELDS, "limit": "50"}
        if after:
            params["after"] = after
        return self.request(
            self.graph_url(f"{self.user_id}/media", params),
            self.parse_media,
            headers=self.headers,
            cb_kwargs={"page": page},
        )

    def comments_request(self, media_id: str, after: str | None = None) -> Request:
        params = {"fields": COMMENT_FIELDS, "limit": "50"}
        if after:
            params["after"] = after
        return self.request(
            self.graph_url(f"{media_id}/comments", params),
            self.parse_comments,
            headers=self.headers,
            cb_kwargs={"media_id": media_id},
        )

    def parse_media(self, response: Response, page: int) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        media = data.get("data") if isinstance(data, dict) else None
        if not isinstance(media, list):
            self.json_shape_error(response, "no 'data' list")
            return
        stream = f"ig:{self.user_id}"
        times = []
        for m in media:
            if not isinstance(m, dict) or "id" not in m:
                continue
            raw = ig_raw(m, self.user_id, self.username, None, str(m["id"]))
            if not self.username and m.get("username"):
                self.username = m["username"]
            times.append(raw.published)
            self.observe(stream, raw.published)
            item = self.emit(raw, where=response.url)
            if item:
                yield item
            yield self.comments_request(str(m["id"]))
        after = self.after_cursor(data)
        if after and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            yield self.media_request(after, page + 1)

    def parse_comments(self, response: Response, media_id: str) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        try:
            raws = parse_comments(data, self.user_id, self.username, media_id)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        for raw in raws:
            item = self.emit(raw, where=response.url)
            if item:
                yield item
        after = self.after_cursor(data)
        if after:
            yield self.comments_request(media_id, after)
