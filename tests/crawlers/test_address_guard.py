"""Off-site fetches: a feed entry (or a redirect) naming a private, loopback or link-local address is
refused unless the source itself lives on such an address. Only loopback traffic: the "public"
base_url and the link-local/intranet hosts get fixed answers (ADDRESS_GUARD_HOSTS) and are never
connected to; 127.0.0.2 is loopback but nothing listens there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.address_guard import is_public
from tests.crawlers.conftest import FixtureServer, run_crawl

HOSTS = {"news.test": "93.184.216.34", "metadata.test": "169.254.169.254", "intranet.test": "10.0.0.5"}


def feed(port: int) -> str:
    links = [
        f"http://127.0.0.2:{port}/a1",          # loopback literal
        "http://metadata.test/latest/meta-data",  # link-local (cloud metadata)
        f"http://intranet.test:{port}/a3",       # private
        f"http://127.0.0.1:{port}/a4",           # the feed's own, configured host: allowed; redirects
    ]
    items = "".join(
        f"<item><guid>g{i}</guid><title>Nordlys Logistikk sak {i}</title><link>{link}</link>"
        f"<description>Kort om Nordlys Logistikk.</description>"
        f"<pubDate>Fri, 20 Nov 2026 0{i}:00:00 +0000</pubDate></item>"
        for i, link in enumerate(links, start=1)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def test_private_targets_are_refused_for_a_public_source(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/feeds/f.rss", body=feed(server.port), content_type="application/rss+xml; charset=utf-8")
    server.add("/a4", redirect_to=f"http://127.0.0.2:{server.port}/a5")  # a redirect to loopback
    options = {"feeds": [f"{server.url}/feeds/f.rss"], "fetch_articles": True}
    res = run_crawl(tmp_path, "news", "http://news.test", options, polite={"retry_times": 0},
                    extra_settings={"ADDRESS_GUARD_HOSTS": json.dumps(HOSTS)})
    assert res.returncode == 0, res.log
    assert server.seen("/a4")  # the configured host is fetched...
    assert res.stats["error_kinds"] == {"refused_address": 4}, res.stats  # ...its redirect is not
    assert {i["external_id"] for i in res.items} == {"g1", "g2", "g3", "g4"}  # feed summaries kept


def test_a_source_on_a_private_address_may_fetch_private_hosts(server: FixtureServer, tmp_path: Path) -> None:
    body = feed(server.port).replace("127.0.0.2", "localhost")
    server.add("/feeds/f.rss", body=body, content_type="application/rss+xml; charset=utf-8")
    server.add("/a1", body="<html><body><article><p>Artikkel om Nordlys Logistikk.</p></article></body></html>",
               content_type="text/html; charset=utf-8")
    options = {"feeds": [f"http://localhost:{server.port}/feeds/f.rss"], "fetch_articles": True}
    res = run_crawl(tmp_path, "news", f"http://localhost:{server.port}", options, polite={"retry_times": 0},
                    extra_settings={"ADDRESS_GUARD_HOSTS": json.dumps({"metadata.test": "127.0.0.2",
                                                                      "intranet.test": "127.0.0.2"})})
    assert res.returncode == 0, res.log
    assert server.seen("/a1")
    assert "refused_address" not in res.stats["error_kinds"], res.stats


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.216.34", True), ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False),
     ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("::ffff:127.0.0.1", False),
     ("0.0.0.0", False), ("224.0.0.1", False), ("2606:4700::1111", True), ("not an ip", False)],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public
