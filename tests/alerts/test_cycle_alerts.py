"""The batch pipeline's alert step: first-run summary, then a stale source found by the freshness rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipeline.alerts.run import stale_sources
from pipeline.config.model import RykteConfig
from pipeline.cycle import process_batch
from pipeline.store.db import utcnow
from tests.alerts.receivers import Store, WebhookSink


def _config(url: str) -> RykteConfig:
    return RykteConfig.model_validate({
        "company": {"name": "Firmaet"},
        "sources": [{"name": "reddit-norge", "type": "reddit", "schedule": "1h"},
                    {"name": "quiet-one", "type": "reddit", "schedule": "1h"},
                    {"name": "off", "type": "reddit", "schedule": "1h", "enabled": False}],
        "alerts": {"channels": [{"name": "hook", "url": url, "language": "en"}]},
    })


def _crawl(store: Store, name: str, at: datetime, status: str = "ok", items: int = 3) -> None:
    store.con.execute(
        "INSERT INTO crawl_runs (run_key, source_name, started_at, finished_at, items, errors, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", [f"{name}-{at.isoformat()}", name, at, at + timedelta(minutes=1), items,
                                         0 if status == "ok" else 2, status])


def test_process_batch_sends_a_first_run_summary_then_a_stale_source(store: Store, webhook: WebhookSink) -> None:
    cfg = _config(webhook.json_url)
    now = utcnow()
    store.add("a", published_at=(now - timedelta(hours=2)).isoformat() + "Z")
    _crawl(store, "reddit-norge", now - timedelta(hours=1))

    first = process_batch(store.con, cfg, store.data_dir, analyze=False)
    assert (first.alerts_queued, first.alerts_sent) == (1, 1)
    assert [p.body["title"] for p in webhook.posts] == ["Rykte: criticism in the last 7 days (1)"]

    _crawl(store, "reddit-norge", now - timedelta(minutes=20), status="failed", items=0)
    assert stale_sources(store.con, cfg, utcnow()) == []  # one failed run within the 3 h limit: not yet

    # reddit-norge last succeeded 4 h ago (limit 3x1 h) and fails now; quiet-one was never tried; `off` is off
    _crawl(store, "reddit-norge", now - timedelta(hours=4) - timedelta(minutes=5))
    store.con.execute("DELETE FROM crawl_runs WHERE started_at > ?", [now - timedelta(hours=2)])
    _crawl(store, "reddit-norge", now - timedelta(minutes=30), status="failed", items=0)
    _crawl(store, "off", now - timedelta(days=3))
    [stale] = stale_sources(store.con, cfg, utcnow())
    assert (stale.name, stale.status) == ("reddit-norge", "failing")

    second = process_batch(store.con, cfg, store.data_dir, analyze=False)
    assert second.alerts_sent == 1
    assert webhook.posts[-1].body["title"] == "Source reddit-norge is not up to date"
    assert process_batch(store.con, cfg, store.data_dir, analyze=False).alerts_sent == 0
