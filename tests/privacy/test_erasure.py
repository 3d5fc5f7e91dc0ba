"""`rykte forget` through the real CLI on a real store with real files: the person is gone from every
table, every file under the data dir (raw bytes, the DuckDB files included) and the written report,
and a re-import of a file with their items brings none back, counted as suppressed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.store.db import connect_writer, utcnow
from pipeline.store.inbox import append_label_correction, corrections_path
from tests.conftest import run_rykte
from tests.factories import m, make_store, sample_world
from tests.privacy.helpers import files_naming

NAME = "Ingrid Sølvberg"
CONFIG = 'company: {name: Acme AS, official_accounts: {reddit: [acme_no], trustpilot: ["Acme AS"]}}\n'


def her_rows(now) -> list[dict]:
    return [
        m("ing1", author=NAME, text="Ledelsen ignorerer oss, ingen svarer på klager.", at=now - 2 * timedelta(days=1),
          p_negative=0.95, aspects=["ledelse"]),
        m("ing1r", parent="ing1", author="acme_no", official=True, at=now - timedelta(days=1),
          text="Hei, vi beklager! Ta kontakt med oss.", p_negative=0.1),
        m("ing2", parent="ing1r", author="@" + NAME.upper(), at=now - timedelta(hours=20),
          text="Fortsatt ingen bedring her.", p_negative=0.8),
        m("ing3", source="trustpilot", author=NAME.lower(), text="Grusom arbeidsgiver, dårlig lønn.",
          at=now - timedelta(days=3), rating=1),
    ]


def import_line(row: dict) -> str:
    keys = ("source", "external_id", "parent_id", "author", "is_official", "published_at", "text", "rating")
    return json.dumps({k: row[k] for k in keys if row.get(k) is not None}, ensure_ascii=False)


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    now = utcnow()
    rows = sample_world(now) + her_rows(now)
    data = make_store(tmp_path, rows, official_accounts={"reddit": {"acme_no"}, "trustpilot": {"acme as"}})
    con = connect_writer(data)
    try:
        her_id = con.execute("SELECT id FROM mentions WHERE external_id = 'ing1'").fetchone()[0]  # type: ignore[index]
        other_id = con.execute("SELECT id FROM mentions WHERE external_id = 'c2'").fetchone()[0]  # type: ignore[index]
        con.execute("INSERT INTO alert_outbox (kind, subject, mention_id, channel, created_at, next_attempt_at, status) "
                    "VALUES ('criticism', ?, ?, 'hr', ?, ?, 'sent')", [str(her_id), her_id, now, now])
        con.execute("INSERT INTO label_corrections VALUES (?, ?, 'negative', 'hr-kari', ?)",
                    [her_id, rows[-4]["text"], now])
        con.execute("INSERT INTO crawl_runs (run_key, source_name, started_at, status, error_samples) "
                    "VALUES ('r1', 'tp', ?, 'partial', ?)", [now, json.dumps([f"http://x/u/{NAME}: 404"])])
    finally:
        con.close()
    # a pending correction in the dashboard's inbox, and another person's
    append_label_correction(data.root, her_id, rows[-4]["text"], "neutral", corrected_by="hr-kari")
    append_label_correction(data.root, other_id, "Turnusen er helt umulig å planlegge livet rundt.", "negative")
    # archived crawl output with her lines, the spider's log naming her
    done = data.staging / "done"
    done.mkdir(parents=True)
    (done / "run1.jsonl").write_text("".join(import_line(r) + "\n" for r in rows[-4:] + rows[:2]), encoding="utf-8")
    (done / "run1.log").write_text(f"INFO scraped review by {NAME}\nINFO done\n", encoding="utf-8")
    (tmp_path / "rykte.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "rykte.yaml", data.root, rows


@pytest.mark.slow  # several CLI processes
def test_forget_erases_everywhere_and_stays_erased(world, tmp_path: Path) -> None:
    config, data, rows = world
    assert files_naming(data, NAME)  # the setup really holds her name in files
    out = run_rykte("--config", str(config), "--data-dir", str(data), "forget", "--author", NAME.upper())
    assert out.returncode == 0, out.stderr
    assert f"erased 3 mention(s) by {NAME.upper()}" in out.stdout and "suppressed from now on" in out.stdout

    assert files_naming(data, NAME) == []  # store bytes, snapshot, staged files, logs, inbox
    for db in ("rykte.duckdb", "dashboard.duckdb"):
        with duckdb.connect(str(data / db), read_only=True) as con:
            q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
            assert q("SELECT count(*) FROM mentions WHERE external_id LIKE 'ing%' AND external_id <> 'ing1r'") == [(0,)]
            assert q("SELECT count(*) FROM alert_outbox") == [(0,)]
            assert q("SELECT count(*) FROM label_corrections") == [(0,)]
            assert q("SELECT count(*) FROM mentions WHERE external_id = 'c2'") == [(1,)]  # others stay
            assert q("SELECT count(*) FROM suppressions") == [(1,)]
    staged = (data / "staging" / "done" / "run1.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["external_id"] for x in staged] == ["ing1r", "c1", "r1"]
    pending = corrections_path(data).read_text(encoding="utf-8").splitlines()
    assert len(pending) == 1 and "Turnusen" in pending[0]

    # a re-import of a file holding her items brings none back, and says so
    again = tmp_path / "again.jsonl"
    again.write_text("".join(import_line(r) + "\n" for r in rows[-4:]), encoding="utf-8")
    imp = run_rykte("--config", str(config), "--data-dir", str(data), "import", str(again), "--no-analyze")
    assert imp.returncode == 0, imp.stderr
    with duckdb.connect(str(data / "rykte.duckdb"), read_only=True) as con:
        assert con.execute("SELECT external_id FROM mentions WHERE external_id LIKE 'ing%'").fetchall() == [("ing1r",)]
    assert files_naming(data, NAME) == []

    listed = run_rykte("--data-dir", str(data), "forget", "--list")
    assert listed.returncode == 0 and listed.stdout.startswith("1 suppression(s)") and NAME not in listed.stdout
    undo_without_name = run_rykte("--data-dir", str(data), "forget", "--undo")
    assert undo_without_name.returncode == 2
    undo = run_rykte("--data-dir", str(data), "forget", "--undo", "--author", NAME)
    assert undo.returncode == 0 and "removed" in undo.stdout
    imp = run_rykte("--config", str(config), "--data-dir", str(data), "import", str(again), "--no-analyze")
    with duckdb.connect(str(data / "rykte.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mentions WHERE external_id LIKE 'ing%'").fetchall() == [(4,)]


@pytest.mark.slow  # a CLI process
def test_forget_on_one_source_keeps_the_other(world) -> None:
    config, data, _rows = world
    out = run_rykte("--config", str(config), "--data-dir", str(data), "forget", "--author", NAME, "--source",
                    "trustpilot")
    assert out.returncode == 0 and "erased 1 mention(s)" in out.stdout, out.stderr
    with duckdb.connect(str(data / "rykte.duckdb"), read_only=True) as con:
        left = con.execute("SELECT source, count(*) FROM mentions WHERE external_id LIKE 'ing%' GROUP BY ALL").fetchall()
    assert dict(left) == {"reddit": 3}


@pytest.mark.slow  # renders a real PDF twice
def test_written_report_is_written_again_without_her(world) -> None:
    config, data, _rows = world
    week = utcnow().isocalendar()
    name = f"{week.year}-W{week.week:02d}"
    rep = run_rykte("--config", str(config), "--data-dir", str(data), "report", "--week", name)
    assert rep.returncode == 0, rep.stderr
    html = data / "reports" / f"{name}.html"
    assert NAME.lower() in html.read_text(encoding="utf-8").lower() or "Grusom arbeidsgiver" in html.read_text(
        encoding="utf-8")
    before = html.stat().st_mtime_ns
    out = run_rykte("--config", str(config), "--data-dir", str(data), "forget", "--author", NAME)
    assert out.returncode == 0 and f"reports written again: {name}" in out.stdout, out.stdout + out.stderr
    text = html.read_text(encoding="utf-8")
    assert html.stat().st_mtime_ns > before and NAME.lower() not in text.lower()
    assert "Grusom arbeidsgiver" not in text and "Ledelsen ignorerer oss" not in text


def test_a_report_that_cannot_be_written_again_is_deleted(world) -> None:
    from pipeline.privacy.erasure import forget_person
    from pipeline.store.db import DataDir

    _config, root, _rows = world
    week = utcnow().isocalendar()
    name = f"{week.year}-W{week.week:02d}"
    reports = root / "reports"
    (reports / f"{name}.html").write_text(f"<p>{NAME}</p>", encoding="utf-8")
    (reports / f"{name}.pdf").write_bytes(b"%PDF-1.7 stand-in")
    (reports / "2001-W01.html").write_text("<p>nobody</p>", encoding="utf-8")

    def failing(_con, _week):  # type: ignore[no-untyped-def]
        raise RuntimeError("renderer broke")

    result = forget_person(DataDir(root), NAME, write_report=failing)
    assert result.reports_deleted == [name] and result.reports_rewritten == []
    assert sorted(p.name for p in reports.iterdir()) == ["2001-W01.html"]
