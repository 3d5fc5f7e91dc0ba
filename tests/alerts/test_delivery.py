"""Delivering alerts through apprise to real receivers on 127.0.0.1.

Email goes to a real aiosmtpd server, webhooks to a real HTTP server; Teams (apprise `workflows://`)
to a real HTTPS server with a self-signed certificate, and the Slack-style check uses Mattermost's
Slack-compatible incoming webhook (`mmost://`), because apprise's `slack://` always posts to
hooks.slack.com and cannot be pointed at loopback.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipeline.alerts.channels import failure_reason, validate_channels
from pipeline.alerts.deliver import INTERRUPTED, LEASE, DeliveryResult, deliver_pending, recover_interrupted
from pipeline.alerts.message import shorten
from pipeline.alerts.outbox import enqueue_new_criticism
from pipeline.config.model import AlertsConfig
from pipeline.errors import InputError
from tests.alerts.receivers import SmtpSink, Store, WebhookSink, free_port

NOW = datetime(2026, 11, 22, 12, 0)  # naive UTC; mentions default to Fri 20 Nov 09:15 UTC
ROOT = Path(__file__).resolve().parents[2]


def alerts(*channels: tuple[str, str], **kw: object) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {"channels": [{"name": n, "url": u} for n, u in channels], "retry_minutes": 5, **kw})


def cycle(store: Store, cfg: AlertsConfig, now: datetime = NOW) -> DeliveryResult:
    enqueue_new_criticism(store.con, cfg, now)
    return deliver_pending(store.con, cfg, now)


def body_of(msg: object) -> str:
    from email.message import EmailMessage

    assert isinstance(msg, EmailMessage)
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


# --------------------------------------------------------------------------- the happy path


def test_one_criticism_gives_exactly_one_email_and_one_webhook_post(
    store: Store, smtp: SmtpSink, webhook: WebhookSink
) -> None:
    long_text = "Elendig ledelse og lav lønn hos Firmaet. " + "Ingen svarer på e-post, ingen bryr seg. " * 40
    mid = store.add("t3abc", source="reddit", author="misfornoyd_ansatt", rating=None, text=long_text,
                    url="https://www.reddit.com/r/norge/comments/t3abc/")
    store.con.execute("UPDATE mentions SET aspects = ? WHERE id = ?",
                      [json.dumps([{"aspect": "ledelse", "term": "ledelse"},
                                   {"aspect": "lønn", "term": "lønn"},
                                   {"aspect": "ledelse", "term": "sjefen"}]), mid])
    cfg = alerts(("hr-mail", smtp.url), ("hook", webhook.json_url))

    result = cycle(store, cfg)

    assert result == DeliveryResult(sent=2, failed=0, retried=0)
    assert len(smtp.messages) == 1 and len(webhook.posts) == 1
    msg = smtp.messages[0]
    assert msg["Subject"] == "Ny kritikk på reddit"
    assert msg["From"] == "rykte@example.no" and msg["To"] == "hr@example.no"
    mail = body_of(msg)
    # 09:15 UTC on Friday 20 November 2026 is 10:15 in Oslo (CET, UTC+1)
    for expected in ("Forfatter: misfornoyd_ansatt", "Publisert: 20.11.2026 10:15 CET (Europe/Oslo)",
                     "Vurdering: –", "Sentiment: negativ (91 % negativ)", "Tema: ledelse, lønn",
                     "Besvart av selskapet: nei, ikke ennå",
                     "Lenke: https://www.reddit.com/r/norge/comments/t3abc/",
                     "Elendig ledelse og lav lønn hos Firmaet. Ingen svarer på e-post"):
        assert expected in mail, expected
    assert " …" in mail and len(mail) < 1200  # the 1600-character text is shortened

    post = webhook.posts[0]
    assert post.path == "/hook"
    assert post.body["title"] == "Ny kritikk på reddit"
    assert post.body["type"] == "info"
    assert "Forfatter: misfornoyd_ansatt" in post.body["message"]
    assert "Lenke: https://www.reddit.com/r/norge/comments/t3abc/" in post.body["message"]

    rows = store.outbox()
    assert [(r["channel"], r["status"], r["attempts"], r["sent_at"], r["last_error"]) for r in rows] == [
        ("hr-mail", "sent", 1, NOW, None), ("hook", "sent", 1, NOW, None)]

    # a second cycle (and a later one) sends nothing new
    assert cycle(store, cfg) == DeliveryResult()
    assert cycle(store, cfg, NOW + timedelta(hours=3)) == DeliveryResult()
    assert len(smtp.messages) == 1 and len(webhook.posts) == 1


def test_message_says_when_the_company_answered_after_it_was_queued(store: Store, webhook: WebhookSink) -> None:
    mid = store.add("rev1", source="trustpilot", rating=2, author="Kari N.",
                    published_at="2026-06-10T09:15:00Z")  # summer: Oslo is CEST, UTC+2
    cfg = alerts(("hook", webhook.json_url), max_age_days=30)
    assert enqueue_new_criticism(store.con, cfg, datetime(2026, 6, 10, 10, 0)) == 1  # unanswered when seen
    store.con.execute(
        "INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, computed_at) "
        "VALUES (?, ?, ?, ?, ?)", [mid, 999, datetime(2026, 6, 10, 12, 45), 3.5, NOW])
    assert deliver_pending(store.con, cfg, datetime(2026, 6, 11, 8, 0)).sent == 1
    message = webhook.posts[0].body["message"]
    assert webhook.posts[0].body["title"] == "Ny kritikk på trustpilot"
    assert "Publisert: 10.06.2026 11:15 CEST (Europe/Oslo)" in message
    assert "Vurdering: 2/5" in message
    assert "Besvart av selskapet: ja, etter 3,5 t" in message


def test_shorten_cuts_at_a_word_and_flattens_whitespace() -> None:
    assert shorten("kort\n\ntekst") == "kort tekst"
    cut = shorten("ord " * 300, 50)
    assert cut.endswith(" …") and len(cut) <= 52 and "ord ord" in cut


# --------------------------------------------------------------------------- failures and retries


def test_dead_mail_server_leaves_the_row_pending_then_it_is_sent_when_it_is_back(store: Store) -> None:
    smtp = SmtpSink(free_port())  # nothing listens on this port yet
    store.add("a")
    cfg = alerts(("hr-mail", smtp.url), retry_minutes=5)

    assert cycle(store, cfg) == DeliveryResult(retried=1)
    [row] = store.outbox()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["sent_at"] is None
    assert row["next_attempt_at"] == NOW + timedelta(minutes=5)
    assert "Connection refused" in row["last_error"] and "attempt 1" in row["last_error"]

    smtp.start()
    try:
        # not due yet: nothing is tried before next_attempt_at
        assert deliver_pending(store.con, cfg, NOW + timedelta(minutes=4)) == DeliveryResult()
        assert smtp.messages == []
        assert deliver_pending(store.con, cfg, NOW + timedelta(minutes=5)) == DeliveryResult(sent=1)
        assert len(smtp.messages) == 1 and smtp.messages[0]["Subject"] == "Ny kritikk på reddit"
        [row] = store.outbox()
        assert row["status"] == "sent" and row["attempts"] == 2 and row["last_error"] is None
        assert deliver_pending(store.con, cfg, NOW + timedelta(hours=1)) == DeliveryResult()
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()


def test_webhook_http_500_is_retried_and_then_succeeds(store: Store, webhook: WebhookSink) -> None:
    store.add("a")
    cfg = alerts(("hook", webhook.json_url), retry_minutes=10)
    webhook.status = 500

    assert cycle(store, cfg) == DeliveryResult(retried=1)
    [row] = store.outbox()
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["next_attempt_at"] == NOW + timedelta(minutes=10)
    assert "500" in row["last_error"] and "receiver exploded" in row["last_error"]

    webhook.status = 200
    assert deliver_pending(store.con, cfg, NOW + timedelta(minutes=10)) == DeliveryResult(sent=1)
    assert len(webhook.posts) == 2  # the refused one and the accepted one
    assert store.outbox()[0]["status"] == "sent"


def test_backoff_doubles_and_max_attempts_gives_failed(store: Store, webhook: WebhookSink) -> None:
    store.add("a")
    webhook.status = 500
    cfg = alerts(("hook", webhook.json_url), retry_minutes=5, max_attempts=3)

    assert cycle(store, cfg) == DeliveryResult(retried=1)
    t1 = store.outbox()[0]["next_attempt_at"]
    assert t1 == NOW + timedelta(minutes=5)
    assert deliver_pending(store.con, cfg, t1) == DeliveryResult(retried=1)
    t2 = store.outbox()[0]["next_attempt_at"]
    assert t2 == t1 + timedelta(minutes=10)
    assert deliver_pending(store.con, cfg, t2) == DeliveryResult(failed=1)

    [row] = store.outbox()
    assert row["status"] == "failed" and row["attempts"] == 3 and row["sent_at"] is None
    assert row["last_error"].startswith("gave up after 3 attempt(s): ")
    assert "500" in row["last_error"]

    webhook.status = 200  # a failed row stays failed: nothing is sent any more
    assert cycle(store, cfg, t2 + timedelta(days=1)) == DeliveryResult()
    assert len(webhook.posts) == 3


def test_a_dead_channel_costs_one_attempt_per_call_and_other_channels_still_go(
    store: Store, webhook: WebhookSink
) -> None:
    store.add("a")
    store.add("b")
    dead = f"json://127.0.0.1:{free_port()}/hook"
    cfg = alerts(("dead", dead), ("hook", webhook.json_url))

    assert cycle(store, cfg) == DeliveryResult(sent=2, retried=1)
    attempts = {(r["channel"], r["external_id"]): (r["status"], r["attempts"]) for r in store.outbox()}
    assert attempts == {("dead", "a"): ("pending", 1), ("dead", "b"): ("pending", 0),
                        ("hook", "a"): ("sent", 1), ("hook", "b"): ("sent", 1)}
    # the next call tries the other dead row (the first is backing off)
    assert deliver_pending(store.con, cfg, NOW + timedelta(minutes=1)) == DeliveryResult(retried=1)
    assert all(r["attempts"] == 1 for r in store.outbox() if r["channel"] == "dead")


# --------------------------------------------------------------------------- crashes: at most once


def test_a_row_left_sending_after_a_crash_is_failed_not_resent(store: Store, smtp: SmtpSink) -> None:
    mid = store.add("a")
    cfg = alerts(("hr-mail", smtp.url))
    # What a crash leaves behind: claimed (attempts 1, lease until next_attempt_at), never finished.
    store.con.execute(
        "INSERT INTO alert_outbox (subject, mention_id, channel, created_at, attempts, next_attempt_at, status) "
        "VALUES (CAST(? AS VARCHAR), ?, 'hr-mail', ?, 1, ?, 'sending')", [mid, mid, NOW, NOW + LEASE])

    # inside the lease it is left alone (and not resent)
    assert cycle(store, cfg) == DeliveryResult()
    assert store.outbox()[0]["status"] == "sending"
    # once the lease ran out it is failed with the reason, still not resent
    assert cycle(store, cfg, NOW + LEASE) == DeliveryResult(failed=1)
    [row] = store.outbox()
    assert (row["status"], row["last_error"], row["attempts"]) == ("failed", INTERRUPTED, 1)
    assert cycle(store, cfg, NOW + LEASE + timedelta(hours=1)) == DeliveryResult()
    assert smtp.messages == []


def test_recover_interrupted_at_start_up_fails_every_sending_row_at_once(store: Store) -> None:
    mid = store.add("a")
    store.con.execute(
        "INSERT INTO alert_outbox (subject, mention_id, channel, created_at, attempts, next_attempt_at, status) "
        "VALUES (CAST(? AS VARCHAR), ?, 'c', ?, 1, ?, 'sending')", [mid, mid, NOW, NOW + LEASE])
    assert recover_interrupted(store.con, NOW) == 0
    assert recover_interrupted(store.con, NOW, expired_only=False) == 1
    assert store.outbox()[0]["last_error"] == INTERRUPTED


CRASHING_SENDER = """
import sys
from datetime import datetime
from pathlib import Path
from pipeline.alerts.deliver import deliver_pending
from pipeline.config.model import AlertsConfig
from pipeline.store.db import DataDir, connect_writer
con = connect_writer(DataDir(Path(sys.argv[1])))
deliver_pending(con, AlertsConfig.model_validate_json(sys.argv[2]), datetime.fromisoformat(sys.argv[3]))
print("finished", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_real_crash_after_the_receiver_accepted_does_not_send_twice(
    store: Store, webhook: WebhookSink
) -> None:
    """Kill the sending process after the webhook got the alert but before `sent` was recorded."""
    store.add("a")
    cfg = alerts(("hook", webhook.json_url))
    assert enqueue_new_criticism(store.con, cfg, NOW) == 1
    store.close()  # one writer: the sender process opens the file

    webhook.hold = True  # record the POST, then keep the sender waiting for the answer
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), str(ROOT)])}
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_SENDER, str(store.data_dir.root), cfg.model_dump_json(), NOW.isoformat()],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert webhook.received.wait(60), proc.communicate(timeout=5)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        webhook.release.set()
    assert "finished" not in out and proc.returncode == -signal.SIGKILL
    assert len(webhook.posts) == 1

    store.reopen()  # the sender died holding the lock; DuckDB replays its WAL
    [row] = store.outbox()
    assert (row["status"], row["attempts"]) == ("sending", 1)  # the claim was committed before sending

    webhook.hold = False
    assert cycle(store, cfg, NOW + LEASE) == DeliveryResult(failed=1)
    assert cycle(store, cfg, NOW + LEASE + timedelta(days=1)) == DeliveryResult()
    [row] = store.outbox()
    assert (row["status"], row["last_error"]) == ("failed", INTERRUPTED)
    assert len(webhook.posts) == 1  # never sent twice


# --------------------------------------------------------------------------- what is never alerted


def test_platform_and_age_filters_and_non_criticism_reach_the_receivers(
    store: Store, smtp: SmtpSink, webhook: WebhookSink
) -> None:
    store.add("reddit-crit", source="reddit")
    store.add("tp-crit", source="trustpilot", rating=1, author="Ola")
    store.add("tp-praise", source="trustpilot", rating=5, criticism=False)
    store.add("tp-official", source="trustpilot", is_official=True, author="Firmaet")
    store.add("tp-old", source="trustpilot", rating=1, published_at="2026-01-05T10:00:00Z")
    cfg = AlertsConfig.model_validate({"channels": [
        {"name": "reviews-mail", "url": smtp.url, "sources": ["trustpilot"]},
        {"name": "hook", "url": webhook.json_url},
    ]})

    assert cycle(store, cfg) == DeliveryResult(sent=3)
    assert [m["Subject"] for m in smtp.messages] == ["Ny kritikk på trustpilot"]
    assert "Forfatter: Ola" in body_of(smtp.messages[0])
    assert sorted(p.body["title"] for p in webhook.posts) == ["Ny kritikk på reddit", "Ny kritikk på trustpilot"]


def test_a_row_whose_mention_is_no_longer_criticism_is_skipped(store: Store, webhook: WebhookSink) -> None:
    store.add("a")
    cfg = alerts(("hook", webhook.json_url))
    assert enqueue_new_criticism(store.con, cfg, NOW) == 1
    store.con.execute("UPDATE mentions SET is_criticism = false")  # re-analysed before delivery
    assert deliver_pending(store.con, cfg, NOW) == DeliveryResult(skipped=1)
    assert store.outbox()[0]["status"] == "skipped" and webhook.posts == []


def test_rows_of_a_channel_removed_from_the_config_are_left_alone(store: Store, webhook: WebhookSink) -> None:
    store.add("a")
    enqueue_new_criticism(store.con, alerts(("old", webhook.json_url)), NOW)
    assert deliver_pending(store.con, alerts(("new", webhook.json_url)), NOW) == DeliveryResult()
    assert store.outbox()[0]["status"] == "pending" and webhook.posts == []


def test_disabled_alerts_send_nothing(store: Store, webhook: WebhookSink) -> None:
    store.add("a")
    cfg = alerts(("hook", webhook.json_url))
    enqueue_new_criticism(store.con, cfg, NOW)
    assert deliver_pending(store.con, alerts(("hook", webhook.json_url), enabled=False), NOW) == DeliveryResult()
    assert webhook.posts == []


# --------------------------------------------------------------------------- bad URLs


@pytest.mark.parametrize("url", ["nonsense://x", "slack://", "mailto://", "json://", "not a url"])
def test_an_invalid_apprise_url_names_the_channel_and_touches_no_row(
    store: Store, webhook: WebhookSink, url: str
) -> None:
    store.add("a")
    cfg = alerts(("hook", webhook.json_url), ("broken", url))
    enqueue_new_criticism(store.con, cfg, NOW)
    with pytest.raises(InputError, match=r"^alerts\.channels\[1\]\.url \(channel 'broken'\): not a valid apprise URL"):
        deliver_pending(store.con, cfg, NOW)
    with pytest.raises(InputError, match=r"alerts\.channels\[1\]\.url"):
        validate_channels(cfg)
    assert {r["status"] for r in store.outbox()} == {"pending"} and webhook.posts == []


def test_the_error_never_repeats_the_url_which_may_hold_a_password() -> None:
    cfg = alerts(("mail", "smtpx://hr:hemmelig-passord@mail.example.no"))
    with pytest.raises(InputError) as exc:
        validate_channels(cfg)
    assert "hemmelig" not in str(exc.value) and "smtpx://" in str(exc.value)


def test_one_channel_must_hold_one_url() -> None:
    cfg = alerts(("two", "json://127.0.0.1:1/a json://127.0.0.1:2/b"))
    with pytest.raises(InputError, match=r"alerts\.channels\[0\]\.url .*holds 2 apprise URLs"):
        validate_channels(cfg)


def test_failure_reason_keeps_the_useful_lines_and_hides_secrets() -> None:
    log = ("DEBUG Threaded notification mode\nINFO Notifying 1 service(s).\n"
           "DEBUG JSON Payload: {'message': 'the whole alert'}\n"
           "WARNING Failed to post to https://hooks.example.no/T0KEN12345XYZ: error=403.\n"
           "DEBUG Response Details:\nb'forbidden'\n"
           "DEBUG Socket Exception: login failed for hr:s3cretpass\n")
    reason = failure_reason(log, "mmost://hr:s3cretpass@hooks.example.no/T0KEN12345XYZ?token=abc123")
    assert reason == ("Failed to post to https://hooks.example.no/***: error=403. | "
                      "Response Details: b'forbidden' | Socket Exception: login failed for hr:***")


# --------------------------------------------------------------------------- Teams and Slack style


INSECURE_OK = pytest.mark.filterwarnings("ignore:Unverified HTTPS request")  # our self-signed loopback cert


@INSECURE_OK
def test_teams_workflow_over_https_on_loopback(store: Store, https_webhook: WebhookSink) -> None:
    store.add("a", source="trustpilot", rating=1)
    url = f"workflows://127.0.0.1:{https_webhook.port}/wf-1234abcd/sig-5678efgh/?verify=no"
    assert cycle(store, alerts(("teams", url))) == DeliveryResult(sent=1)
    [post] = https_webhook.posts
    assert post.path.startswith("/workflows/wf-1234abcd/triggers/manual/paths/invoke?")
    assert "sig=sig-5678efgh" in post.path
    assert post.body["type"] == "message"
    card = post.body["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    texts = {b.get("id"): b["text"] for b in card["body"] if b["type"] == "TextBlock"}
    assert texts["title"] == "Ny kritikk på trustpilot"
    # Teams renders Markdown, so apprise escapes our plain text (misfornoyd\_ansatt shows as misfornoyd_ansatt)
    shown = re.sub(r"\\(.)", r"\1", texts["body"])
    assert "Forfatter: misfornoyd_ansatt" in shown and "Vurdering: 1/5" in shown
    assert "Publisert: 20.11.2026 10:15 CET (Europe/Oslo)" in shown


@INSECURE_OK
def test_teams_workflow_failure_is_recorded(store: Store, https_webhook: WebhookSink) -> None:
    store.add("a")
    https_webhook.status = 500
    url = f"workflows://127.0.0.1:{https_webhook.port}/wf-1234abcd/sig-5678efgh/?verify=no"
    assert cycle(store, alerts(("teams", url))) == DeliveryResult(retried=1)
    err = store.outbox()[0]["last_error"]
    assert "500" in err and "sig-5678efgh" not in err


def test_slack_style_webhook_via_mattermost_on_loopback(store: Store, webhook: WebhookSink) -> None:
    store.add("a")
    url = f"mmost://127.0.0.1:{webhook.port}/slackstyletoken123"
    assert cycle(store, alerts(("chat", url))) == DeliveryResult(sent=1)
    [post] = webhook.posts
    assert post.path == "/hooks/slackstyletoken123"
    assert post.body["username"] == "Rykte"  # the Slack incoming-webhook payload: text, username, icon
    assert post.body["text"].startswith("Ny kritikk på reddit")
    assert "Forfatter: misfornoyd_ansatt" in post.body["text"]
