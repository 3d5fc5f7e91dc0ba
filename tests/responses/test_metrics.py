"""SPEC §4 metrics against hand-computed threads (tests/fixtures/threads.jsonl).

The scenario, in UTC (official: reddit account NordlysLogistikk by config, Trustpilot replies by flag):
- r1 criticism (model) 03-02 10:00; kari's r2 replies; the company answers r2 at 14:00 (r3, deeper in
  r1's thread) and r1 directly at 16:00 (r4): r1's first response is r3, 4 h. r2 itself: 3 h.
- r6 criticism, never answered; r7 (lise replying to another user's comment) criticism, never answered.
- t1 rating 1, edited to 12:00 after the 10:00 reply: delay 0, one clock anomaly.
- t2 rating 5 with p_negative 0.9: never criticism (rating >= 4); answered after 2 h.
- t3 rating 3, model negative: criticism, answered after 10 h. t4 rating 2: criticism, unanswered.
- t5 (April) falls outside the March window.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from pipeline.config.model import ResponsesConfig
from pipeline.ingest.importer import parse_file
from pipeline.responses.link import link_responses
from pipeline.store.db import DataDir, connect_writer
from pipeline.store.mentions import resolve_official, resolve_threads, sync_official_accounts, upsert_mentions
from pipeline.store.metrics import compute_metrics, refresh_criticism
from tests.conftest import run_rykte


def build(tmp_path: Path, fixtures_dir: Path) -> duckdb.DuckDBPyConnection:
    con = connect_writer(DataDir(tmp_path))
    parsed = parse_file(fixtures_dir / "threads.jsonl")
    assert parsed.errors == []
    upsert_mentions(con, parsed.rows)
    sync_official_accounts(con, {"reddit": {"nordlyslogistikk"}})
    resolve_official(con)
    resolve_threads(con)
    with (fixtures_dir / "negatives.csv").open() as fh:
        for row in csv.DictReader(fh):
            con.execute("UPDATE mentions SET p_negative = ? WHERE external_id = ?",
                        [float(row["p_negative"]), row["external_id"]])
    refresh_criticism(con, 0.5)
    link_responses(con, ResponsesConfig())
    return con


@pytest.fixture
def store(tmp_path: Path, fixtures_dir: Path) -> duckdb.DuckDBPyConnection:
    return build(tmp_path, fixtures_dir)


def test_march_window_matches_hand_computed_values(store: duckdb.DuckDBPyConnection) -> None:
    from datetime import date

    m = compute_metrics(store, date(2026, 3, 1), date(2026, 4, 1))
    assert m["since"] == "2026-03-01" and m["until"] == "2026-04-01"
    assert m["mentions"] == 9
    assert m["official_mentions"] == 5
    assert m["criticisms"] == 6  # r1, r6, r7, t1, t3, t4
    assert m["criticisms_responded"] == 3  # r1 (4 h), t1 (0 h), t3 (10 h)
    assert m["response_rate"] == pytest.approx(0.5)
    assert m["first_response_hours"]["median"] == pytest.approx(4.0)
    assert m["first_response_hours"]["p90"] == pytest.approx(8.8)  # 4 + 0.8 * (10 - 4)
    assert m["all_mentions"]["responded"] == 5  # r1, r2, t1, t2, t3
    assert m["all_mentions"]["response_rate"] == pytest.approx(5 / 9)
    assert m["all_mentions"]["first_response_hours"]["median"] == pytest.approx(3.0)  # [0, 2, 3, 4, 10]
    assert m["all_mentions"]["first_response_hours"]["p90"] == pytest.approx(7.6)  # 4 + 0.6 * 6
    assert m["clock_anomalies"] == 1
    assert m["by_source"] == {
        "reddit": {"mentions": 5, "criticisms": 3, "criticisms_responded": 1, "response_rate": pytest.approx(1 / 3)},
        "trustpilot": {"mentions": 4, "criticisms": 3, "criticisms_responded": 2,
                       "response_rate": pytest.approx(2 / 3)},
    }
    quality = store.execute(
        "SELECT avg(r.quality) FROM responses r JOIN mentions m ON m.id = r.mention_id "
        "WHERE m.external_id IN ('r1', 't1', 't3')").fetchone()[0]
    assert m["quality_mean"] == pytest.approx(quality)
    assert 0 <= m["quality_mean"] <= 100


def test_first_response_is_the_earliest_official_descendant(store: duckdb.DuckDBPyConnection) -> None:
    rows = dict(store.execute(
        "SELECT m.external_id, d.external_id FROM responses r JOIN mentions m ON m.id = r.mention_id "
        "LEFT JOIN mentions d ON d.id = r.response_id").fetchall())
    assert rows["r1"] == "r3"  # reply to kari's comment, deeper in r1's thread, earlier than r4
    assert rows["r2"] == "r3"
    assert rows["r5"] is None  # nothing official below the follow-up
    assert rows["r6"] is None and rows["r7"] is None
    assert "r3" not in rows  # official mentions are not measured


def test_empty_window_gives_zeros_and_nulls(store: duckdb.DuckDBPyConnection) -> None:
    from datetime import date

    m = compute_metrics(store, date(2025, 1, 1), date(2025, 2, 1))
    assert m["mentions"] == 0 and m["criticisms"] == 0 and m["criticisms_responded"] == 0
    assert m["response_rate"] is None
    assert m["first_response_hours"] == {"median": None, "p90": None}
    assert m["all_mentions"]["response_rate"] is None
    assert m["quality_mean"] is None
    assert m["by_source"] == {}


def test_source_filter_and_window_bounds(store: duckdb.DuckDBPyConnection) -> None:
    from datetime import date

    m = compute_metrics(store, date(2026, 3, 4), date(2026, 3, 6), source="trustpilot")
    # t1 (03-04 12:00) and t2 (03-05 08:00) are in; t3 (03-06 06:00) is not: until is exclusive
    assert m["mentions"] == 2
    assert m["criticisms"] == 1
    assert list(m["by_source"]) == ["trustpilot"]
    whole = compute_metrics(store, source="trustpilot")
    assert whole["criticisms"] == 4 and whole["criticisms_responded"] == 3  # t5 in April counts


def test_official_account_change_relinks(store: duckdb.DuckDBPyConnection) -> None:
    from datetime import date

    sync_official_accounts(store, {})  # the reddit account is no longer the company's
    resolve_official(store)
    refresh_criticism(store, 0.5)
    link_responses(store, ResponsesConfig())
    m = compute_metrics(store, date(2026, 3, 1), date(2026, 4, 1))
    assert m["official_mentions"] == 3  # only the flagged Trustpilot replies
    assert m["by_source"]["reddit"]["criticisms_responded"] == 0


@pytest.mark.slow  # four CLI processes, ~3 s
def test_cli_import_and_metrics_json(tmp_path: Path, fixtures_dir: Path) -> None:
    config = tmp_path / "rykte.yaml"
    config.write_text("company:\n  name: Nordlys Logistikk AS\n  official_accounts:\n"
                      "    reddit: [NordlysLogistikk]\n", encoding="utf-8")
    data = tmp_path / "d"
    first = run_rykte("--config", str(config), "--data-dir", str(data), "import",
                      str(fixtures_dir / "threads.jsonl"), "--no-analyze")
    assert first.returncode == 0, first.stderr
    assert "16 new" in first.stdout
    again = run_rykte("--config", str(config), "--data-dir", str(data), "import",
                      str(fixtures_dir / "threads.jsonl"), "--no-analyze")
    assert again.returncode == 0 and "0 new, 0 updated, 16 unchanged" in again.stdout
    out = run_rykte("--data-dir", str(data), "metrics", "--json", "--since", "2026-03-01", "--until", "2026-04-01")
    assert out.returncode == 0, out.stderr
    m = json.loads(out.stdout)
    # without the model, only ratings decide: t1 (answered "before" it was written) and t4
    assert m["criticisms"] == 2 and m["criticisms_responded"] == 1
    assert m["first_response_hours"] == {"median": 0.0, "p90": 0.0}
    assert m["clock_anomalies"] == 1
    assert m["official_mentions"] == 5
    bad = run_rykte("--data-dir", str(data), "metrics", "--json", "--since", "March")
    assert bad.returncode == 2 and "--since" in bad.stderr


def test_root_replies_employees_dst_and_holidays(tmp_path: Path, fixtures_dir: Path) -> None:
    """threads_more.jsonl, with business hours 08–16 Oslo time:
    - x2, an employee's criticism under a news post: the company answers the post (x3), not x2, so x2
      is unanswered while the post x1 is answered after 2 h.
    - y1 Sat 28 Mar 15:00 (+01:00), answered Mon 30 Mar 09:00 (+02:00, after the DST change):
      14:00Z → 07:00Z = 41 h on the 24/7 clock, 1 business hour (Monday 08–09).
    - z1 Wed 13 May 15:00, answered Fri 15 May 09:00 across Ascension Day (Thu 14 May 2026):
      42 h, business hours 15–16 Wednesday + 08–09 Friday = 2.
    """
    con = connect_writer(DataDir(tmp_path))
    upsert_mentions(con, parse_file(fixtures_dir / "threads_more.jsonl").rows)
    sync_official_accounts(con, {"reddit": {"nordlyslogistikk"}})
    resolve_official(con)
    resolve_threads(con)
    con.execute("UPDATE mentions SET p_negative = CASE WHEN external_id IN ('x2', 'y1', 'z1') THEN 0.9 ELSE 0.1 END")
    refresh_criticism(con, 0.5)
    link_responses(con, ResponsesConfig())
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT m.external_id, d.external_id, r.delay_hours, r.business_delay_hours, r.sla_breached "
        "FROM responses r JOIN mentions m ON m.id = r.mention_id LEFT JOIN mentions d ON d.id = r.response_id"
    ).fetchall()}
    assert rows["x2"][0] is None
    assert rows["x1"][:2] == ("x3", pytest.approx(2.0))
    assert rows["y1"] == ("y2", pytest.approx(41.0), pytest.approx(1.0), True)
    assert rows["z1"] == ("z2", pytest.approx(42.0), pytest.approx(2.0), True)
    m = compute_metrics(con)
    assert m["criticisms"] == 3 and m["criticisms_responded"] == 2  # the employee's criticism counts
    assert m["first_response_hours"]["median"] == pytest.approx(41.5)
