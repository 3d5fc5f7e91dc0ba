"""Data-dir resolution through the real CLI (`cli` under click's CliRunner, in-process):
--data-dir / RYKTE_DATA_DIR > the config's storage.data_dir > ./data, and readers that use no secret
start although the config references one that is not set."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import pipeline.cli
from pipeline.cli import cli
from pipeline.store.db import DataDir, utcnow
from pipeline.store.metrics import compute_metrics
from pipeline.store.snapshot import open_snapshot
from tests.factories import make_store, sample_world

UNSET = "RYKTE_TEST_NEVER_SET_TOKEN"


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, DataDir]:
    """A store in <tmp>/store/data named only by the config; the command runs in another directory."""
    for var in ("RYKTE_DATA_DIR", "RYKTE_CONFIG", UNSET):
        monkeypatch.delenv(var, raising=False)
    data = make_store(tmp_path / "store", sample_world(utcnow()), official_accounts={"trustpilot": {"acme as"}})
    config = tmp_path / "rykte.yaml"
    config.write_text(f"""\
company: {{name: Acme AS}}
storage: {{data_dir: "{data.root}"}}
alerts:
  channels: [{{name: hr, url: "${{{UNSET}}}"}}]
sources:
  - {{name: reddit-norge, type: reddit}}
""", encoding="utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # ./data here would be the wrong (empty) place
    return config, data


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_metrics_reads_the_config_data_dir_without_secrets(setup) -> None:
    config, data = setup
    code, out = invoke("--config", str(config), "metrics", "--json")
    assert code == 0, out
    with open_snapshot(data.snapshot) as con:
        expected = compute_metrics(con)
    assert json.loads(out) == json.loads(json.dumps(expected)) and expected["mentions"] > 0
    assert not Path("data").exists()


def test_forget_erases_in_the_config_data_dir(setup) -> None:
    config, data = setup
    code, out = invoke("--config", str(config), "forget", "--author", "kari")
    assert code == 0 and "erased 1 mention(s)" in out, out
    for path in (data.live, data.snapshot):
        with duckdb.connect(str(path), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM mentions WHERE author = 'kari'").fetchall() == [(0,)]
    assert not Path("data").exists()


def test_stats_import_writes_to_the_config_data_dir(setup, tmp_path: Path) -> None:
    config, data = setup
    csv = tmp_path / "q.csv"
    csv.write_text("quarter,platform,metric,value\n2026-Q1,linkedin,followers,1200\n", encoding="utf-8")
    code, out = invoke("stats", "import", str(csv), "--config", str(config))
    assert code == 0 and "1 statistics" in out, out
    with open_snapshot(data.snapshot) as con:
        assert con.execute("SELECT value FROM quarterly_stats").fetchall() == [(1200.0,)]
    assert not Path("data").exists()


def test_dashboard_starts_on_the_config_data_dir_without_secrets(setup, monkeypatch) -> None:
    config, data = setup
    launched: list[list[str]] = []
    # the Streamlit process itself is started for real in tests/dashboard/test_browser.py; here only its argv
    monkeypatch.setattr(pipeline.cli.subprocess, "call", lambda argv: launched.append(argv) or 0)
    code, out = invoke("--config", str(config), "dashboard", "--port", "8599")
    assert code == 0 and "http://127.0.0.1:8599" in out, out
    argv = launched[0]
    assert argv[argv.index("--data-dir") + 1] == str(data.root.resolve())
    assert "--sla-hours" not in argv  # the SLA comes with the snapshot


def test_option_and_environment_win_over_the_config(setup, tmp_path: Path) -> None:
    config, _data = setup
    other = make_store(tmp_path / "other", sample_world(utcnow() - timedelta(days=400)))
    code, out = invoke("--config", str(config), "--data-dir", str(other.root), "metrics", "--json")
    assert code == 0 and json.loads(out)["mentions"] > 0
    result = CliRunner().invoke(cli, ["--config", str(config), "metrics", "--json"],
                                env={"RYKTE_DATA_DIR": str(tmp_path / "nowhere")})
    assert result.exit_code != 0 and "nowhere: no Rykte store here yet" in str(result.exception)


def test_commands_that_may_deliver_still_require_the_secret(setup, tmp_path: Path) -> None:
    config, _data = setup
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"source": "reddit", "external_id": "x1", "author": "a", "published_at": "2026-11-01T10:00:00", '
                    '"text": "hei"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "import", str(rows), "--no-analyze"])
    assert result.exit_code != 0 and UNSET in str(result.exception)
