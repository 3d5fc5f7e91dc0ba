"""The CLI contract of SPEC §2: every command present and documented, exit codes, status, forget,
report and stats import through the real `rykte` entry point."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_rykte

COMMANDS = ["demo", "run", "crawl", "import", "analyze", "classify", "metrics", "report", "dashboard", "status",
            "model", "stats", "forget"]


def test_every_spec_command_is_listed_and_documented(repo_root: Path) -> None:
    out = run_rykte("--help")
    assert out.returncode == 0
    listed = set(re.findall(r"^  (\w+)", out.stdout, flags=re.M))
    assert set(COMMANDS) <= listed
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"`rykte {command}" in readme, f"README does not document `rykte {command}`"
    for command in ("make demo", "make test"):
        assert command in readme


def test_unknown_option_is_exit_2() -> None:
    out = run_rykte("metrics", "--bogus")
    assert out.returncode == 2 and "bogus" in out.stderr


@pytest.fixture
def store(tmp_path: Path, fixtures_dir: Path) -> tuple[Path, Path]:
    config = tmp_path / "rykte.yaml"
    config.write_text("""\
company:
  name: Nordlys Logistikk AS
  official_accounts: {reddit: [NordlysLogistikk]}
sources:
  - name: tp
    type: trustpilot
    schedule: 6h
    options: {domain: nordlys.no}
""", encoding="utf-8")
    data = tmp_path / "data"
    out = run_rykte("--config", str(config), "--data-dir", str(data), "import", str(fixtures_dir / "threads.jsonl"),
                    "--no-analyze")
    assert out.returncode == 0, out.stderr
    return config, data


def test_status_lists_configured_sources(store: tuple[Path, Path]) -> None:
    config, data = store
    out = run_rykte("--config", str(config), "--data-dir", str(data), "status", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows[0]["source"] == "tp" and rows[0]["freshness"] == "never" and rows[0]["mentions"] == 9
    text = run_rykte("--config", str(config), "--data-dir", str(data), "status").stdout
    assert "tp" in text and "never" in text


def test_forget_erases_a_person_everywhere(store: tuple[Path, Path]) -> None:
    config, data = store
    out = run_rykte("--config", str(config), "--data-dir", str(data), "forget", "--author", "ola_n")
    assert out.returncode == 0 and "erased 2 mention(s)" in out.stdout
    import duckdb

    for name in ("rykte.duckdb", "dashboard.duckdb"):
        con = duckdb.connect(str(data / name), read_only=True)
        assert con.execute("SELECT count(*) FROM mentions WHERE author = 'ola_n'").fetchall() == [(0,)]
        con.close()


@pytest.mark.slow  # ~10 s: a subprocess renders a real PDF
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed (make setup)")
def test_report_writes_html_and_pdf_for_a_week(store: tuple[Path, Path]) -> None:
    config, data = store
    out = run_rykte("--config", str(config), "--data-dir", str(data), "report", "--week", "2026-W10")
    assert out.returncode == 0, out.stderr
    pdf = Path(out.stdout.strip())
    assert pdf == data / "reports" / "2026-W10.pdf" and pdf.exists() and (data / "reports" / "2026-W10.html").exists()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "2026" in text and "10" in text
    bad = run_rykte("--config", str(config), "--data-dir", str(data), "report", "--week", "2026-53x")
    assert bad.returncode == 2 and "--week" in bad.stderr


def test_stats_import(store: tuple[Path, Path], tmp_path: Path) -> None:
    config, data = store
    csv = tmp_path / "q.csv"
    csv.write_text("quarter,platform,metric,value\n2026-Q1,linkedin,followers,1200\n2026-Q1,linkedin,impressions,"
                   "54000\n", encoding="utf-8")
    out = run_rykte("--config", str(config), "--data-dir", str(data), "stats", "import", str(csv))
    assert out.returncode == 0 and "2 statistics" in out.stdout
    csv.write_text("quarter,platform,metric,value\n2026-Q5,linkedin,followers,1\n", encoding="utf-8")
    bad = run_rykte("--config", str(config), "--data-dir", str(data), "stats", "import", str(csv))
    assert bad.returncode == 2 and "q.csv" in bad.stderr
