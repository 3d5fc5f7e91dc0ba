"""Trustpilot spider: __NEXT_DATA__ reviews, ratings and the company reply as an official child."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawlers.conftest import FixtureServer, run_crawl

R1, R2, R3 = "6740aa01b2c3d4e5f6a7b801", "6740aa01b2c3d4e5f6a7b802", "6740aa01b2c3d4e5f6a7b803"


def serve(server: FixtureServer) -> None:
    server.add(
        "/review/nordlys-logistikk.no", "trustpilot/page1.html", query={"page": "1", "sort": "recency"}
    )
    server.add(
        "/review/nordlys-logistikk.no", "trustpilot/page2.html", query={"page": "2", "sort": "recency"}
    )


def test_trustpilot_reviews_and_replies(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    res = run_crawl(tmp_path, "trustpilot", server.url, {"domain": "nordlys-logistikk.no"})
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {R1, f"{R1}:reply", R2, R3, f"{R3}:reply"}
    r1 = items[R1]
    assert r1["rating"] == 1 and r1["title"] == "Pakken forsvant" and r1["author"] == "Marte H."
    assert (
        r1["is_official"] is False and r1["published_at"] == "2026-11-20T14:02:11Z" and r1["thread_id"] == R1
    )
    reply = items[f"{R1}:reply"]
    assert reply["parent_id"] == R1 and reply["thread_id"] == R1 and reply["is_official"] is True
    assert reply["published_at"] == "2026-11-21T08:30:00Z" and reply["author"] == "Nordlys Logistikk AS"
    assert reply["rating"] is None
    assert res.stats["pages"] == 2 and res.stats["errors"] == 0


@pytest.mark.slow
def test_trustpilot_cursor_and_full(server: FixtureServer, tmp_path: Path) -> None:
    serve(server)
    cursor = {"streams": {"review:nordlys-logistikk.no": "2026-11-19T09:00:00Z"}}
    res = run_crawl(
        tmp_path / "a", "trustpilot", server.url, {"domain": "nordlys-logistikk.no"}, cursor=cursor
    )
    assert R3 not in res.ids() and not [r for r in server.requests if r.query.get("page") == "2"]
    res = run_crawl(
        tmp_path / "b", "trustpilot", server.url, {"domain": "nordlys-logistikk.no"}, cursor=cursor, full=True
    )
    assert R3 in res.ids()
