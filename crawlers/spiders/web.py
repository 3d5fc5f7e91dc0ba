"""Configurable web pages: forums and review sites (Glassdoor, Indeed, Kununu, local forums…).

Driven by selectors in ``options`` (CSS by default, ``xpath:`` prefix for XPath)::

    start_urls: ["/forum/topic/123", "https://…"]    # relative to base_url allowed
    item: "article.review"                           # one block per mention
    fields: {id, author, date, text, title, rating, url, parent_id}   # relative to the item block
    date_formats: ["%d.%m.%Y %H:%M"]                  # after ISO 8601; then a day-first parser
    next_page: "a.next::attr(href)"
    replies: {item: ".reply", fields: {...}, is_official: ".badge-employer", official_authors: [...]}
    thread: "item" | "page"        # "page": the first item of the first page is the thread root
    require_match: true            # keep only items naming the company (and their replies)

Never used for pages behind a login.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from parsel import Selector, SelectorList
from scrapy.http import Request, Response

from crawlers.dates import MissingDate, parse_date_text
from crawlers.options import WebFields, WebOptions
from crawlers.spiders.base import MAPPING_ERRORS, Raw, RykteSpider


def select(sel: Selector | SelectorList[Any], expr: str) -> SelectorList[Any]:
    if expr.startswith("xpath:"):
        return sel.xpath(expr[6:])
    return sel.css(expr)


def field_text(sel: Selector, expr: str | None) -> str | None:
    if not expr:
        return None
    found = select(sel, expr)
    if not found:
        return None
    if (
        expr.endswith("::text")
        or "::attr(" in expr
        or expr.rstrip().endswith(("/text()", "/@*"))
        or "/@" in expr
    ):
        values = [v.strip() for v in found.getall()]
    else:
        values = [
            " ".join(t.strip() for t in node.xpath(".//text()").getall() if t.strip()) for node in found
        ]
    text = "\n".join(v for v in values if v).strip()
    return text or None


def parse_date(value: str | None, formats: Iterable[str] = ()) -> datetime:
    """A page's date text → aware UTC datetime (ISO 8601 first, then ``formats``, then day-first)."""
    if not value:
        raise MissingDate("no date")
    return parse_date_text(value, formats)


def parse_rating(value: str | None) -> float | None:
    if not value:
        return None
    m = re.search(r"\d+(?:[.,]\d+)?", value)
    return float(m.group(0).replace(",", ".")) if m else None


def _stable_id(*parts: str | None) -> str:
    return hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:16]


def parse_items(sel: Selector, options: WebOptions, page_url: str) -> list[tuple[Raw, list[Raw]]]:
    """A page → [(item, its replies)] as Raw; ``published`` is a datetime or the error text."""
    fields = options.fields
    formats = options.date_formats
    replies_cfg = options.replies
    official_authors = {a.lower() for a in replies_cfg.official_authors} if replies_cfg else set()
    out: list[tuple[Raw, list[Raw]]] = []

    def build(node: Selector, flds: WebFields, parent: str | None) -> Raw:
        author = field_text(node, flds.author)
        date_text = field_text(node, flds.date)
        text = field_text(node, flds.text)
        ident = field_text(node, flds.id) or _stable_id(
            parent or page_url, author, date_text, (text or "")[:80]
        )
        try:
            published: Any = parse_date(date_text, formats)
        except MissingDate:
            published = None
        url = field_text(node, flds.url)
        explicit_parent = field_text(node, flds.parent_id)
        return Raw(
            external_id=ident,
            author=author,
            published=published,
            text=text,
            parent_id=parent or explicit_parent,
            title=field_text(node, flds.title),
            url=url or page_url,
            rating=parse_rating(field_text(node, flds.rating)),
        )

    for node in select(sel, options.item):
        item = build(node, fields, None)
        replies: list[Raw] = []
        if replies_cfg and replies_cfg.item:
            rfields = replies_cfg.fields or fields
            for rnode in select(node, replies_cfg.item):
                reply = build(rnode, rfields, item.external_id)
                marker = replies_cfg.is_official
                if (marker and select(rnode, marker)) or (reply.author or "").lower() in official_authors:
                    reply.is_official = True
                replies.append(reply)
        out.append((item, replies))
    return out


class WebSpider(RykteSpider):
    name = "web"
    options: WebOptions

    def absolute(self, url: str) -> str:
        if re.match(r"https?://", url):
            return url
        if not self.base_url:  # the web has no default site
            raise ValueError(f"the relative start URL {url!r} needs the source's base_url")
        return f"{self.base_url}/{url.lstrip('/')}"

    def extra_domains(self) -> Iterable[str]:
        if not self.job:
            return []
        return [u for u in self.options.start_urls if re.match(r"https?://", u)]

    def initial_requests(self) -> Iterable[Request]:
        self.require_match = self.options.require_match
        self.thread_mode = self.options.thread
        for url in self.options.start_urls:
            full = self.absolute(url)
            yield self.request(
                full, self.parse_page, cb_kwargs={"stream": f"page:{url}", "page": 1, "root": None}
            )

    def parse_page(self, response: Response, stream: str, page: int, root: Raw | None) -> Iterator[Any]:
        sel = self.load_html(response)
        if sel is None:
            return
        try:
            blocks = parse_items(sel, self.options, response.url)
        except MAPPING_ERRORS as exc:
            self.record_error("config", response.url, f"web selectors: {exc}")
            return
        if not blocks:
            self.record_error("empty_page", response.url, "no items matched the item selector")
        page_title = " ".join(sel.css("title::text").getall())
        times = []
        for item, replies in blocks:
            if self.thread_mode == "page":
                if root is None:
                    root = item
                    item.thread_id = item.external_id
                else:
                    item.parent_id = item.parent_id or root.external_id
                    item.thread_id = root.thread_id
            else:
                item.thread_id = item.external_id
            for r in replies:
                r.thread_id = item.thread_id
            if item.published is not None:
                times.append(item.published)
            topic_matches = (
                self.thread_mode == "page"
                and root is not None
                and self.matcher.matches(root.title, root.text, page_title)
            )
            if self.require_match and not (topic_matches or self.matcher.matches(item.title, item.text)):
                continue
            if item.published is not None:
                self.observe(stream, item.published)
            for raw in (item, *replies):
                mention = self.emit(raw, where=response.url)
                if mention:
                    yield mention
        nxt = self.options.next_page
        href = field_text(sel, nxt) if nxt else None
        if (
            href
            and page < self.opt_max_pages
            and (not times or self.should_continue_paging(stream, times, page))
        ):
            yield self.request(
                response.urljoin(href),
                self.parse_page,
                cb_kwargs={"stream": stream, "page": page + 1, "root": root},
            )
