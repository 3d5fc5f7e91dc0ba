"""The criticism inbox, the thread view of one mention, and its reply-quality components.

Why: this is the working list of the people who answer criticism. A *criticism* is a
non-official mention with `is_criticism` true (set by `metrics.refresh_criticism`); it is
*answered* when `responses.response_id` is set. Open criticism ages on the 24/7 clock, the same
clock as the SPEC's first-response time, and is flagged by the one SLA rule (`pipeline.store.sla`)
against the configured SLA published with the snapshot (`settings`); an answered one carries the
flag the writer stored in `responses.sla_breached` with the same rule. The thread view
and the reply-quality components are what the inbox shows when one row is opened.
(Not to be confused with `pipeline.store.inbox`, the label-correction inbox file.)
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.store.metrics import window_sql
from pipeline.store.queries.common import aspect_names, aspect_names_column
from pipeline.store.settings import read_settings
from pipeline.store.sla import sla_breached

CRITICISM_SQL = """
SELECT m.id, m.source, m.author, m.published_at, coalesce(m.language, m.lang) AS language,
       m.rating, m.sentiment, m.p_negative, m.aspects, m.title, m.text, m.url, m.thread_id,
       r.response_id, r.responded_at, r.delay_hours, r.business_delay_hours,
       coalesce(r.clock_anomaly, false) AS clock_anomaly, r.sla_breached AS stored_sla_breached,
       r.quality, r.quality_components, r.outcome
FROM mentions m LEFT JOIN responses r ON r.mention_id = m.id
WHERE NOT m.official AND coalesce(m.is_criticism, false) AND {cond}
"""

INBOX_COLUMNS = ["id", "source", "author", "published_at", "language", "rating", "sentiment",
                 "p_negative", "aspects", "title", "text", "url", "thread_id", "status", "age_hours",
                 "deadline", "hours_left", "sla_breached", "response_id", "responded_at", "delay_hours", "business_delay_hours",
                 "clock_anomaly", "quality", "quality_components", "outcome"]


def criticism_inbox(
    con: duckdb.DuckDBPyConnection,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    source: str | None = None,
    *,
    now: datetime,
    sla_hours: float | None = None,
    status: str | None = None,
    language: str | None = None,
    aspect: str | None = None,
) -> pd.DataFrame:
    """Criticism in the window: open first (oldest first = least time left to the SLA deadline, with
    age, deadline, hours left and SLA breach), then answered (newest first, with delay, quality and
    outcome).

    `status` is "open", "answered" or None (both); `language` and `aspect` filter further. `now` is
    naive UTC; `age_hours` is how long an open criticism has waited and `hours_left` how long until
    its `deadline` (published + SLA; negative once overdue), both None when answered.
    `sla_hours` defaults to the configured SLA published in `settings`.
    """
    sla = read_settings(con).sla_hours if sla_hours is None else sla_hours
    cond, params = window_sql(since, until, source)
    df = con.execute(CRITICISM_SQL.format(cond=cond), params).df()
    if df.empty:
        return pd.DataFrame(columns=INBOX_COLUMNS)
    df["aspects"] = aspect_names_column(df["aspects"])
    answered = df["response_id"].notna()
    df["status"] = answered.map({True: "answered", False: "open"})
    age = (pd.Timestamp(now) - pd.to_datetime(df["published_at"])).dt.total_seconds() / 3600.0
    df["age_hours"] = age.where(~answered).clip(lower=0).astype("Float64")
    df["deadline"] = pd.to_datetime(df["published_at"]) + pd.Timedelta(hours=sla)
    df["hours_left"] = (sla - df["age_hours"]).astype("Float64")  # < 0: overdue; None when answered
    df["sla_breached"] = [
        bool(stored) if is_answered and not pd.isna(stored) else sla_breached(_hours(wait), sla)
        for is_answered, stored, wait in zip(
            answered, df["stored_sla_breached"], df["delay_hours"].where(answered, df["age_hours"]), strict=True)
    ]
    if status in ("open", "answered"):
        df = df[df["status"] == status]
    if language:
        df = df[df["language"] == language]
    if aspect:
        df = df[df["aspects"].map(lambda a: aspect in a)]
    open_part = df[df["status"] == "open"].sort_values(["published_at", "id"])
    ans_part = df[df["status"] == "answered"].sort_values(["published_at", "id"], ascending=False)
    out = pd.concat([open_part, ans_part]) if not open_part.empty or not ans_part.empty else df
    return out[INBOX_COLUMNS].reset_index(drop=True)


def _hours(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def open_past_sla(con: duckdb.DuckDBPyConnection, *, now: datetime, sla_hours: float | None = None,
                  until: date | datetime | None = None, source: str | None = None) -> pd.DataFrame:
    """Every unanswered criticism published before `until` whose age at `now` exceeds the SLA."""
    df = criticism_inbox(con, None, until, source, now=now, sla_hours=sla_hours, status="open")
    return df[df["sla_breached"].astype(bool)].reset_index(drop=True)  # an empty frame keeps its columns


def quality_components(raw: Any) -> pd.DataFrame:
    """`responses.quality_components` JSON → one row per component (the id of
    pipeline/responses/quality/; readers explain it with the catalogue's `quality.component.<id>`)."""
    cols = ["component", "value", "weight", "evidence"]
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return pd.DataFrame(columns=cols)
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except (TypeError, ValueError):
        return pd.DataFrame(columns=cols)
    rows = []
    items = data.items() if isinstance(data, dict) else (
        ((d.get("name") or d.get("component"), d) for d in data if isinstance(d, dict))
        if isinstance(data, list) else [])
    for name, v in items:
        if isinstance(v, dict):
            value, weight, evidence = v.get("value", v.get("score")), v.get("weight"), v.get("evidence")
        else:
            value, weight, evidence = v, None, None
        if isinstance(evidence, list | tuple):
            evidence = ", ".join(str(e) for e in evidence)
        rows.append({"component": str(name), "value": value, "weight": weight,
                     "evidence": None if evidence is None else str(evidence)})
    return pd.DataFrame(rows, columns=cols)


def thread_view(con: duckdb.DuckDBPyConnection, mention_id: int) -> dict[str, Any] | None:
    """The whole thread of one mention, the company's replies marked, and its response details.

    Returns {"mention": dict, "thread": DataFrame, "response": dict | None,
    "components": DataFrame} or None if the mention is not in the store.
    """
    row = con.execute("SELECT source, thread_id, external_id FROM mentions WHERE id = ?",
                      [mention_id]).fetchone()
    if row is None:
        return None
    src, thread, ext = row
    thread_df = con.execute(
        """
        SELECT id, external_id, parent_id, author, official, published_at, title, text, url,
               coalesce(language, lang) AS language, rating, sentiment, coalesce(is_criticism, false)
               AS is_criticism
        FROM mentions
        WHERE source = ? AND (thread_id = ? OR external_id = ? OR id = ?)
        ORDER BY published_at, id
        """,
        [src, thread if thread is not None else ext, thread if thread is not None else ext, mention_id],
    ).df()
    resp = con.execute(
        """SELECT response_id, responded_at, delay_hours, business_delay_hours, clock_anomaly,
                  sla_breached, quality, quality_components, followup_id, followup_sentiment, outcome
           FROM responses WHERE mention_id = ?""",
        [mention_id],
    ).fetchone()
    response: dict[str, Any] | None = None
    if resp is not None:
        keys = ["response_id", "responded_at", "delay_hours", "business_delay_hours", "clock_anomaly",
                "sla_breached", "quality", "quality_components", "followup_id", "followup_sentiment",
                "outcome"]
        response = dict(zip(keys, resp, strict=True))
    first_response = response["response_id"] if response else None
    parents = dict(zip(thread_df["external_id"], thread_df["parent_id"], strict=True))

    def depth(ext_id: str) -> int:
        d, cur, seen = 0, parents.get(ext_id), set()
        while cur is not None and cur in parents and cur not in seen and d < 200:
            seen.add(cur)
            d, cur = d + 1, parents.get(cur)
        return d

    thread_df["depth"] = thread_df["external_id"].map(depth)
    thread_df["is_target"] = thread_df["id"] == mention_id
    thread_df["is_first_response"] = thread_df["id"] == first_response
    mention = thread_df[thread_df["is_target"]].iloc[0].to_dict()
    mention["aspects"] = aspect_names(con.execute("SELECT aspects FROM mentions WHERE id = ?",
                                                  [mention_id]).fetchone()[0])  # type: ignore[index]
    return {"mention": mention, "thread": thread_df, "response": response,
            "components": quality_components(response["quality_components"] if response else None)}
