"""Quiet hours and the daily digest, under a frozen clock, delivered to a real webhook receiver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline.alerts.deliver import INTERRUPTED, LEASE
from pipeline.alerts.schedule import in_quiet_hours, last_digest, next_release
from pipeline.config.model import AlertChannel, QuietHours
from tests.alerts.helpers import DASHBOARD, config, run, titles
from tests.alerts.receivers import Store, WebhookSink
from tests.alerts.test_delivery import CRASHING_SENDER, ROOT

OSLO = ZoneInfo("Europe/Oslo")


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """Naive UTC on that day of November 2026 (Oslo is UTC+1 then)."""
    return datetime(2026, 11, day, hour, minute)


def test_quiet_hours_hold_alerts_and_deliver_them_when_they_end(store: Store, webhook: WebhookSink) -> None:
    cfg = config({"name": "hook", "url": webhook.json_url, "kinds": ["criticism", "sla_breach"],
                  "quiet_hours": {"start": "22:00", "end": "07:00"}}, first_run_summary=False)
    store.add("night", published_at="2026-11-20T21:30:00Z")  # 22:30 in Oslo

    assert run(store, cfg, utc(20, 21, 40)).held == 1
    assert run(store, cfg, utc(21, 5, 59)).held == 1  # 06:59 in Oslo: still quiet
    assert webhook.posts == []
    result = run(store, cfg, utc(21, 6, 0))  # 07:00 in Oslo
    assert (result.sent, result.held) == (1, 0)
    assert titles(webhook) == ["Ny kritikk på reddit"]
    assert run(store, cfg, utc(21, 6, 1)).sent == 0


def test_an_sla_breach_may_override_quiet_hours(store: Store, webhook: WebhookSink) -> None:
    channel = {"url": webhook.json_url, "kinds": ["criticism", "sla_breach"],
               "quiet_hours": {"start": "22:00", "end": "07:00"}, "language": "en"}
    cfg = config({"name": "hook", **channel, "breach_overrides": True},
                 {"name": "strict", **channel, "url": webhook.json_url.replace("/hook", "/strict")},
                 first_run_summary=False)
    store.add("a", published_at="2026-11-19T22:00:00Z")  # 23:00 in Oslo; breached 24 h later, at night again
    assert run(store, cfg, utc(19, 22, 5)).held == 2
    result = run(store, cfg, utc(20, 22, 1))
    assert (result.sent, result.held) == (1, 3)  # the breach to `hook`; both criticisms and `strict`'s breach wait
    assert [(p.path, p.body["title"]) for p in webhook.posts] == [
        ("/hook", "Answer deadline passed: criticism on reddit")]
    assert run(store, cfg, utc(21, 6, 0)).sent == 3


def test_a_daily_digest_is_one_message_at_the_set_local_time(store: Store, webhook: WebhookSink) -> None:
    cfg = config({"name": "hook", "url": webhook.json_url, "digest": "08:00", "language": "en",
                  "kinds": ["criticism", "stale_source"]}, first_run_summary=False)
    a = store.add("a", published_at="2026-11-20T09:15:00Z", author="Kari")
    assert run(store, cfg, utc(20, 9, 20)).held == 1
    b = store.add("b", published_at="2026-11-20T13:00:00Z", text="Ingen tar ansvar for turnusen.")
    assert run(store, cfg, utc(20, 13, 5)).held == 2
    assert run(store, cfg, utc(21, 6, 59)).held == 2  # 07:59 in Oslo
    assert webhook.posts == []

    result = run(store, cfg, utc(21, 7, 0))  # 08:00 in Oslo
    assert (result.sent, result.held) == (2, 0)
    [post] = webhook.posts
    assert post.body["title"] == "Rykte: today's alerts (2)"
    text = post.body["message"]
    assert text.startswith("Alerts since the last digest: 2")
    assert "• New criticism on reddit" in text and "Ingen tar ansvar for turnusen." in text
    for link in ("https://example.no/m/a", f"{DASHBOARD}/?mention={a}", f"{DASHBOARD}/?mention={b}"):
        assert link in text
    assert {r["status"] for r in store.outbox()} == {"sent"}
    assert run(store, cfg, utc(21, 7, 30)).sent == 0

    store.add("c", published_at="2026-11-21T07:10:00Z")  # after today's digest: waits for tomorrow's
    assert run(store, cfg, utc(21, 12, 0)).held == 1
    assert run(store, cfg, utc(22, 7, 0)).sent == 1
    assert titles(webhook) == ["Rykte: today's alerts (2)", "Rykte: today's alerts (1)"]


def test_quiet_hours_and_digest_times_follow_the_company_time_zone() -> None:
    night = QuietHours(start=time(22, 0), end=time(7, 0))
    assert in_quiet_hours(night, utc(20, 21, 0), OSLO) and in_quiet_hours(night, utc(21, 5, 59), OSLO)
    assert not in_quiet_hours(night, utc(21, 6, 0), OSLO) and not in_quiet_hours(night, utc(20, 20, 59), OSLO)
    lunch = QuietHours(start=time(11, 0), end=time(12, 0))
    assert in_quiet_hours(lunch, utc(20, 10, 30), OSLO) and not in_quiet_hours(lunch, utc(20, 11, 0), OSLO)
    # 08:00 in Oslo is 07:00 UTC in winter and 06:00 UTC in summer
    assert last_digest(time(8, 0), utc(20, 7, 0), OSLO) == utc(20, 7, 0)
    assert last_digest(time(8, 0), utc(20, 6, 59), OSLO) == utc(19, 7, 0)
    assert last_digest(time(8, 0), datetime(2026, 6, 10, 6, 30), OSLO) == datetime(2026, 6, 10, 6, 0)
    # the night before the change to winter time (25 Oct 2026), the digest is still at 08:00 local
    assert last_digest(time(8, 0), datetime(2026, 10, 25, 12, 0), OSLO) == datetime(2026, 10, 25, 7, 0)
    channel = AlertChannel(name="c", url="json://x/y", digest=time(8, 0), quiet_hours=night)
    assert next_release(channel, utc(20, 22, 0), OSLO) == utc(21, 6, 0)  # quiet hours end first
    assert next_release(channel, utc(21, 6, 30), OSLO) == utc(21, 7, 0)
    assert next_release(AlertChannel(name="c", url="json://x/y"), utc(20, 22, 0), OSLO) is None
    assert timedelta(0) < next_release(channel, utc(21, 7, 0), OSLO) - utc(21, 7, 0) <= timedelta(days=1)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_crash_while_a_digest_goes_out_fails_all_its_rows_and_sends_nothing_twice(
    store: Store, webhook: WebhookSink
) -> None:
    """The digest's rows are claimed together before the one message goes out: killed after the
    receiver got it, they are all failed as interrupted, never sent again."""
    cfg = config({"name": "hook", "url": webhook.json_url, "digest": "08:00", "kinds": ["criticism"]},
                 first_run_summary=False)
    store.add("a")
    store.add("b")
    assert run(store, cfg, utc(20, 9, 20)).held == 2
    store.close()

    webhook.hold = True
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), str(ROOT)])}
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_SENDER, str(store.data_dir.root), cfg.alerts.model_dump_json(),
         utc(21, 7, 0).isoformat()], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert webhook.received.wait(60), proc.communicate(timeout=5)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        webhook.release.set()
    store.reopen()
    assert {(r["status"], r["attempts"]) for r in store.outbox()} == {("sending", 1)}

    webhook.hold = False
    assert run(store, cfg, utc(21, 7, 0) + LEASE).failed == 2
    assert run(store, cfg, utc(22, 7, 0)).sent == 0
    assert {(r["status"], r["last_error"]) for r in store.outbox()} == {("failed", INTERRUPTED)}
    assert len(webhook.posts) == 1
