"""The one-writer proof: a writer process ingests batches and publishes snapshots in a loop while
this process keeps calling the dashboard's query functions on the snapshot. Every call answers,
and the counts never go backwards."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pytest

from pipeline.store import queries
from pipeline.store.db import DataDir

BATCHES, PER_BATCH = 20, 25

WRITER = textwrap.dedent(f"""
    import sys
    from datetime import datetime, timedelta
    from pathlib import Path
    from pipeline.ingest.importer import validate_row
    from pipeline.store.db import DataDir, connect_writer
    from pipeline.store.mentions import resolve_official, resolve_threads, upsert_mentions
    from pipeline.store.metrics import refresh_criticism
    from pipeline.store.snapshot import publish_snapshot

    data = DataDir(Path(sys.argv[1]))
    con = connect_writer(data)
    start = datetime(2026, 11, 2, 8, 0)
    for b in range({BATCHES}):
        rows = []
        for i in range({PER_BATCH}):
            n = b * {PER_BATCH} + i
            row = validate_row({{"source": "reddit", "external_id": f"m{{n}}", "author": f"u{{n % 7}}",
                                 "published_at": (start + timedelta(minutes=n)).isoformat(),
                                 "text": f"Innlegg {{n}} om lønn og ledelse", "rating": 1 + n % 5}})
            row.pop("_unknown", None)
            rows.append(row)
        upsert_mentions(con, rows)
        resolve_official(con)
        resolve_threads(con)
        refresh_criticism(con, 0.5)
        publish_snapshot(con, data)
        print("published", b, flush=True)
    con.close()
""")


@pytest.mark.slow  # ~4 s: a writer process publishing snapshots in a loop
def test_dashboard_queries_while_the_writer_publishes(tmp_path):
    data = DataDir(tmp_path / "data")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data.root)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not data.snapshot.exists():
            assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
            assert time.monotonic() < deadline, "no snapshot published"
            time.sleep(0.01)
        now = datetime(2026, 11, 20)
        seen: list[int] = []
        crits: list[int] = []
        calls = 0
        while writer.poll() is None or calls < 5:
            k = queries.read_snapshot(data.snapshot, queries.kpis)
            inbox = queries.read_snapshot(data.snapshot, queries.criticism_inbox, now=now)
            bounds = queries.read_snapshot(data.snapshot, queries.data_bounds)
            trend = queries.read_snapshot(data.snapshot, queries.weekly_trend,
                                          datetime(2026, 11, 2).date(), datetime(2026, 11, 9).date())
            calls += 1
            # each call opens the snapshot anew, so in call order every count is one of a
            # non-decreasing sequence (all mentions of this world fall in that week)
            seen += [k["mentions"], bounds["mentions"], int(trend["mentions"].sum())]
            crits += [k["criticisms"], len(inbox)]
        assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
    finally:
        if writer.poll() is None:
            writer.kill()
    assert seen == sorted(seen), "a count went backwards"
    assert crits == sorted(crits), "a criticism count went backwards"
    final = queries.read_snapshot(data.snapshot, queries.kpis)
    assert final["mentions"] == BATCHES * PER_BATCH
    assert len(set(seen)) >= 3, f"only saw {sorted(set(seen))} in {calls} calls"
