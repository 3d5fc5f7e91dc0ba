"""Mastodon spider: hashtag timeline + official account statuses + /context replies."""

from __future__ import annotations

import json
from pathlib import Path

from tests.crawlers.conftest import COMPANY, FixtureServer, run_crawl

S1 = "https://mastodon.example/users/kari/statuses/113000000000000001"
S2 = "https://mastodon.example/users/lise/statuses/113000000000000002"
R1 = "https://mastodon.example/users/nordlyslogistikk/statuses/113000000000000010"
R2 = "https://mastodon.example/users/per/statuses/113000000000000011"
O1 = "https://mastodon.example/users/nordlyslogistikk/statuses/113000000000000020"
R3 = "https://mastodon.example/users/per/statuses/113000000000000021"
R4 = "https://mastodon.example/users/nordlyslogistikk/statuses/113000000000000022"


def test_mastodon_tag_account_and_context(server: FixtureServer, tmp_path: Path) -> None:
    server.add("/api/v1/timelines/tag/NordlysLogistikk", "mastodon/tag_p1.json")
    server.add("/api/v1/accounts/lookup", "mastodon/lookup.json", query={"acct": "nordlyslogistikk"})
    server.add("/api/v1/accounts/200/statuses", "mastodon/account_statuses.json")
    server.add("/api/v1/statuses/113000000000000001/context", "mastodon/context_s1.json")
    server.add("/api/v1/statuses/113000000000000010/context", "mastodon/context_r1.json")
    server.add("/api/v1/statuses/113000000000000020/context", "mastodon/context_o1.json")
    company = {**COMPANY, "official_accounts": ["@nordlyslogistikk"]}
    options = {"hashtags": ["#NordlysLogistikk"], "accounts": ["nordlyslogistikk"]}
    res = run_crawl(tmp_path, "mastodon", server.url, options, company=company)
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert set(items) == {S1, R1, R2, O1, R3, R4}  # S2 (the hotel) is excluded
    assert len(res.items) == 6
    assert items[R1]["parent_id"] == S1 and items[R1]["thread_id"] == S1 and items[R1]["is_official"] is True
    assert items[R2]["parent_id"] == S1 and items[R2]["author"] == "per@fosstodon.example"
    assert items[R2]["is_official"] is None
    assert items[R4]["parent_id"] == R3 and items[R4]["thread_id"] == O1
    s1 = items[S1]
    assert "#NordlysLogistikk endrer vaktlista" in s1["text"] and "<" not in s1["text"]
    assert s1["lang"] == "nb" and s1["published_at"] == "2026-11-21T07:00:00Z"
    assert s1["url"] == "https://mastodon.example/@kari/113000000000000001"
    assert res.stats["errors"] == 0
    assert set(res.stats["cursor"]["streams"]) == {"tag:NordlysLogistikk", "account:nordlyslogistikk"}


def _status(sid: str, user: str, html: str, reply_to: str | None = None) -> dict:
    return {"id": sid, "created_at": "2026-11-22T09:00:00.000Z", "in_reply_to_id": reply_to,
            "uri": f"https://social.example/users/{user}/statuses/{sid}",
            "url": f"https://social.example/@{user}/{sid}", "content": html, "spoiler_text": "",
            "language": "nb", "reblog": None, "account": {"id": "9" + sid[-2:], "username": user, "acct": user}}


def test_reply_whose_parent_is_outside_the_context(server: FixtureServer, tmp_path: Path) -> None:
    # P (the parent, from another server: its uri is not built from the local id) is not in the context
    parent = {**_status("114000000000000050", "ola", "<p>Nordlys Logistikk søker sjåfører.</p>"),
              "uri": "https://remote.example/users/ola/statuses/77"}
    reply = _status("114000000000000051", "eva", "<p>Nordlys Logistikk betaler dårlig.</p>", reply_to=parent["id"])
    orphan = _status("114000000000000052", "kim", "<p>Nordlys Logistikk igjen?</p>", reply_to="114000000000000099")
    server.add("/api/v1/timelines/tag/nordlys", body=json.dumps([reply, orphan]))
    server.add(f"/api/v1/statuses/{reply['id']}/context", status=500)  # context unavailable
    server.add(f"/api/v1/statuses/{orphan['id']}/context", body=json.dumps({"ancestors": [], "descendants": []}))
    server.add(f"/api/v1/statuses/{parent['id']}", body=json.dumps(parent))
    server.add("/api/v1/statuses/114000000000000099", status=404, body='{"error": "Record not found"}')
    res = run_crawl(tmp_path, "mastodon", server.url, {"hashtags": ["nordlys"]}, polite={"retry_times": 0})
    assert res.returncode == 0, res.log
    items = res.by_id()
    assert items[reply["uri"]]["parent_id"] == "https://remote.example/users/ola/statuses/77"
    assert items[reply["uri"]]["thread_id"] is None  # derived from the parent chain on ingest
    assert items[orphan["uri"]]["parent_id"] is None  # never an id that cannot match
    assert res.stats["skipped"]["parent_unavailable"] == 1
    assert not any("status:" in str(i["parent_id"]) for i in res.items)
