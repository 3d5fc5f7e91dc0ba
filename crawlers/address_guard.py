"""Refuse requests to private, loopback and link-local addresses (server-side request forgery).

Why: the news spider follows any link a feed entry names, and a redirect can point anywhere; a
hostile feed could make the crawler fetch the cloud metadata service (169.254.169.254), a router's
admin page or a service on the crawl host itself. :class:`AddressGuardMiddleware` resolves each
request's host before it is downloaded and refuses any address that is not globally routable
(private, loopback, link-local, reserved, multicast, unspecified). A redirect is a new request and
passes the guard again.

Two exceptions, both from the job itself, never from fetched content:

* when the source's own ``base_url`` is such an address (the demo world, a test server, an intranet
  install), the source lives there and every address is allowed;
* the hosts the job names (``base_url`` and the spider's ``extra_domains()``: configured feed URLs,
  start URLs, a Bluesky service) are allowed whatever they resolve to: the operator chose them.

A refusal is the error kind ``refused_address`` (the news spider still stages the entry's feed
summary). The resolver can be given fixed answers with the setting ``ADDRESS_GUARD_HOSTS``
(``{"host": "ip"}``, consulted before DNS), so tests never need a non-loopback network. The check is
a best effort against hostile content, not a sandbox: a host that resolves differently a second time
(DNS rebinding) is outside what it can see.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawlers.job import host_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RefusedAddress(IgnoreRequest):
    """A request to a private, loopback or link-local address, refused."""


def is_public(address: str) -> bool:
    """True for a globally routable IP address (False for anything else, or no address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global) and not ip.is_multicast


def resolve(host: str, fixed: dict[str, str]) -> list[str]:
    """The host's addresses: a literal IP, a fixed answer, or DNS ([] when it does not resolve)."""
    name = host.strip("[]").lower()
    if name in fixed:
        return [fixed[name]]
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
        return [name]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


class AddressGuardMiddleware:
    """Downloader middleware: resolve, then refuse non-public addresses (see the module docstring)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        raw = crawler.settings.get("ADDRESS_GUARD_HOSTS") or {}
        fixed = json.loads(raw) if isinstance(raw, str) else dict(raw)
        self.fixed: dict[str, str] = {str(k).lower(): str(v) for k, v in fixed.items()}
        self.enabled = crawler.settings.getbool("ADDRESS_GUARD_ENABLED", True)
        self._private_source: bool | None = None
        self._verdicts: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    async def _resolve(self, host: str) -> list[str]:
        if host.lower() in self.fixed:
            return resolve(host, self.fixed)
        found = await maybe_deferred_to_future(deferToThread(resolve, host, self.fixed))
        return list(found)

    def _job_hosts(self, spider: Any) -> set[str]:
        base = getattr(spider, "base_url", None)
        extra = spider.extra_domains() if hasattr(spider, "extra_domains") and getattr(spider, "job", None) else []
        return {h for h in (host_of(u) for u in [base, *extra] if u) if h}

    async def _source_is_private(self, spider: Any) -> bool:
        if self._private_source is None:
            host = host_of(getattr(spider, "base_url", None) or "")
            addresses = await self._resolve(host) if host else []
            self._private_source = any(not is_public(a) for a in addresses)
            if self._private_source:
                logger.info("base_url %s is a private address: private addresses allowed", host)
        return self._private_source

    async def process_request(self, request: Request) -> None:
        if request.url.startswith("file:"):
            raise RefusedAddress(f"refused address: {request.url[:80]} (a local file)")
        if not self.enabled or not request.url.startswith(("http:", "https:")):
            return None
        spider = self.crawler.spider
        host = host_of(request.url)
        if not host or spider is None or host in self._job_hosts(spider):
            return None
        if await self._source_is_private(spider):
            return None
        if host not in self._verdicts:
            addresses = await self._resolve(host)
            # unresolvable: let the download fail as a DNS error, as it would have
            self._verdicts[host] = all(is_public(a) for a in addresses)
        if not self._verdicts[host]:
            raise RefusedAddress(f"refused address: {host} is private, loopback or link-local")
        return None
