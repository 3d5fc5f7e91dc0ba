"""Done-when of the erasure: a person forgotten after a real demo cycle stays forgotten. The demo world
is crawled again by the real spiders and a file with their items is imported again: none of their
mentions return, no alert is about them, the crawls count them as suppressed, and their name is in no
file under the data dir (both DuckDB files' raw bytes included)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipeline.privacy.keys import normalise
from tests.conftest import run_rykte
from tests.privacy.helpers import files_naming

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(1500)]  # two demo cycles


def mentions_by(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    rows = con.execute("SELECT id, source, external_id, author, published_at, text FROM mentions").fetchall()
    return [r for r in rows if normalise(r[3]) == normalise(name)]


def critic_nobody_quotes(con: duckdb.DuckDBPyConnection) -> str:
    """The non-official author with the most criticism whose name no other mention contains."""
    for (author,) in con.execute(
            "SELECT author FROM mentions WHERE NOT official AND is_criticism GROUP BY author ORDER BY count(*) DESC, author").fetchall():
        quoted = con.execute("SELECT count(*) FROM mentions WHERE author <> ? AND (text ILIKE ? OR url ILIKE ? "
                             "OR title ILIKE ?)", [author, *[f"%{author}%"] * 3]).fetchone()
        if len(author) >= 5 and quoted and quoted[0] == 0:
            return str(author)
    raise AssertionError("no suitable author in the demo world")


def test_forget_stays_forgotten_through_a_recrawl_and_a_reimport(repo_root: Path, tmp_path: Path) -> None:
    installed = repo_root / "data" / "models"
    if not (installed / "base").exists():
        pytest.skip("the sentiment model is not installed (make setup)")
    data = tmp_path / "data"
    data.mkdir()
    (data / "models").symlink_to(installed, target_is_directory=True)
    first = run_rykte("demo", "--once", "--data-dir", str(data), timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    with duckdb.connect(str(data / "rykte.duckdb"), read_only=True) as con:
        name = critic_nobody_quotes(con)
        theirs = mentions_by(con, name)
        alerted = con.execute("SELECT count(*) FROM alert_outbox o JOIN mentions m ON m.id = o.mention_id "
                              "WHERE m.author = ?", [name]).fetchone()
    assert len(theirs) >= 2 and files_naming(data, name)
    del alerted  # the first cycle may or may not have alerted on them (first-run summary)

    out = run_rykte("forget", "--author", name, "--data-dir", str(data))
    assert out.returncode == 0 and f"erased {len(theirs)} mention(s)" in out.stdout, out.stdout + out.stderr
    assert files_naming(data, name) == []

    again = run_rykte("demo", "--once", "--data-dir", str(data), timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps({"source": s, "external_id": e, "author": a, "published_at": p.isoformat(),
                                          "text": t}, ensure_ascii=False) + "\n"
                              for _id, s, e, a, p, t in theirs), encoding="utf-8")
    imported = run_rykte("import", str(export), "--no-analyze", "--data-dir", str(data))
    assert imported.returncode == 0, imported.stderr

    with duckdb.connect(str(data / "rykte.duckdb"), read_only=True) as con:
        assert mentions_by(con, name) == []
        suppressed = con.execute("SELECT coalesce(sum(suppressed), 0) FROM crawl_runs").fetchone()
        orphan_alerts = con.execute(
            "SELECT count(*) FROM alert_outbox o LEFT JOIN mentions m ON m.id = o.mention_id "
            "WHERE o.mention_id IS NOT NULL AND m.id IS NULL").fetchone()
    assert suppressed and suppressed[0] >= 1  # the crawls met them and skipped them
    assert orphan_alerts == (0,)  # no alert about a mention that is not (or no longer) in the store
    assert files_naming(data, name) == []
