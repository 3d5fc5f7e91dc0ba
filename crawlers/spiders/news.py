"""News feeds: any RSS/Atom URL list plus Google News search feeds.

* ``options.feeds``: RSS/Atom URLs, parsed with feedparser;
* ``options.google_news``: one search feed per alias and language/region,
  ``{base}/rss/search?q="<alias>"&hl=<lang>&gl=<REGION>&ceid=<REGION>:<lang>`` (base = Google News);
* entries naming the company are kept; when the feed carries only a summary, the article page is
  fetched and its text extracted with trafilatura (if that fails, the summary is still staged).

Each article is its own thread. The cursor (newest entry time per feed) skips known entries.

The feed body goes to feedparser as a byte stream with the response's ``Content-Type``: given bytes,
feedparser first tries them as a local file path or URL, and without the header it ignores the HTTP
charset. An entry without guid and link gets a stable id (a hash of feed URL, title and date), so a
re-crawl updates it instead of dropping or duplicating it. Every entry left out is counted by reason
(``missing_date`` as an error; ``known``, ``no_match`` in the stats' ``skipped``).
"""

from __future__ import annotations

import calendar
import hashlib
import io
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import product
from typing import Any
from urllib.parse import urlencode

import feedparser
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawlers.items import Mention
from crawlers.job import host_of
from crawlers.options import NewsOptions
from crawlers.spiders.base import Raw, RykteSpider
from crawlers.text import html_to_text

FULL_TEXT_MIN = 600  # a feed body shorter than this is taken for a summary
# Bylines and datelines are pruned before extraction: the journalist's name and the minute of an
# update are not what the article says, and a changed minute must not make a re-crawl re-score it.
BYLINE_XPATH = " | ".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')]" for c in ("byline", "dateline")
)


def _entry_time(e: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = e.get(key)
        if isinstance(t, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(t), tz=UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def entry_id(e: Any, feed_url: str, title: str, when: datetime | None) -> str:
    """The entry's guid, else its link, else a stable hash of feed URL, title and date."""
    given = e.get("id") or e.get("link")
    if given:
        return str(given)
    stamp = when.isoformat() if when else ""
    digest = hashlib.sha1("\x1f".join([feed_url, title, stamp]).encode("utf-8")).hexdigest()[:20]
    return f"feed-entry:{digest}"


def parse_feed_entries(
    body: bytes | str, feed_url: str = "", content_type: str | None = None
) -> tuple[list[tuple[Raw, bool]], Any]:
    """A feed body → ([(Raw, has_full_text)], feedparser result). ``Raw.published`` may be None.

    ``content_type`` is the HTTP header (its charset wins over the XML declaration, as in RFC 3023).
    """
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    feed_title = (parsed.feed or {}).get("title") or host_of(feed_url) or "news"
    out: list[tuple[Raw, bool]] = []
    for e in parsed.entries:
        link = e.get("link")
        content = ""
        if e.get("content"):
            content = html_to_text(" ".join(c.get("value", "") for c in e["content"]))
        summary = html_to_text(e.get("summary") or e.get("description") or "")
        body_text = content if len(content) >= len(summary) else summary
        source = (e.get("source") or {}).get("title")
        author = e.get("author") or source or feed_title
        title = html_to_text(e.get("title") or "")
        when = _entry_time(e)
        out.append(
            (
                Raw(
                    external_id=entry_id(e, feed_url, title, when),
                    author=author,
                    published=when,
                    text="\n\n".join(x for x in [title, body_text] if x),
                    title=title or None,
                    url=link,
                    lang=(e.get("language") or (parsed.feed or {}).get("language") or None),
                ),
                len(content) >= FULL_TEXT_MIN,
            )
        )
    return out, parsed


def extract_article(html: str, url: str | None = None) -> dict[str, Any]:
    """trafilatura on an article page → {"text", "title", "author", "date"} (empty on failure)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, prune_xpath=BYLINE_XPATH
    )
    if doc is None:
        return {}
    d = doc if isinstance(doc, dict) else (doc.as_dict() if hasattr(doc, "as_dict") else vars(doc))
    return {k: d.get(k) for k in ("text", "title", "author", "date")}


class NewsSpider(RykteSpider):
    name = "news"
    options: NewsOptions

    def extra_domains(self) -> Iterable[str]:
        return list(self.options.feeds) if self.job else []

    def initial_requests(self) -> Iterable[Request]:
        self.fetch_articles = self.options.fetch_articles
        self.require_match = self.options.require_match
        for url in self.options.feeds:
            yield self.request(url, self.parse_feed, cb_kwargs={"stream": f"feed:{url}", "google": False})
        if self.options.google_news:
            langs = self.options.languages or ["no"]
            regions = self.options.regions or ["NO"]
            for term, lang, region in product(self.matcher.search_terms, langs, regions):
                q = f'"{term}"' if " " in term else term
                params = {"q": q, "hl": lang, "gl": region, "ceid": f"{region}:{lang}"}
                yield self.request(
                    f"{self.base_url}/rss/search?{urlencode(params)}",
                    self.parse_feed,
                    cb_kwargs={"stream": f"google:{term}:{lang}-{region}", "google": True},
                )

    def parse_feed(self, response: Response, stream: str, google: bool) -> Iterator[Any]:
        self.pages += 1
        if not response.body.strip():
            self.record_error("empty_page", response.url, "empty feed")
            return
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        entries, parsed = parse_feed_entries(response.body, response.url, ctype or None)
        if parsed.bozo:
            exc = parsed.get("bozo_exception")
            name = type(exc).__name__
            if "CharacterEncoding" in name:
                self.record_error("encoding", response.url, f"feed encoding: {exc}")
            elif not entries or "SAX" in name or "Undeclared" in name or "NonXML" in name:
                self.record_error("xml", response.url, f"malformed feed: {name}: {exc}")
        if not entries and not parsed.bozo and not google:
            # a search that finds nothing is a normal answer; a configured feed with no entries is not
            self.record_error("empty_page", response.url, "feed without entries")
        for raw, full in entries:
            if raw.published is None:
                self.record_error("missing_date", response.url, f"{raw.external_id}: entry without a date")
                continue
            if self.is_known(stream, raw.published):
                self.skip("known")
                continue
            if self.require_match and not self.matcher.matches(raw.text):
                self.skip("no_match")
                continue
            self.observe(stream, raw.published)
            if full or google or not self.fetch_articles or not raw.url or not raw.url.startswith("http"):
                item = self.emit(raw, where=response.url)
                if item:
                    yield item
                continue
            host = host_of(raw.url)
            if host and host not in self.allowed_domains:
                self.allowed_domains.append(host)
            yield self.request(
                raw.url,
                self.parse_article,
                cb_kwargs={"raw": raw},
                meta={"raw": raw},
            )

    def parse_article(self, response: Response, raw: Raw) -> Iterator[Mention]:
        html = self.decode_body(response)
        text = ""
        if html is not None:
            try:
                text = (extract_article(html, response.url).get("text") or "").strip()
            except Exception as exc:
                self.record_error("html", response.url, f"article extraction failed: {exc}")
            if not text:
                self.record_error("html", response.url, "no article text found; kept the feed summary")
        if raw.title and text.startswith(raw.title):
            text = text[len(raw.title) :].lstrip()  # the page's own heading; the title is prefixed below
        if text and len(text) > len(raw.text or ""):
            raw.text = "\n\n".join(x for x in [raw.title or "", text] if x)
        item = self.emit(raw, where=response.url)
        if item:
            yield item

    def on_error(self, failure: Failure) -> Iterator[Mention]:  # type: ignore[override]
        """Count the failure; an article that cannot be fetched still stages its feed summary."""
        super().on_error(failure)
        request = getattr(failure, "request", None)
        raw = request.meta.get("raw") if request is not None else None
        if isinstance(raw, Raw):
            item = self.emit(raw, where=request.url if request is not None else None)
            if item:
                yield item
