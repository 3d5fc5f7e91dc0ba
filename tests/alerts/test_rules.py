"""Per-channel rules, and one summary instead of a flood (first run, import of history)."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from pipeline.alerts.outbox import enqueue_new_criticism
from pipeline.store.db import migrate
from pipeline.store.migrations import MIGRATIONS
from tests.alerts.helpers import DASHBOARD, config, run, titles
from tests.alerts.receivers import Store, WebhookSink

NOW = datetime(2026, 11, 20, 10, 0)  # the fixtures' mentions are from 09:15 that day


def by_channel(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in store.outbox():
        out.setdefault(r["channel"], []).append(r["external_id"])
    return {k: sorted(v) for k, v in out.items()}


def test_each_filter_of_a_channel(store: Store) -> None:
    store.add("reddit-nb-pay", source="reddit", p_negative=0.95)
    store.add("tp-1-star", source="trustpilot", rating=1, p_negative=0.4)
    store.add("tp-3-star", source="trustpilot", rating=3, p_negative=0.8)
    store.add("reddit-en", source="reddit", p_negative=0.7)
    store.con.execute("UPDATE mentions SET language = CASE WHEN external_id = 'reddit-en' THEN 'en' ELSE 'nb' END")
    store.con.execute("""UPDATE mentions SET aspects = '[{"aspect": "pay", "term": "lønn"}]'
                         WHERE external_id = 'reddit-nb-pay'""")
    url = "json://127.0.0.1:9/hook"
    cfg = config(
        {"name": "all", "url": url},
        {"name": "reviews", "url": url, "sources": ["TrustPilot"]},
        {"name": "english", "url": url, "languages": ["en"]},
        {"name": "pay", "url": url, "aspects": ["Pay", "culture"]},
        {"name": "very-negative", "url": url, "min_p_negative": 0.9},
        {"name": "bad-ratings", "url": url, "max_rating": 2},
        {"name": "spikes-only", "url": url, "kinds": ["spike"]},
        first_run_summary=False,
    )
    assert enqueue_new_criticism(store.con, cfg.alerts, NOW) == 4 + 2 + 1 + 1 + 1 + 3
    assert by_channel(store) == {
        "all": ["reddit-en", "reddit-nb-pay", "tp-1-star", "tp-3-star"],
        "reviews": ["tp-1-star", "tp-3-star"],
        "english": ["reddit-en"],
        "pay": ["reddit-nb-pay"],
        "very-negative": ["reddit-nb-pay"],
        "bad-ratings": ["reddit-en", "reddit-nb-pay", "tp-1-star"],  # unrated mentions pass
    }


def test_fallback_channel_must_be_a_channel() -> None:
    with pytest.raises(ValueError, match="fallback_channel 'nowhere' is not a channel name"):
        config({"name": "a", "url": "json://127.0.0.1:9/x"}, fallback_channel="nowhere")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_first_run_sends_one_summary_instead_of_a_flood(store: Store, webhook: WebhookSink, lang: str) -> None:
    for i in range(12):  # a week of history: 12 criticisms, the first 3 answered, all older than the SLA
        store.add(f"old{i}", published_at=f"2026-11-{14 + i // 2:02d}T09:00:00Z")
    for mid in [r[0] for r in store.con.execute("SELECT id FROM mentions ORDER BY id LIMIT 3").fetchall()]:
        store.con.execute("INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, computed_at) "
                          "VALUES (?, 999, ?, 1, ?)", [mid, NOW, NOW])
    store.add("fresh", published_at="2026-11-20T09:00:00Z")
    cfg = config({"name": "hook", "url": webhook.json_url, "language": lang})

    first = run(store, cfg, NOW)
    assert (first.queued, first.summaries, first.sent) == (1, 1, 1)
    body = webhook.posts[0].body
    if lang == "nb":
        assert body["title"] == "Rykte: kritikk siste 7 dager (13)"
        assert "Kritiske innlegg de siste 7 dagene: 13; ubesvart: 10; over svarfristen: 9." in body["message"]
        assert f"Se dashbordet: {DASHBOARD}" in body["message"]
    else:
        assert body["title"] == "Rykte: criticism in the last 7 days (13)"
        assert "Criticism in the last 7 days: 13; unanswered: 10; past the answer deadline: 9." in body["message"]
        assert f"See the dashboard: {DASHBOARD}" in body["message"]
    statuses = [r["status"] for r in store.outbox()]
    assert statuses.count("sent") == 1 and statuses.count("suppressed") == 10 + 9 and len(statuses) == 20

    assert run(store, cfg, NOW + timedelta(minutes=5)).sent == 0  # the covered alerts never come
    # what happens after the first run is alerted as usual: the fresh one's SLA warning, new criticism
    store.add("new", published_at="2026-11-20T10:30:00Z")
    assert run(store, cfg, datetime(2026, 11, 20, 11, 0)).sent == 1
    assert run(store, cfg, datetime(2026, 11, 21, 3, 0)).sent == 1
    assert len(webhook.posts) == 3
    assert [r["kind"] for r in store.outbox() if r["status"] == "sent"] == ["summary", "criticism", "sla_warning"]


def test_an_import_of_history_on_a_running_channel_gives_a_summary(store: Store, webhook: WebhookSink) -> None:
    cfg = config({"name": "hook", "url": webhook.json_url, "kinds": ["criticism"], "language": "en"},
                 summary_threshold=3)
    assert run(store, cfg, NOW).queued == 0  # started, nothing to say
    for i in range(3):
        store.add(f"few{i}")
    assert run(store, cfg, NOW).sent == 3  # at the threshold: one alert each
    for i in range(4):
        store.add(f"many{i}")
    result = run(store, cfg, NOW + timedelta(minutes=1))
    assert (result.sent, result.summaries) == (1, 1)
    assert titles(webhook)[-1] == "Rykte: criticism in the last 7 days (7)"
    assert len(webhook.posts) == 4


def test_the_migration_keeps_old_outbox_rows_and_their_at_most_once(tmp_path: object, webhook: WebhookSink) -> None:
    path = f"{tmp_path}/old.duckdb"
    con = duckdb.connect(path)
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for name, sql in MIGRATIONS[:2]:  # a store written before alert kinds
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
    con.execute("INSERT INTO mentions (source, external_id, author, published_at, text, text_hash, fetched_at, "
                "updated_at, is_criticism, official) VALUES ('reddit', 'a', 'x', ?, 'dårlig', 'h', ?, ?, true, false)",
                [NOW - timedelta(hours=1), NOW, NOW])
    con.execute("INSERT INTO alert_outbox (mention_id, channel, created_at, next_attempt_at, sent_at, status) "
                "VALUES (1, 'hook', ?, ?, ?, 'sent')", [NOW, NOW, NOW])
    assert "0003_alert_kinds" in migrate(con)
    assert con.execute("SELECT id, kind, subject, mention_id, channel, status FROM alert_outbox").fetchall() == [
        (1, "criticism", "1", 1, "hook", "sent")]
    from pipeline.alerts.run import run_alerts

    cfg = config({"name": "hook", "url": webhook.json_url, "kinds": ["criticism"]})
    result = run_alerts(con, cfg, NOW, stale=[])
    assert (result.queued, result.summaries) == (0, 0)  # not re-sent, and not a first run
    assert webhook.posts == []
    con.close()
