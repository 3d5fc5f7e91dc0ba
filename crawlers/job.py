"""The crawl job file (DEVELOPERS.md, "Contract: crawl job → spider → staged file").

The service writes the job as JSON and passes it with ``-a job=PATH``. This module validates it with
pydantic models, without importing the pipeline: the options are validated by the same model of
:mod:`crawlers.registry` that validated them at config load, so a spider reads typed, defaulted
options. Pydantic's errors become one line naming the file and the key path (``JobError``). The job's
``polite`` block is applied to the crawler settings here too.

Secrets (API tokens, app passwords) do not go into the job file, which stays on disk in ``staging/``:
the service hands them to the crawl process as ``RYKTE_SECRET_<KEY>`` environment variables
(:func:`secret_environment`), and :func:`load_job` reads them back. A ``secrets`` object in a
hand-written job file is still accepted; the environment wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from crawlers.options import SourceOptions
from crawlers.registry import SOURCE_TYPES, known_type

SPIDER_PRIORITY = "spider"
SECRET_ENV_PREFIX = "RYKTE_SECRET_"


class JobError(ValueError):
    """The job file is missing or malformed (the message names the key path)."""


class Company(BaseModel):
    """The company's search terms and its official accounts on this platform."""

    model_config = ConfigDict(extra="ignore")

    name: str
    aliases: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    official_accounts: list[str] = Field(default_factory=list)

    @field_validator("aliases", "exclude", "official_accounts", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class Polite(BaseModel):
    """Politeness settings; None leaves the value of ``crawlers/settings.py``."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str | None = None
    download_delay: float | None = None
    timeout: float | None = None
    obey_robots: bool | None = None
    autothrottle: bool | None = None
    max_pages: int = 50
    concurrency: int | None = None
    retry_times: int | None = None
    retry_backoff: float | None = None


class Job(BaseModel):
    """One crawl job. Unknown top-level keys are ignored (older or newer services may add some)."""

    model_config = ConfigDict(extra="ignore")

    type: str
    run_id: str = "run"
    source_name: str = ""
    platform: str = ""
    base_url: str | None = None
    options: SourceOptions = Field(default_factory=SourceOptions, validate_default=True)
    company: Company
    cursor: dict[str, Any] | None = None
    full: bool = False
    secrets: dict[str, str] = Field(default_factory=dict)
    polite: Polite = Field(default_factory=Polite)
    stats_path: Path | None = None
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return known_type(value)

    @field_validator("run_id", "source_name", "platform", mode="before")
    @classmethod
    def _none_is_blank(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("expected an http(s) URL or null")
        return value

    @field_validator("options", mode="before")
    @classmethod
    def _typed_options(cls, value: Any, info: ValidationInfo) -> Any:
        kind = SOURCE_TYPES.get(str(info.data.get("type")))
        if kind is None:  # the type's own error is reported
            return SourceOptions()
        if value is None or type(value) is SourceOptions:  # absent: the type's defaults
            value = {}
        return kind.options.model_validate(value)

    @field_validator("secrets", mode="before")
    @classmethod
    def _drop_empty_secrets(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items() if v not in (None, "")}
        return {} if value is None else value

    @field_validator("polite", mode="before")
    @classmethod
    def _none_is_default(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("stats_path", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    def model_post_init(self, context: Any, /) -> None:
        self.run_id = self.run_id or "run"
        self.source_name = self.source_name or self.type
        self.platform = self.platform or self.type

    def base(self, default: str | None) -> str:
        """The base URL without a trailing slash (the real site's when the job gives none)."""
        return (self.base_url or default or "").rstrip("/")


def error_line(exc: ValidationError, where: str) -> str:
    """Pydantic's first error as our one line: ``<where>: <key path>: <reason>``."""
    err = exc.errors(include_url=False)[0]
    loc = [str(part) for part in err["loc"]]
    if err["type"] == "missing":
        parent = ".".join(loc[:-1])
        return f"{where}: {parent + ': ' if parent else ''}missing key {loc[-1]!r}"
    if err["type"] == "extra_forbidden":
        return f"{where}: {'.'.join(loc)}: unknown key"
    reason = str(err["ctx"]["error"]) if err["type"] == "value_error" else err["msg"]
    return f"{where}: {'.'.join(loc) + ': ' if loc else ''}{reason}"


def parse_job(data: Any, path: Path | None = None) -> Job:
    where = str(path) if path else "job"
    if not isinstance(data, dict):
        raise JobError(f"{where}: the job must be a JSON object")
    try:
        job = Job.model_validate(data)
    except ValidationError as exc:
        raise JobError(error_line(exc, where)) from None
    job.path = path
    return job


def secret_environment(secrets: Mapping[str, str]) -> dict[str, str]:
    """The environment variables that carry a job's secrets to the crawl process (empty ones left out)."""
    return {f"{SECRET_ENV_PREFIX}{key.upper()}": value for key, value in secrets.items() if value}


def secrets_from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The secrets :func:`secret_environment` put into a crawl process's environment, by secret key."""
    return {name[len(SECRET_ENV_PREFIX):].lower(): value for name, value in environ.items()
            if name.startswith(SECRET_ENV_PREFIX) and value}


def load_job(path: str | Path, environ: Mapping[str, str] | None = None) -> Job:
    """Read and validate a job file; the secrets come from ``environ`` (default: this process's)."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise JobError(f"{p}: cannot read job file: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise JobError(f"{p}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    job = parse_job(data, p)
    job.secrets.update(secrets_from_environment(os.environ if environ is None else environ))
    return job


def stats_path_hint(path: str | Path) -> Path | None:
    """Best-effort ``stats_path`` of a job file that failed validation (to report the failure)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        sp = data.get("stats_path") if isinstance(data, dict) else None
        return Path(sp) if isinstance(sp, str) and sp else None
    except (OSError, ValueError):
        return None


def host_of(url: str) -> str | None:
    host = urlsplit(url).hostname
    return host.lower() if host else None


def allowed_domains(urls: Iterable[str | None]) -> list[str]:
    """Hosts (no ports) the crawl may visit."""
    out: list[str] = []
    for url in urls:
        host = host_of(url) if url else None
        if host and host not in out:
            out.append(host)
    return out


def apply_polite_settings(settings: Any, job: Job) -> None:
    """Apply the job's polite block to the (not yet frozen) crawler settings."""
    p = job.polite

    def put(name: str, value: Any) -> None:
        if value is not None:
            settings.set(name, value, priority=SPIDER_PRIORITY)

    put("USER_AGENT", p.user_agent)
    put("DOWNLOAD_DELAY", p.download_delay)
    if p.download_delay is not None and p.download_delay <= 0:
        put("DOWNLOAD_DELAY_JITTER", 0)
    put("DOWNLOAD_TIMEOUT", p.timeout)
    put("ROBOTSTXT_OBEY", p.obey_robots)
    put("AUTOTHROTTLE_ENABLED", p.autothrottle)
    if p.download_delay is not None and p.autothrottle:
        put("AUTOTHROTTLE_START_DELAY", max(p.download_delay, 0.1))
    if p.concurrency is not None:
        put("CONCURRENT_REQUESTS", p.concurrency)
        put("CONCURRENT_REQUESTS_PER_DOMAIN", p.concurrency)
    put("RETRY_TIMES", p.retry_times)
    put("RETRY_BACKOFF_BASE", p.retry_backoff)
