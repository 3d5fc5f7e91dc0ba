"""The one configuration model of Rykte.

Every section refuses unknown keys (`extra="forbid"`), so a typo fails loudly with its key path
instead of being silently ignored. Secrets never live in the file: string values may reference
environment variables as `${NAME}` (required) or `${NAME:-default}` (optional); `loader.py`
substitutes them before validation. Type-specific facts (option models, default platform, required
secrets) come from the one registry of source types, `crawlers.registry`, which the spiders read too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from crawlers.options import SourceOptions
from crawlers.registry import SOURCE_TYPES, SourceType, known_type, source_type

INTERVAL_RE = re.compile(r"^(\d+)\s*([smhd])$")
SOURCE_NAME_RE = r"^[a-z0-9][a-z0-9_.-]*$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


def interval_seconds(text: str) -> int | None:
    """`30m` → 1800; None when `text` is not an interval (then it is a crontab line)."""
    m = INTERVAL_RE.match(text.strip())
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    return n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def check_schedule(v: str) -> str:
    """The one schedule rule (a source's crawls, the model's retrain): an interval or a crontab line."""
    if interval_seconds(v) is not None:
        return v
    if len(v.split()) == 5:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(v)
        except ValueError as exc:
            raise ValueError(f"invalid crontab {v!r}: {exc}") from None
        return v
    raise ValueError(f"invalid schedule {v!r} (use 30m, 6h, 1d or a crontab line)")


class CompanyConfig(Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list, description="terms that disqualify a match")
    official_accounts: dict[str, list[str]] = Field(
        default_factory=dict, description="platform → the company's own account names"
    )

    def search_terms(self) -> list[str]:
        terms = [self.name, *self.aliases]
        return list(dict.fromkeys(t for t in terms if t.strip()))


class SourceConfig(Strict):
    name: str = Field(pattern=SOURCE_NAME_RE)
    type: str
    platform: str | None = Field(default=None, description="value of `source` on its mentions")
    enabled: bool = True
    schedule: str = "1h"
    stale_after: str | None = Field(default=None, description="freshness limit; default 3× schedule")
    base_url: str | None = None
    download_delay: float | None = Field(default=None, ge=0)
    secrets: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        return check_schedule(v)

    @field_validator("stale_after")
    @classmethod
    def _stale(cls, v: str | None) -> str | None:
        if v is not None and interval_seconds(v) is None:
            raise ValueError(f"invalid duration {v!r} (use 30m, 6h, 1d)")
        return v

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not re.match(r"^https?://[^\s/]+", v):
            raise ValueError(f"base_url must be an http(s) URL, got {v!r}")
        return v.rstrip("/")

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        return known_type(v)

    @field_validator("secrets")
    @classmethod
    def _known_secrets(cls, v: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        kind = SOURCE_TYPES.get(str(info.data.get("type")))
        unknown = sorted(set(v) - set(kind.secret_env)) if kind else []
        if kind and unknown:
            known = ", ".join(sorted(kind.secret_env)) or "none"
            raise ValueError(f"unknown secret {unknown[0]!r} for type {kind.name} (it takes: {known})")
        return v

    @property
    def kind(self) -> SourceType:
        """This source's entry in the registry of source types."""
        return source_type(self.type)

    def platform_name(self) -> str:
        return self.platform or self.kind.platform

    def stale_seconds(self) -> int:
        if self.stale_after:
            return interval_seconds(self.stale_after) or 0
        every = interval_seconds(self.schedule)
        return 3 * every if every else 3 * 86400

    def parsed_options(self) -> SourceOptions:
        """The options validated by the type's model (raises pydantic's ValidationError)."""
        return self.kind.options.model_validate(self.options)


class CrawlingConfig(Strict):
    user_agent: str = "Rykte/0.1 (+employer-reputation monitor)"
    obey_robots: bool = True
    autothrottle: bool = True
    download_delay: float = Field(default=1.0, ge=0)
    timeout: float = Field(default=30.0, gt=0)
    max_pages: int = Field(default=50, ge=1)
    process_timeout: float = Field(default=900.0, gt=0, description="seconds before a crawl is killed")


class RetrainConfig(Strict):
    """Learning from HR's corrections (`rykte model retrain`, `pipeline/analysis/retrain.py`)."""

    schedule: str | None = Field(default=None, description=(
        "null (off, the default): retrain only by hand; else an interval (7d) or a crontab line"))
    tolerance: float = Field(default=0.005, ge=0, le=0.2, description=(
        "how much lower a candidate's macro-F1 on a shipped set may be than the current model's"))
    min_corrections: int = Field(default=10, ge=1, description="fewest corrections to train on")
    min_held_back: int = Field(default=5, ge=1, description=(
        "fewest held-back company labels for them to count in the accept rule"))

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str | None) -> str | None:
        return None if v is None else check_schedule(v)


class AnalysisConfig(Strict):
    model: str = Field(default="builtin", description=(
        "builtin (commercial-safe build, the default), builtin-noncommercial (also trained on NoReC: "
        "CC BY-NC 4.0, non-commercial use only), a Hugging Face hub id or a local path"))
    criticism_threshold: float = Field(default=0.5, gt=0, lt=1)
    batch_size: int = Field(default=32, ge=1, le=1024)
    max_length: int = Field(default=256, ge=16, le=512)
    precision: Literal["auto", "bf16", "fp32", "int8"] = Field(
        default="auto", description=(
            "auto: bfloat16 where the CPU has native bf16, else float32; int8: ONNX Runtime, ~1.6-1.8x "
            "float32's speed, the same employer test accuracy, a few labels changed (MODEL_CARD.md)"))
    runtime: Literal["auto", "torch", "onnx"] = Field(
        default="auto", description="auto: ONNX Runtime for int8 and float32 when onnxruntime is installed, else torch")
    retrain: RetrainConfig = Field(default_factory=RetrainConfig)
    uncertain_per_day: int = Field(default=5, ge=0, le=100, description=(
        "mentions per day the dashboard asks HR to label (the model's least sure ones)"))

    @model_validator(mode="after")
    def _onnx_is_float32(self) -> AnalysisConfig:
        if self.runtime == "onnx" and self.precision == "bf16":
            raise ValueError("runtime onnx runs float32 or int8: set precision to fp32, int8 or auto, "
                             "or runtime to torch")
        if self.runtime == "torch" and self.precision == "int8":
            raise ValueError("precision int8 runs on ONNX Runtime only: set runtime to onnx or auto")
        return self


class BusinessHoursConfig(Strict):
    enabled: bool = True
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(16, 0)
    workdays: list[Weekday] = Field(default_factory=lambda: list[Weekday](("mon", "tue", "wed", "thu", "fri")))
    holidays_country: str = "NO"
    holidays_subdiv: str | None = None

    @model_validator(mode="after")
    def _order(self) -> BusinessHoursConfig:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class ResponsesConfig(Strict):
    sla_hours: float = Field(default=24.0, gt=0)
    timezone: str = "Europe/Oslo"
    business_hours: BusinessHoursConfig = Field(default_factory=BusinessHoursConfig)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v


AlertKind = Literal["criticism", "sla_warning", "sla_breach", "spike", "stale_source", "delivery_failing"]
ALERT_KINDS: tuple[str, ...] = ("criticism", "sla_warning", "sla_breach", "spike", "stale_source",
                                "delivery_failing")


class QuietHours(Strict):
    """Local times (the company's `responses.timezone`); `start` after `end` spans midnight."""

    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class AlertChannel(Strict):
    name: str = Field(pattern=SOURCE_NAME_RE)
    url: str = Field(min_length=3, description="an apprise URL: mailto://, slack://, msteams://, json://")
    kinds: list[AlertKind] | None = Field(default=None, description="default: every kind but delivery_failing")
    sources: list[str] | None = Field(default=None, description="only criticism from these platforms")
    languages: list[str] | None = Field(default=None, description="only criticism in these languages")
    aspects: list[str] | None = Field(default=None, description="only criticism naming one of these aspects")
    min_p_negative: float | None = Field(default=None, ge=0, le=1)
    max_rating: float | None = Field(default=None, ge=1, le=5, description="only ratings <= this (unrated pass)")
    language: Literal["nb", "en"] | None = Field(default=None, description="default: alerts.language")
    digest: dt.time | None = Field(default=None, description="one message a day at this local time")
    quiet_hours: QuietHours | None = None
    breach_overrides: bool = Field(default=False, description="SLA breaches go out in quiet hours and digests")


class SpikeConfig(Strict):
    k: float = Field(default=3.0, ge=0, description="standard deviations above the 28-day mean")
    min_count: int = Field(default=5, ge=1, description="at least this many criticisms in 24 h")


class AlertsConfig(Strict):
    enabled: bool = True
    channels: list[AlertChannel] = Field(default_factory=list)
    language: Literal["nb", "en"] = "nb"
    max_attempts: int = Field(default=5, ge=1)
    retry_minutes: float = Field(default=5.0, ge=0)
    max_age_days: float = Field(default=7.0, gt=0, description="older criticism is not alerted")
    sla_warning_share: float = Field(default=0.75, gt=0, lt=1, description="warn at this share of the SLA")
    spike: SpikeConfig = Field(default_factory=SpikeConfig)
    first_run_summary: bool = Field(default=True, description="a channel's first run sends one summary")
    summary_threshold: int = Field(default=10, ge=1, description="more new alerts in one run: one summary")
    fallback_channel: str | None = Field(default=None, description="told when another channel keeps failing")
    fallback_after: int = Field(default=3, ge=1, description="failed deliveries in a row before telling it")

    @model_validator(mode="after")
    def _fallback_known(self) -> AlertsConfig:
        names = [c.name for c in self.channels]
        if self.fallback_channel is not None and self.fallback_channel not in names:
            raise ValueError(f"fallback_channel {self.fallback_channel!r} is not a channel name "
                             f"(channels: {', '.join(names) or 'none'})")
        return self


class DashboardUser(Strict):
    """A dashboard login: the hash comes from `rykte user add NAME` (argon2id), never a password."""

    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "editor"] = "viewer"
    password_hash: str = Field(description="argon2 hash ($argon2id$...); `${ENV}` works as for secrets")

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, v: str) -> str:
        if not (v.startswith("$argon2") or v.startswith("${")):
            raise ValueError("password_hash must be an argon2 hash (run `rykte user add NAME`), not a password")
        return v


class DashboardConfig(Strict):
    public_url: str | None = Field(default=None, description="the dashboard's address, for links in alerts")
    users: list[DashboardUser] = Field(default_factory=list, description="who may log in (docs/privacy.md)")
    session_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60, description="a login lasts this long")

    @field_validator("users")
    @classmethod
    def _unique_users(cls, v: list[DashboardUser]) -> list[DashboardUser]:
        names = [u.name.casefold() for u in v]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup is not None:
            raise ValueError(f"dashboard user {dup!r} is listed twice")
        return v

    @field_validator("public_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/]+", v):
            raise ValueError(f"public_url must be an http(s) URL, got {v!r}")
        return v.rstrip("/") if v else v


class ReportsConfig(Strict):
    enabled: bool = True
    language: Literal["nb", "en"] = "nb"
    weekday: Weekday = "mon"
    time: dt.time = dt.time(7, 0)
    recipients: list[str] = Field(default_factory=list, description="apprise URLs")


class PrivacyConfig(Strict):
    """Retention of personal data (pipeline/privacy/retention.py, docs/privacy.md)."""

    retention_days: int = Field(default=365, ge=1, description="older non-official mentions get pseudonymous authors")
    drop_text_after_days: int | None = Field(default=None, ge=1, description="also empty their text after this")


class StorageConfig(Strict):
    data_dir: str | None = Field(default=None, description="overridden by --data-dir / RYKTE_DATA_DIR")
    keep_staging_days: int = Field(default=14, ge=0)


class RykteConfig(Strict):
    company: CompanyConfig
    sources: list[SourceConfig] = Field(default_factory=list)
    crawling: CrawlingConfig = Field(default_factory=CrawlingConfig)
    analysis: AnalysisConfig = Field(default_factory=AnalysisConfig)
    responses: ResponsesConfig = Field(default_factory=ResponsesConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)

    @model_validator(mode="after")
    def _unique_names(self) -> RykteConfig:
        seen: set[str] = set()
        for s in self.sources:
            if s.name in seen:
                raise ValueError(f"duplicate source name {s.name!r}")
            seen.add(s.name)
        return self

    @classmethod
    def minimal(cls) -> RykteConfig:
        """Defaults for commands whose config is optional (import, metrics, classify, report)."""
        return cls(company=CompanyConfig(name="(unconfigured)"))

    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        from pipeline.errors import InputError

        raise InputError(f"no source named {name!r} in the config (configured: {known})")

    def official_accounts(self) -> dict[str, set[str]]:
        return {p: {a.lower().lstrip("@") for a in accts} for p, accts in self.company.official_accounts.items()}
