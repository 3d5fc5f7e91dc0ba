"""The one table of per-source-type facts: spider name, option model, default base URL, platform, secrets.

The spiders, the config (``pipeline/config``), the crawl runner and the service all read this table,
so a fact about a source type is written once. It lives in ``crawlers`` because the crawlers may not
import the pipeline while the pipeline may import this module: it is plain data plus the pydantic
option models of :mod:`crawlers.options`, and imports no Scrapy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawlers.options import (
    BlueskyOptions,
    FacebookOptions,
    HackerNewsOptions,
    InstagramOptions,
    LinkedInOptions,
    MastodonOptions,
    NewsOptions,
    RedditOptions,
    SourceOptions,
    TrustpilotOptions,
    WebOptions,
)


@dataclass(frozen=True)
class SourceType:
    """What Rykte knows about one source type (``type:`` of a configured source)."""

    name: str  #: the type, which is also the spider's name (``scrapy crawl <name>``)
    options: type[SourceOptions]  #: validates ``options:`` in the config and in the job file
    default_base_url: str | None  #: the real site's API root; None: the config must give base_url
    required_secrets: tuple[str, ...] = ()  #: without these the source is switched off
    #: every secret the type takes (config ``secrets:`` keys) → the variable conventionally holding it
    secret_env: dict[str, str] = field(default_factory=dict)

    @property
    def platform(self) -> str:
        """The default ``source`` of its mentions (a configured ``platform:`` overrides it)."""
        return self.name

    def missing_secrets(self, secrets: dict[str, str]) -> list[str]:
        """The required secret keys that are absent or empty in ``secrets``."""
        return [key for key in self.required_secrets if not secrets.get(key)]

    def env_name(self, secret: str) -> str:
        """The environment variable a secret is conventionally read from (named in messages)."""
        return self.secret_env.get(secret, f"{self.name.upper()}_{secret.upper()}")


def _token(name: str) -> dict[str, str]:
    return {"token": f"{name.upper()}_TOKEN"}


SOURCE_TYPES: dict[str, SourceType] = {
    t.name: t
    for t in (
        SourceType("news", NewsOptions, "https://news.google.com"),
        SourceType("reddit", RedditOptions, "https://www.reddit.com"),
        SourceType("hackernews", HackerNewsOptions, "https://hn.algolia.com"),
        SourceType("mastodon", MastodonOptions, "https://mastodon.social"),
        SourceType(
            "bluesky",
            BlueskyOptions,
            "https://public.api.bsky.app",
            secret_env={"handle": "BLUESKY_HANDLE", "app_password": "BLUESKY_APP_PASSWORD"},
        ),
        SourceType("trustpilot", TrustpilotOptions, "https://www.trustpilot.com"),
        SourceType("web", WebOptions, None),
        SourceType("linkedin", LinkedInOptions, "https://api.linkedin.com", ("token",), _token("linkedin")),
        SourceType("facebook", FacebookOptions, "https://graph.facebook.com", ("token",), _token("facebook")),
        SourceType("instagram", InstagramOptions, "https://graph.facebook.com", ("token",), _token("instagram")),
    )
}


class UnknownSourceType(ValueError):
    """A source type that is not in :data:`SOURCE_TYPES` (the message lists the known ones)."""


def source_type(name: str) -> SourceType:
    """The registry entry of ``name``; :class:`UnknownSourceType` names the known types."""
    try:
        return SOURCE_TYPES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCE_TYPES))
        raise UnknownSourceType(f"unknown source type {name!r} (one of: {known})") from None


def known_type(name: str) -> str:
    """``name`` if it is a registered source type (a pydantic validator for the config and the job
    file alike); :class:`UnknownSourceType`, a ValueError, names the known types otherwise."""
    source_type(name)
    return name
