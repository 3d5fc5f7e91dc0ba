"""How the company answered: delay and quality distributions, outcomes, template replies.

Why: the response page and the weekly report look at answered criticism one reply at a time
(`responded_criticisms`) and bin it — first-response delay on the 24/7 clock, reply quality
0..100, the follow-up outcome — and spot official replies reused word for word as templates.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.store.metrics import window_sql


def responded_criticisms(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                         until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """One row per answered criticism: delay (24/7 and business hours), SLA, quality, outcome."""
    cond, params = window_sql(since, until, source)
    return con.execute(
        f"""
        SELECT m.id, m.source, m.published_at, r.delay_hours, r.business_delay_hours,
               r.clock_anomaly, r.sla_breached, r.quality, coalesce(r.outcome, 'unknown') AS outcome
        FROM mentions m JOIN responses r ON r.mention_id = m.id
        WHERE NOT m.official AND coalesce(m.is_criticism, false) AND r.response_id IS NOT NULL AND {cond}
        ORDER BY m.published_at
        """,
        params,
    ).df()


QUALITY_BINS = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0001]
QUALITY_LABELS = ["0–20", "20–40", "40–60", "60–80", "80–100"]
DELAY_BINS = [0.0, 1.0, 4.0, 8.0, 24.0, 72.0, float("inf")]
DELAY_LABELS = ["< 1 t", "1–4 t", "4–8 t", "8–24 t", "1–3 døgn", "> 3 døgn"]


def quality_distribution(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                         until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Answered criticism counted per quality band (0..100 in steps of 20)."""
    df = responded_criticisms(con, since, until, source)
    q = df["quality"].dropna().astype(float)
    bands = pd.cut(q, QUALITY_BINS, labels=QUALITY_LABELS, right=False, include_lowest=True)
    counts = bands.value_counts().reindex(QUALITY_LABELS, fill_value=0)
    return pd.DataFrame({"band": QUALITY_LABELS, "answered": counts.to_numpy().astype(int)})


def delay_distribution(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                       until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Answered criticism counted per first-response delay band (24/7 clock)."""
    df = responded_criticisms(con, since, until, source)
    d = df["delay_hours"].dropna().astype(float)
    bands = pd.cut(d, DELAY_BINS, labels=DELAY_LABELS, right=False, include_lowest=True)
    counts = bands.value_counts().reindex(DELAY_LABELS, fill_value=0)
    return pd.DataFrame({"band": DELAY_LABELS, "answered": counts.to_numpy().astype(int)})


def outcomes(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
             until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Answered criticism counted per outcome (resolved / unresolved / no_followup / unknown)."""
    df = responded_criticisms(con, since, until, source)
    order = ["resolved", "unresolved", "no_followup", "unknown"]
    counts = df["outcome"].value_counts()
    rows = [{"outcome": o, "answered": int(counts.get(o, 0))} for o in order]
    rows += [{"outcome": o, "answered": int(n)} for o, n in counts.items() if o not in order]
    return pd.DataFrame(rows, columns=["outcome", "answered"])


def _normalise_reply(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def template_replies(con: duckdb.DuckDBPyConnection, since: date | datetime | None = None,
                     until: date | datetime | None = None, source: str | None = None,
                     min_count: int = 2) -> pd.DataFrame:
    """Official replies whose (whitespace/case-normalised) text is reused `min_count` times or more."""
    cond, params = window_sql(since, until, source)
    rows = con.execute(
        f"SELECT m.text, m.source, m.published_at FROM mentions m WHERE m.official AND {cond}", params
    ).fetchall()
    groups: dict[str, dict[str, Any]] = {}
    for text, src, published in rows:
        g = groups.setdefault(_normalise_reply(text), {"text": text, "uses": 0, "sources": set(),
                                                         "last_used": published})
        g["uses"] += 1
        g["sources"].add(src)
        g["last_used"] = max(g["last_used"], published)
    out = [{"text": g["text"], "uses": g["uses"], "sources": ", ".join(sorted(g["sources"])),
            "last_used": g["last_used"]} for g in groups.values() if g["uses"] >= min_count]
    df = pd.DataFrame(out, columns=["text", "uses", "sources", "last_used"])
    return df.sort_values(["uses", "last_used"], ascending=False).reset_index(drop=True)
