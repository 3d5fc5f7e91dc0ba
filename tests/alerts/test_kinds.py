"""Each alert kind fires once, to a real webhook receiver on 127.0.0.1, with the right words in nb and en."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from pipeline.alerts.kinds import StaleSource
from pipeline.i18n import name
from pipeline.store.queries.alert_health import channel_health
from tests.alerts.helpers import DASHBOARD, config, message, run, titles
from tests.alerts.receivers import SmtpSink, Store, WebhookSink, free_port

PUBLISHED = datetime(2026, 11, 20, 9, 15)  # the fixtures' mentions: Fri 20 Nov 09:15 UTC = 10:15 in Oslo


def started(store: Store, webhook: WebhookSink, lang: str, **channel: object) -> object:
    """A channel that has already run once on an empty store, so no first-run summary comes."""
    cfg = config({"name": "hook", "url": webhook.json_url, "language": lang, **channel})
    assert run(store, cfg, PUBLISHED - timedelta(hours=1)).queued == 0
    return cfg


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_criticism_then_sla_warning_then_sla_breach_each_once(store: Store, webhook: WebhookSink, lang: str) -> None:
    cfg = started(store, webhook, lang)
    mid = store.add("a", author="misfornoyd_ansatt", rating=2, title="Om Firmaet")
    store.con.execute("UPDATE mentions SET aspects = ? WHERE id = ?",
                      [json.dumps([{"aspect": "pay", "term": "lønn"}, {"aspect": "management", "term": "ledelse"}]),
                       mid])

    assert run(store, cfg, PUBLISHED + timedelta(minutes=5)).sent == 1
    assert run(store, cfg, PUBLISHED + timedelta(minutes=30)).sent == 0
    # 75 % of the 24-hour SLA: 18 h after publication
    assert run(store, cfg, PUBLISHED + timedelta(hours=17, minutes=59)).sent == 0
    assert run(store, cfg, PUBLISHED + timedelta(hours=18)).sent == 1
    assert run(store, cfg, PUBLISHED + timedelta(hours=20)).sent == 0
    # a reply exactly at the SLA is in time: the breach comes after it
    assert run(store, cfg, PUBLISHED + timedelta(hours=24)).sent == 0
    assert run(store, cfg, PUBLISHED + timedelta(hours=24, minutes=1)).sent == 1
    assert run(store, cfg, PUBLISHED + timedelta(days=2)).sent == 0

    aspects = f"{name('aspect', 'pay', lang)}, {name('aspect', 'management', lang)}"
    if lang == "nb":
        assert titles(webhook) == ["Ny kritikk på reddit", "Svarfristen nærmer seg: kritikk på reddit",
                                   "Svarfristen er passert: kritikk på reddit"]
        first = message(webhook, "Ny kritikk")
        expected = ["Forfatter: misfornoyd_ansatt", "Kilde: reddit",
                    "Publisert: 20.11.2026 10:15 CET (Europe/Oslo)", "Vurdering: 2/5",
                    "Sentiment: negativ (91 % negativ)", f"Tema: {aspects}", "Besvart av selskapet: nei, ikke ennå",
                    "Svarfrist: 21.11.2026 10:15 CET (om 24 t, SLA 24 t)", "Tittel: Om Firmaet",
                    "Elendig ledelse og lav lønn hos Firmaet.", "Lenke: https://example.no/m/a",
                    f"I dashbordet: {DASHBOARD}/?mention={mid}"]
        assert "Svarfrist: 21.11.2026 10:15 CET (om 6 t, SLA 24 t)" in message(webhook, "Svarfristen nærmer")
        assert "Svarfrist: 21.11.2026 10:15 CET (passert for 1 min siden, SLA 24 t)" in message(
            webhook, "Svarfristen er passert")
    else:
        assert titles(webhook) == ["New criticism on reddit", "Answer deadline approaching: criticism on reddit",
                                   "Answer deadline passed: criticism on reddit"]
        first = message(webhook, "New criticism")
        expected = ["Author: misfornoyd_ansatt", "Source: reddit", "Published: 20 Nov 2026 10:15 CET (Europe/Oslo)",
                    "Rating: 2/5", "Sentiment: negative (91% negative)", f"Topics: {aspects}",
                    "Answered by the company: no, not yet", "Answer by: 21 Nov 2026 10:15 CET (in 24 h, SLA 24 h)",
                    "Title: Om Firmaet", "Link: https://example.no/m/a", f"In the dashboard: {DASHBOARD}/?mention={mid}"]
        assert "Answer by: 21 Nov 2026 10:15 CET (in 6 h, SLA 24 h)" in message(webhook, "Answer deadline approaching")
    for line in expected:
        assert line in first, line
    kinds = [(r["kind"], r["status"]) for r in store.outbox()]
    assert kinds == [("criticism", "sent"), ("sla_warning", "sent"), ("sla_breach", "sent")]


def test_criticism_answered_when_first_seen_is_not_alerted_and_an_answer_stops_sla_alerts(
    store: Store, webhook: WebhookSink
) -> None:
    cfg = started(store, webhook, "en")
    answered = store.add("answered")
    store.con.execute("INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, computed_at) "
                      "VALUES (?, 999, ?, 0.5, ?)", [answered, PUBLISHED + timedelta(minutes=30), PUBLISHED])
    later = store.add("answered-later")

    assert run(store, cfg, PUBLISHED + timedelta(hours=1)).sent == 1
    assert [r["external_id"] for r in store.outbox()] == ["answered-later"]
    # answered before its SLA warning: no warning, no breach
    store.con.execute("INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, computed_at) "
                      "VALUES (?, 998, ?, 2, ?)", [later, PUBLISHED + timedelta(hours=2), PUBLISHED])
    assert run(store, cfg, PUBLISHED + timedelta(hours=30)).sent == 0
    assert titles(webhook) == ["New criticism on reddit"]


def test_an_sla_alert_already_queued_is_skipped_when_the_answer_comes_first(store: Store, webhook: WebhookSink) -> None:
    cfg = started(store, webhook, "en", quiet_hours={"start": "00:00", "end": "23:59"})
    mid = store.add("a")
    assert run(store, cfg, PUBLISHED + timedelta(hours=25)).held == 2  # criticism and breach, quiet hours
    store.con.execute("INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, computed_at) "
                      "VALUES (?, 999, ?, 26, ?)", [mid, PUBLISHED + timedelta(hours=26), PUBLISHED])
    # 23:59 Oslo on 21 Nov is 22:59 UTC: the quiet hours are over
    result = run(store, cfg, datetime(2026, 11, 21, 22, 59))
    assert (result.sent, result.held) == (1, 0)
    assert {(r["kind"], r["status"]) for r in store.outbox()} == {("criticism", "sent"), ("sla_breach", "skipped")}


def _criticism_per_day(store: Store, now: datetime, per_window: dict[int, int]) -> None:
    for window, n in per_window.items():
        for i in range(n):
            at = now - timedelta(days=window, hours=1 + i)
            store.add(f"w{window}-{i}", published_at=at.isoformat() + "Z")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_spike_against_the_28_day_baseline_fires_once_a_day(store: Store, webhook: WebhookSink, lang: str) -> None:
    now = datetime(2026, 11, 22, 12, 0)
    # a spikes-only channel on its first run: the spike itself, no summary of the backlog
    cfg = config({"name": "hook", "url": webhook.json_url, "kinds": ["spike"], "language": lang},
                 spike={"k": 3, "min_count": 5})
    # baseline: 0, 1 or 2 a day over the 28 previous windows (mean 1, sd ~0.83); today 6
    _criticism_per_day(store, now, {0: 6, **{d: d % 3 for d in range(1, 29)}})

    assert run(store, cfg, now).sent == 1
    assert run(store, cfg, now + timedelta(hours=2)).sent == 0  # same day: the same spike
    body = webhook.posts[0].body
    if lang == "nb":
        assert body["title"] == "Uvanlig mye kritikk: 6 siste døgn"
        assert "Normalt: 1,0 ± 0,8 per døgn" in body["message"] and "varslingsgrense 3,4" in body["message"]
        assert f"Se dashbordet: {DASHBOARD}" in body["message"]
    else:
        assert body["title"] == "Unusual amount of criticism: 6 in the last 24 hours"
        assert "Usual: 1.0 ± 0.8 a day" in body["message"] and "alert threshold 3.4" in body["message"]
    [row] = store.outbox()
    assert (row["kind"], row["subject"], row["mention_id"]) == ("spike", "2026-11-22", None)


def test_no_spike_below_the_minimum_count_or_within_k_standard_deviations(store: Store, webhook: WebhookSink) -> None:
    now = datetime(2026, 11, 22, 12, 0)
    _criticism_per_day(store, now, {0: 6, **{d: d % 3 for d in range(1, 29)}})
    for spike in ({"k": 3, "min_count": 7}, {"k": 7, "min_count": 5}):
        cfg = config({"name": "hook", "url": webhook.json_url, "kinds": ["spike"]}, spike=spike,
                     first_run_summary=False)
        assert run(store, cfg, now).queued == 0
    assert webhook.posts == []


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_stale_source_alerts_once_per_stale_episode(store: Store, webhook: WebhookSink, lang: str) -> None:
    cfg = started(store, webhook, lang, kinds=["stale_source"])
    now = datetime(2026, 11, 22, 12, 0)
    stale = [StaleSource("reddit-norge", datetime(2026, 11, 21, 6, 0))]
    assert run(store, cfg, now, stale).sent == 1
    assert run(store, cfg, now + timedelta(hours=1), stale).sent == 0
    # it recovered, then went stale again: a new episode
    assert run(store, cfg, now + timedelta(days=2), [StaleSource("reddit-norge", datetime(2026, 11, 23, 6))]).sent == 1
    first = webhook.posts[0].body
    if lang == "nb":
        assert first["title"] == "Kilden reddit-norge er ikke oppdatert"
        assert "Siste vellykkede henting: 21.11.2026 07:00 CET." in first["message"]
    else:
        assert first["title"] == "Source reddit-norge is not up to date"
        assert "Last successful crawl: 21 Nov 2026 07:00 CET." in first["message"]


def test_a_failing_channel_alerts_the_fallback_once_per_streak_without_its_secret(
    store: Store, webhook: WebhookSink
) -> None:
    port = free_port()
    dead = f"json://127.0.0.1:{port}/hook/secret-token-4711"
    cfg = config({"name": "dead", "url": dead, "kinds": ["criticism"]},
                 {"name": "fallback", "url": webhook.json_url, "kinds": ["stale_source"], "language": "en"},
                 fallback_channel="fallback", fallback_after=2, retry_minutes=0, first_run_summary=False)
    store.add("a")
    t = PUBLISHED + timedelta(minutes=5)
    assert run(store, cfg, t).retried == 1 and webhook.posts == []
    assert run(store, cfg, t + timedelta(minutes=1)).sent == 1  # the 2nd failure in a row: tell the fallback
    assert run(store, cfg, t + timedelta(minutes=2)).sent == 0  # same streak: told once
    assert titles(webhook) == ["Alerts to dead are not getting through"]
    text = webhook.posts[0].body["message"]
    assert "Failed deliveries in a row: 2 (since 20 Nov 2026 10:20 CET). Last error:" in text
    assert "secret-token-4711" not in text

    [health] = channel_health(store.con, ["dead"])
    assert health.failing and health.consecutive_failures == 3 and health.pending == 1
    assert health.last_failure_at == t + timedelta(minutes=2) and health.last_success_at is None
    assert health.last_error and "secret-token-4711" not in health.last_error
    assert all("secret-token-4711" not in (r["last_error"] or "") for r in store.outbox())

    receiver = WebhookSink(port).start()  # the channel comes back
    try:
        assert run(store, cfg, t + timedelta(minutes=3)).sent == 1
    finally:
        receiver.stop()
    [health] = channel_health(store.con, ["dead"])
    assert (health.failing, health.last_success_at, health.pending, health.sent) == (
        False, t + timedelta(minutes=3), 0, 1)
    assert health.last_error  # the last error is kept for the status page


def test_a_password_in_a_mail_channel_never_reaches_the_stored_error(store: Store) -> None:
    dead_smtp = SmtpSink(free_port())  # never started: connection refused
    url = dead_smtp.url.replace("mailto://", "mailto://rykte:hemmelig-passord-99@")
    cfg = config({"name": "mail", "url": url}, first_run_summary=False)
    store.add("a")
    assert run(store, cfg, PUBLISHED + timedelta(minutes=5)).retried == 1
    errors = [r["last_error"] for r in store.outbox()]
    errors += [h.last_error for h in channel_health(store.con)]
    assert all(e for e in errors) and not any("hemmelig-passord-99" in str(e) for e in errors)
