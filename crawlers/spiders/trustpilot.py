"""Trustpilot review pages: ``{base}/review/<domain>?page=N&sort=recency``.

The page embeds its data as JSON in ``<script id="__NEXT_DATA__">``: ``props.pageProps.reviews``
(rating, title, text, dates, consumer) and, per review, the company's ``reply`` with its own
``publishedDate``, emitted as an official child mention (``<review id>:reply``). The page is the
company's own, so every review is kept (no name matching). Paging stops at the last page, at
``max_pages`` or at known reviews (cursor).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Request, Response
from scrapy.selector import Selector

from crawlers.options import TrustpilotOptions
from crawlers.spiders.base import MAPPING_ERRORS, Raw, RykteSpider


def next_data(sel: Selector) -> Any:
    """The ``__NEXT_DATA__`` JSON of a page (ValueError when absent or malformed)."""
    raw = sel.xpath('//script[@id="__NEXT_DATA__"]/text()').get()
    if not raw:
        raise ValueError("no __NEXT_DATA__ script")
    return json.loads(raw)


def parse_reviews(data: Any, site: str = "https://www.trustpilot.com") -> tuple[list[Raw], int, int]:
    """``__NEXT_DATA__`` → (reviews and replies as Raw, current page, total pages)."""
    props = (data.get("props") or {}).get("pageProps") or {}
    reviews = props.get("reviews")
    if not isinstance(reviews, list):
        raise ValueError("no props.pageProps.reviews")
    unit = props.get("businessUnit") or {}
    company = unit.get("displayName") or unit.get("identifyingName") or "company"
    out: list[Raw] = []
    for r in reviews:
        if not isinstance(r, dict) or not r.get("id"):
            continue
        rid = str(r["id"])
        dates = r.get("dates") or {}
        title = r.get("title")
        out.append(
            Raw(
                external_id=rid,
                author=(r.get("consumer") or {}).get("displayName"),
                published=dates.get("publishedDate"),
                text="\n\n".join(x for x in [title or "", r.get("text") or ""] if x),
                thread_id=rid,
                is_official=False,
                title=title,
                url=f"{site}/reviews/{rid}",
                lang=r.get("language"),
                rating=r.get("rating"),
            )
        )
        reply = r.get("reply")
        if isinstance(reply, dict) and reply.get("message"):
            out.append(
                Raw(
                    external_id=f"{rid}:reply",
                    author=company,
                    published=reply.get("publishedDate"),
                    text=reply["message"],
                    parent_id=rid,
                    thread_id=rid,
                    is_official=True,
                    url=f"{site}/reviews/{rid}",
                    lang=r.get("language"),
                )
            )
    pagination = (props.get("filters") or {}).get("pagination") or {}
    return out, int(pagination.get("currentPage") or 1), int(pagination.get("totalPages") or 1)


class TrustpilotSpider(RykteSpider):
    name = "trustpilot"
    options: TrustpilotOptions

    def initial_requests(self) -> Iterable[Request]:
        for domain in self.options.business_units():
            yield self.page_request(domain, 1)

    def page_request(self, domain: str, page: int) -> Request:
        params = {"page": str(page), "sort": "recency"}
        if self.options.languages:
            params["languages"] = self.options.languages
        return self.request(
            f"{self.base_url}/review/{domain}?{urlencode(params)}",
            self.parse_page,
            cb_kwargs={"domain": domain, "page": page},
        )

    def parse_page(self, response: Response, domain: str, page: int) -> Iterator[Any]:
        sel = self.load_html(response)
        if sel is None:
            return
        try:
            raws, current, total = parse_reviews(next_data(sel), self.base_url)
        except MAPPING_ERRORS as exc:
            self.record_error("html", response.url, f"review data: {exc}")
            return
        stream = f"review:{domain}"
        times = []
        for raw in raws:
            if raw.parent_id is None:
                times.append(raw.published)
                self.observe(stream, raw.published)
            item = self.emit(raw, where=response.url)
            if item:
                yield item
        if current < total and page < self.opt_max_pages and self.should_continue_paging(stream, times, page):
            yield self.page_request(domain, page + 1)
