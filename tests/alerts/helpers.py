"""Shared helpers of the alert-kind tests: a full config, one alert run at a frozen time, posts by title."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pipeline.alerts.kinds import StaleSource
from pipeline.alerts.run import AlertRun, run_alerts
from pipeline.config.model import RykteConfig
from tests.alerts.receivers import Store, WebhookSink

DASHBOARD = "https://rykte.example.no"


def config(*channels: dict[str, Any], **alerts: Any) -> RykteConfig:
    return RykteConfig.model_validate({
        "company": {"name": "Firmaet"},
        "alerts": {"channels": list(channels), "retry_minutes": 5, **alerts},
        "responses": {"sla_hours": 24, "timezone": "Europe/Oslo"},
        "dashboard": {"public_url": DASHBOARD + "/"},
    })


def run(store: Store, cfg: RykteConfig, now: datetime, stale: Iterable[StaleSource] = ()) -> AlertRun:
    """One alert step at `now` (naive UTC); `stale` stands in for the freshness rule."""
    return run_alerts(store.con, cfg, now, stale=list(stale))


def titles(sink: WebhookSink) -> list[str]:
    return [p.body["title"] for p in sink.posts]


def message(sink: WebhookSink, title_start: str) -> str:
    [body] = [p.body["message"] for p in sink.posts if p.body["title"].startswith(title_start)]
    return str(body)
