"""Secrets never at rest: a real cycle through the real CLI at -vv (the demo world's LinkedIn, Facebook
and Bluesky APIs with tokens from the environment, and two alert channels that fail, with passwords in
their URLs) leaves no secret value in any file under the data dir, nor on stdout or stderr; and the
data dir the CLI creates is private (0700 directories, 0600 files)."""

from __future__ import annotations

import os
import socket
import stat
import urllib.parse
from pathlib import Path

import pytest
import yaml

from pipeline.demo.world import DemoWorld
from tests.conftest import run_rykte

SECRETS = {
    "RYKTE_TEST_LINKEDIN_TOKEN": "li-Tok3n-9f8e7d6c5b4a",
    "RYKTE_TEST_FACEBOOK_TOKEN": "fb-Tok3n-1a2b3c4d5e6f",
    "RYKTE_TEST_BLUESKY_PASSWORD": "bsky-pa55-q7w8-e9r0",
    "RYKTE_TEST_HOOK_PASSWORD": "hook-Pa55w0rd-x1y2z3",
    "RYKTE_TEST_SMTP_PASSWORD": "smtp-Pa55w0rd-k9j8h7",
}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: connections are refused


def spellings(value: str) -> set[str]:
    return {value, urllib.parse.quote(value), urllib.parse.quote_plus(value)}


def files_holding(root: Path, values: list[str]) -> list[str]:
    hits = []
    for dirpath, _dirs, files in os.walk(root):  # the shared models/ symlink is not followed
        for f in files:
            p = Path(dirpath) / f
            if p.is_symlink():
                continue
            data = p.read_bytes().decode("utf-8", errors="ignore")
            hits += [f"{p.relative_to(root)}: {v[:6]}…" for v in values if v in data]
    return hits


def config_for(repo_root: Path) -> str:
    demo = yaml.safe_load((repo_root / "config" / "demo.yaml").read_text(encoding="utf-8"))
    keep = {"linkedin": {"token": "${RYKTE_TEST_LINKEDIN_TOKEN}"}, "facebook": {"token": "${RYKTE_TEST_FACEBOOK_TOKEN}"},
            "bluesky": {"handle": "${DEMO_BLUESKY_HANDLE}", "app_password": "${RYKTE_TEST_BLUESKY_PASSWORD}"}}
    demo["sources"] = [dict(s, secrets=keep[s["name"]]) for s in demo["sources"] if s["name"] in keep]
    port = closed_port()
    demo["alerts"] = {"enabled": True, "max_age_days": 30, "first_run_summary": False, "channels": [
        {"name": "hr-hook", "url": f"json://hr:${{RYKTE_TEST_HOOK_PASSWORD}}@127.0.0.1:{port}/hook"},
        {"name": "hr-mail", "url": f"mailto://hr:${{RYKTE_TEST_SMTP_PASSWORD}}@127.0.0.1:{port}"
                                   "?to=hr@example.org&from=rykte@example.org"},
    ]}
    demo["reports"] = {"enabled": False}
    return yaml.safe_dump(demo, allow_unicode=True, sort_keys=False)


@pytest.mark.slow
@pytest.mark.model
def test_no_secret_in_any_file_log_or_message(repo_root: Path, tmp_path: Path) -> None:
    installed = repo_root / "data" / "models"
    if not (installed / "base").exists():
        pytest.skip("the sentiment model is not installed (make setup)")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "models").symlink_to(installed, target_is_directory=True)
    config = tmp_path / "rykte.yaml"
    config.write_text(config_for(repo_root), encoding="utf-8")
    tokens = {"linkedin": SECRETS["RYKTE_TEST_LINKEDIN_TOKEN"], "facebook": SECRETS["RYKTE_TEST_FACEBOOK_TOKEN"],
              "bluesky": SECRETS["RYKTE_TEST_BLUESKY_PASSWORD"], "instagram": "unused"}
    with DemoWorld(tokens=tokens) as world:
        env = {**world.env, **SECRETS}
        out = run_rykte("-vv", "--config", str(config), "--data-dir", str(data), "run", "--once", env=env, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "DEBUG" in out.stderr  # -vv really logged at debug level
    import duckdb

    with duckdb.connect(str(data / "rykte.duckdb"), read_only=True) as con:
        sources = {r[0] for r in con.execute("SELECT DISTINCT source FROM mentions").fetchall()}
        failed = con.execute("SELECT count(*) FROM alert_outbox WHERE attempts > 0 AND sent_at IS NULL").fetchone()
    assert {"linkedin", "facebook", "bluesky"} <= sources  # the tokens were used...
    assert failed and failed[0] > 0  # ...and the channels were tried and failed
    values = sorted({s for v in SECRETS.values() for s in spellings(v)})
    assert files_holding(data, values) == []
    assert [v[:6] for v in values if v in out.stdout or v in out.stderr] == []
    assert not_private(data) == []  # crawl output, logs, reports dir, stores: all created private


def not_private(root: Path) -> list[str]:
    """Directories not 0700 and files not 0600 below root (symlinks not followed)."""
    wrong = []
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(dirpath) / name
            if p.is_symlink():
                continue
            mode = stat.S_IMODE(p.stat().st_mode)
            if mode != (0o700 if p.is_dir() else 0o600):
                wrong.append(f"{p.relative_to(root)}: {oct(mode)}")
    return sorted(wrong)


def test_the_data_dir_is_created_private(tmp_path: Path, fixtures_dir: Path) -> None:
    data = tmp_path / "fresh" / "data"
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"source": "reddit", "external_id": "x1", "author": "Kari Nordmann", '
                    '"published_at": "2026-11-01T10:00:00", "text": "Elendig ledelse."}\n', encoding="utf-8")
    out = run_rykte("--data-dir", str(data), "import", str(rows), "--no-analyze")
    assert out.returncode == 0, out.stderr
    forget = run_rykte("--data-dir", str(data), "forget", "--author", "Kari Nordmann")
    assert forget.returncode == 0, forget.stderr
    assert (data / "secret.key").exists() and (data / "rykte.duckdb").exists()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert not_private(data) == []
