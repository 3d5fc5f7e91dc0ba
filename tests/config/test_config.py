"""The config model refuses unknown keys, wrong types and missing secrets, naming key path and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.loader import load_config, parse_config
from pipeline.errors import ConfigError
from tests.conftest import run_rykte

GOOD = """\
company:
  name: Nordlys Logistikk AS
  aliases: [Nordlys Logistikk]
  official_accounts:
    reddit: [NordlysLogistikk]
sources:
  - name: hn
    type: hackernews
    schedule: 30m
  - name: tp
    type: trustpilot
    schedule: "0 6 * * *"
    options: {domain: nordlys.no}
alerts:
  channels:
    - name: hr-slack
      url: ${SLACK_URL}
"""


def test_valid_config_with_secret_from_environment() -> None:
    cfg = parse_config(GOOD, "rykte.yaml", env={"SLACK_URL": "json://127.0.0.1:9/hook"})
    assert cfg.company.search_terms() == ["Nordlys Logistikk AS", "Nordlys Logistikk"]
    assert cfg.alerts.channels[0].url == "json://127.0.0.1:9/hook"
    assert cfg.source("hn").platform_name() == "hackernews"
    assert cfg.responses.timezone == "Europe/Oslo"
    assert cfg.official_accounts() == {"reddit": {"nordlyslogistikk"}}


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        (GOOD.replace("  aliases:", "  alias:"), {"SLACK_URL": "x://"}, "rykte.yaml:3: company.alias: unknown key"),
        (GOOD.replace("schedule: 30m", "schedule: often"), {"SLACK_URL": "x://"},
         "rykte.yaml:9: sources[0].schedule: invalid schedule 'often'"),
        (GOOD, {}, "rykte.yaml:17: alerts.channels[0].url: environment variable SLACK_URL is not set"),
        (GOOD.replace("    options: {domain: nordlys.no}", "    options: {domain: nordlys.no, nonsense: 1}"), {"SLACK_URL": "x://"},
         "rykte.yaml:13: sources[1].options.nonsense: unknown key"),
        (GOOD + "analysis:\n  batch_size: many\n", {"SLACK_URL": "x://"},
         "rykte.yaml:19: analysis.batch_size: Input should be a valid integer"),
        (GOOD.replace("type: hackernews", "type: myspace"), {"SLACK_URL": "x://"},
         "rykte.yaml:8: sources[0].type: unknown source type 'myspace'"),
        (GOOD.replace("    type: hackernews\n", "    type: hackernews\n    secrets: {token: x}\n"), {"SLACK_URL": "x://"},
         "rykte.yaml:9: sources[0].secrets: unknown secret 'token' for type hackernews (it takes: none)"),
        ("company: [unclosed\n", {}, "rykte.yaml:2: invalid YAML"),
        ("sources: []\n", {}, "rykte.yaml:1: company: required key is missing"),
    ],
)
def test_errors_name_file_line_and_key_path(text: str, env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "rykte.yaml", env=env)
    assert str(exc.value).startswith(expected), str(exc.value)
    assert "\n" not in str(exc.value)


def test_optional_secret_may_be_empty() -> None:
    cfg = parse_config(GOOD.replace("${SLACK_URL}", "json://h/${HOOK_PATH:-hook}"), "x.yaml", env={})
    assert cfg.alerts.channels[0].url == "json://h/hook"


def test_shipped_example_configs_are_valid(repo_root: Path) -> None:
    from pipeline.demo.world import DemoWorld

    with DemoWorld() as world:
        demo = load_config(repo_root / "config" / "demo.yaml", env=world.env)
    assert {s.type for s in demo.sources} >= {"news", "reddit", "hackernews", "mastodon", "bluesky", "trustpilot"}
    example = load_config(repo_root / "config" / "example.yaml", env={})
    types = {s.type for s in example.sources}
    assert types >= {"news", "reddit", "hackernews", "mastodon", "bluesky", "trustpilot", "web",
                     "linkedin", "facebook", "instagram"}


def test_cli_exits_2_with_one_line_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("schedule: 30m", "schedul: 30m"), encoding="utf-8")
    out = run_rykte("--config", str(bad), "--data-dir", str(tmp_path / "d"), "status",
                    env={"SLACK_URL": "json://127.0.0.1:9/x"})
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "sources[0].schedul: unknown key" in lines[0] and "bad.yaml:9" in lines[0]
    missing = run_rykte("--config", str(tmp_path / "nope.yaml"), "--data-dir", str(tmp_path / "d"), "status")
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
