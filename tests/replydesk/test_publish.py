"""Publishing approved replies: the service posts them to the demo world's Mastodon and Bluesky with
the real API calls (bearer token; createSession + createRecord with reply refs), stores the returned
id so the reply is linked with its response time at once, and the next crawl shows the same reply
(updated, not doubled). A reply posted by hand is linked by its text when a crawl finds it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.config.loader import parse_config
from pipeline.demo.formats.mastodon import MASTODON_POST_TOKEN
from pipeline.demo.world import DemoWorld
from pipeline.replydesk import ledger
from pipeline.replydesk.events import new_event, to_record
from pipeline.replydesk.publish import Target, link_by_text, post_mastodon, publish_approved
from pipeline.service import Service
from pipeline.store.db import DataDir, connect_writer, utcnow
from pipeline.store.inbox import append_desk_event
from tests.factories import m, make_store

REPLY = {"mastodon": "Takk for at du sier ifra, og beklager at du ikke har fått svar. Vi har nå gått gjennom "
                     "saken og tar kontakt innen fredag. Hilsen Kari i HR",
         "bluesky": "Takk for at du tar dette opp. Vi beklager. Vi har nå rettet rutinen og sender deg svar "
                    "innen mandag. Hilsen Per i HR"}


def config(world: DemoWorld):
    return parse_config(f"""
company:
  name: Nordlys Logistikk AS
  aliases: ["Nordlys Logistikk", "Nordlys Log"]
  official_accounts: {{mastodon: [nordlys, nordlys@snabel.example], bluesky: [nordlyslogistikk.no]}}
crawling: {{download_delay: 0, autothrottle: false, timeout: 20, obey_robots: false}}
sources:
  - {{name: mastodon, type: mastodon, schedule: 30m, base_url: "{world.base_url('mastodon')}",
      options: {{hashtags: [nordlyslogistikk], accounts: [nordlys]}}}}
  - name: bluesky
    type: bluesky
    schedule: 30m
    base_url: "{world.base_url('bluesky')}"
    secrets: {{handle: "{world.env['DEMO_BLUESKY_HANDLE']}", app_password: "{world.env['DEMO_BLUESKY_APP_PASSWORD']}"}}
    options: {{actors: [nordlyslogistikk.no], search: true}}
""", "test.yaml", env={})


def approve(data: DataDir, mention_id: int, text: str) -> str:
    create = new_event("create", actor="kari", mention_id=mention_id, text=text)
    for ev in (create, new_event("submit", actor="kari", draft_id=create.draft_id),
               new_event("approve", actor="per", draft_id=create.draft_id)):
        append_desk_event(data.root, to_record(ev))
    return create.draft_id


def staged_ids(data: DataDir) -> set[str]:
    ids = set()
    for f in data.staging.rglob("*.jsonl*"):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.add(json.loads(line)["external_id"])
    return ids


@pytest.mark.slow
def test_post_to_mastodon_and_bluesky_linked_at_once_and_found_by_the_next_crawl(tmp_path: Path, monkeypatch):
    with DemoWorld() as world:
        monkeypatch.setenv("RYKTE_REPLY_MASTODON_TOKEN", MASTODON_POST_TOKEN)
        monkeypatch.setenv("RYKTE_REPLY_BLUESKY_HANDLE", "nordlyslogistikk.no")
        monkeypatch.setenv("RYKTE_REPLY_BLUESKY_APP_PASSWORD", world.tokens["bluesky"])
        data = DataDir(tmp_path / "data").ensure()
        service = Service(config(world), data, analyze=False)
        try:
            first = service.cycle()
            assert all(c.status == "ok" for c in first.crawls), first.crawls
            con = service.con
            picked = {}
            for platform in ("mastodon", "bluesky"):
                row = con.execute(
                    """SELECT m.id, m.external_id, m.published_at FROM mentions m JOIN responses r ON r.mention_id = m.id
                       WHERE m.source = ? AND NOT m.official AND r.response_id IS NULL AND m.parent_id IS NULL
                       ORDER BY m.published_at DESC LIMIT 1""", [platform]).fetchall()
                assert row, platform
                picked[platform] = row[0]
            drafts = {p: approve(data, picked[p][0], REPLY[p]) for p in picked}
            # nothing is posted before approval: a draft only submitted stays on the desk
            waiting = new_event("create", actor="kari", mention_id=picked["mastodon"][0], text="Ikke klar ennå.")
            append_desk_event(data.root, to_record(waiting))
            append_desk_event(data.root, to_record(new_event("submit", actor="kari", draft_id=waiting.draft_id)))
            before = utcnow()
            service._batch()  # the writer: takes the desk in, posts, links
            posts = [r for r in world.requests if r.startswith("POST ")]
            assert sum("/mastodon/api/v1/statuses" in r for r in posts) == 1
            assert sum("com.atproto.repo.createRecord" in r for r in posts) == 1
            assert sum("com.atproto.server.createSession" in r for r in posts) >= 1
            for platform, draft_id in drafts.items():
                mid, ext, published = picked[platform]
                state = con.execute("SELECT state, posted_how, posted_id FROM reply_drafts WHERE id = ?",
                                    [draft_id]).fetchall()[0]
                assert state[:2] == ("posted", "api") and state[2]
                reply = con.execute("SELECT id, official, author, parent_id, text FROM mentions "
                                    "WHERE source = ? AND external_id = ?", [platform, state[2]]).fetchall()[0]
                assert reply[1:] == (True, "nordlys" if platform == "mastodon" else "nordlyslogistikk.no", ext,
                                     REPLY[platform])
                linked = con.execute("SELECT response_id, delay_hours FROM responses WHERE mention_id = ?",
                                     [mid]).fetchall()[0]
                assert linked[0] == reply[0]
                expected = (before - published).total_seconds() / 3600
                assert linked[1] == pytest.approx(expected, abs=0.05)
            assert con.execute("SELECT state FROM reply_drafts WHERE id = ?", [waiting.draft_id]).fetchall() == [
                ("in_review",)]
            # the next crawl shows the replies (served by the world in the real formats) and updates them
            n = con.execute("SELECT count(*) FROM mentions").fetchall()[0][0]
            second = service.cycle()
            assert all(c.status == "ok" for c in second.crawls), second.crawls
            posted_ids = {r[0] for r in con.execute("SELECT posted_id FROM reply_drafts WHERE state = 'posted'").fetchall()}
            assert posted_ids <= staged_ids(data)
            assert con.execute("SELECT count(*) FROM mentions").fetchall()[0][0] == n
        finally:
            service.close()


def test_a_reply_posted_by_hand_is_linked_by_its_text(tmp_path: Path):
    now = utcnow()
    data = make_store(tmp_path, [m("c1", source="trustpilot", text="Lønnen kom for sent.", p_negative=0.9,
                                   at=now - timedelta(hours=30))])
    con = connect_writer(data)
    try:
        mid = con.execute("SELECT id FROM mentions WHERE external_id = 'c1'").fetchall()[0][0]
        text = "Takk for at du sier ifra. Vi har nå rettet lønnskjøringen, og beløpet kommer innen fredag. Hilsen Kari"
        draft = approve(data, mid, text)
        append_desk_event(data.root, to_record(new_event("posted", actor="kari", draft_id=draft, how="manual")))
        ledger.ingest(con, data.root)
        assert link_by_text(con) == 0  # not crawled yet
        now = utcnow() + timedelta(minutes=5)
        # the crawl finds the company's reply (the platform added a greeting line)
        con.execute("""INSERT INTO mentions (source, external_id, parent_id, thread_id, author, is_official, official,
                       published_at, text, text_hash, fetched_at, updated_at)
                       VALUES ('trustpilot', 'r1', 'c1', 'c1', 'Acme AS', true, true, ?, ?, 'x', ?, ?)""",
                    [now, "Svar fra bedriften: " + text, now, now])
        con.execute("""INSERT INTO mentions (source, external_id, parent_id, thread_id, author, is_official, official,
                       published_at, text, text_hash, fetched_at, updated_at)
                       VALUES ('trustpilot', 'r0', 'c1', 'c1', 'Acme AS', true, true, ?, 'Et helt annet svar.', 'y', ?, ?)""",
                    [now, now, now])
        assert link_by_text(con) == 1
        assert con.execute("SELECT state, posted_how, posted_id FROM reply_drafts").fetchall() == [
            ("posted", "manual", "r1")]
    finally:
        con.close()


def test_a_refused_post_leaves_the_draft_approved_and_a_retry_posts_once(tmp_path: Path):
    with DemoWorld() as world:
        data = DataDir(tmp_path / "data").ensure()
        con = connect_writer(data)
        try:
            published = (utcnow() - timedelta(hours=3)).isoformat()
            post = next(p for p in world.content.posts["mastodon"] if p.parent is None and not p.official)
            uri = f"https://snabel.example/users/{post.author}/statuses/{post.id}"
            con.execute("""INSERT INTO mentions (source, external_id, thread_id, author, official, published_at, text,
                           text_hash, fetched_at, updated_at) VALUES ('mastodon', ?, ?, ?, false, ?, 'Kritikk', 'h', ?, ?)""",
                        [uri, uri, post.author, published, utcnow(), utcnow()])
            mid = con.execute("SELECT id FROM mentions").fetchall()[0][0]
            draft = approve(data, mid, REPLY["mastodon"])
            ledger.ingest(con, data.root)
            base = world.base_url("mastodon")
            wrong = {"mastodon": Target("mastodon", base, {"token": "not-the-token"}, "nordlys")}
            assert publish_approved(con, wrong) == {"posted": 0, "failed": 1}
            assert con.execute("SELECT state FROM reply_drafts").fetchall() == [("approved",)]
            right = Target("mastodon", base, {"token": MASTODON_POST_TOKEN}, "nordlys")
            # the writer posted, then died before storing the id: the retry sends the same Idempotency-Key
            first, _ = post_mastodon(right, uri, REPLY["mastodon"], "nb", draft)
            assert publish_approved(con, {"mastodon": right}) == {"posted": 1, "failed": 0}
            assert con.execute("SELECT state, posted_id FROM reply_drafts").fetchall() == [("posted", first)]
            replies = [p for p in world.content.posts["mastodon"] if p.parent == post.key and p.kind == "reply_desk"]
            assert len(replies) == 1
            assert publish_approved(con, {"mastodon": right}) == {"posted": 0, "failed": 0}  # posted: never again
        finally:
            con.close()
