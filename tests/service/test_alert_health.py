"""The service's minute job runs the whole alert step, and a failing alert channel is seen.

A real webhook receiver on 127.0.0.1 answers 500; the channel's URL carries a password and a token.
After the minute job (`Service.alerts_tick`, which the scheduler calls every minute):
- the source whose crawls fail raised a `stale_source` alert (the freshness rule's judgement) and
  the open criticism a `criticism` alert, both tried and failed;
- `rykte status` shows the channel as failing with its last error, and no secret;
- the dashboard's Sources page shows the same, from the snapshot the minute job published.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from pipeline.cli import cli
from pipeline.config.loader import load_config
from pipeline.service import Service
from pipeline.store.db import DataDir, utcnow
from tests.alerts.receivers import WebhookSink, free_port
from tests.factories import add_crawl_run, m, make_store

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PASSWORD, TOKEN = "hemmelig-passord-42", "tok3nABCDEFGH123456"


@pytest.fixture
def broken_receiver() -> Iterator[WebhookSink]:
    sink = WebhookSink(free_port(), status=500).start()
    yield sink
    sink.stop()


def write_config(path: Path, sink: WebhookSink) -> None:
    path.write_text(f"""
company: {{name: Acme AS}}
sources:
  - {{name: hn, type: hackernews, schedule: 1h}}
alerts:
  first_run_summary: false
  retry_minutes: 0
  channels:
    - {{name: hr-webhook, url: "json://hr:{PASSWORD}@127.0.0.1:{sink.port}/hook?token={TOKEN}"}}
""", encoding="utf-8")


def test_minute_job_alerts_stale_source_and_status_shows_the_failing_channel(
        tmp_path: Path, broken_receiver: WebhookSink, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RYKTE_DATA_DIR", raising=False)
    config = tmp_path / "rykte.yaml"
    write_config(config, broken_receiver)
    now = utcnow()
    data = make_store(tmp_path, [m("r1", source="hackernews", p_negative=0.93, at=now - timedelta(hours=2),
                                   text="Acme AS betaler dårlig og svarer aldri.")], publish=False)
    service = Service(load_config(config), DataDir(data.root), analyze=False)
    try:
        for hours in (5, 3, 1):  # tried three times, never a success: a misconfigured or dead source
            add_crawl_run(service.con, "hn", now - timedelta(hours=hours), items=0, errors=2, status="failed",
                          error_samples=["http://127.0.0.1:9/api: Connection refused"])
        result = service.alerts_tick()
        kinds = {r[0] for r in service.con.execute("SELECT kind FROM alert_outbox").fetchall()}
    finally:
        service.close()
    assert {"stale_source", "criticism"} <= kinds
    assert result.failed + result.retried >= 1 and broken_receiver.posts, "the receiver was never tried"

    out = CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data.root), "status"],
                             catch_exceptions=False).output
    assert "alert channel" in out
    row = next(line for line in out.splitlines() if line.startswith("hr-webhook "))
    assert " failing " in row
    error = next(line for line in out.splitlines() if line.strip().startswith("hr-webhook: last error:"))
    assert "500" in error
    assert PASSWORD not in out and TOKEN not in out

    monkeypatch.setattr(sys, "argv", ["app.py", "--data-dir", str(data.root), "--demo"])  # demo: no login
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("views/sources.py").run()
    assert not at.exception, at.exception
    assert any(s.value == "Varslingskanaler" for s in at.subheader)
    [alarm] = [e.value for e in at.error if "hr-webhook" in e.value]
    assert "500" in alarm and PASSWORD not in alarm and TOKEN not in alarm
    table = at.dataframe[-1].value
    assert list(table["Kanal"]) == ["hr-webhook"] and list(table["Tilstand"]) == ["❌ Feiler"]
    assert PASSWORD not in table.to_string() and TOKEN not in table.to_string()
