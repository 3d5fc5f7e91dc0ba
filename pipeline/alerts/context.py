"""What alerts need from the rest of the configuration: time zone, SLA, dashboard address.

The alert kinds and messages read the company's time zone (`responses.timezone`, for local times,
digests and quiet hours), the answer deadline (`responses.sla_hours`) and the dashboard's public
address (`dashboard.public_url`, for links). They are gathered here once so that `AlertsConfig`
stays the alerts section only, and so that the SLA deadline is never computed by alerts themselves:
`deadline` and `breached` call the one rule in `pipeline.responses.timing` (the 24/7 clock, as the
stored `responses.sla_breached` uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pipeline.config.model import AlertChannel, AlertsConfig, RykteConfig
from pipeline.i18n import Lang
from pipeline.responses import timing


@dataclass(frozen=True)
class AlertContext:
    timezone: str = "Europe/Oslo"
    sla_hours: float = 24.0
    dashboard_url: str | None = None
    language: Lang = "nb"

    @classmethod
    def of(cls, cfg: RykteConfig) -> AlertContext:
        return cls(timezone=cfg.responses.timezone, sla_hours=cfg.responses.sla_hours,
                   dashboard_url=cfg.dashboard.public_url, language=cfg.alerts.language)

    @classmethod
    def of_alerts(cls, cfg: AlertsConfig, timezone: str = "Europe/Oslo") -> AlertContext:
        """For callers that only hold the alerts section (the defaults of the other sections)."""
        return cls(timezone=timezone, language=cfg.language)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, utc_naive: datetime) -> datetime:
        return utc_naive.replace(tzinfo=UTC).astimezone(self.tz)

    def deadline(self, published_utc: datetime, share: float = 1.0) -> datetime:
        """Naive UTC instant when `share` of the SLA has run out for a criticism published then."""
        return timing.sla_deadline(published_utc, self.sla_hours * share)

    def breached(self, published_utc: datetime, now_utc: datetime) -> bool:
        """An unanswered criticism is past its deadline (the one SLA rule)."""
        return timing.open_sla_breached(published_utc, now_utc, self.sla_hours)

    def lang(self, channel: AlertChannel) -> Lang:
        return channel.language or self.language

    def item_link(self, mention_id: int | None) -> str | None:
        """The dashboard's page for one mention, when the dashboard has a public address."""
        if not self.dashboard_url or mention_id is None:
            return None
        return f"{self.dashboard_url}/?mention={mention_id}"
