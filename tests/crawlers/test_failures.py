"""Every failure kind is logged, counted by kind in the stats file, never crashes the crawl, and never
loses the items already collected in the run.

To keep the suite fast, one Hacker News crawl meets most failure kinds at once (one search query per
failure, served by the fixture server); each kind then has its own test over that crawl's result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.crawlers.conftest import (
    FIXTURES,
    PYTHON,
    REPO,
    CrawlResult,
    FixtureServer,
    free_port,
    run_crawl,
)

QUERIES = ["ok", "http404", "http503", "flaky", "json", "enc", "trunc", "loop", "slow", "empty", "conn"]


def serve_failures(s: FixtureServer) -> None:
    """One Hacker News search query per failure kind (QUERIES), plus the good pages around them."""
    path = "/api/v1/search_by_date"
    s.add(path, "hackernews/search_p0.json", query={"query": "ok"})
    s.add("/api/v1/items/41000001", "hackernews/item_41000001.json")
    s.add("/api/v1/items/41000100", "hackernews/item_41000100.json")
    s.add(path, body="nope", status=404, content_type="text/plain", query={"query": "http404"})
    s.add(
        path,
        body="busy",
        status=503,
        headers={"Retry-After": "1"},
        content_type="text/plain",
        query={"query": "http503"},
    )
    s.add(
        path,
        "hackernews/search_p1.json",
        fail_times=1,
        fail_status=429,
        fail_headers={"Retry-After": "0"},
        query={"query": "flaky"},
    )
    s.add("/api/v1/items/40900001", "hackernews/item_40900001.json")
    s.add(path, "failures/malformed.json", query={"query": "json"})
    # declared UTF-8, sent as Latin-1: counted, and still salvaged
    s.add(path, "failures/hn_search_latin1.json", transcode="latin-1", query={"query": "enc"})
    s.add("/api/v1/items/41000200", "failures/hn_item_41000200.json")  # one comment without a date
    s.add(path, "hackernews/search_p0.json", truncate=True, query={"query": "trunc"})
    s.add(path, redirect_to="/loop", query={"query": "loop"})
    s.add("/loop", redirect_to="/loop")
    s.add(path, "hackernews/search_p0.json", delay=2.5, query={"query": "slow"})
    s.add(path, body=b"", query={"query": "empty"})
    s.add(path, redirect_to=f"http://127.0.0.1:{free_port()}/gone", query={"query": "conn"})


@pytest.fixture(scope="module")
def hn(
    fixture_server: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[CrawlResult, FixtureServer]:
    s = fixture_server
    s.reset()
    serve_failures(s)
    res = run_crawl(
        tmp_path_factory.mktemp("failures"),
        "hackernews",
        s.url,
        {"queries": QUERIES},
        polite={"timeout": 1, "retry_times": 1, "retry_backoff": 0.05},
    )
    return res, s


def kinds(res: CrawlResult) -> dict[str, Any]:
    return res.stats["error_kinds"]


def samples(res: CrawlResult, needle: str) -> list[str]:
    return [x for x in res.stats["error_samples"] if needle in x]


def test_crawl_survives_and_keeps_items(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert res.returncode == 0, res.log
    # no callback blew up (Scrapy itself logs the refused robots.txt download with a traceback)
    assert "Spider error processing" not in res.log and "Unhandled error" not in res.log
    assert res.stats["finish_reason"] == "finished"
    # items from the good pages are staged in spite of all the failures around them
    assert {"41000001", "41000010", "41000011", "41000105", "41000106", "40900001", "41000200"} <= res.ids()
    assert res.stats["items"] == len(res.items)
    assert res.stats["errors"] == sum(kinds(res).values())
    assert "crawl error [" in res.log  # errors are logged too


def test_http_status_errors(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["http"] == 2
    assert res.stats["http_status"] == {"404": 1, "503": 1}
    assert samples(res, "query=http404") and samples(res, "HTTP 503")


def test_retry_after_is_honoured(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, s = hn
    hits = [r for r in s.seen("/api/v1/search_by_date") if r.query.get("query") == "http503"]
    assert len(hits) == 2  # first try + one retry (retry_times=1)
    assert hits[1].time - hits[0].time >= 0.9  # waited for Retry-After: 1
    flaky = [
        r
        for r in s.seen("/api/v1/search_by_date")
        if r.query.get("query") == "flaky" and r.query["page"] == "0"
    ]
    assert len(flaky) == 2 and "40900001" in res.ids()  # a 429 then success: not an error


def test_malformed_json(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["json"] == 1 and samples(res, "malformed JSON")


def test_wrong_encoding(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["encoding"] == 1 and samples(res, "not valid utf-8")
    # the page was salvaged: its story was fetched and staged with the right letters
    assert res.by_id()["41000200"]["title"] == "Nordlys Logistikk åpner lager på Ørland"


def test_missing_date(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["missing_date"] == 1 and samples(res, "41000201")
    assert "41000201" not in res.ids() and "41000202" in res.ids()


def test_truncated_body(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["truncated"] == 1 and samples(res, "query=trunc")


def test_redirect_loop(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["redirect_loop"] == 1 and samples(res, "redirect loop")


def test_timeout(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["timeout"] == 1 and samples(res, "query=slow")


def test_empty_page(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["empty_page"] == 1 and samples(res, "query=empty")


def test_connection_refused(hn: tuple[CrawlResult, FixtureServer]) -> None:
    res, _ = hn
    assert kinds(res)["connection"] == 1 and samples(res, "/gone")


def test_malformed_xml_keeps_other_feeds(server: FixtureServer, tmp_path: Path) -> None:
    rss = (FIXTURES / "news/feed.rss").read_text(encoding="utf-8").replace("{base}", server.url)
    server.add("/good.rss", body=rss, content_type="application/rss+xml; charset=utf-8")
    server.add("/broken.rss", "failures/broken_feed.rss")
    opts = {"feeds": [f"{server.url}/broken.rss", f"{server.url}/good.rss"], "fetch_articles": False}
    res = run_crawl(tmp_path, "news", server.url, opts)
    assert res.returncode == 0 and "Traceback" not in res.log
    assert res.stats["error_kinds"]["xml"] == 1
    assert any("broken.rss" in x and "malformed feed" in x for x in res.stats["error_samples"])
    assert {"fp-2026-1101", "fp-2026-1105"} <= res.ids()


def test_malformed_html_keeps_earlier_pages(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/review/nordlys-logistikk.no", "trustpilot/page1.html", query={"page": "1"})
    server.add("/review/nordlys-logistikk.no", "failures/no_next_data.html", query={"page": "2"})
    res = run_crawl(tmp_path, "trustpilot", server.url, {"domain": "nordlys-logistikk.no"})
    assert res.returncode == 0 and "Traceback" not in res.log
    assert res.stats["error_kinds"] == {"html": 1}
    assert len(res.items) == 3 and res.stats["items"] == 3  # page 1 is staged


def test_bad_job_file_is_reported_not_crashed(tmp_path: Path) -> None:
    import subprocess

    stats = tmp_path / "s.stats.json"
    job = tmp_path / "j.job.json"
    job.write_text(json.dumps({"type": "reddit", "stats_path": str(stats), "company": {"aliases": []}}))
    proc = subprocess.run(
        [PYTHON, "-m", "scrapy", "crawl", "reddit", "-a", f"job={job}"],
        cwd=REPO / "crawlers",  # also shows the project works from crawlers/
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(stats.read_text())
    assert data["finish_reason"] == "bad_job" and data["error_kinds"] == {"job": 1}
    assert "company: missing key 'name'" in data["error_samples"][0]
