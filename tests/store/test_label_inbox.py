"""Label corrections: appended by dashboards, ingested by the one writer exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime

import pytest

from pipeline.errors import InputError
from pipeline.store.db import DataDir, connect_writer
from pipeline.store.inbox import append_label_correction, corrections_path, ingest_label_corrections
from tests.factories import load, m

APPENDER = """
import sys
from pathlib import Path
from pipeline.store.inbox import append_label_correction
data_dir, worker, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(n):
    append_label_correction(data_dir, None, f"w{worker} tekst {i} æøå", "neutral", f"w{worker}")
"""


def test_concurrent_appends_are_ingested_exactly_once(tmp_path):
    data = DataDir(tmp_path / "data")
    con = connect_writer(data)
    workers, per = 4, 150
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(data.root), str(w), str(per)])
             for w in range(workers)]
    total = 0
    while any(p.poll() is None for p in procs):
        total += ingest_label_corrections(con, data.root)
        time.sleep(0.01)
    assert [p.wait() for p in procs] == [0] * workers
    total += ingest_label_corrections(con, data.root)
    assert total == workers * per
    assert con.execute("SELECT count(*), count(DISTINCT text) FROM label_corrections").fetchone() == (600, 600)
    assert not list(corrections_path(data.root).parent.glob("*.jsonl"))
    con.close()


def test_correction_updates_the_mention_and_survives_a_crash_before_delete(tmp_path):
    data = DataDir(tmp_path / "data")
    con = connect_writer(data)
    load(con, [m("c1", text="Elendig ledelse", p_negative=0.9)])
    mid = con.execute("SELECT id FROM mentions").fetchone()[0]
    assert con.execute("SELECT is_criticism FROM mentions").fetchone() == (True,)
    rec = append_label_correction(data.root, mid, "Elendig ledelse", "positive", "Kari",
                                  corrected_at=datetime(2026, 11, 20, 8, 0, 0, 123456))
    assert rec["corrected_at"] == "2026-11-20T08:00:00.123456"
    # simulate a crash after commit but before the claimed file was deleted
    claimed = corrections_path(data.root).with_name("label_corrections.20261120T080000.processing.jsonl")
    corrections_path(data.root).rename(claimed)
    assert ingest_label_corrections(con, data.root) == 1
    claimed.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    assert ingest_label_corrections(con, data.root) == 0  # the same line again inserts nothing
    assert con.execute("SELECT count(*) FROM label_corrections").fetchone() == (1,)
    assert con.execute("SELECT sentiment, p_positive, model_version, is_criticism FROM mentions").fetchone() == \
        ("positive", 1.0, "human", False)
    con.close()


def test_bad_lines_are_set_aside_and_bad_labels_refused(tmp_path):
    data = DataDir(tmp_path / "data")
    con = connect_writer(data)
    with pytest.raises(InputError, match="label"):
        append_label_correction(data.root, 1, "x", "angry")
    path = corrections_path(data.root)
    path.parent.mkdir(parents=True)
    path.write_text('{"mention_id": 1, "text": "x", "label": "meh", "corrected_at": "2026-01-01"}\nnot json\n'
                    '{"mention_id": null, "text": "y", "label": "negative", "corrected_at": "2026-01-01T00:00"}\n')
    assert ingest_label_corrections(con, data.root) == 1
    assert len((path.parent / "label_corrections.rejected.jsonl").read_text().splitlines()) == 2
    con.close()
