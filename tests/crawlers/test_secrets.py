"""Secrets reach the crawl process through its environment, never through the job file on disk.

A LinkedIn crawl through the service (real runner, real Scrapy process, real HTTP on 127.0.0.1): the
API sees the configured token, and neither the job file archived in ``staging/done/`` nor any other
file the crawl left holds it.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawlers.job import load_job, secret_environment
from pipeline.config.loader import parse_config
from pipeline.service import Service
from pipeline.store.db import DataDir
from tests.crawlers.conftest import FixtureServer

ORG = "urn:li:organization:1234567"
TOKEN = "li-secret-7f3a9c"


def test_the_token_travels_in_the_environment_only(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/rest/posts", "linkedin/posts.json", query={"q": "author", "author": ORG})
    server.add("/rest/socialActions/urn:li:share:7260000000000000001/comments", "linkedin/comments_empty.json")
    server.add("/rest/socialActions/urn:li:ugcPost:7260000000000000002/comments", "linkedin/comments_empty.json")
    cfg = parse_config(f"""
company: {{name: Nordlys Logistikk}}
crawling: {{download_delay: 0, autothrottle: false, timeout: 5, obey_robots: false}}
sources:
  - name: li
    type: linkedin
    base_url: {server.url}
    secrets: {{token: "${{LI_TOKEN}}"}}
    options: {{organization_id: "1234567"}}
""", "rykte.yaml", env={"LI_TOKEN": TOKEN})
    data = DataDir(tmp_path / "data")
    service = Service(cfg, data, analyze=False)
    try:
        result = service.crawl("li", batch=False)
    finally:
        service.close()
    assert result.status == "ok" and result.items == 2, result.error_samples
    assert server.seen("/rest/posts")[0].headers["Authorization"] == f"Bearer {TOKEN}"
    left = [p for p in data.staging.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".job.json") for p in left)
    assert not [p for p in left if TOKEN in p.read_text(encoding="utf-8", errors="replace")]


def test_the_spider_reads_secrets_from_the_environment_over_the_file(tmp_path: Path) -> None:
    job = tmp_path / "j.job.json"
    job.write_text(json.dumps({"type": "bluesky", "company": {"name": "Nordlys"},
                               "secrets": {"handle": "old.bsky.social", "app_password": "from-file"}}))
    environ = {**secret_environment({"app_password": "from-env", "token": ""}), "UNRELATED": "x"}
    assert load_job(job, environ).secrets == {"handle": "old.bsky.social", "app_password": "from-env"}


def test_a_crawl_child_inherits_no_other_secret() -> None:
    from pipeline.crawl.runner import child_environment

    env = child_environment({"token": "mine"}, {"PATH": "/bin", "RYKTE_SECRET_TOKEN": "another source's",
                                                "RYKTE_REPLY_MASTODON_TOKEN": "posting"})
    assert env["RYKTE_SECRET_TOKEN"] == "mine" and env["PATH"] == "/bin"
    assert "RYKTE_REPLY_MASTODON_TOKEN" not in env
