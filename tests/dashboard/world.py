"""The dashboard tests' world: `tests.factories.sample_world` with the taxonomy's English aspect ids,
links to the originals, a LinkedIn comment by a raw member URN, and the config facts the writer
publishes (SLA, time zone, language, sources), written through the real store functions."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.store.db import DataDir, connect_writer
from pipeline.store.settings import Settings, SourceFacts, write_settings, write_source_facts
from pipeline.store.snapshot import publish_snapshot
from pipeline.taxonomy.aspects import ASPECTS
from tests.factories import m, make_store, sample_world

# What must never reach a reader: ids of the taxonomy, sentiments and outcomes, Python's missing values,
# raw account URNs, and unformatted floats.
IDS = re.compile(r"\b(" + "|".join([*ASPECTS, "no_followup", "unresolved", "None", "nan", "NaN", "NaT", "<NA>",
                                    "empty"]) + r")\b|urn:li:|0\.000000")
APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
ASPECT_IDS = {"lønn": "pay", "ledelse": "management", "arbeidstid": "workload", "rekruttering": "recruitment",
              "arbeidsmiljø": "work_environment", "opplæring": "recruitment"}
# reddit-norge runs hourly but is configured `stale_after: 30m`, so its last success an hour ago is
# stale; hn is configured and never crawled.
SOURCES = [SourceFacts("reddit-norge", "reddit", "reddit", True, 3600, 1800),
           SourceFacts("trustpilot", "trustpilot", "trustpilot", True, 21600, 64800),
           SourceFacts("hn", "hackernews", "hackernews", True, 3600, 10800)]


def dashboard_world(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for row in sample_world(now):
        row = dict(row)
        if row.get("aspects"):
            row["aspects"] = list(dict.fromkeys(ASPECT_IDS.get(a, a) for a in row["aspects"]))
        row["url"] = f"https://example.org/{row['source']}/{row['external_id']}"
        rows.append(row)
    rows.append(m("li1", source="linkedin", author="urn:li:person:AbC123", at=now - 20 * timedelta(hours=1),
                  text="Lønna er for lav og lederne lytter ikke.", p_negative=0.9, aspects=["pay"],
                  url="https://www.linkedin.com/feed/update/urn:li:activity:1"))
    return rows


def publish_config_facts(data: DataDir, settings: Settings | None = None,
                         sources: list[SourceFacts] = SOURCES) -> None:
    con = connect_writer(data)
    try:
        write_settings(con, settings or Settings())
        write_source_facts(con, sources)
        publish_snapshot(con, data)
    finally:
        con.close()


def build(tmp: Path, now: datetime, settings: Settings | None = None, **kw: Any) -> DataDir:
    data = make_store(tmp, dashboard_world(now), official_accounts={"trustpilot": {"acme as"}}, **kw)
    publish_config_facts(data, settings)
    return data


def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> AppTest:
    """The real app under AppTest; `--demo` opens the login gate as the demo editor (tests/privacy
    tests the gate itself)."""
    monkeypatch.setattr(sys, "argv", ["app.py", "--data-dir", str(data_dir), "--demo", *extra])
    return AppTest.from_file(str(APP), default_timeout=60)


def texts(at: AppTest) -> list[str]:
    """Every text a reader sees on the page: titles, markdown, captions, alerts, metrics, buttons,
    widget labels and options, and every dataframe's headers and cells."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{e.label} {e.value}" for e in at.metric]
    for widget in (*at.selectbox, *at.text_input, *at.button):
        out.append(str(widget.label))
    for box in at.selectbox:
        out += [str(o) for o in box.options]
    for df in at.dataframe:
        value = df.value
        out += [str(c) for c in value.columns]
        out += [str(v) for v in value.astype(str).to_numpy().ravel()]
    return out
