"""Queueing alerts: which criticism gets an outbox row, once per channel, and which never does."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipeline.alerts.outbox import enqueue_new_criticism
from pipeline.config.model import AlertChannel, AlertsConfig
from tests.alerts.receivers import Store

NOW = datetime(2026, 11, 22, 12, 0)  # naive UTC; the fixtures' mentions are from 20 Nov


def alerts(*channels: AlertChannel, **kw: object) -> AlertsConfig:
    return AlertsConfig.model_validate({"channels": [c.model_dump() for c in channels], **kw})


MAIL = AlertChannel(name="hr-mail", url="mailto://127.0.0.1:2525?from=a@example.no&to=b@example.no")
HOOK = AlertChannel(name="hook", url="json://127.0.0.1:8080/hook")


def test_one_row_per_criticism_and_channel_and_a_second_run_adds_nothing(store: Store) -> None:
    a = store.add("a")
    b = store.add("b", source="trustpilot", rating=1)
    cfg = alerts(MAIL, HOOK)

    assert enqueue_new_criticism(store.con, cfg, NOW) == 4
    rows = store.outbox()
    assert sorted((r["mention_id"], r["channel"]) for r in rows) == sorted(
        [(a, "hr-mail"), (a, "hook"), (b, "hr-mail"), (b, "hook")])
    assert {r["status"] for r in rows} == {"pending"}
    assert all(r["attempts"] == 0 and r["next_attempt_at"] == NOW and r["created_at"] == NOW for r in rows)

    assert enqueue_new_criticism(store.con, cfg, NOW + timedelta(minutes=5)) == 0
    assert len(store.outbox()) == 4


def test_new_criticism_after_the_first_run_is_queued_alone(store: Store) -> None:
    store.add("a")
    cfg = alerts(MAIL)
    assert enqueue_new_criticism(store.con, cfg, NOW) == 1
    store.add("b", published_at="2026-11-22T11:00:00Z")
    assert enqueue_new_criticism(store.con, cfg, NOW) == 1
    assert [r["external_id"] for r in store.outbox()] == ["a", "b"]


def test_reimporting_the_same_mention_does_not_queue_it_again(store: Store) -> None:
    store.add("a")
    cfg = alerts(MAIL)
    assert enqueue_new_criticism(store.con, cfg, NOW) == 1
    store.con.execute("UPDATE alert_outbox SET status = 'sent', sent_at = ?", [NOW])
    store.add("a", text="Elendig ledelse og lav lønn hos Firmaet. (redigert)")  # an edit: same mention
    assert enqueue_new_criticism(store.con, cfg, NOW) == 0
    assert len(store.outbox()) == 1


def test_non_criticism_and_official_mentions_are_never_queued(store: Store) -> None:
    store.add("praise", criticism=False, p_negative=0.02)
    store.add("unscored", criticism=False, p_negative=None)
    store.con.execute("UPDATE mentions SET is_criticism = NULL WHERE external_id = 'unscored'")
    store.add("said-official", is_official=True)                # the source said: company's own
    store.add("own-account", author="Firmaet_AS")               # author among official accounts
    store.official_accounts({"reddit": {"firmaet_as"}})
    crit = store.add("criticism")

    assert enqueue_new_criticism(store.con, alerts(MAIL), NOW) == 1
    assert [r["mention_id"] for r in store.outbox()] == [crit]


def test_is_official_true_is_excluded_even_before_official_is_resolved(store: Store) -> None:
    store.add("said-official", is_official=True)  # `official` column still false: not resolved yet
    assert enqueue_new_criticism(store.con, alerts(MAIL), NOW) == 0


def test_platform_filter_per_channel(store: Store) -> None:
    store.add("r1", source="reddit")
    store.add("t1", source="trustpilot", rating=2)
    store.add("g1", source="Glassdoor", rating=1)
    cfg = alerts(
        AlertChannel(name="reviews", url=MAIL.url, sources=["trustpilot", "glassdoor"]),
        AlertChannel(name="everything", url=HOOK.url),
    )
    assert enqueue_new_criticism(store.con, cfg, NOW) == 5
    by_channel: dict[str, list[str]] = {}
    for r in store.outbox():
        by_channel.setdefault(r["channel"], []).append(r["external_id"])
    assert sorted(by_channel["reviews"]) == ["g1", "t1"]  # case-insensitive on `source`
    assert sorted(by_channel["everything"]) == ["g1", "r1", "t1"]


def test_empty_platform_list_queues_nothing_for_that_channel(store: Store) -> None:
    store.add("r1")
    cfg = alerts(AlertChannel(name="none", url=MAIL.url, sources=[]), HOOK)
    assert enqueue_new_criticism(store.con, cfg, NOW) == 1
    assert [r["channel"] for r in store.outbox()] == ["hook"]


def test_max_age_keeps_a_history_import_from_flooding_hr(store: Store) -> None:
    store.add("year-old", published_at="2025-11-22T12:00:00Z")
    store.add("eight-days", published_at="2026-11-14T11:59:00Z")
    store.add("just-inside", published_at="2026-11-15T12:00:00Z")  # exactly 7 days: still inside
    store.add("fresh", published_at="2026-11-22T11:00:00Z")

    assert enqueue_new_criticism(store.con, alerts(MAIL), NOW) == 2
    assert sorted(r["external_id"] for r in store.outbox()) == ["fresh", "just-inside"]

    store.con.execute("DELETE FROM alert_outbox")
    assert enqueue_new_criticism(store.con, alerts(MAIL, max_age_days=400), NOW) == 4


def test_disabled_or_no_channels_queue_nothing(store: Store) -> None:
    store.add("a")
    assert enqueue_new_criticism(store.con, alerts(MAIL, enabled=False), NOW) == 0
    assert enqueue_new_criticism(store.con, alerts(), NOW) == 0
    assert store.outbox() == []


def test_default_now_is_the_current_time(store: Store) -> None:
    store.add("old", published_at="2020-01-01T00:00:00Z")
    store.add("recent", published_at=(datetime.now() - timedelta(hours=1)).isoformat())
    assert enqueue_new_criticism(store.con, alerts(MAIL)) == 1
    assert [r["external_id"] for r in store.outbox()] == ["recent"]
