"""Running one crawl as its own process and reading back what it staged.

The Twisted reactor cannot be restarted in-process, so every crawl is `python -m scrapy crawl` in a
subprocess with a job file (DEVELOPERS.md, "crawl job → spider → staged file"). The runner never
parses items itself: the staged JSON lines go through the same validator as `rykte import`. The
source's secrets go to the crawl process in its environment (`crawlers.job.secret_environment`), not
into the job file, which stays on disk. The process itself is started and ended by
`pipeline.crawl.processes` (own process group, dies with the service).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.job import SECRET_ENV_PREFIX, secret_environment
from pipeline.config.model import RykteConfig, SourceConfig
from pipeline.crawl.processes import CrawlProcesses, ShuttingDown
from pipeline.store.db import DataDir, utcnow

PART_SUFFIX = ".part"  # a staging file still being written: never ingested


@dataclass
class CrawlOutput:
    run_key: str
    source_name: str
    started_at: datetime
    finished_at: datetime
    staged: Path
    stats: dict[str, Any]
    returncode: int
    log: Path
    problems: list[str] = field(default_factory=list)


def run_key_for(source: SourceConfig, when: datetime) -> str:
    return f"{when:%Y%m%dT%H%M%S%f}-{source.name}"


def build_job(cfg: RykteConfig, source: SourceConfig, data: DataDir, run_key: str,
              cursor: dict[str, Any] | None, full: bool) -> dict[str, Any]:
    platform = source.platform_name()
    crawling = cfg.crawling
    return {
        "run_id": run_key,
        "source_name": source.name,
        "platform": platform,
        "type": source.type,
        "base_url": source.base_url,
        "options": source.parsed_options().model_dump(mode="json"),
        "company": {
            "name": cfg.company.name,
            "aliases": cfg.company.aliases,
            "exclude": cfg.company.exclude,
            "official_accounts": cfg.company.official_accounts.get(platform, []),
        },
        "cursor": None if full else cursor,
        "full": full,
        "polite": {
            "user_agent": crawling.user_agent,
            "download_delay": crawling.download_delay if source.download_delay is None else source.download_delay,
            "timeout": crawling.timeout,
            "obey_robots": crawling.obey_robots,
            "autothrottle": crawling.autothrottle,
            "max_pages": crawling.max_pages,
        },
        "stats_path": str((data.staging / f"{run_key}.stats.json").resolve()),
    }


def staged_paths(data: DataDir, run_key: str) -> tuple[Path, Path]:
    """(the finished staging file, the name the feed export writes to until the crawl has ended)."""
    staged = (data.staging / f"{run_key}.jsonl").resolve()
    return staged, staged.with_name(staged.name + PART_SUFFIX)


def child_environment(secrets: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """The crawl child's environment: this source's secrets (never in the job file left in staging/),
    and none inherited from the service: not other sources' secrets, nor the reply desk's posting
    credentials (`RYKTE_REPLY_*`), which a crawl never needs."""
    inherited = {k: v for k, v in environ.items() if not k.startswith((SECRET_ENV_PREFIX, "RYKTE_REPLY_"))}
    return {**inherited, **secret_environment(secrets), "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}


def run_crawl(cfg: RykteConfig, source: SourceConfig, data: DataDir, cursor: dict[str, Any] | None = None,
              full: bool = False, processes: CrawlProcesses | None = None) -> CrawlOutput:
    """Run the spider for `source` to completion; never raises for a failing crawl.

    Raises `ShuttingDown` when `processes` is stopping (the service got SIGTERM): no new crawl.
    The feed is written to `<run>.jsonl.part` and renamed to `<run>.jsonl` once the process has
    ended, so an ingest never reads a file that is still being written. A crawl ended early
    (timeout, the service's shutdown) keeps its items but not its cursor: the next crawl starts
    from the old cursor, so what this one did not reach is fetched then.
    """
    data.ensure()
    processes = processes or CrawlProcesses()
    started = utcnow()
    key = run_key_for(source, started)
    job = build_job(cfg, source, data, key, cursor, full)
    job_path = data.staging / f"{key}.job.json"
    staged, part = staged_paths(data, key)
    log = data.staging / f"{key}.log"
    job_path.write_text(json.dumps(job, ensure_ascii=False, indent=1), encoding="utf-8")
    feeds = json.dumps({str(part): {"format": "jsonlines", "encoding": "utf8", "overwrite": True}})
    args = ["crawl", source.type, "-a", f"job={job_path.resolve()}",
            "-s", f"FEEDS={feeds}", "-s", f"LOG_FILE={log.resolve()}", "-s", "LOG_LEVEL=INFO"]
    env = child_environment(source.secrets, os.environ)
    problems: list[str] = []
    stderr = data.staging / f"{key}.stderr"
    try:
        proc = processes.start(args, env=env, cwd=data.root, stderr=stderr)
    except ShuttingDown:
        job_path.unlink(missing_ok=True)
        raise
    rc, timed_out = processes.wait(proc, cfg.crawling.process_timeout)
    if timed_out:
        problems.append(f"crawl process ended after {cfg.crawling.process_timeout:.0f} s (process_timeout)")
    elif rc != 0 and not processes.stopping.is_set():
        problems.append(f"crawl process exited with {rc}: {' | '.join(_tail(stderr))}")
    if part.exists():
        os.replace(part, staged)  # the child has ended: the file is complete
    stats_path = Path(job["stats_path"])
    stats: dict[str, Any] = {}
    if stats_path.exists():
        try:
            stats = json.loads(stats_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            problems.append(f"unreadable crawl stats {stats_path}: {exc}")
    else:
        problems.append("the crawl wrote no stats file")
    stopped = processes.stopping.is_set() and (rc != 0 or stats.get("finish_reason") in (None, "shutdown"))
    if stopped and not timed_out:
        problems.append("crawl ended early: the service was stopping")
    if timed_out or stopped:
        stats.pop("cursor", None)
    return CrawlOutput(key, source.name, started, utcnow(), staged, stats, rc, log, problems)


def _tail(path: Path, lines: int = 3) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]
    except OSError:
        return []
