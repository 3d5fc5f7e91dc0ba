"""LinkedIn organization pages through the Community Management API (bearer token from the job's
secrets; without one the run fails cleanly with "set LINKEDIN_TOKEN …").

* posts: ``{base}/rest/posts?q=author&author=urn:li:organization:<id>`` (paged with ``start``);
* comments (and replies to comments): ``{base}/rest/socialActions/<urn>/comments``.

Posts and comments by the organization are official. The organization's own posts keep all their
comments (no name matching).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

from scrapy.http import Request, Response

from crawlers.options import LinkedInOptions
from crawlers.spiders.base import Raw, RykteSpider


def _ms(value: Any) -> float | None:
    """LinkedIn times are epoch milliseconds."""
    return value / 1000 if isinstance(value, int | float) and not isinstance(value, bool) else None


def post_raw(p: dict[str, Any], org_urn: str) -> Raw:
    urn = str(p.get("id"))
    author = p.get("author") or org_urn
    return Raw(
        external_id=urn,
        author=author,
        published=_ms(p.get("publishedAt")) or _ms(p.get("createdAt")),
        text=p.get("commentary"),
        thread_id=urn,
        is_official=author == org_urn,
        url=f"https://www.linkedin.com/feed/update/{urn}/",
    )


def comment_raw(c: dict[str, Any], parent: str, thread: str, org_urn: str) -> Raw:
    urn = c.get("$URN") or c.get("commentUrn") or f"{thread}:comment:{c.get('id')}"
    actor = c.get("actor") or (c.get("created") or {}).get("actor")
    created = (c.get("created") or {}).get("time")
    return Raw(
        external_id=str(urn),
        author=actor,
        published=_ms(created),
        text=(c.get("message") or {}).get("text"),
        parent_id=parent,
        thread_id=thread,
        is_official=actor == org_urn,
    )


class LinkedInSpider(RykteSpider):
    name = "linkedin"
    options: LinkedInOptions

    def initial_requests(self) -> Iterable[Request]:
        token = self.secret("token")
        if token is None:
            return
        org = self.options.organization_id
        self.org_urn = org if org.startswith("urn:") else f"urn:li:organization:{org}"
        self.headers = {
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": self.options.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        self.count = self.options.count
        yield self.posts_request(0, 1)

    def posts_request(self, start: int, page: int) -> Request:
        params = {
            "q": "author",
            "author": self.org_urn,
            "count": str(self.count),
            "start": str(start),
            "sortBy": "LAST_MODIFIED",
        }
        return self.request(
            f"{self.base_url}/rest/posts?{urlencode(params)}",
            self.parse_posts,
            headers=self.headers,
            cb_kwargs={"start": start, "page": page},
        )

    def comments_request(self, urn: str, thread: str, start: int = 0) -> Request:
        params = {"count": "100", "start": str(start)}
        return self.request(
            f"{self.base_url}/rest/socialActions/{quote(urn, safe='')}/comments?{urlencode(params)}",
            self.parse_comments,
            headers=self.headers,
            cb_kwargs={"parent": urn, "thread": thread, "start": start},
        )

    def elements_of(self, response: Response) -> tuple[dict[str, Any], list[Any]] | None:
        """The body and its `elements` list (LinkedIn's collection shape), or None with the error counted."""
        data = self.load_json(response)
        if data is None:
            return None
        elements = data.get("elements") if isinstance(data, dict) else None
        if not isinstance(elements, list):
            self.json_shape_error(response, "no 'elements' list")
            return None
        return data, elements

    def parse_posts(self, response: Response, start: int, page: int) -> Iterator[Any]:
        found = self.elements_of(response)
        if found is None:
            return
        data, elements = found
        stream = f"org:{self.org_urn}"
        times = []
        for p in elements:
            if not isinstance(p, dict) or not p.get("id"):
                continue
            raw = post_raw(p, self.org_urn)
            times.append(raw.published)
            self.observe(stream, raw.published)
            item = self.emit(raw, where=response.url)
            if item:
                yield item
            yield self.comments_request(raw.external_id, raw.external_id)
        paging = data.get("paging") or {}
        total = paging.get("total")
        more = len(elements) >= self.count if total is None else start + len(elements) < int(total)
        if more and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            yield self.posts_request(start + len(elements), page + 1)

    def parse_comments(self, response: Response, parent: str, thread: str, start: int) -> Iterator[Any]:
        found = self.elements_of(response)
        if found is None:
            return
        data, elements = found
        for c in elements:
            if not isinstance(c, dict):
                continue
            raw = comment_raw(c, c.get("parentComment") or parent, thread, self.org_urn)
            item = self.emit(raw, where=response.url)
            if item:
                yield item
            if (c.get("commentsSummary") or {}).get("aggregatedTotalComments") or c.get("commentsCount"):
                yield self.comments_request(raw.external_id, thread)
        total = (data.get("paging") or {}).get("total")
        if total is not None and start + len(elements) < int(total) and elements:
            yield self.comments_request(parent, thread, start + len(elements))
