"""Hacker News through the Algolia API.

``{base}/api/v1/search_by_date?query=…&tags=(story,comment)`` finds stories and comments naming the
company (newest first, paged with ``page``); each hit's story tree comes from
``{base}/api/v1/items/<story id>``. In a tree, every node that names the company is kept with all
replies under it (a matching story keeps the whole thread).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response

from crawlers.matching import select_thread
from crawlers.options import HackerNewsOptions
from crawlers.spiders.base import MAPPING_ERRORS, Raw, RykteSpider
from crawlers.text import html_to_text

HN_ITEM = "https://news.ycombinator.com/item?id={}"


def parse_search(data: Any) -> tuple[list[dict[str, Any]], int, int]:
    """A search body → (hits, page, nbPages)."""
    if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
        raise ValueError("no 'hits' list")
    return data["hits"], int(data.get("page") or 0), int(data.get("nbPages") or 0)


def hit_story_id(hit: dict[str, Any]) -> str | None:
    tags = hit.get("_tags") or []
    if "story" in tags or hit.get("story_id") is None:
        return str(hit.get("objectID") or "") or None
    return str(hit["story_id"])


def hit_text(hit: dict[str, Any]) -> str:
    return "\n".join(
        x
        for x in [
            hit.get("title") or "",
            html_to_text(hit.get("story_text") or ""),
            html_to_text(hit.get("comment_text") or ""),
            hit.get("url") or "",
        ]
        if x
    )


def parse_item_tree(data: Any) -> list[Raw]:
    """An ``items/<id>`` tree → every node as Raw (depth first), linked by parent and story."""
    if not isinstance(data, dict) or "id" not in data:
        raise ValueError("not an item")
    root = str(data.get("story_id") or data["id"]) if data.get("type") != "story" else str(data["id"])
    out: list[Raw] = []

    def walk(node: dict[str, Any]) -> None:
        nid = str(node["id"])
        title = node.get("title")
        text = html_to_text(node.get("text"))
        if node.get("type") == "story":
            text = "\n\n".join(x for x in [title or "", text, node.get("url") or ""] if x)
        out.append(
            Raw(
                external_id=nid,
                author=node.get("author"),
                published=node.get("created_at_i") or node.get("created_at"),
                text=text,
                parent_id=str(node["parent_id"]) if node.get("parent_id") else None,
                thread_id=str(node.get("story_id") or root),
                title=title,
                url=HN_ITEM.format(nid),
            )
        )
        for child in node.get("children") or []:
            if isinstance(child, dict) and "id" in child:
                walk(child)

    walk(data)
    return out


class HackerNewsSpider(RykteSpider):
    name = "hackernews"
    options: HackerNewsOptions

    def initial_requests(self) -> Iterable[Request]:
        queries = list(self.options.queries) or self.matcher.search_terms
        self.tags = self.options.tags
        self.hits_per_page = self.options.hits_per_page
        for q in queries:
            yield self.search_request(q, 0)

    def search_request(self, q: str, page: int) -> Request:
        params = {"query": q, "tags": self.tags, "hitsPerPage": str(self.hits_per_page), "page": str(page)}
        return self.request(
            f"{self.base_url}/api/v1/search_by_date?{urlencode(params)}",
            self.parse_search,
            cb_kwargs={"q": q, "page": page},
        )

    def parse_search(self, response: Response, q: str, page: int) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        try:
            hits, _, nb_pages = parse_search(data)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        stream = f"search:{q}"
        times = []
        for hit in hits:
            times.append(hit.get("created_at_i") or hit.get("created_at"))
            if not self.matcher.matches(hit_text(hit)):
                continue
            self.observe(stream, hit.get("created_at_i") or hit.get("created_at"))
            story = hit_story_id(hit)
            if story:
                yield self.request(f"{self.base_url}/api/v1/items/{story}", self.parse_tree)
        if (
            page + 1 < nb_pages
            and page + 1 < self.opt_max_pages
            and self.should_continue_paging(stream, times, page + 1)
        ):
            yield self.search_request(q, page + 1)

    def parse_tree(self, response: Response) -> Iterator[Any]:
        data = self.load_json(response)
        if data is None:
            return
        try:
            nodes = parse_item_tree(data)
        except MAPPING_ERRORS as exc:
            self.json_shape_error(response, str(exc))
            return
        parents = {n.external_id: n.parent_id for n in nodes}
        matching = [n.external_id for n in nodes if self.matcher.matches(n.title, n.text)]
        keep = select_thread(parents, matching)
        for n in nodes:
            if n.external_id in keep:
                item = self.emit(n, where=response.url)
                if item:
                    yield item
