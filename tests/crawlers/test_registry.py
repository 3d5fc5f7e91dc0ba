"""One registry of source types: the config, the service's job file and the spiders agree on it.

The job file is the contract between the service and a spider process; these tests build it with the
service's own code (``pipeline.crawl.runner.build_job``) from a real config and read it with the
spider's (``crawlers.job``), and run real spiders on job files the registry refuses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from crawlers.job import JobError, parse_job
from crawlers.registry import SOURCE_TYPES
from pipeline.config.loader import parse_config
from pipeline.crawl.runner import build_job
from pipeline.errors import ConfigError
from pipeline.ingest.staging import record_skipped
from pipeline.service import Service
from pipeline.store.db import DataDir, connect_writer
from tests.crawlers.conftest import FixtureServer, run_crawl

CONFIG = """
company: {name: Nordlys Logistikk, aliases: [NordlysLog], official_accounts: {reddit: [NordlysLogistikk]}}
sources:
  - {name: rd, type: reddit, options: {subreddits: [norge], sort: top}}
  - {name: tp, type: trustpilot, platform: trustpilot-no, options: {domain: nordlys.no}}
  - {name: forum, type: web, base_url: "http://127.0.0.1:9/forum",
     options: {start_urls: [/t/1], item: div.post, fields: {text: p}, replies: {item: div.reply}}}
  - {name: fb, type: facebook, options: {page_id: "42"}}
"""


def test_every_spider_has_a_registry_entry_and_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    spiders = SpiderLoader.from_settings(get_project_settings()).list()
    assert sorted(spiders) == sorted(SOURCE_TYPES)


@pytest.mark.parametrize("name", ["rd", "tp", "forum", "fb"])
def test_the_job_carries_the_options_the_config_validated(tmp_path: Path, name: str) -> None:
    cfg = parse_config(CONFIG, "rykte.yaml", env={})
    source = cfg.source(name)
    job = parse_job(json.loads(json.dumps(build_job(cfg, source, DataDir(tmp_path), "run-1", None, False))))
    assert type(job.options) is SOURCE_TYPES[source.type].options  # the same model on both sides
    assert job.options == source.parsed_options()
    assert job.platform == source.platform_name() and job.source_name == name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"options": {"sort": "hot"}}, "job: options.sort: Input should be 'new', 'relevance', 'top' or 'comments'"),
        ({"options": {"subreddit": ["norge"]}}, "job: options.subreddit: unknown key"),
        ({"type": "myspace"}, "job: type: unknown source type 'myspace'"),
        ({"polite": {"max_pages": "many"}}, "job: polite.max_pages: Input should be a valid integer"),
        ({"polite": {"delay": 1}}, "job: polite.delay: unknown key"),
        ({"company": {"aliases": []}}, "job: company: missing key 'name'"),
        ({"base_url": "ftp://example.org"}, "job: base_url: expected an http(s) URL or null"),
    ],
)
def test_a_bad_job_is_one_line_naming_the_key(change: dict[str, object], message: str) -> None:
    job = {"type": "reddit", "company": {"name": "Nordlys"}, **change}
    with pytest.raises(JobError) as err:
        parse_job(job)
    assert str(err.value).startswith(message)


def test_a_spider_refuses_options_its_model_refuses(server: FixtureServer, tmp_path: Path) -> None:
    res = run_crawl(tmp_path, "reddit", server.url, {"queries": ["Nordlys"], "sort": "hot"})
    assert res.returncode == 0, res.log
    assert res.stats["finish_reason"] == "bad_job" and res.stats["error_kinds"] == {"job": 1}
    assert "options.sort" in res.stats["error_samples"][0] and not server.requests


def test_a_job_of_another_type_is_refused_before_its_options_are_read(tmp_path: Path) -> None:
    from crawlers.spiders.bluesky import BlueskySpider

    path = tmp_path / "j.job.json"
    path.write_text(json.dumps({"type": "reddit", "company": {"name": "Nordlys"}, "options": {"sort": "top"}}))
    spider = BlueskySpider(job=str(path))  # reads the job in its constructor, as `scrapy crawl` does
    assert spider.fail_reason == "bad_job"
    assert spider.run_errors.samples == [f"{path}: a 'reddit' job run by the 'bluesky' spider"]


@pytest.mark.parametrize(
    ("before", "after", "where"),
    [('page_id: "42"', 'page_id: ""', "sources[3].options.page_id"), ("item: div.post", 'item: ""', "sources[2].options.item")],
)
def test_an_empty_required_option_is_refused_at_config_load(before: str, after: str, where: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(CONFIG.replace(before, after), "rykte.yaml", env={})
    assert f"{where}: String should have at least 1 character" in str(err.value)


def test_a_relative_web_start_url_needs_a_base_url(server: FixtureServer, tmp_path: Path) -> None:
    """The web has no default site: a relative start URL without base_url is a clear config error."""
    options = {"start_urls": ["/forum/t/1"], "item": "div.post", "fields": {"text": "p"}}
    res = run_crawl(tmp_path, "web", None, options)
    assert res.returncode == 0, res.log
    assert res.stats["error_kinds"] == {"config": 1}
    assert "needs the source's base_url" in res.stats["error_samples"][0]


def test_a_source_without_its_required_secret_is_recorded_as_skipped(tmp_path: Path) -> None:
    cfg = parse_config(CONFIG, "rykte.yaml", env={})
    service = Service(cfg, DataDir(tmp_path / "data"), analyze=False)
    try:
        result = service.crawl("fb")
        rows = service.con.execute("SELECT status, errors, error_kinds, error_samples FROM crawl_runs").fetchall()
    finally:
        service.close()
    assert result.status == "skipped" and "${FACEBOOK_TOKEN}" in result.error_samples[0]
    status, errors, kinds, samples = rows[0]
    assert (status, errors, json.loads(kinds)) == ("skipped", 0, {})
    assert json.loads(samples) == result.error_samples


def test_record_skipped_writes_valid_json_whatever_the_reason(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    data.ensure()
    con = connect_writer(data)
    try:
        reason = 'no "token" \\ configured'
        record_skipped(con, "fb", reason)
        (samples,) = con.execute("SELECT error_samples FROM crawl_runs").fetchone() or (None,)
    finally:
        con.close()
    assert json.loads(samples) == [reason]


def test_crawl_runs_are_written_only_by_the_crawl_recorder(repo_root: Path) -> None:
    """No other module writes `crawl_runs` (pipeline/ingest/staging.py's _save_run is the one writer)."""
    writers = [p.relative_to(repo_root).as_posix() for p in sorted((repo_root / "pipeline").rglob("*.py"))
               if "INTO crawl_runs" in p.read_text(encoding="utf-8")]
    assert writers == ["pipeline/ingest/staging.py"]

