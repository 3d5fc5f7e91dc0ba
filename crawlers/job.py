"""The crawl job file (DEVELOPERS.md, "Contract: crawl job → spider → staged file").

The service writes the job as JSON and passes it with ``-a job=PATH``. This module reads and
validates it without importing the pipeline (the option models in ``pipeline/config/sources.py``
validated the options already; here they are plain JSON) and applies its politeness settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SPIDER_PRIORITY = "spider"


class JobError(ValueError):
    """The job file is missing or malformed (the message names the key path)."""


@dataclass
class Company:
    name: str
    aliases: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    official_accounts: list[str] = field(default_factory=list)


@dataclass
class Polite:
    user_agent: str | None = None
    download_delay: float | None = None
    timeout: float | None = None
    obey_robots: bool | None = None
    autothrottle: bool | None = None
    max_pages: int = 50
    concurrency: int | None = None
    retry_times: int | None = None
    retry_backoff: float | None = None


@dataclass
class Job:
    run_id: str
    source_name: str
    platform: str
    type: str
    base_url: str | None
    options: dict[str, Any]
    company: Company
    cursor: dict[str, Any] | None
    full: bool
    secrets: dict[str, str]
    polite: Polite
    stats_path: Path | None
    path: Path | None = None

    def base(self, default: str) -> str:
        """The base URL without a trailing slash (the real site's when the job gives none)."""
        return (self.base_url or default).rstrip("/")

    def option(self, key: str, default: Any = None) -> Any:
        value = self.options.get(key, default)
        return default if value is None else value


def _require(obj: dict[str, Any], key: str, typ: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise JobError(f"{where}: missing key {key!r}")
    value = obj[key]
    if not isinstance(value, typ):
        raise JobError(f"{where}.{key}: expected {getattr(typ, '__name__', typ)}, got {type(value).__name__}")
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise JobError(f"{where}: expected a list of strings")
    return list(value)


def parse_job(data: Any, path: Path | None = None) -> Job:
    where = str(path) if path else "job"
    if not isinstance(data, dict):
        raise JobError(f"{where}: the job must be a JSON object")
    company_raw = _require(data, "company", dict, where)
    company = Company(
        name=_require(company_raw, "name", str, f"{where}: company"),
        aliases=_str_list(company_raw.get("aliases"), f"{where}: company.aliases"),
        exclude=_str_list(company_raw.get("exclude"), f"{where}: company.exclude"),
        official_accounts=_str_list(
            company_raw.get("official_accounts"), f"{where}: company.official_accounts"
        ),
    )
    polite_raw = data.get("polite") or {}
    if not isinstance(polite_raw, dict):
        raise JobError(f"{where}: polite: expected an object")
    known = set(Polite.__dataclass_fields__)
    unknown = set(polite_raw) - known
    if unknown:
        raise JobError(f"{where}: polite.{sorted(unknown)[0]}: unknown key")
    try:
        polite = Polite(**polite_raw)
        polite.max_pages = int(polite.max_pages)
    except (TypeError, ValueError) as exc:
        raise JobError(f"{where}: polite: {exc}") from exc
    base_url = data.get("base_url")
    if base_url is not None and (
        not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https")
    ):
        raise JobError(f"{where}: base_url: expected an http(s) URL or null")
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise JobError(f"{where}: options: expected an object")
    cursor = data.get("cursor")
    if cursor is not None and not isinstance(cursor, dict):
        raise JobError(f"{where}: cursor: expected an object or null")
    secrets = data.get("secrets") or {}
    if not isinstance(secrets, dict):
        raise JobError(f"{where}: secrets: expected an object")
    stats_path = data.get("stats_path")
    typ = _require(data, "type", str, where)
    return Job(
        run_id=str(data.get("run_id") or "run"),
        source_name=str(data.get("source_name") or typ),
        platform=str(data.get("platform") or typ),
        type=typ,
        base_url=base_url,
        options=options,
        company=company,
        cursor=cursor,
        full=bool(data.get("full", False)),
        secrets={str(k): str(v) for k, v in secrets.items() if v not in (None, "")},
        polite=polite,
        stats_path=Path(stats_path) if stats_path else None,
        path=path,
    )


def load_job(path: str | Path) -> Job:
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise JobError(f"{p}: cannot read job file: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise JobError(f"{p}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    return parse_job(data, p)


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
