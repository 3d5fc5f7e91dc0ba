"""Per-source-type options: the ``options:`` block of a source in the YAML config.

One pydantic model per crawler type. The same model validates the options twice: when the config is
loaded (``pipeline/config``, which may import this module) and when a spider reads its job file
(``crawlers/job.py``), so the spiders read typed, defaulted values and a bad option is reported with
its key path in both places. This module imports pydantic only (no Scrapy, no pipeline).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class SourceOptions(BaseModel):
    """Options every source type accepts."""

    model_config = ConfigDict(extra="forbid")

    max_pages: int | None = Field(default=None, ge=1, description="per stream; default: crawling.max_pages")


def _selector(v: str) -> str:
    if not v or not v.strip():
        raise ValueError("empty selector")
    return v


class NewsOptions(SourceOptions):
    feeds: list[str] = Field(default_factory=list, description="RSS/Atom URLs")
    google_news: bool = Field(default=False, description="also Google News search feeds for each alias")
    languages: list[str] = Field(default_factory=lambda: ["no"], description="Google News hl values")
    regions: list[str] = Field(default_factory=lambda: ["NO"], description="Google News gl values")
    fetch_articles: bool = Field(
        default=True, description="fetch the article when the feed has only a summary"
    )
    require_match: bool = True

    @field_validator("feeds")
    @classmethod
    def _urls(cls, v: list[str]) -> list[str]:
        for url in v:
            if not re.match(r"^https?://", url):
                raise ValueError(f"feed must be an http(s) URL, got {url!r}")
        return v

    @model_validator(mode="after")
    def _something(self) -> NewsOptions:
        if not self.feeds and not self.google_news:
            raise ValueError("set feeds and/or google_news: true")
        return self


class RedditOptions(SourceOptions):
    subreddits: list[str] = Field(default_factory=list, description="also search inside these")
    queries: list[str] = Field(default_factory=list, description="default: the company name and aliases")
    sort: Literal["new", "relevance", "top", "comments"] = "new"
    time: Literal["hour", "day", "week", "month", "year", "all"] = "all"
    site_wide: bool = Field(default=True, description="search all of Reddit besides the subreddits")


class HackerNewsOptions(SourceOptions):
    queries: list[str] = Field(default_factory=list, description="default: the company name and aliases")
    tags: str = "(story,comment)"
    hits_per_page: int = Field(default=100, ge=1, le=1000)


class MastodonOptions(SourceOptions):
    hashtags: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(
        default_factory=list, description="the company's account(s), e.g. nordlys@example.social"
    )
    limit: int = Field(default=40, ge=1, le=40)
    require_match: bool = Field(default=True, description="keep only tag posts naming the company")

    @model_validator(mode="after")
    def _something(self) -> MastodonOptions:
        if not self.hashtags and not self.accounts:
            raise ValueError("set hashtags and/or accounts")
        return self


class BlueskyOptions(SourceOptions):
    actors: list[str] = Field(default_factory=list, description="handles whose feeds and threads are read")
    search: bool = Field(default=True, description="searchPosts (only with secrets handle + app_password)")
    search_queries: list[str] = Field(
        default_factory=list, description="default: the company name and aliases"
    )
    service_url: str | None = Field(
        default=None, description="PDS for createSession/searchPosts (default bsky.social)"
    )
    limit: int = Field(default=50, ge=1, le=100)


class TrustpilotOptions(SourceOptions):
    domain: str | None = Field(default=None, description="the business unit, as in /review/<domain>")
    domains: list[str] = Field(default_factory=list)
    languages: str | None = Field(default=None, description="e.g. 'all' or 'no'")

    @model_validator(mode="after")
    def _domain(self) -> TrustpilotOptions:
        if not self.domain and not self.domains:
            raise ValueError("domain is required")
        return self

    def business_units(self) -> list[str]:
        """Every business unit to read: ``domains``, else ``domain``."""
        return list(self.domains) or [d for d in (self.domain,) if d]


class WebFields(BaseModel):
    """Selectors inside one item block: CSS (``::text``, ``::attr(x)``) or ``xpath:…``."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    author: str | None = None
    date: str | None = None
    text: str
    title: str | None = None
    rating: str | None = None
    url: str | None = None
    parent_id: str | None = Field(default=None, description="id of the post this one answers (forums)")

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return _selector(v)


class WebReplies(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str
    fields: WebFields | None = Field(default=None, description="default: the item fields")
    is_official: str | None = Field(default=None, description="selector present only on official replies")
    official_authors: list[str] = Field(default_factory=list)


class WebOptions(SourceOptions):
    start_urls: list[str] = Field(min_length=1, description="absolute, or relative to base_url")
    item: str = Field(min_length=1, description="selector of one mention block")
    fields: WebFields
    date_formats: list[str] = Field(default_factory=list, description="strptime formats, tried after ISO 8601 and before a day-first guess")
    next_page: str | None = Field(default=None, description="selector of the next page's URL")
    replies: WebReplies | None = None
    thread: Literal["item", "page"] = Field(
        default="item", description="page: the first item is the thread root"
    )
    require_match: bool = True


class LinkedInOptions(SourceOptions):
    organization_id: str = Field(min_length=1, description="numeric id or urn:li:organization:<id>")
    api_version: str = "202411"
    count: int = Field(default=50, ge=1, le=100)


class FacebookOptions(SourceOptions):
    page_id: str = Field(min_length=1)
    api_version: str = "v21.0"


class InstagramOptions(SourceOptions):
    ig_user_id: str = Field(min_length=1)
    username: str | None = None
    api_version: str = "v21.0"
